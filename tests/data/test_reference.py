"""Tests of regionopt.reference: the NIVI 2023 plan on the real 2024 data, bad plan files."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from regionopt.data.municipalities import load_municipalities, resolve_area
from regionopt.data.reference import (
    NIVI_2023,
    REFERENCE_PLANS,
    load_reference,
    nivi_2023,
    nivi_2023_region_populations,
    population_problem,
    reference_codes,
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
    assert sorted(REFERENCE_PLANS) == [NIVI_2023]


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
