"""regions.count = "max": the most regions, against enumeration, then the least travel."""

from __future__ import annotations

import numpy as np
import pytest
from brute import brute_force, make_problem, random_problem, scen

from regionopt import api
from regionopt._resources import geo_file
from regionopt.errors import InfeasibleError
from regionopt.model import solve
from regionopt.model.candidates import candidate_sets
from regionopt.model.engine import RELATIVE_STEP
from regionopt.model.heuristic import heuristic_plan
from regionopt.model.maxp import floor_bound
from regionopt.model.rules import resolve_rules
from regionopt.scenario import replace_key


@pytest.mark.parametrize("seed", [41, 42, 43, 44])
@pytest.mark.parametrize("name", ["cbc", "highs"])
def test_most_regions_then_least_travel(seed, name):
    data = random_problem(seed, 7)
    floor = int(data.population.sum() // 4)
    s = replace_key(scen(constraints__min_population=floor), "solver.name", name)
    plans = brute_force(data, s)
    most = max(len(set(p)) for _, p in plans)
    best = min(v for v, p in plans if len(set(p)) == most)
    r = solve(data, replace_key(s, "regions.count", "max"), quiet=True)
    assert r.regions_max["value"] == most
    assert r.regions_max["bound"] is not None and r.regions_max["bound"] >= most
    assert len(r.plan.regions) == most
    assert r.objective == pytest.approx(best, rel=1e-9)


@pytest.mark.parametrize("seed", range(50, 62))
@pytest.mark.parametrize("contiguity", [True, False])
def test_floor_bound_never_below_the_most_regions(seed, contiguity):
    data = random_problem(seed, 7, p_edge=0.2)
    floor = int(np.median(data.population)) + 1  # about half the municipalities are anchors
    s = scen(constraints__min_population=floor, constraints__contiguity=contiguity)
    if seed % 3 == 0:  # an exception: its region has no floor
        s = replace_key(s, "constraints.exceptions", [(data.codes[int(seed % 7)], "test")])
    most = max((len(set(p)) for _, p in brute_force(data, s)), default=0)
    bound = floor_bound(data, s)
    assert bound is not None and bound >= most


def test_floor_bound_by_hand():
    # a path 0-1-2-3-4: 6 000 | 3 000, 3 000, 3 000 | 6 000 with a floor of 5 000
    minutes = np.where(np.eye(5, dtype=bool), 0.0, 10.0)
    data = make_problem([6000, 3000, 3000, 3000, 6000], minutes,
                        [(0, 1), (1, 2), (2, 3), (3, 4)])
    s = scen(constraints__min_population=5000)
    # two anchors; the middle three (9 000) hold at most one region of their own
    assert floor_bound(data, s) == 3
    assert max(len(set(p)) for _, p in brute_force(data, s)) == 3
    # cut the path between 2 and 3: the groups {1, 2} (6 000) and {3} (3 000) give 1 + 0
    cut = make_problem([6000, 3000, 3000, 3000, 6000], minutes, [(0, 1), (1, 2), (3, 4)])
    assert floor_bound(cut, s) == 3
    assert floor_bound(data, replace_key(s, "objective.population_shortfall", 10.0)) is None
    assert floor_bound(data, scen()) is None


def test_max_regions_out_of_time_is_not_called_infeasible(tf_net):
    """The most regions of a scenario that has plans, stopped by its time limit before any
    plan: "not solved", never "infeasible" (the construction heuristic's unmet rules are no
    proof). Troms og Finnmark with NIVI's calibrated floors has a 12-region plan
    (``troms-finnmark-nivi-calibrated.toml``); its heuristic finds none (Balsfjord alone
    keeps 75 % of its commuters, below the 80 % floor), and 0.01 s leave the solver none."""
    data = api.problem_from_network(tf_net)
    s = api.load_scenario(geo_file("scenarios", "troms-finnmark-nivi-calibrated.toml"))
    s = replace_key(replace_key(s, "regions.count", "max"), "solver.name", "highs")
    assert not heuristic_plan(data, s, candidate_sets(data, s),
                              improve=False).feasible
    r = solve(data, replace_key(s, "solver.time_limit_s", 0.01), quiet=True)
    assert r.plan is None and r.status == "not_solved"
    assert r.regions_max["proven"] is False


def _kommuneregion_rules(data, floor: int, share: float):
    """kommuneregioner.toml's kinds of rule on a small graph (count = "max" added by the test)."""
    return scen(constraints__min_population=floor, constraints__core_is_strongest=True,
                constraints__min_core_jobs=300, constraints__max_travel_minutes=40.0,
                constraints__long_distance_minutes=120.0, constraints__find_exceptions=True,
                constraints__relative_self_containment=share)


@pytest.mark.parametrize("seed", range(41, 49))
def test_the_kommuneregion_count_rule_against_enumeration(seed):
    """count = "max" under a hard floor, a relative self-containment floor (lowered by
    RELATIVE_STEP while enumeration finds no plan), long-distance members and core rules: the
    most regions enumeration finds, then the least travel among them."""
    data = random_problem(seed, 7)
    floor = int(data.population.sum() // 5)
    share = 0.86
    while True:
        resolved = resolve_rules(data, _kommuneregion_rules(data, floor, share))
        plans = brute_force(data, resolved)
        if plans or share <= RELATIVE_STEP:
            break
        share = round(share - RELATIVE_STEP, 2)
    asked = replace_key(_kommuneregion_rules(data, floor, 0.86), "regions.count", "max")
    if not plans:
        with pytest.raises(InfeasibleError):
            solve(data, asked, quiet=True)
        return
    most = max(len(set(p)) for _, p in plans)
    best = min(v for v, p in plans if len(set(p)) == most)
    r = solve(data, asked, quiet=True)
    assert r.regions_max["value"] == most
    assert r.objective == pytest.approx(best, rel=1e-9)
    assert r.scenario.constraints.min_self_containment == resolved.constraints.min_self_containment
