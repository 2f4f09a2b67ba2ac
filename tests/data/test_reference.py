"""Tests of regionopt.data.reference: the NIVI 2023 plan on the real 2024 data, bad plan files."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from regionopt.data.municipalities import load_municipalities, resolve_area
from regionopt.data.reference import (
    BA_2020,
    ECONOMIC_REGIONS,
    NIVI_2023,
    REFERENCE_PLANS,
    REGIONRAAD_COUNTIES,
    load_reference,
    nivi_2023,
    nivi_2023_region_populations,
    population_problem,
    reference_codes,
    reference_for,
    reference_key,
    reference_keys_for,
    reference_path,
    reference_plans_for,
)
from regionopt.errors import DataError
from regionopt.plan import read_plan
from regionopt.problem import ProblemData

NIVI_CORES = {
    "Tromsøregionen": "5501", "Harstadregionen": "5503", "Senjaregionen": "5530",
    "Midt-Troms": "5524", "Nord-Troms": "5544", "Altaregionen": "5601",
    "Hammerfestregionen": "5603", "Sør-Varanger": "5605", "Midt-Finnmark": "5622",
    "Vadsø og Vardø": "5607", "Vestre Varanger": "5628", "Kautokeino og Karasjok": "5612",
}
# 2024 population 7 779 against 7 598 printed in the seed (+2.4 %); see
# data/geo/reference/README.md.
KNOWN_OVER_2_PERCENT = {"Vadsø og Vardø"}


@pytest.fixture(scope="module")
def munis(data_dir: Path) -> pd.DataFrame:
    """Troms og Finnmark municipalities (2024), without geometry."""
    gdf = load_municipalities("troms-finnmark", data_dir=data_dir)
    return pd.DataFrame(gdf.drop(columns="geometry"))


@pytest.fixture(scope="module")
def tf_problem(munis: pd.DataFrame) -> ProblemData:
    return population_problem(munis)


def test_nivi_file_covers_exactly_troms_and_finnmark(data_dir: Path) -> None:
    df = pd.read_csv(reference_path(NIVI_2023), dtype=str, keep_default_na=False)
    assert list(df.columns) == ["kommunenummer", "region", "source"]
    assert len(df) == 39 and df["kommunenummer"].is_unique
    assert reference_codes(NIVI_2023) == resolve_area("troms-finnmark", data_dir=data_dir)
    assert df["region"].nunique() == 12
    assert (df["source"].str.len() > 0).all()


def test_nivi_member_counts_match_the_seed() -> None:
    df = pd.read_csv(reference_path(NIVI_2023), dtype=str, keep_default_na=False)
    seed = nivi_2023_region_populations()
    assert seed["members"].sum() == 39
    assert df["region"].value_counts().sort_index().to_dict() == dict(
        sorted(zip(seed["region"], seed["members"], strict=True)))
    totals = seed.groupby("table")["population_2023"].sum().to_dict()
    assert totals == {"Troms": 167786, "Finnmark": 75586}


def test_nivi_cores_are_the_most_populous_members(tf_problem: ProblemData) -> None:
    plan = nivi_2023(tf_problem)
    assert plan.name == "NIVI 2023"
    assert dict(plan.cores) == NIVI_CORES
    assert plan.assignment["5546"] == "Altaregionen"  # Kvænangen, in Troms


def test_nivi_without_problem_loads_populations(data_dir: Path) -> None:
    assert dict(nivi_2023(data_dir=data_dir).cores) == NIVI_CORES


@pytest.mark.parametrize("region", sorted(NIVI_CORES))
def test_nivi_region_populations_2024_within_2_percent_of_seed_2023(
    region: str, tf_problem: ProblemData, munis: pd.DataFrame, request: pytest.FixtureRequest,
) -> None:
    if region in KNOWN_OVER_2_PERCENT:
        request.applymarker(pytest.mark.xfail(
            strict=True, reason="seed prints 7 598 for Vadsø og Vardø; 2024 data give 7 779"))
    plan = nivi_2023(tf_problem)
    pop = munis.set_index("kommunenummer")["population"]
    got = int(sum(pop[c] for c in plan.members(region)))
    seed = nivi_2023_region_populations().set_index("region")["population_2023"]
    assert abs(got - seed[region]) / seed[region] <= 0.02, (region, got, int(seed[region]))


def test_known_exception_is_still_close(munis: pd.DataFrame) -> None:
    pop = munis.set_index("kommunenummer")["population"]
    assert pop["5607"] + pop["5634"] == pytest.approx(7598, rel=0.025)


def test_reference_plans_for_matches_area_exactly(tf_problem: ProblemData) -> None:
    assert [p.name for p in reference_plans_for(tf_problem)] == ["NIVI 2023"]
    assert reference_plans_for(tf_problem.subset(tf_problem.codes[:-1])) == []
    assert sorted(REFERENCE_PLANS) == sorted(
        [BA_2020, ECONOMIC_REGIONS, NIVI_2023, *REGIONRAAD_COUNTIES])


def test_reference_needs_every_member_in_problem(tf_problem: ProblemData) -> None:
    part = tf_problem.subset([c for c in tf_problem.codes if c != "5501"])
    with pytest.raises(DataError, match="5501 is not in the study area"):
        load_reference(NIVI_2023, part)
    with pytest.raises(DataError, match="unknown reference plan 'nope'"):
        load_reference("nope", tf_problem)


# --------------------------------------------------------------------------- bad plan files

def _write(tmp_path: Path, rows: list[str]) -> Path:
    path = tmp_path / "plan.csv"
    path.write_text("kommunenummer,region\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def _nivi_rows() -> list[str]:
    df = pd.read_csv(reference_path(NIVI_2023), dtype=str, keep_default_na=False)
    return [f"{c},{r}" for c, r in zip(df["kommunenummer"], df["region"], strict=True)]


@pytest.mark.parametrize(("edit", "message"), [
    (lambda rows: [*rows, "9999,Tromsøregionen"], "9999"),
    (lambda rows: [*rows, rows[0]], "municipality 5501 appears more than once"),
    (lambda rows: ["5501,", *rows[1:]], "municipality 5501 has no region"),
    (lambda rows: rows[1:], "municipality 5501 is not assigned to a region"),
    (lambda rows: ["55x1,Tromsøregionen", *rows[1:]], "'55x1' is not a 4-digit code"),
])
def test_bad_plan_csv_gives_one_line_data_error(tmp_path: Path, tf_problem: ProblemData,
                                                edit: object, message: str) -> None:
    path = _write(tmp_path, edit(_nivi_rows()))  # type: ignore[operator]
    with pytest.raises(DataError, match=message) as info:
        read_plan(path, problem=tf_problem)
    assert "\n" not in str(info.value)


def test_good_plan_csv_round_trips(tmp_path: Path, tf_problem: ProblemData) -> None:
    plan = read_plan(_write(tmp_path, _nivi_rows()), problem=tf_problem)
    assert dict(plan.cores) == NIVI_CORES


# --------------------------------------------------------------- all of Norway: BA-regioner, SSB

#: The sheet's three code faults: the code printed, and the 2024 code of the name printed with it.
BA_CODE_FAULTS = {"1567": "5061", "3444": "3236", "3445": "3234"}


@pytest.fixture(scope="module")
def norway(data_dir: Path) -> pd.DataFrame:
    return load_municipalities("norway", data_dir=data_dir)


@pytest.fixture(scope="module")
def norway_problem(norway: pd.DataFrame) -> ProblemData:
    return population_problem(norway)


def _code_2020_to_2024(data_dir: Path) -> dict[str, str]:
    """Follow Folkehelseinstituttet's code history to the code in force in 2024."""
    loc = pd.read_excel(data_dir / "csdata" / "norway_locations.xlsx")
    step = {old.removeprefix("municip_nor"): new.removeprefix("municip_nor")
            for old, new in zip(loc["municip_code"], loc["municip_code_end"], strict=True)
            if isinstance(new, str) and new != old}
    out = {}
    for code in step:
        seen, now = {code}, step[code]
        while now in step and step[now] not in seen:
            seen.add(now)
            now = step[now]
        out[code] = now
    return out


