"""regionopt.model.by_county: the county plans united, the start of solver.start = "counties"."""

from __future__ import annotations

import numpy as np
import pytest
from brute import brute_force, plan_ok, random_problem, scen

from regionopt.errors import ScenarioError
from regionopt.model import solve
from regionopt.model.by_county import county_plan
from regionopt.problem import ProblemData
from regionopt.scenario import parse_scenario

#: The Coombes-Bond curve the construction heuristic does not know (tests/model/test_families.py).
CB = dict(delineation__cb_min_size=800, delineation__cb_target_size=2500,
          delineation__cb_min_sc=0.5, delineation__cb_target_sc=0.65, delineation__cb_steps=4,
          solver__name="highs")


def test_one_county_gives_no_start() -> None:
    data = random_problem(1, 6)
    assert county_plan(data, lambda part: np.arange(part.n)) is None


def test_each_county_is_solved_alone_and_placed_at_its_positions() -> None:
    data = random_problem(2, 8, two_counties=True)
    seen: list[tuple[str, ...]] = []

    def first_is_core(part: ProblemData) -> np.ndarray:
        seen.append(part.codes)
        return np.zeros(part.n, dtype="int64")

    cores = county_plan(data, first_is_core)
    assert cores is not None
    assert seen == [data.codes[:4], data.codes[4:]]
    assert cores.tolist() == [0, 0, 0, 0, 4, 4, 4, 4]


def test_counties_without_a_plan_alone_are_solved_again_with_their_neighbours() -> None:
    data = random_problem(3, 8, two_counties=True)
    assert any(data.counties[i] != data.counties[k]
               for i, nbrs in enumerate(data.neighbours()) for k in nbrs)
    calls: list[int] = []

    def only_whole(part: ProblemData) -> np.ndarray | None:
        calls.append(part.n)
        return np.full(part.n, part.n - 1) if part.n == data.n else None

    cores = county_plan(data, only_whole)
    assert calls == [4, 4, 8]  # both fail alone: merged as failing neighbours
    assert cores is not None and (cores == data.n - 1).all()
    calls.clear()

    def second_fails(part: ProblemData) -> np.ndarray | None:
        calls.append(part.n)
        return np.zeros(part.n, dtype="int64") if part.codes[0] == data.codes[0] else None

    cores = county_plan(data, second_fails)
    assert calls == [4, 4, 8]  # the second fails alone: solved with the county it borders
    assert cores is not None and (cores == 0).all()
    calls.clear()
    assert county_plan(data, lambda part: calls.append(part.n)) is None
    assert calls == [4, 4, 8]  # the whole area fails: nothing left to merge, no start


@pytest.mark.parametrize("seed", [11, 12, 13])
def test_the_county_start_leaves_the_optimum_as_it_is(seed: int) -> None:
    """The heuristic finds no plan under the curve; the county plans, united, are the start
    when they meet every rule, and the optimum is the enumeration's either way."""
    data = random_problem(seed, 6, p_edge=0.4, two_counties=True)
    plain, counties = scen(**CB), scen(**CB, solver__start="counties")
    best = brute_force(data, plain)
    without, with_start = solve(data, plain, quiet=True), solve(data, counties, quiet=True)
    assert without.heuristic == {}
    assert with_start.objective == pytest.approx(without.objective)
    assert with_start.objective == pytest.approx(best[0][0])
    assert with_start.heuristic, "the county start was not used"
    assert plan_ok(data, plain, with_start.plan.labels(data))


def test_solver_start_is_checked() -> None:
    with pytest.raises(ScenarioError, match=r"solver\.start"):
        parse_scenario({"solver": {"start": "greedy"}})
    assert parse_scenario({"solver": {"start": "counties"}}).solver.start == "counties"
