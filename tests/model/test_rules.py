"""Exceptions found and ``regions.count = "auto"``, against enumeration and on real data."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import numpy as np
import pytest
from brute import make_problem, member_limit, random_problem, with_made_up_commuting

from regionopt.model import solve
from regionopt.model.contiguity import is_connected
from regionopt.model.families.travel import long_distance_mask, travel_limits
from regionopt.model.maxp import floor_bound
from regionopt.model.rules import find_exceptions, relative_floor, resolve_rules
from regionopt.problem import ProblemData
from regionopt.scenario import Scenario, parse_scenario

REPO = Path(__file__).resolve().parents[2]


def _scenario(floor: int, limit: float | None, *, contiguity: bool = True,
              borders: bool = False) -> Scenario:
    constraints = {"min_population": floor, "contiguity": contiguity, "find_exceptions": True,
                   "respect_county_borders": borders}
    if limit is not None:
        constraints["max_travel_minutes"] = limit
    return parse_scenario({"regions": {"count": "auto"}, "constraints": constraints,
                           "objective": {"population_shortfall": 10.0}})


def _enumerated(data: ProblemData, s: Scenario) -> set[str]:
    """Municipalities in no region of at least the floor that meets the rules of place."""
    c = s.constraints
    limit = math.inf if c.max_travel_minutes is None else c.max_travel_minutes
    nbrs = data.neighbours()
    held: set[int] = set()
    for size in range(1, data.n + 1):
        for members in itertools.combinations(range(data.n), size):
            if int(data.population[list(members)].sum()) < c.min_population:
                continue
            if c.contiguity and not is_connected(list(members), nbrs):
                continue
            if c.respect_county_borders and len({data.counties[i] for i in members}) > 1:
                continue
            if any(all(data.minutes[i, j] <= limit for i in members) for j in members):
                held.update(members)
    return {data.codes[i] for i in range(data.n) if i not in held}


CASES = [(seed, floor, limit, contiguity, borders)
         for seed in range(12)
         for floor, limit in ((4000, 40.0), (6000, 60.0), (9000, None), (3000, 25.0))
         for contiguity, borders in ((True, False), (False, False), (True, True))]


@pytest.mark.parametrize(("seed", "floor", "limit", "contiguity", "borders"), CASES)
def test_exceptions_found_agree_with_enumeration(seed: int, floor: int, limit: float | None,
                                                 contiguity: bool, borders: bool) -> None:
    data = random_problem(seed, 7, two_counties=borders)
    s = _scenario(floor, limit, contiguity=contiguity, borders=borders)
    found = find_exceptions(data, s)
    assert {code for code, _ in found} == _enumerated(data, s)
    for code, reason in found:
        assert f"below the floor of {floor}" in reason
        assert ("no core" in reason) or ("every region it can join" in reason), code


def test_some_cases_find_exceptions_and_some_do_not() -> None:
    counts = [len(find_exceptions(random_problem(seed, 7), _scenario(floor, limit)))
              for seed, floor, limit, *_ in CASES]
    assert any(counts) and not all(counts)


def test_named_exceptions_stay_and_resolve_is_idempotent() -> None:
    data = random_problem(3, 7)
    s = _scenario(9000, 25.0)
    resolved = resolve_rules(data, s)
    found = {code for code, _ in find_exceptions(data, s)}
    assert found and {code for code, _ in resolved.constraints.exceptions} == found
    assert resolve_rules(data, resolved) == resolved
    assert find_exceptions(data, resolved) == []


def test_auto_count_is_the_floor_bound_with_a_hard_floor() -> None:
    data = random_problem(5, 7)
    s = resolve_rules(data, _scenario(4000, 40.0))
    hard = parse_scenario({"constraints": {"min_population": 4000, "max_travel_minutes": 40.0,
                                           "exceptions": [list(e) for e in
                                                          s.constraints.exceptions]}})
    assert s.regions.count is None and s.regions.min_count is None
    assert s.regions.max_count == floor_bound(data, hard)
    no_floor = resolve_rules(data, parse_scenario({"regions": {"count": "auto"}}))
    assert no_floor.regions.max_count == data.n


def test_nationally_traena_and_rost_are_found_with_the_reason_of_today(norway_net) -> None:
    from regionopt.api import load_scenario, problem_from_network

    problem = problem_from_network(norway_net)
    found = dict(find_exceptions(problem, load_scenario(
        REPO / "data" / "geo" / "scenarios" / "functional.toml")))
    for code in ("1835", "1856"):  # Træna, Røst: norway-functional.toml names them by hand
        assert found[code].startswith("no core within 90 minutes by road or ferry"), found[code]
    assert np.all([problem.population[problem.index(c)] < 5000 for c in found])


# ------------------------------------------------------ long-distance members, relative floor

def _long(floor: int, limit: float, far: float, jobs: int) -> Scenario:
    return parse_scenario({"constraints": {
        "min_population": floor, "find_exceptions": True, "max_travel_minutes": limit,
        "long_distance_minutes": far, "min_core_jobs": jobs}})


@pytest.mark.parametrize("seed", range(12))
def test_exceptions_found_with_long_distance_members_agree_with_enumeration(seed: int) -> None:
    """Each municipality's own limit (brute.member_limit, written out) in the proof, around a
    core that may be one (at least 700 jobs)."""
    data = random_problem(seed, 7)
    s = _long(6000, 25.0, 70.0, 700)
    assert data.commuting is not None
    jobs = data.commuting.jobs
    nbrs = data.neighbours()
    held: set[int] = set()
    for size in range(1, data.n + 1):
        for members in itertools.combinations(range(data.n), size):
            if int(data.population[list(members)].sum()) < 6000:
                continue
            if not is_connected(list(members), nbrs):
                continue
            if any(jobs[j] >= 700
                   and all(data.minutes[i, j] <= member_limit(data, s, i) for i in members)
                   for j in members):
                held.update(members)
    found = {code for code, _ in find_exceptions(data, s)}
    assert found == {data.codes[i] for i in range(data.n) if i not in held}


@pytest.mark.parametrize("seed", range(12))
def test_exceptions_found_with_the_largest_core_agree_with_enumeration(seed: int) -> None:
    """Under ``core_is_largest`` a region is held only around its most populous member: a
    municipality whose only regions at the floor would need a smaller core is an exception
    (Vestland's Solund on the population-weighted matrix: the only possible core within reach,
    Gulen, is too small to hold a region of 5 400)."""
    data = random_problem(seed, 7)
    s = parse_scenario({"constraints": {"min_population": 6000, "find_exceptions": True,
                                        "max_travel_minutes": 40.0, "core_is_largest": True}})
    pop, nbrs = data.population, data.neighbours()
    held: set[int] = set()
    for size in range(1, data.n + 1):
        for members in itertools.combinations(range(data.n), size):
            if int(pop[list(members)].sum()) < 6000 or not is_connected(list(members), nbrs):
                continue
            top = max(members, key=lambda k: (pop[k], -int(data.codes[k])))
            if all(data.minutes[i, top] <= 40.0 for i in members):
                held.update(members)
    found = {code for code, _ in find_exceptions(data, s)}
    assert found == {data.codes[i] for i in range(data.n) if i not in held}


def test_the_largest_core_rule_finds_more_exceptions_in_some_cases() -> None:
    plain = parse_scenario({"constraints": {"min_population": 6000, "find_exceptions": True,
                                            "max_travel_minutes": 40.0}})
    largest = parse_scenario({"constraints": {"min_population": 6000, "find_exceptions": True,
                                              "max_travel_minutes": 40.0,
                                              "core_is_largest": True}})
    more = [len(find_exceptions(random_problem(seed, 7), largest))
            - len(find_exceptions(random_problem(seed, 7), plain)) for seed in range(12)]
    assert min(more) >= 0 and max(more) > 0


def test_long_distance_members_exist_in_the_cases_and_reach_further() -> None:
    s = _long(6000, 25.0, 70.0, 700)
    masks = [long_distance_mask(random_problem(seed, 7), s) for seed in range(12)]
    assert any(m.any() for m in masks) and not all(m.all() for m in masks)
    data = random_problem(0, 7)
    limits = travel_limits(data, s)
    assert set(limits) <= {25.0, 70.0}
    assert (limits == 70.0).tolist() == long_distance_mask(data, s).tolist()


def test_relative_floor_is_the_share_of_what_the_area_keeps() -> None:
    data = random_problem(3, 6)
    c = data.commuting
    kept = float(c.flows.sum())
    whole = min(kept / c.employed.sum(), kept / c.jobs.sum())
    s = parse_scenario({"constraints": {"relative_self_containment": 0.86}})
    floor, note = relative_floor(data, s)
    assert floor == math.floor(0.86 * whole * 1000) / 1000
    assert f"{whole:.3f}" in note
    resolved = resolve_rules(data, s)
    assert resolved.constraints.min_self_containment == floor
    assert resolved.constraints.relative_self_containment == 0.0
    assert resolve_rules(data, resolved) == resolved  # idempotent


def test_only_a_municipality_without_a_connection_stands_alone_with_the_proof() -> None:
    """A path 0-1-2-3 (10 minutes a link) and 4 with no road, ferry or border to anyone:
    under kommuneregioner's kinds of rule 4 is the one exception, its reason the proof, and
    the solve puts everyone else in a region of at least the floor."""
    inf = math.inf
    minutes = np.array([[0, 10, 20, 30, inf], [10, 0, 10, 20, inf], [20, 10, 0, 10, inf],
                        [30, 20, 10, 0, inf], [inf, inf, inf, inf, 0]], dtype=float)
    data = with_made_up_commuting(make_problem([4000, 1500, 800, 3500, 900], minutes,
                                               [(0, 1), (1, 2), (2, 3)]), 7)
    s = parse_scenario({"regions": {"count": "max"}, "constraints": {
        "min_population": 4000, "find_exceptions": True, "max_travel_minutes": 15,
        "long_distance_minutes": 40, "core_is_strongest": True}})
    found = find_exceptions(data, s)
    assert [code for code, _ in found] == [data.codes[4]]
    assert "no core within 15 minutes by road or ferry (40 for a long-distance member): alone " \
           "it has 900 inhabitants" in found[0][1]
    result = solve(data, s, quiet=True)
    plan = result.plan
    assert plan is not None and sorted(plan.assignment) == sorted(data.codes)
    alone = [r for r in plan.regions if len(plan.members(r)) == 1]
    assert [plan.members(r)[0] for r in alone] == [data.codes[4]]
    assert len(plan.regions) == 3  # {0, 1}, {2, 3} and the exception