@pytest.mark.parametrize(("name", "key", "regions"), [
    ("ba-2020", BA_2020, 159), ("economic-regions", ECONOMIC_REGIONS, 85)])
def test_national_reference_covers_every_municipality_once(
        name: str, key: str, regions: int, norway: pd.DataFrame,
        norway_problem: ProblemData) -> None:
    assert reference_key(name) == key and reference_key(name.upper()) == key
    codes = reference_codes(key)
    assert len(codes) == len(set(codes)) == 357
    assert set(codes) == set(norway["kommunenummer"])
    plan = load_reference(key, norway_problem)
    assert len(plan.assignment) == 357 and len(plan.regions) == regions
    assert key in reference_keys_for(norway["kommunenummer"])


def test_ba_2020_membership_matches_the_tøi_sheet(data_dir: Path,
                                                   norway_problem: ProblemData) -> None:
    sheet = pd.read_excel(data_dir / "csdata" / "baregioner_2020.xlsx", sheet_name="Etter kommune")
    to_2024 = _code_2020_to_2024(data_dir)
    table = pd.read_csv(reference_path(BA_2020), dtype=str, keep_default_na=False)
    region_of = dict(zip(table["kommunenummer"], table["region"], strict=True))
    seen = set()
    for label, region in zip(sheet.iloc[:, 0], sheet["BA-region"], strict=True):
        code = str(label).split(" ", 1)[0].zfill(4)
        code = BA_CODE_FAULTS.get(code, code)
        code = {"1507": "1508"}.get(code, to_2024.get(code, code))  # Ålesund keeps 1508
        number, _, rest = str(region).strip().partition(" ")
        assert region_of[code] == f"{int(number)} {rest.strip()}", code
        seen.add(code)
    assert set(region_of) - seen == {"1580"}  # Haram, split from Ålesund in 2024
    assert region_of["1580"] == region_of["1508"]
    for wrong, right in BA_CODE_FAULTS.items():
        assert wrong not in region_of and right in region_of
    plan = load_reference(BA_2020, norway_problem)
    cores = dict(zip(table["kommunenummer"], table["core"], strict=True))
    assert all(plan.core_of(c) == cores[c] for c in plan.assignment)
    assert plan.assignment["1853"] == plan.assignment["5503"]  # Harstad holds Evenes (Nordland)


