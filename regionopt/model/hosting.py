"""Balanced hosting: which member hosts each service of each service area.

Every service area (:mod:`regionopt.model.services`) needs a host for its
service, the *slot* ``k`` with ``staff_k = staff_per_1000 * inhabitants / 1000``.
The traditional model hosts every slot at the area's core. The balanced model
chooses hosts so that each municipality ``m`` hosts staff in proportion to
its inhabitants, exactly, by a small MIP per group of regions that share an
area:

    minimise   sum_m d_m  +  w * sum_k sum_h pm_kh * y_kh
    subject to sum_h y_kh = 1                               every slot hosted once
               d_m >= H_m - T_m,  d_m >= T_m - H_m          d_m = |H_m - T_m|
               H_m = sum_k staff_k * y_km                   staff hosted at m
               T_m = R * population_m / 1000                m's own share
               sum_k y_km >= 1   (every_member_hosts)       each member of a region of
                                                            two or more hosts a service
               y_kh = 0 unless h is allowed for slot k

``R`` is the sum of the services' staff rates, so ``T_m`` is ``m``'s
population share of all staff hosted in its group; ``pm_kh`` the
person-minutes from the area's members to ``h`` (services people travel to,
else 0) and ``w`` is ``services.minutes_weight`` (staff per person-minute).
A host is allowed when the service is not marked ``core`` (core services
stay at the area's core), and every member is within the service's travel
limit of it (or no further than from the core, where the core itself is
beyond the limit); a scenario's ``hosts`` forces a member.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import MappingProxyType

import numpy as np
import pulp

from regionopt.errors import ScenarioError
from regionopt.model.optimise import relative_gap
from regionopt.model.services import ServiceAreas
from regionopt.model.solvers import run_solver
from regionopt.plan import Plan
from regionopt.problem import ProblemData
from regionopt.scenario import SolverConfig

log = logging.getLogger(__name__)
_DEFAULT_SOLVER = SolverConfig()
#: Branch-and-bound nodes each group's MIP may take (the scenario's ``solver.max_nodes`` if
#: set), on one thread: a group stops by its work, not by the clock, so the hosting and the gap
#: a run reports are the same on an idle and on a loaded machine (HiGHS with one thread stops
#: at the same node). A group stopped so keeps its best hosting and reports its gap.
GROUP_NODES = 10_000
#: Seconds each group's MIP may take at most: a safety net above what the node limit takes
#: (the scenario's time limit if that is higher).
GROUP_LIMIT_S = 600.0


@dataclass(frozen=True)
class Slot:
    """One service in one service area, to be hosted by one member."""

    service: str
    area: int
    members: tuple[str, ...]
    staff: float
    core: str
    allowed: tuple[str, ...]
    minutes: Mapping[str, float]


@dataclass(frozen=True)
class Hosting:
    """The hosts of every slot, balanced and traditional.

    Attributes
    ----------
    slots
        Every slot, by service (catalogue order) then area.
    balanced, traditional
        The host of each slot (same order as ``slots``); without balance both
        are the traditional hosts.
    targets
        Kommunenummer → staff it would host in proportion to its inhabitants.
    status
        ``"optimal"``, ``"time_limit"`` (some group's MIP stopped early; see
        ``gap``) or ``"traditional"`` (balance off).
    gap
        Largest relative gap of a group's MIP (0 when all are proven).
    notes
        Rules the balanced model could not keep, and why.
    """

    slots: tuple[Slot, ...]
    balanced: tuple[str, ...]
    traditional: tuple[str, ...]
    targets: Mapping[str, float]
    status: str
    gap: float | None = 0.0
    notes: tuple[str, ...] = field(default=())


def hosting_slots(areas: Sequence[ServiceAreas], data: ProblemData) -> tuple[Slot, ...]:
    """Every (service, area) with its staff, the core and the members allowed to host it.

    Any member may host a service people do not travel to (``services.staff_minutes``
    only bounds which regions share its area).

    Raises
    ------
    ScenarioError
        If a forced host (``services.<id>.hosts``) is outside the study area,
        shares an area with another forced host, or breaks the travel or core rule.
    """
    out = []
    for sa in areas:
        s = sa.service
        for code in s.hosts:
            if code not in data.codes:
                raise ScenarioError(f"services.{s.key}.hosts: municipality {code} is not in "
                                    "the study area")
        for k, a in enumerate(sa.areas):
            idx = np.array([data.index(c) for c in a.members])
            trips = data.minutes[np.ix_(idx, idx)]
            longest = dict(zip(a.members, trips.max(axis=0).tolist(), strict=True))
            pm = data.population[idx] @ np.where(np.isfinite(trips), trips, 0)
            limit = None if s.limit is None else max(s.limit, longest[a.host])
            allowed = [h for h in a.members if limit is None or longest[h] <= limit + 1e-9]
            if s.core:
                allowed = [a.host]
            forced = [c for c in s.hosts if c in a.members]
            if len(forced) > 1:
                raise ScenarioError(f"services.{s.key}.hosts: {forced[0]} and {forced[1]} "
                                    f"share the area hosted at {a.host}")
            if forced and forced[0] not in allowed:
                why = "the service stays at the core" if s.core else (
                    f"a member is {longest[forced[0]]:.0f} min away, over the "
                    f"{limit:.0f}-minute limit")
                raise ScenarioError(f"services.{s.key}.hosts: {forced[0]} cannot host the "
                                    f"area hosted at {a.host} ({why})")
            minutes = {h: float(pm[i]) if s.travel else 0.0
                       for i, h in enumerate(a.members) if h in allowed}
            out.append(Slot(service=s.key, area=k, members=a.members,
                            staff=s.staff_per_1000 * a.population / 1000, core=a.host,
                            allowed=tuple(forced or allowed), minutes=MappingProxyType(minutes)))
    return tuple(out)


def _groups(slots: Sequence[Slot], plan: Plan) -> list[list[int]]:
    """Slots grouped by the connected sets of regions that share an area."""
    parent = {r: r for r in plan.regions}

    def find(r: str) -> str:
        while parent[r] != r:
            parent[r] = parent[parent[r]]
            r = parent[r]
        return r

    for slot in slots:
        first = find(plan.assignment[slot.members[0]])
        for c in slot.members[1:]:
            parent[find(plan.assignment[c])] = first
    groups: dict[str, list[int]] = {}
    for k, slot in enumerate(slots):
        groups.setdefault(find(plan.assignment[slot.members[0]]), []).append(k)
    return [groups[g] for g in sorted(groups)]


def balanced_hosting(plan: Plan, data: ProblemData, areas: Sequence[ServiceAreas], *,
                     balanced: bool = True, every_member_hosts: bool = True,
                     minutes_weight: float = 1e-7, solver: SolverConfig = _DEFAULT_SOLVER,
                     quiet: bool = True) -> Hosting:
    """Choose the host of every slot (see the module's docstring for the model).

    Parameters
    ----------
    plan
        The regions.
    data
        Population and minutes.
    areas
        Every service's areas.
    balanced
        Solve the balanced model; off, every slot stays at its core.
    every_member_hosts
        Each member of a region of two or more hosts at least one slot.
    minutes_weight
        Staff one person-minute weighs (the secondary term).
    solver
        Solver and gap; each group's MIP runs on one thread with the solver's node limit
        (else :data:`GROUP_NODES`) and a time limit of at least :data:`GROUP_LIMIT_S`, a
        safety net.
    quiet
        Hide the solver's log.

    Returns
    -------
    Hosting
    """
    slots = hosting_slots(areas, data)
    rate = sum(sa.service.staff_per_1000 for sa in areas)
    targets = {c: rate * float(p) / 1000 for c, p in zip(data.codes, data.population,
                                                           strict=True)}
    traditional = tuple(s.core for s in slots)
    if not balanced:
        return Hosting(slots, traditional, traditional, MappingProxyType(targets), "traditional")
    hosts = list(traditional)
    gaps, notes, proven = [0.0], [], True
    limit = max(GROUP_LIMIT_S, solver.time_limit_s or 0.0)
    solver = replace(solver, threads=1, max_nodes=solver.max_nodes or GROUP_NODES)
    for group in _groups(slots, plan):
        chosen, ok, gap, note = _solve_group([slots[k] for k in group], plan, targets,
                                             every_member_hosts=every_member_hosts,
                                             minutes_weight=minutes_weight, solver=solver,
                                             limit=limit, quiet=quiet)
        for k, h in zip(group, chosen, strict=True):
            hosts[k] = h
        proven &= ok
        gaps.append(gap if gap is not None else float("inf"))
        notes += note
    status = "optimal" if proven else "time_limit"
    return Hosting(slots, tuple(hosts), traditional, MappingProxyType(targets), status,
                   None if max(gaps) == float("inf") else max(gaps), tuple(notes))


def _classes(slots: list[Slot]) -> list[list[int]]:
    """Slots that are interchangeable (same members, staff, allowed hosts and minutes)."""
    classes: dict[tuple[object, ...], list[int]] = {}
    for k, s in enumerate(slots):
        key = (s.members, round(s.staff, 9), s.allowed, tuple(sorted(s.minutes.items())))
        classes.setdefault(key, []).append(k)
    return list(classes.values())


def _solve_group(slots: list[Slot], plan: Plan, targets: Mapping[str, float], *,
                 every_member_hosts: bool, minutes_weight: float, solver: SolverConfig,
                 limit: float, quiet: bool) -> tuple[list[str], bool, float | None, list[str]]:
    """One group's MIP: the hosts, whether proven, the gap and notes.

    Interchangeable slots form one class with an integer count per host
    (``z[c, h]`` slots of class ``c`` hosted at ``h``), which removes the
    symmetry of equal slots without changing the optimum.
    """
    munis = sorted({c for s in slots for c in s.members})
    classes = _classes(slots)
    prob = pulp.LpProblem("balanced_hosting", pulp.LpMinimize)
    z = {(c, h): prob.add_variable(f"z_{c}_{h}", 0, len(ks), cat=pulp.LpInteger)
         for c, ks in enumerate(classes) for h in slots[ks[0]].allowed}
    d = {m: prob.add_variable(f"d_{m}", 0) for m in munis}
    first = [slots[ks[0]] for ks in classes]
    hosted = {m: pulp.lpSum(s.staff * z[c, m] for c, s in enumerate(first) if m in s.allowed)
              for m in munis}
    prob += (pulp.lpSum(d.values()) + minutes_weight * pulp.lpSum(
        s.minutes[h] * z[c, h] for c, s in enumerate(first) for h in s.allowed))
    for c, s in enumerate(first):
        prob += (pulp.lpSum(z[c, h] for h in s.allowed) == len(classes[c]), f"host_{c}")
    for m in munis:
        prob += (d[m] >= hosted[m] - targets[m], f"over_{m}")
        prob += (d[m] >= targets[m] - hosted[m], f"under_{m}")
    notes = []
    if every_member_hosts:
        for m in munis:
            if len(plan.members(plan.assignment[m])) < 2:
                continue
            can = [z[c, m] for c, s in enumerate(first) if m in s.allowed]
            if can:
                prob += (pulp.lpSum(can) >= 1, f"hosts_one_{m}")
            else:
                notes.append(f"{m} may host no service (core services and travel limits)")
    out = run_solver(prob, solver, time_limit_s=limit, quiet=quiet)
    if out.infeasible and every_member_hosts:
        chosen, ok, gap, more = _solve_group(slots, plan, targets, every_member_hosts=False,
                                             minutes_weight=minutes_weight, solver=solver,
                                             limit=limit, quiet=quiet)
        return chosen, ok, gap, [*notes, f"the group of {munis[0]}: not every member can "
                                 "host a service", *more]
    if not out.has_solution:
        notes.append(f"the group of {munis[0]}: no balanced hosting found in time; hosted at "
                     "the core")
        return [s.core for s in slots], False, None, notes
    chosen = [""] * len(slots)
    for c, ks in enumerate(classes):  # the class's slots to its hosts, in catalogue order
        hosts = [h for h in first[c].allowed for _ in range(round(z[c, h].value() or 0))]
        for k, h in zip(ks, hosts, strict=True):
            chosen[k] = h
    value = float(pulp.value(prob.objective))
    return chosen, out.proven, relative_gap(value, out.bound), notes
