"""One case per county on the sweep's machinery (regionopt.sweep.atlas.solve)."""

from __future__ import annotations

from pathlib import Path

import pytest

from regionopt.data.commuting import functional_problem
from regionopt.problem import ProblemData
from regionopt.scenario import load_scenario
from regionopt.sweep.atlas.solve import county_cases, solve_counties
from regionopt.sweep.run import area_problem

REPO = Path(__file__).resolve().parents[3]
COUNTIES = [("55", "Troms"), ("56", "Finnmark")]


@pytest.fixture(scope="module")
def problem(tf_net_problem: ProblemData, data_dir: Path) -> ProblemData:
    return functional_problem(tf_net_problem, data_dir=data_dir)


def test_each_county_is_a_case_on_its_own_area(data_dir: Path) -> None:
    base = load_scenario(REPO / "data" / "geo" / "scenarios" / "troms-finnmark-functional.toml")
    cases = county_cases(base, COUNTIES, data_dir=data_dir)
    assert [c.scenario.area.counties for c, _ in cases] == [("55",), ("56",)]
    assert [c.overrides for c, _ in cases] == [(("area.counties", "55"),),
                                              (("area.counties", "56"),)]
    assert len({c.id for c, _ in cases}) == 2
    # Kvænangen (55) with Alta (56) crosses the border: dropped in both, with a note
    assert all(c.scenario.constraints.must_link == () for c, _ in cases)
    assert all(notes == ("constraints.must_link: 5546-5601 dropped, outside the study area",)
               for _, notes in cases)


def test_area_problem_keeps_the_named_area_only(problem: ProblemData, data_dir: Path) -> None:
    base = load_scenario(REPO / "data" / "geo" / "scenarios" / "functional.toml")
    (troms, _), _ = county_cases(base, COUNTIES, data_dir=data_dir)
    sub = area_problem(problem, troms.scenario)
    assert sub.n == 21 and set(sub.counties) == {"55"}
    assert area_problem(problem, base) is problem  # all Norway: the problem as it is


def test_counties_solved_stored_and_resumed(problem: ProblemData, data_dir: Path,
                                            tmp_path: Path) -> None:
    base = load_scenario(REPO / "data" / "geo" / "scenarios" / "functional.toml")
    results = solve_counties(base, COUNTIES, problem=problem, out_dir=tmp_path, max_workers=1,
                             progress=False, data_dir=data_dir)
    for r, (code, name) in zip(results, COUNTIES, strict=True):
        assert (r.county, r.name) == (code, name)
        assert r.record["status"] == "optimal"
        plan = r.plan(tmp_path, r.problem(problem))
        assert plan is not None and {c[:2] for c in plan.assignment} == {code}
    again = solve_counties(base, COUNTIES, problem=problem, out_dir=tmp_path, max_workers=1,
                           progress=False, data_dir=data_dir)
    assert [r.record for r in again] == [r.record for r in results]