def test_economic_regions_membership_matches_the_source(data_dir: Path) -> None:
    import json

    src = json.loads((data_dir / "normaps" / "kommune_xs.geojson").read_text(encoding="utf-8"))
    want = {str(f["properties"]["kommune_no"]).zfill(4): f["properties"]["economic_region_name"]
            for f in src["features"]}
    table = pd.read_csv(reference_path(ECONOMIC_REGIONS), dtype=str, keep_default_na=False)
    assert dict(zip(table["kommunenummer"], table["region"], strict=True)) == want


def test_the_area_picks_the_reference_and_a_name_overrides(
        norway_problem: ProblemData, tf_problem: ProblemData) -> None:
    alias, plan = reference_for(norway_problem) or ("", None)
    assert alias == "ba-2020" and plan is not None and plan.name == "BA-regioner 2020"
    assert (reference_for(tf_problem) or ("",))[0] == "nivi"
    assert (reference_for(norway_problem, "economic-regions") or ("",))[0] == "economic-regions"
    assert reference_for(norway_problem, "none") is None
    with pytest.raises(DataError, match="not a reference plan"):
        reference_for(norway_problem, "ba-2019")
    with pytest.raises(DataError, match="not in the study area"):
        reference_for(tf_problem, "ba-2020")


def test_a_reference_cut_to_a_county_keeps_its_members_inside(data_dir: Path) -> None:
    from regionopt.data.reference import (
        BA_2020,
        ECONOMIC_REGIONS,
        population_problem,
        reference_in_area,
    )

    akershus = population_problem(load_municipalities("32", data_dir=data_dir))
    plan, cut = reference_in_area(BA_2020, akershus)
    assert set(plan.assignment) == set(akershus.codes)
    assert "5 Oslo/Bærum" in cut  # Oslo (03) is outside: Bærum's part stays, cut at the border
    assert plan.cores["5 Oslo/Bærum"] == "3201"  # Oslo, the file's core, is outside: Bærum
    vestfold = population_problem(load_municipalities("39", data_dir=data_dir))
    plan, cut = reference_in_area(ECONOMIC_REGIONS, vestfold)
    assert set(plan.assignment) == set(vestfold.codes)
    assert all(plan.cores[r] in plan.assignment for r in plan.regions)
    with pytest.raises(DataError, match="lists no municipality of the study area"):
        reference_in_area("nivi_2023", vestfold)
