"""Service areas on the region graph against enumeration of every grouping of the regions.

The rules are written here from their documented meaning (``docs/scenarios.md``,
``[services]``), independently of :mod:`regionopt.model.services`: areas are
contiguous groups of whole regions hosted at the core of one of them, every member
within the travel limit of the host, at most the most inhabitants, a region that meets
the rule alone hosts its own area, a region that can reach the floor with no host is
exempt from it; the objective is person-minutes plus the weight times the inhabitants
missing to the floor.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from brute import random_problem

from regionopt.catalogue import Service
from regionopt.model import solve
from regionopt.model.services import region_graph, service_areas
from regionopt.plan import Plan
from regionopt.problem import ProblemData
from regionopt.scenario import RegionsConfig, Scenario

W = 1000.0


def _plan(data: ProblemData, regions: int) -> Plan:
    plan = solve(data, Scenario(regions=RegionsConfig(count=regions)), quiet=True).plan
    assert plan is not None
    return plan


def _partitions(items: list[int]):
    if not items:
        yield []
        return
    first, rest = items[0], items[1:]
    for part in _partitions(rest):
        for k in range(len(part)):
            yield [*part[:k], [first, *part[k]], *part[k + 1:]]
        yield [[first], *part]


def _connected(group: list[int], edges: set[tuple[int, int]]) -> bool:
    seen, todo = {group[0]}, [group[0]]
    while todo:
        r = todo.pop()
        for s in group:
            if s not in seen and (min(r, s), max(r, s)) in edges:
                seen.add(s)
                todo.append(s)
    return len(seen) == len(group)


def brute(plan: Plan, data: ProblemData, s: Service, staff: float | None = None) -> float:
    """The least objective over every grouping of the regions, by the rules' definition.

    ``staff``: a region joins a host of a service people do not travel to only within
    these minutes, or no further than its own core.
    """
    g = region_graph(plan, data)
    n = len(g.names)
    hi = s.max_population if s.max_population is not None else np.inf

    def reach(r: int, h: int) -> bool:
        if s.limit is not None:
            return g.longest[r, h] <= s.limit
        return staff is None or g.longest[r, h] <= max(staff, g.longest[r, r])

    ok = np.array([[np.isfinite(g.cost[r, h]) and reach(r, h) for h in range(n)]
                   for r in range(n)])
    out = [r for r in range(n) if g.population[r] > hi or not ok[r].any()]
    inside = [r for r in range(n) if r not in out]
    ok[np.ix_(out, range(n))] = False
    ok[np.ix_(range(n), out)] = False
    sufficient = {r for r in inside if s.floor <= g.population[r] <= hi and ok[r, r]}
    exempt = {r for r in inside if r not in sufficient and max(
        g.population[[u for u in inside if ok[u, h]]].sum() for h in range(n) if ok[r, h])
        < s.floor}
    edges = {(a, b) for a, b, _ in g.edges}
    best = np.inf
    for part in _partitions(inside):
        total = 0.0
        for group in part:
            pop = g.population[group].sum()
            if not _connected(group, edges) or pop > hi or len(sufficient & set(group)) > 1:
                total = np.inf
                break
            costs = [g.cost[group, h].sum() + (0 if h in exempt else W * max(0, s.floor - pop))
                     for h in group
                     if ok[group, h].all() and (not sufficient & set(group) or h in sufficient)
                     and (h not in exempt or set(group) <= exempt)]
            total += min(costs, default=np.inf)
        best = min(best, total)
    return best


def model_value(plan: Plan, data: ProblemData, s: Service, areas) -> float:
    g = region_graph(plan, data)
    index = {name: k for k, name in enumerate(g.names)}
    core = {data.codes[c]: k for k, c in enumerate(g.cores)}
    total = 0.0
    for a in areas.areas:
        if "never split" in a.reason or "nearest host" in a.reason:
            continue
        rs = [index[r] for r in a.regions]
        total += g.cost[rs, core[a.host]].sum()
        if "at most" not in a.reason:
            total += W * max(0, s.floor - a.population)
    return total


CASES = [(1, 7, 4, 3000, None, None, None), (2, 8, 5, 6000, None, 80.0, None),
         (3, 8, 5, 4000, 9000, None, None), (4, 7, 5, 5000, 12000, 60.0, None),
         (5, 8, 6, 8000, None, 70.0, None), (6, 8, 4, 2500, 6000, 90.0, None),
         (10, 8, 5, 7000, None, None, 40.0), (11, 8, 6, 9000, None, None, 60.0)]


@pytest.mark.parametrize(("seed", "n", "regions", "floor", "most", "limit", "staff"), CASES)
def test_service_areas_match_enumeration(seed, n, regions, floor, most, limit, staff) -> None:
    data = random_problem(seed, n)
    plan = _plan(data, regions)
    s = Service(key="x", name="x", min_population=floor, max_population=most,
                travel=limit is not None, max_travel_minutes=limit, staff_per_1000=1.0)
    areas = service_areas(plan, data, s, shortfall_weight=W, staff_minutes=staff)
    assert areas.status in ("optimal", "trivial")
    members = sorted(c for a in areas.areas for c in a.members)
    assert members == sorted(data.codes)  # every municipality in exactly one area
    for a in areas.areas:  # unions of whole regions
        assert sorted(a.members) == sorted(c for r in a.regions for c in plan.members(r))
        assert a.meets == (not a.reason)
        if a.meets:
            assert floor <= a.population <= (most or np.inf)
            assert limit is None or a.longest_trip <= limit
    assert model_value(plan, data, s, areas) == pytest.approx(brute(plan, data, s, staff),
                                                              rel=1e-9)


def test_region_meeting_the_rule_alone_stays_alone() -> None:
    data = random_problem(7, 8)
    plan = _plan(data, 4)
    pops = sorted(int(data.population[[data.index(c) for c in plan.members(r)]].sum())
                  for r in plan.regions)
    s = Service(key="x", name="x", min_population=pops[0], staff_per_1000=1.0)
    areas = service_areas(plan, data, s)
    assert areas.status == "trivial"
    assert sorted(len(a.regions) for a in areas.areas) == [1] * len(plan.regions)


def test_region_over_the_most_is_named() -> None:
    data = random_problem(8, 7)
    plan = _plan(data, 3)
    biggest = max(plan.regions, key=lambda r: sum(int(data.population[data.index(c)])
                                                  for c in plan.members(r)))
    s = Service(key="x", name="x", min_population=10, max_population=1, staff_per_1000=1.0)
    areas = service_areas(plan, data, s)
    named = [a for a in areas.areas if a.regions == (biggest,)]
    assert named and "more than the most (1); a region is never split" in named[0].reason


def test_engine_graph_is_exact_person_minutes() -> None:
    data = random_problem(9, 7)
    plan = _plan(data, 3)
    g = region_graph(plan, data)
    for r, name in enumerate(g.names):
        for h, core in enumerate(g.cores):
            members = [data.index(c) for c in plan.members(name)]
            want = float((data.population[members] * data.minutes[members, core]).sum())
            assert g.cost[r, h] == pytest.approx(want)
    assert all(itertools.starmap(lambda a, b, _k: a < b, g.edges))


def test_an_elastic_floor_or_an_exempt_island_proves_no_infeasibility() -> None:
    # A part of the graph below the floor is a proof only when the floor is hard and the
    # part holds a municipality that is not an exception (model/diagnose.py).
    from regionopt.model import diagnose
    from regionopt.scenario import replace_key

    data = random_problem(3, 6, split=True)
    hard = replace_key(Scenario(), "constraints.min_population", 10**7)
    assert any("below min_population" in r for r in diagnose(data, hard))
    elastic = replace_key(hard, "objective.population_shortfall", 1.0)
    assert not any("below min_population" in r for r in diagnose(data, elastic))
    island = list(data.codes[3:])  # cut off from the rest, each below the floor
    exempt = replace_key(replace_key(hard, "constraints.min_population", int(
        data.population[:3].sum())), "constraints.exceptions", [[c, "island"] for c in island])
    assert not any("below min_population" in r for r in diagnose(data, exempt))


def test_no_grouping_names_every_region_that_cannot_stand_alone() -> None:
    # A = {0, 1} (core 0) has member 1 100 min from its core, so it must join B = {2}
    # (every member within 60 min of 2), but the most inhabitants forbids it.
    from brute import make_problem

    minutes = np.array([[0, 100, 50], [100, 0, 10], [50, 10, 0]], dtype=float)
    data = make_problem([1000, 1000, 1000], minutes, [(0, 1), (1, 2)])
    plan = Plan(assignment={"5501": "A", "5502": "A", "5503": "B"},
                cores={"A": "5501", "B": "5503"})
    s = Service(key="x", name="x", max_population=2500, travel=True, max_travel_minutes=60.0,
                staff_per_1000=1.0)
    areas = service_areas(plan, data, s)
    assert areas.status == "infeasible"
    reasons = {a.regions: a.reason for a in areas.areas}
    assert reasons == {("A",): "no grouping of regions meets the rules together", ("B",): ""}
