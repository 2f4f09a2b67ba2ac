"""The most regions a hard population floor allows, counted exactly by packing small municipalities.

Relax a scenario to three of its rules: every municipality in one region,
contiguity through the adjacency, and the hard population floor (a region
whose core is a named exception has none). Call a municipality an *anchor*
when it alone meets the floor or is an exception, and group the others into
the connected components ``C`` of the graph the adjacency induces on them.

In the relaxation the most regions are exactly::

    A + sum over C of pack(C)

where ``A`` is the number of anchors and ``pack(C)`` the largest number of
disjoint connected sets of ``C`` with at least the floor each (among the
packings with that many, the plan takes the one of least person-minutes inside
the sets, each to its cheapest member):

* *at most*: a region holds at most one anchor usefully, and a region without
  an anchor has a non-exception core, so at least the floor, and is connected
  through non-anchors, so it lies inside one ``C``;
* *at least*: make every anchor a region of its own and every packed set a
  region; what is left of ``C`` is joined to a neighbouring region (``C`` is
  connected, so each left-over piece touches a packed set of ``C`` or an
  anchor), which keeps every region connected and at or above the floor.

Every rule the relaxation drops (caps, travel limits, core rules, links,
county borders, commuting floors) only removes plans, so the count is an upper
bound for any scenario with a hard floor and contiguity, and it is the exact
answer when the plan built from the packing meets the scenario's other rules
(:mod:`regionopt.model.maxp` checks that with the families' audits).

``pack(C)`` is a set packing over the *minimal* connected sets of ``C`` (at
least the floor, and no member whose removal leaves a connected set still at
the floor): any packed set can be shrunk to a minimal one by removing such
members, so the packing over minimal sets has the same optimum. They are
enumerated once each with the ESU scheme (every connected set grown from its
smallest member through exclusive neighbours, Wernicke 2006), stopping a branch
as soon as it reaches the floor: a connected set that contains one at the floor
is never minimal. A component whose enumeration exceeds :data:`MAX_SETS` sets,
or whose packing the solver does not prove in time, keeps the floor count
``floor(P_C / floor)`` (or the solver's bound, if smaller) as its bound; so does one
whose enumeration runs past the time allowed.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pulp

from regionopt.model.contiguity import reachable
from regionopt.model.families import Candidates
from regionopt.model.families.base import exception_mask
from regionopt.model.seeded import plan_around
from regionopt.model.solvers import run_solver
from regionopt.problem import ProblemData
from regionopt.scenario import Scenario, SolverConfig

log = logging.getLogger(__name__)

#: Minimal sets enumerated per component before its packing falls back to the floor count.
MAX_SETS = 20_000
EPS = 1e-6


@dataclass(frozen=True)
class Packing:
    """The relaxation's most regions, and the sets that reach it.

    Attributes
    ----------
    bound
        No plan of the scenario has more regions than this.
    anchors
        Positions of the anchors (each a region of its own in :func:`packing_plan`).
    sets
        The packed sets of non-anchors (positions), over all components.
    exact
        The sets reach the bound: ``bound`` equals ``len(anchors) + len(sets)``
        (every component's packing proven, with usable sets).
    """

    bound: int
    anchors: tuple[int, ...]
    sets: tuple[frozenset[int], ...]
    exact: bool

    @property
    def regions(self) -> int:
        """Regions of the plan the packing gives."""
        return len(self.anchors) + len(self.sets)


def floor_groups(data: ProblemData,
                 scenario: Scenario) -> tuple[np.ndarray, list[list[int]]] | None:
    """Return the anchor mask and the groups of non-anchors, or ``None`` without a hard floor.

    The groups are the connected components of the adjacency on the non-anchors
    (all non-anchors in one group without contiguity), each sorted, in the order
    of their smallest member.
    """
    floor = scenario.constraints.min_population
    if floor <= 0 or scenario.objective.population_shortfall > 0:
        return None
    anchor = (data.population >= floor) | exception_mask(data, scenario)
    others = [int(i) for i in np.flatnonzero(~anchor)]
    group = list(range(data.n))  # union-find over the non-anchors

    def root(i: int) -> int:
        while group[i] != i:
            group[i] = group[group[i]]
            i = group[i]
        return i

    if scenario.constraints.contiguity:
        for i, j, _ in data.edges:
            if not anchor[i] and not anchor[j]:
                group[root(i)] = root(j)
    else:
        for i in others:
            group[root(i)] = root(others[0])
    members: dict[int, list[int]] = {}
    for i in others:
        members.setdefault(root(i), []).append(i)
    return anchor, sorted(members.values())


def minimal_sets(nodes: Sequence[int], nbrs: Sequence[Sequence[int]], pop: np.ndarray,
                 floor: int, *, limit: int = MAX_SETS,
                 deadline: float | None = None) -> list[frozenset[int]] | None:
    """Return every minimal connected set of ``nodes`` with at least ``floor`` inhabitants.

    Parameters
    ----------
    nodes
        The positions to choose from (a connected group).
    nbrs
        Neighbours of every position (only those in ``nodes`` are used).
    pop
        Population of every position.
    floor
        The population floor.
    limit
        Give up (return ``None``) after this many sets, or after ``50 * limit``
        steps of the search.
    deadline
        Give up at this :func:`time.perf_counter` time (``None``: never).

    Returns
    -------
    list of frozenset or None
        Sorted by (size, members); ``None`` when the search gave up.
    """
    inside = set(nodes)
    adj = {v: [u for u in nbrs[v] if u in inside] for v in nodes}
    found: list[frozenset[int]] = []
    visited = 0

    def minimal(members: frozenset[int], total: int) -> bool:
        for u in members:
            rest = members - {u}
            if total - int(pop[u]) >= floor and rest and \
                    len(reachable(min(rest), set(rest), nbrs)) == len(rest):
                return False
        return True

    def grow(v: int, members: frozenset[int], ext: list[int], closed: set[int],
             total: int) -> bool:
        nonlocal visited
        visited += 1
        if visited > 50 * limit or (deadline is not None and visited % 1000 == 0
                                    and time.perf_counter() > deadline):
            return False
        if total >= floor:
            if minimal(members, total):
                found.append(members)
            return len(found) <= limit
        ext = list(ext)
        while ext:
            w = ext.pop()
            fresh = [u for u in adj[w] if u > v and u not in closed]
            if not grow(v, members | {w}, ext + fresh, closed | set(adj[w]) | {w},
                        total + int(pop[w])):
                return False
        return True

    for v in sorted(nodes):
        if not grow(v, frozenset({v}), [u for u in adj[v] if u > v], {v, *adj[v]},
                    int(pop[v])):
            return None
    return sorted(found, key=lambda s: (len(s), sorted(s)))


def pack(sets: Sequence[frozenset[int]], config: SolverConfig, *, time_limit_s: float | None,
         costs: Sequence[float] | None = None) -> tuple[list[frozenset[int]], int]:
    """Return the most disjoint sets among ``sets``, and a proven upper bound on their number.

    A set packing solved with the scenario's solver (HiGHS when it names none).
    With ``costs``, a second packing with the proven most sets picks those of
    least total cost (the count is unchanged; this only chooses among equals).
    """
    if not sets:
        return [], 0
    chosen, bound, proven = _pack(sets, config, time_limit_s=time_limit_s)
    if costs is not None and proven and chosen:
        cheaper, _, done = _pack(sets, config, time_limit_s=time_limit_s, costs=costs,
                                 count=len(chosen))
        chosen = cheaper if done and len(cheaper) == len(chosen) else chosen
    return chosen, bound


def _pack(sets: Sequence[frozenset[int]], config: SolverConfig, *, time_limit_s: float | None,
          costs: Sequence[float] | None = None,
          count: int | None = None) -> tuple[list[frozenset[int]], int, bool]:
    """One set packing: the most sets, or with ``count`` sets the least ``costs``."""
    prob = pulp.LpProblem("packing", pulp.LpMinimize)
    z = [prob.add_variable(f"z{k}", 0, 1, cat=pulp.LpBinary) for k in range(len(sets))]
    if costs is None or count is None:
        prob += -pulp.lpSum(z)
    else:
        top = max(max(costs), 1e-9)
        prob += pulp.lpSum(c / top * v for c, v in zip(costs, z, strict=True))
        prob += pulp.lpSum(z) == count, "count"
    holding: dict[int, list[int]] = {}
    for k, members in enumerate(sets):
        for i in members:
            holding.setdefault(i, []).append(k)
    for i in sorted(holding):
        if len(holding[i]) > 1:
            prob += pulp.lpSum(z[k] for k in holding[i]) <= 1, f"once_{i}"
    name = config.name if config.name in ("cbc", "highs") else "highs"
    out = run_solver(prob, dataclasses.replace(config, name=name), time_limit_s=time_limit_s,
                     quiet=True)
    chosen = ([sets[k] for k in range(len(sets)) if (z[k].varValue or 0) > 0.5]
              if out.has_solution else [])
    if costs is not None:
        return chosen, len(chosen), out.proven
    bound = len(sets) if out.bound is None else math.floor(-out.bound + EPS)
    if out.proven:
        bound = min(bound, len(chosen))
    return chosen, max(bound, len(chosen)), out.proven


def pack_regions(data: ProblemData, scenario: Scenario, *, time_limit_s: float | None = None,
                 cands: Candidates | None = None) -> Packing | None:
    """Return the most regions of the relaxation (see the module notes), or ``None``.

    Parameters
    ----------
    data, scenario
        The problem.
    time_limit_s
        Seconds for all the packings together (``None``: no limit); a component
        left without time keeps its floor count.
    cands
        The scenario's candidate sets. The bound counts every minimal set; the
        packed sets, which :func:`packing_plan` turns into regions, are chosen
        among those that some member may hold as core with all of them as
        candidates (a travel limit, for instance, rules out a long set), so the
        plan has fewer regions than the bound when the usable sets pack fewer.

    Returns
    -------
    Packing or None
        ``None`` without a hard floor or without contiguity (then
        :func:`regionopt.model.maxp.floor_bound` is the bound).
    """
    groups = floor_groups(data, scenario)
    if groups is None or not scenario.constraints.contiguity:
        return None
    anchor, comps = groups
    floor = scenario.constraints.min_population
    nbrs = data.neighbours()
    bound, exact = int(anchor.sum()), True
    chosen: list[frozenset[int]] = []
    deadline = None if time_limit_s is None else time.perf_counter() + time_limit_s

    def left() -> float | None:
        return None if deadline is None else max(1.0, deadline - time.perf_counter())

    for comp in comps:
        whole = frozenset(comp)
        most = int(data.population[comp].sum()) // floor
        if deadline is not None and time.perf_counter() >= deadline and most > 1:
            bound, exact = bound + most, False  # no time left: the floor count stands
            continue
        if most == 0 or (most == 1 and _core_options(whole, cands)):
            chosen += [whole] if most == 1 else []  # the whole group is the one set, or none
            bound += most
            continue
        sets = minimal_sets(comp, nbrs, data.population, floor, deadline=deadline)
        if sets is None:
            log.info("packing: the minimal sets of a group of %d municipalities are too many "
                     "(over %d, or past the time allowed); its bound stays %d", len(comp),
                     MAX_SETS, most)
            bound, exact = bound + most, False
            continue
        usable = [m for m in sets if _core_options(m, cands)]
        costs = [_cheapest(data, m, cands) for m in usable]
        if len(usable) == len(sets):
            picked, best = pack(sets, scenario.solver, time_limit_s=left(), costs=costs)
        else:
            _, best = pack(sets, scenario.solver, time_limit_s=left())
            picked, _ = pack(usable, scenario.solver, time_limit_s=left(), costs=costs)
        chosen += picked
        bound += min(best, most)
        exact = exact and len(picked) == min(best, most)
    log.info("packing: at most %d regions (%d anchors, %d sets packed%s)", bound,
             int(anchor.sum()), len(chosen), "" if exact else ", fewer than the bound")
    return Packing(bound, tuple(int(i) for i in np.flatnonzero(anchor)),
                   tuple(sorted(chosen, key=sorted)), exact)


def _core_options(members: frozenset[int], cands: Candidates | None) -> list[int]:
    """Members that may be the core of ``members`` with all of them as candidates."""
    idx = sorted(members)
    return idx if cands is None else [c for c in idx if members <= cands.get(c, set())]


def _cheapest(data: ProblemData, members: frozenset[int], cands: Candidates | None) -> float:
    """Person-minutes of ``members`` to the possible core that makes them least."""
    idx, options = sorted(members), _core_options(members, cands)
    return float((data.population[idx, None]
                  * data.minutes[np.ix_(idx, options)]).sum(axis=0).min())


def packing_plan(data: ProblemData, scenario: Scenario, packing: Packing,
                 cands: Candidates) -> np.ndarray | None:
    """Return ``cores[i]`` of the plan the packing gives, or ``None`` if it cannot be built.

    Every anchor is a region of its own and every packed set a region, each with
    the cheapest core the rules allow; every other municipality attaches as the
    construction heuristic attaches it (:func:`regionopt.model.seeded.plan_around`).
    """
    seeds = [frozenset({a}) for a in packing.anchors] + list(packing.sets)
    return plan_around(data, scenario, cands, seeds)


__all__ = ["MAX_SETS", "Packing", "floor_groups", "minimal_sets", "pack", "pack_regions",
           "packing_plan"]
