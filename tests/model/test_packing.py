"""The max-p packing: minimal sets, the relaxation's count and its plan, against enumeration."""

from __future__ import annotations

import itertools
import time

import numpy as np
import pytest
from brute import brute_force, connected, make_problem, random_problem, scen

from regionopt.model import solve
from regionopt.model.candidates import candidate_sets
from regionopt.model.heuristic import unmet_rules
from regionopt.model.maxp import floor_bound
from regionopt.model.objective import objective_value
from regionopt.model.packing import minimal_sets, pack_regions, packing_plan
from regionopt.model.seeded import improve_plan
from regionopt.scenario import replace_key


def _brute_minimal(nodes, nbrs, pop, floor):
    """Connected sets at the floor with no proper connected subset at the floor."""
    def ok(block):
        return connected(block, nbrs) and int(pop[list(block)].sum()) >= floor

    found = []
    for r in range(1, len(nodes) + 1):
        for block in itertools.combinations(nodes, r):
            if ok(block) and not any(ok(sub) for k in range(1, r)
                                     for sub in itertools.combinations(block, k)):
                found.append(frozenset(block))
    return sorted(found, key=lambda s: (len(s), sorted(s)))


@pytest.mark.parametrize("seed", range(20, 32))
def test_minimal_sets_match_enumeration(seed):
    data = random_problem(seed, 10, p_edge=0.3)
    nbrs = data.neighbours()
    floor = int(data.population.sum() // 5)
    nodes = list(range(data.n))
    assert minimal_sets(nodes, nbrs, data.population, floor) == \
        _brute_minimal(nodes, nbrs, data.population, floor)


def test_minimal_sets_give_up_past_the_limit():
    data = random_problem(3, 10, p_edge=0.5)
    nodes = list(range(data.n))
    floor = int(data.population.sum() // 3)
    every = minimal_sets(nodes, data.neighbours(), data.population, floor)
    assert every is not None and len(every) > 2
    assert minimal_sets(nodes, data.neighbours(), data.population, floor, limit=1) is None
    big = random_problem(4, 30, p_edge=0.6)
    many = list(range(big.n))
    past = time.perf_counter() - 1.0
    assert minimal_sets(many, big.neighbours(), big.population, int(big.population.sum() // 3),
                        deadline=past) is None


@pytest.mark.parametrize("seed", range(60, 72))
def test_packing_is_the_most_regions_of_floor_and_contiguity(seed):
    data = random_problem(seed, 8, p_edge=0.25)
    floor = int(np.quantile(data.population, 0.75)) + 1  # two anchors, six to pack
    s = scen(constraints__min_population=floor)
    if seed % 4 == 0:  # an exception is an anchor
        s = replace_key(s, "constraints.exceptions", [(data.codes[0], "test")])
    most = max((len(set(p)) for _, p in brute_force(data, s)), default=0)
    packing = pack_regions(data, s)
    assert packing is not None and packing.exact
    assert packing.bound == packing.regions == most
    assert packing.bound <= floor_bound(data, s)
    cores = packing_plan(data, s, packing, candidate_sets(data, s))
    assert cores is not None
    assert len(set(cores.tolist())) == most
    assert not unmet_rules(data, replace_key(s, "regions.count", most), cores)


@pytest.mark.parametrize("seed", range(72, 80))
def test_packing_bounds_the_most_regions_under_other_rules(seed):
    data = random_problem(seed, 7, p_edge=0.3)
    floor = int(np.median(data.population))
    s = scen(constraints__min_population=floor,
             constraints__max_population=int(data.population.sum() // 2),
             constraints__max_travel_minutes=45.0, constraints__core_is_largest=True)
    plans = brute_force(data, s)
    most = max((len(set(p)) for _, p in plans), default=0)
    packing = pack_regions(data, s)
    assert packing is not None and packing.bound >= most
    r = solve(data, replace_key(s, "regions.count", "max"), quiet=True) if plans else None
    if r is not None:  # whatever stage proves it, the answer is the enumeration's
        assert r.regions_max["value"] == most
        assert r.regions_max["bound"] >= most


def test_packing_by_hand():
    # a path 0-1-2-3-4-5: 6 000 | 2 000, 3 000, 2 000, 3 000 | 6 000, floor 5 000: the four
    # in the middle (10 000) hold two regions only as {1, 2} and {3, 4}
    minutes = np.where(np.eye(6, dtype=bool), 0.0, 10.0)
    data = make_problem([6000, 2000, 3000, 2000, 3000, 6000], minutes,
                        [(0, 1), (1, 2), (2, 3), (3, 4), (4, 5)])
    s = scen(constraints__min_population=5000)
    packing = pack_regions(data, s)
    assert packing is not None and packing.exact
    assert packing.anchors == (0, 5)
    assert packing.sets == (frozenset({1, 2}), frozenset({3, 4}))
    assert packing.bound == 4
    # 2 000, 2 000, 3 000, 3 000 in that order: {1, 2} is 4 000, so one region at most
    uneven = make_problem([6000, 2000, 2000, 3000, 3000, 6000], minutes,
                          [(0, 1), (1, 2), (2, 3), (3, 4), (4, 5)])
    assert pack_regions(uneven, s).bound == 3
    assert floor_bound(uneven, s) == 4  # the floor count alone does not see it
    assert pack_regions(data, scen(constraints__min_population=5000,
                                   constraints__contiguity=False)) is None
    assert pack_regions(data, replace_key(s, "objective.population_shortfall", 1.0)) is None


@pytest.mark.parametrize("seed", [5, 6, 7])
def test_improving_the_packing_plan_keeps_its_rules(seed):
    data = random_problem(seed, 9, p_edge=0.3)
    floor = int(np.quantile(data.population, 0.6))
    s = scen(constraints__min_population=floor)
    cands = candidate_sets(data, s)
    cores = packing_plan(data, s, pack_regions(data, s), cands)
    assert cores is not None
    fixed = replace_key(s, "regions.count", len(set(cores.tolist())))
    better = improve_plan(data, fixed, cands, cores)
    assert better.feasible
    assert better.objective <= objective_value(data, fixed, cores) + 1e-9
    plans = brute_force(data, fixed)
    assert plans[0][0] <= better.objective + 1e-6


@pytest.mark.parametrize("core_is_largest", [False, True])
def test_troms_og_finnmark_most_regions_proven_by_the_packing(tf_net_problem, core_is_largest):
    data = tf_net_problem
    s = scen(constraints__min_population=5000, constraints__core_is_largest=core_is_largest,
             solver__name="highs")
    packing = pack_regions(data, s)
    assert packing is not None and packing.exact
    assert packing.bound < floor_bound(data, s)  # the floor count alone says 21
    cores = packing_plan(data, s, packing, candidate_sets(data, s))
    assert cores is not None
    assert not unmet_rules(data, replace_key(s, "regions.count", "max"), cores)
    r = solve(data, replace_key(replace_key(s, "regions.count", "max"),
                                "solver.time_limit_s", 120), quiet=True)
    assert r.regions_max == {"value": packing.bound, "bound": packing.bound, "proven": True}
    assert len(r.plan.regions) == packing.bound
    assert r.status == "optimal"


def test_packed_sets_are_the_ones_a_core_can_hold():
    # a path 0-1-2-3-4: 6 000 | 2 000, 3 000, 3 000 | 6 000, floor 5 000, county borders kept,
    # with 0 and 1 in one county and 2, 3, 4 in the other. The middle group (8 000) holds one
    # set; without candidates it is the whole group, which crosses the border, as does the
    # minimal set {1, 2}: the plan packs {2, 3}, and 1 joins 0.
    at = np.array([0.0, 10.0, 20.0, 30.0, 40.0])  # minutes along the path
    data = make_problem([6000, 2000, 3000, 3000, 6000], np.abs(at[:, None] - at[None, :]),
                        [(0, 1), (1, 2), (2, 3), (3, 4)], counties=["55", "55", "56", "56", "56"])
    s = scen(constraints__min_population=5000, constraints__respect_county_borders=True)
    cands = candidate_sets(data, s)
    assert pack_regions(data, s).sets == (frozenset({1, 2, 3}),)  # without the candidates
    packing = pack_regions(data, s, cands=cands)
    assert packing.exact and packing.bound == 3
    assert packing.sets == (frozenset({2, 3}),)
    cores = packing_plan(data, s, packing, cands)
    assert cores is not None and cores[1] == 0 and cores[2] == cores[3]
    assert not unmet_rules(data, replace_key(s, "regions.count", 3), cores)
    assert max(len(set(p)) for _, p in brute_force(data, s)) == 3
