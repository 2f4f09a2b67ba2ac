"""Balanced hosting against enumeration of every choice of hosts, and by hand on a made-up region.

The objective and rules are written here from the module's stated model
(:mod:`regionopt.model.hosting`): the sum over municipalities of
``|hosted staff - rate total * population / 1000|`` plus the minutes weight times
the person-minutes to the hosts of services people travel to; core services at the
area's core, travel limits, and (optionally) every member of a region of two or more
hosting at least one service.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from brute import make_problem, random_problem

from regionopt.catalogue import Service
from regionopt.model import solve
from regionopt.model.hosting import balanced_hosting
from regionopt.model.services import service_areas
from regionopt.plan import Plan
from regionopt.scenario import RegionsConfig, Scenario

WEIGHT = 1e-4


def _services(seed: int) -> list[Service]:
    rng = np.random.default_rng(seed)
    out = []
    for k in range(4):
        travel = bool(rng.random() < 0.5)
        out.append(Service(key=f"s{k}", name=f"s{k}", min_population=int(rng.integers(0, 6000)),
                           staff_per_1000=float(rng.choice([0.2, 0.5, 1.0, 1.3])),
                           travel=travel, max_travel_minutes=float(rng.integers(30, 90))
                           if travel else None, core=bool(k == 0 and seed % 2)))
    return out


def brute(plan: Plan, data, areas, services, every: bool) -> float:
    slots = []
    for sa in areas:
        s = sa.service
        for a in sa.areas:
            idx = [data.index(c) for c in a.members]
            trips = data.minutes[np.ix_(idx, idx)]
            longest = trips.max(axis=0)
            limit = None if s.limit is None else max(s.limit, longest[a.members.index(a.host)])
            allowed = [h for k, h in enumerate(a.members)
                       if (limit is None or longest[k] <= limit) and (not s.core or h == a.host)]
            pm = {h: float(data.population[idx] @ trips[:, k]) if s.travel else 0.0
                  for k, h in enumerate(a.members)}
            slots.append((s.staff_per_1000 * a.population / 1000, allowed, pm))
    rate = sum(s.staff_per_1000 for s in services)
    target = {c: rate * int(p) / 1000 for c, p in zip(data.codes, data.population, strict=True)}
    groups: list[set[str]] = []  # municipalities of regions linked by a shared area
    for _, _, pm in slots:
        regions = {plan.assignment[c] for c in pm}
        linked = {c for r in regions for c in plan.members(r)}
        for g in [g for g in groups if g & linked]:
            linked |= g
            groups.remove(g)
        groups.append(linked)
    total = 0.0
    for g in groups:
        mine = [x for x in slots if set(x[2]) <= g]
        best = _best(plan, mine, sorted(g), target, every)
        total += best if best < np.inf else _best(plan, mine, sorted(g), target, False)
    return total


def _best(plan, slots, munis, target, every: bool) -> float:
    best = np.inf
    for hosts in itertools.product(*(allowed for _, allowed, _ in slots)):
        staff = dict.fromkeys(munis, 0.0)
        for (st, _, _), h in zip(slots, hosts, strict=True):
            staff[h] += st
        if every and any(len(plan.members(plan.assignment[m])) >= 2 and m not in hosts
                         for m in munis):
            continue
        value = sum(abs(staff[m] - target[m]) for m in munis) + WEIGHT * sum(
            pm[h] for (_, _, pm), h in zip(slots, hosts, strict=True))
        best = min(best, value)
    return best


def value(h, data) -> float:
    rate_total = {}
    staff = dict.fromkeys(data.codes, 0.0)
    for slot, host in zip(h.slots, h.balanced, strict=True):
        staff[host] += slot.staff
        rate_total[host] = rate_total.get(host, 0) + slot.minutes[host]
    return sum(abs(staff[m] - h.targets[m]) for m in data.codes) + WEIGHT * sum(
        rate_total.values())


@pytest.mark.parametrize(("seed", "every"), [(1, True), (2, True), (3, False), (4, True),
                                             (5, False), (6, True)])
def test_hosting_matches_enumeration(seed: int, every: bool) -> None:
    data = random_problem(seed, 6)
    plan = solve(data, Scenario(regions=RegionsConfig(count=2)), quiet=True).plan
    assert plan is not None
    services = _services(seed)
    areas = [service_areas(plan, data, s) for s in services]
    h = balanced_hosting(plan, data, areas, every_member_hosts=every, minutes_weight=WEIGHT)
    assert h.status == "optimal"
    assert value(h, data) == pytest.approx(brute(plan, data, areas, services, every), abs=1e-6)
    for slot, host in zip(h.slots, h.balanced, strict=True):
        assert host in slot.allowed


def test_balance_by_hand_on_a_made_up_region() -> None:
    # One region of three: A (6 000, the core), B (3 000), C (1 000), 10 minutes apart.
    # Services: core-bound "a" (1.0 per 1 000: 10 staff), "b" and "c" (0.5: 5 staff each).
    # Targets: 2.0 per 1 000 of each population: A 12, B 6, C 2. Every member must host one:
    # a at A (|10 - 12| = 2), then b and c at B and C (|5 - 6| + |5 - 2| = 4): 6 in all.
    # The alternative b, c both at B (|10 - 6| = 4) leaves C empty. Core share 10 / 20.
    minutes = np.array([[0, 10, 10], [10, 0, 10], [10, 10, 0]], dtype=float)
    data = make_problem([6000, 3000, 1000], minutes, [(0, 1), (1, 2)])
    plan = Plan(assignment={c: "R" for c in data.codes}, cores={"R": "5501"})
    services = [Service(key="a", name="a", staff_per_1000=1.0, core=True),
                Service(key="b", name="b", staff_per_1000=0.5),
                Service(key="c", name="c", staff_per_1000=0.5)]
    areas = [service_areas(plan, data, s) for s in services]
    h = balanced_hosting(plan, data, areas, minutes_weight=0.0)
    staff = {c: sum(s.staff for s, x in zip(h.slots, h.balanced, strict=True) if x == c)
             for c in data.codes}
    assert h.targets == {"5501": 12.0, "5502": 6.0, "5503": 2.0}
    assert staff == {"5501": 10.0, "5502": 5.0, "5503": 5.0}
    assert h.traditional == ("5501", "5501", "5501")
    assert sum(staff.values()) == pytest.approx(2.0 * 10000 / 1000)
    free = balanced_hosting(plan, data, areas, minutes_weight=0.0, every_member_hosts=False)
    assert sum(abs(sum(s.staff for s, x in zip(free.slots, free.balanced, strict=True)
                       if x == c) - free.targets[c]) for c in data.codes) == pytest.approx(6.0)


def test_forced_hosts_are_kept_or_refused_in_one_line() -> None:
    from regionopt.errors import ScenarioError
    from regionopt.model.hosting import hosting_slots

    data = random_problem(2, 6)
    plan = solve(data, Scenario(regions=RegionsConfig(count=2)), quiet=True).plan
    assert plan is not None
    region = plan.regions[0]
    members = plan.members(region)
    other = next(c for c in members if c != plan.cores[region])
    base = Service(key="x", name="x", staff_per_1000=1.0)
    forced = service_areas(plan, data, base)
    forced = type(forced)(service=Service(key="x", name="x", staff_per_1000=1.0,
                                          hosts=(other,)), areas=forced.areas, status="trivial")
    h = balanced_hosting(plan, data, [forced])
    assert dict(zip([s.members for s in h.slots], h.balanced, strict=True))[members] == other
    core_bound = type(forced)(service=Service(key="x", name="x", staff_per_1000=1.0, core=True,
                                              hosts=(other,)), areas=forced.areas, status="")
    with pytest.raises(ScenarioError, match=rf"^services\.x\.hosts: {other} cannot host the "
                                            r"area hosted at \d{4} \(the service stays at"):
        hosting_slots([core_bound], data)
    two = type(forced)(service=Service(key="x", name="x", staff_per_1000=1.0,
                                       hosts=members[:2]), areas=forced.areas, status="")
    with pytest.raises(ScenarioError, match=r"^services\.x\.hosts: \d{4} and \d{4} share"):
        hosting_slots([two], data)
    away = type(forced)(service=Service(key="x", name="x", hosts=("9999",)),
                        areas=forced.areas, status="")
    with pytest.raises(ScenarioError, match="9999 is not in the study area"):
        hosting_slots([away], data)


def test_same_inputs_same_hosts() -> None:
    data = random_problem(4, 6)
    plan = solve(data, Scenario(regions=RegionsConfig(count=2)), quiet=True).plan
    assert plan is not None
    areas = [service_areas(plan, data, s) for s in _services(4)]
    runs = [balanced_hosting(plan, data, areas, minutes_weight=WEIGHT) for _ in range(2)]
    assert runs[0] == runs[1]


def test_the_mips_stop_by_work_not_by_the_clock(monkeypatch) -> None:
    """Service areas and hosting run on one thread with a node limit, the time limit only a
    safety net, whatever the scenario's solver says: their figures reproduce under load."""
    import regionopt.model.hosting as hosting
    import regionopt.model.optimise as optimise
    import regionopt.model.services as services
    from regionopt.model import solvers
    from regionopt.scenario import SolverConfig

    seen: list[SolverConfig] = []
    real = solvers.run_solver

    def spy(prob, config, **kw):
        seen.append((config, kw.get("time_limit_s")))
        return real(prob, config, **kw)

    data = random_problem(4, 6)
    plan = solve(data, Scenario(regions=RegionsConfig(count=2)), quiet=True).plan
    assert plan is not None
    for module in (hosting, optimise, solvers):
        monkeypatch.setattr(module, "run_solver", spy)
    loud = SolverConfig(threads=2, time_limit_s=5.0)
    areas = [service_areas(plan, data, s, solver=loud) for s in _services(4)]
    balanced_hosting(plan, data, areas, minutes_weight=WEIGHT, solver=loud)
    assert len({id(c) for c, _ in seen}) > 1  # the areas' engine runs and the hosting MIPs
    assert all(c.threads == 1 for c, _ in seen)
    assert {c.max_nodes for c, _ in seen} <= {hosting.GROUP_NODES, services.AREA_NODES}
    # the scenario's 5 s gave way to the safety nets (the engine passes what remains of it)
    assert all(t is None or t > 0.9 * min(hosting.GROUP_LIMIT_S, services.AREA_LIMIT_S)
               for _, t in seen)
