"""Tests of the regional-council (regionråd) reference plans: each covers its county exactly."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from regionopt.data.municipalities import load_municipalities
from regionopt.data.reference import (
    REFERENCE_PLANS,
    REGIONRAAD_COUNTIES,
    load_reference,
    population_problem,
    reference_codes,
    reference_for,
    reference_key,
    reference_path,
)
from regionopt.problem import ProblemData

#: The member count of each region per file, as sourced in
#: data/geo/reference/README.md (a change to a file must be a change here too).
EXPECTED_REGIONS = {
    "regionraad_more_og_romsdal": {
        "Nordmøre IPR": 8, "Romsdal IPR": 5, "Sunnmøre regionråd": 14},
    "regionraad_nordland": {
        "Helgelandsrådet": 11, "Polarsirkelrådet": 6, "Salten": 10, "Lofotrådet": 6,
        "Vesterålen": 5, "Hålogalandsrådet": 3},
    "regionraad_buskerud": {
        "Drammensregionen": 3, "Ringeriksregionen": 4, "Hallingdal": 6, "Kongsbergregionen": 5},
    "regionraad_telemark": {
        "Grenland": 6, "Vest-Telemark": 6, "Nome og Midt-Telemark": 2, "Kongsbergregionen": 3},
    "regionraad_agder": {
        "Østre Agder": 8, "Region Kristiansand": 6, "Lister": 6, "Setesdal": 5},
}

#: Municipalities placed by a stated choice (README): a double member, a 2023 move.
PLACED = {
    "1535": ("regionraad_more_og_romsdal", "Romsdal IPR"),  # Vestnes, also in Sunnmøre regionråd
    "1580": ("regionraad_more_og_romsdal", "Sunnmøre regionråd"),  # Haram, split off in 2024
    "1851": ("regionraad_nordland", "Hålogalandsrådet"),  # Lødingen, left Vesterålen 2023
    "1835": ("regionraad_nordland", "Polarsirkelrådet"),  # Træna, left Helgelandsrådet 2023
    "1836": ("regionraad_nordland", "Salten"),  # Rødøy
    "4224": ("regionraad_agder", "Setesdal"),  # Åseral
    "3332": ("regionraad_buskerud", "Kongsbergregionen"),  # Sigdal, from Midt-Buskerud 2020
}


def _ba_2020() -> pd.DataFrame:
    return pd.read_csv(reference_path("ba_2020"), dtype=str, keep_default_na=False)


def _table(key: str) -> pd.DataFrame:
    return pd.read_csv(reference_path(key), dtype=str, keep_default_na=False)


def test_every_regionraad_file_is_registered() -> None:
    assert set(REGIONRAAD_COUNTIES) == set(EXPECTED_REGIONS)
    files = {p.name for p in reference_path("ba_2020").parent.glob("regionraad_*.csv")}
    assert files == {REFERENCE_PLANS[k].file for k in REGIONRAAD_COUNTIES}


@pytest.mark.parametrize("key", sorted(EXPECTED_REGIONS))
def test_file_covers_exactly_the_county_in_2024(key: str) -> None:
    county = REGIONRAAD_COUNTIES[key]
    df = _table(key)
    assert list(df.columns) == ["kommunenummer", "name", "region", "source"]
    assert df["kommunenummer"].is_unique
    ba = _ba_2020()
    want = ba.loc[ba["kommunenummer"].str[:2] == county]
    assert sorted(df["kommunenummer"]) == sorted(want["kommunenummer"])
    assert tuple(sorted(df["kommunenummer"])) == reference_codes(key)
    names = dict(zip(want["kommunenummer"], want["name"], strict=True))
    assert all(names[c] == n for c, n in zip(df["kommunenummer"], df["name"], strict=True))
    assert df["region"].value_counts().to_dict() == EXPECTED_REGIONS[key]
    assert (df["region"].str.len() > 0).all()
    assert df["source"].str.startswith("http").all()


@pytest.mark.parametrize("key", sorted(EXPECTED_REGIONS))
def test_each_row_names_its_municipality_in_the_source(key: str) -> None:
    """A row's source names the member (one of its names: ``Aarborte - Hattfjelldal``)."""
    df = _table(key)
    for name, source in zip(df["name"], df["source"], strict=True):
        assert any(part in source for part in name.split(" - ")), (key, name)


def test_stated_placements() -> None:
    for code, (key, region) in PLACED.items():
        df = _table(key).set_index("kommunenummer")
        assert df.loc[code, "region"] == region, code


@pytest.mark.parametrize("key", sorted(EXPECTED_REGIONS))
def test_loads_by_name_and_is_the_county_default(key: str, data_dir: Path) -> None:
    alias = REFERENCE_PLANS[key].alias
    assert reference_key(alias) == key and alias == key.replace("_", "-")
    problem: ProblemData = population_problem(
        load_municipalities(REGIONRAAD_COUNTIES[key], data_dir=data_dir))
    plan = load_reference(key, problem)
    assert set(plan.assignment) == set(problem.codes)
    assert len(plan.regions) == len(EXPECTED_REGIONS[key])
    chosen = reference_for(problem)
    assert chosen is not None and chosen[0] == alias
