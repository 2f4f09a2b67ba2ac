"""Why a scenario has no feasible plan, in sentences naming what is at fault.

:func:`diagnose` runs cheap checks that each *prove* infeasibility when they
fire (a municipality that cannot reach any admissible core, population bounds
that no number of regions in range can meet, a must-link pair across a county
border, ...). :func:`explain_infeasible` adds, when those find nothing, which
single constraint family the scenario becomes feasible without.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from regionopt import contiguity as contig
from regionopt.candidates import candidate_sets, check_codes
from regionopt.problem import ProblemData
from regionopt.scenario import Scenario, replace_key

RELAXATIONS: tuple[tuple[str, tuple[tuple[str, Any], ...]], ...] = (
    ("contiguity", (("constraints.contiguity", False),)),
    ("the travel limit", (("constraints.max_travel_minutes", None),)),
    ("the population bounds", (("constraints.min_population", 0),
                               ("constraints.max_population", None))),
    ("core_is_largest", (("constraints.core_is_largest", False),)),
    ("min_core_population", (("constraints.min_core_population", 0),)),
    ("the county borders", (("constraints.respect_county_borders", False),)),
    ("must_link", (("constraints.must_link", []),)),
    ("cannot_link", (("constraints.cannot_link", []),)),
    ("fixed_cores", (("constraints.fixed_cores", []),)),
    ("the number of regions", (("regions.count", None), ("regions.min_count", None),
                               ("regions.max_count", None))),
)


def _label(data: ProblemData, i: int) -> str:
    return f"{data.names[i]} ({data.codes[i]})"


def diagnose(data: ProblemData, scenario: Scenario) -> list[str]:
    """Return concrete reasons why ``scenario`` has no feasible plan on ``data``.

    Every reason returned is a proof of infeasibility; an empty list does not
    prove feasibility.

    Parameters
    ----------
    data
        Municipalities, minutes and adjacency.
    scenario
        The scenario.

    Returns
    -------
    list of str
        One sentence per reason, naming the municipality, pair or bound.

    Raises
    ------
    DataError
        If the scenario names a municipality not in ``data``.
    """
    check_codes(data, scenario)
    cands = candidate_sets(data, scenario)
    reasons = _link_reasons(data, scenario)
    reasons += _core_reasons(data, scenario, cands)
    reasons += _unassignable(data, scenario, cands)
    reasons += _population_reasons(data, scenario, cands)
    reasons += _separate_reasons(data, scenario, cands)
    return list(dict.fromkeys(reasons))


def _count_range(data: ProblemData, scenario: Scenario) -> tuple[int, int]:
    r = scenario.regions
    if r.count is not None:
        return r.count, r.count
    return r.min_count or 1, r.max_count or data.n


def _groups(data: ProblemData, scenario: Scenario) -> list[set[int]]:
    """Must-link groups (transitive closure), each with at least two members."""
    parent = list(range(data.n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a, b in scenario.constraints.must_link:
        parent[find(data.index(a))] = find(data.index(b))
    groups: dict[int, set[int]] = {}
    for i in range(data.n):
        groups.setdefault(find(i), set()).add(i)
    return [g for g in groups.values() if len(g) > 1]


def _link_reasons(data: ProblemData, scenario: Scenario) -> list[str]:
    c = scenario.constraints
    out = []
    if c.respect_county_borders:
        for a, b in c.must_link:
            ia, ib = data.index(a), data.index(b)
            if data.counties[ia] != data.counties[ib]:
                out.append(f"must-link pair {_label(data, ia)} and {_label(data, ib)} crosses "
                           f"the county border ({data.counties[ia]}/{data.counties[ib]}) "
                           "while respect_county_borders is on")
    fixed = {data.index(k) for k in c.fixed_cores}
    for group in _groups(data, scenario):
        for a, b in c.cannot_link:
            ia, ib = data.index(a), data.index(b)
            if ia in group and ib in group:
                out.append(f"{_label(data, ia)} and {_label(data, ib)} must not share a region "
                           "but are joined by a chain of must-link pairs")
        both = sorted(group & fixed)
        if len(both) > 1:
            out.append(f"fixed cores {_label(data, both[0])} and {_label(data, both[1])} are "
                       "joined by must-link pairs, but a region has one core")
    return out


def _core_reasons(data: ProblemData, scenario: Scenario,
                  cands: dict[int, set[int]]) -> list[str]:
    c = scenario.constraints
    lo, hi = _count_range(data, scenario)
    out = []
    if lo > len(cands):
        out.append(f"{lo} regions need {lo} cores, but only {len(cands)} municipalities "
                   "can be cores under the scenario's constraints")
    if len(c.fixed_cores) > hi:
        out.append(f"{len(c.fixed_cores)} fixed cores but at most {hi} regions")
    for code in c.fixed_cores:
        j = data.index(code)
        if data.population[j] < c.min_core_population:
            out.append(f"fixed core {_label(data, j)} has {int(data.population[j])} inhabitants, "
                       f"below min_core_population {c.min_core_population}")
        elif j not in cands:
            out.append(f"fixed core {_label(data, j)} cannot be a core under the other "
                       "constraints (its must-link partners cannot join it)")
    return out


def _unassignable(data: ProblemData, scenario: Scenario,
                  cands: dict[int, set[int]]) -> list[str]:
    """Municipalities that no admissible core can take, with the nearest one ignoring the limit."""
    placed = set().union(*cands.values()) if cands else set()
    missing = [i for i in range(data.n) if i not in placed]
    if not missing:
        return []
    c = scenario.constraints
    limit = c.max_travel_minutes
    unfloored: dict[int, set[int]] = {}
    if c.min_population > 0:
        unfloored = candidate_sets(data, replace_key(scenario, "constraints.min_population", 0))
    unlimited: dict[int, set[int]] = {}
    if limit is not None:
        unlimited = candidate_sets(data, replace_key(scenario, "constraints.max_travel_minutes",
                                                     None))
    pop = data.population
    out = []
    for i in missing:
        small = {j: int(pop[sorted(m)].sum()) for j, m in unfloored.items() if i in m}
        near = [j for j, m in unlimited.items() if i in m and j != i]
        if small:
            j = max(small, key=lambda k: (small[k], -k))
            out.append(f"{_label(data, i)} can join no core whose region could reach "
                       f"min_population {c.min_population}: the largest region it could be "
                       f"part of, around {_label(data, j)}, has at most {small[j]} inhabitants")
        elif near:
            j = min(near, key=lambda k: (data.minutes[i, k], k))
            out.append(f"{_label(data, i)} cannot reach any admissible core within {limit:g} "
                       f"minutes; the nearest is {_label(data, j)} at "
                       f"{data.minutes[i, j]:.1f} minutes")
        else:
            out.append(f"{_label(data, i)} can join no admissible core and cannot be one "
                       "itself (check core_is_largest, min_core_population, county borders, "
                       "fixed cores, must-link partners and its neighbours)")
    return out


def _separate_reasons(data: ProblemData, scenario: Scenario,
                      cands: dict[int, set[int]]) -> list[str]:
    """Municipalities pairwise without a common admissible core need a region each."""
    _, hi = _count_range(data, scenario)
    cores_of: dict[int, set[int]] = {i: set() for i in range(data.n)}
    for j, members in cands.items():
        for i in members:
            cores_of[i].add(j)
    apart: list[int] = []  # greedy clique of the "no common core" graph
    for i in sorted(range(data.n), key=lambda k: (len(cores_of[k]), k)):
        if cores_of[i] and all(not cores_of[i] & cores_of[k] for k in apart):
            apart.append(i)
    if len(apart) <= hi:
        return []
    names = ", ".join(_label(data, i) for i in sorted(apart)[:6])
    more = "" if len(apart) <= 6 else f" and {len(apart) - 6} more"
    return [f"{names}{more} can share no admissible core pairwise (travel limit, core rules, "
            f"county borders), so at least {len(apart)} regions are needed, but at most {hi} "
            "are allowed"]


def _components(data: ProblemData, scenario: Scenario) -> list[set[int]]:
    """Parts of the study area that no connected region can span."""
    if not scenario.constraints.contiguity:
        return [set(range(data.n))]
    nbrs = data.neighbours()
    if scenario.constraints.respect_county_borders:
        nbrs = [[k for k in ks if data.counties[k] == data.counties[i]]
                for i, ks in enumerate(nbrs)]
    return sorted(contig.components(range(data.n), nbrs), key=min)


def _population_reasons(data: ProblemData, scenario: Scenario,
                        cands: dict[int, set[int]]) -> list[str]:
    c = scenario.constraints
    lo, hi = _count_range(data, scenario)
    pop = data.population
    out = []
    if c.max_population is not None:
        for i in np.flatnonzero(pop > c.max_population):
            out.append(f"{_label(data, int(i))} alone has {int(pop[i])} inhabitants, above "
                       f"max_population {c.max_population}")
    comps = _components(data, scenario)
    need = most = 0
    for comp in comps:
        total = int(pop[sorted(comp)].sum())
        where = "the study area" if len(comps) == 1 else (
            f"the part of the graph holding {_label(data, min(comp))} ({len(comp)} "
            "municipalities, not connected to the rest)")
        if not comp & set(cands):
            out.append(f"{where} holds no municipality that can be a core")
        if total < c.min_population:
            out.append(f"{where} has {total} inhabitants, below min_population "
                       f"{c.min_population}")
        need += 1 if c.max_population is None else max(1, math.ceil(total / c.max_population))
        cores_here = len(comp & set(cands))
        most += cores_here if c.min_population == 0 else min(cores_here,
                                                              total // c.min_population)
    if need > hi:
        what = "each connected part needs a region" if c.max_population is None else \
            f"max_population {c.max_population}"
        out.append(f"at least {need} regions are needed ({what}), but at most {hi} are allowed")
    if most < lo:
        what = "possible cores" if c.min_population == 0 else \
            f"possible cores, min_population {c.min_population}, {int(pop.sum())} inhabitants"
        out.append(f"at most {most} regions are possible ({what}), but at least {lo} are "
                   "required")
    return out


def explain_infeasible(data: ProblemData, scenario: Scenario, *, method: str = "flow",
                       time_limit_s: float = 30.0) -> list[str]:
    """Return reasons for an infeasible scenario, probing relaxations if needed.

    First the proofs of :func:`diagnose`; if there are none, the scenario is
    solved again without each constraint family in turn (quietly, at most
    ``time_limit_s`` each) and every family whose removal makes it feasible is
    named.

    Returns
    -------
    list of str
        At least one sentence.
    """
    reasons = diagnose(data, scenario)
    if reasons:
        return reasons
    from regionopt.model import _optimise, build_model

    for what, changes in RELAXATIONS:
        relaxed = scenario
        for key, value in changes:
            relaxed = replace_key(relaxed, key, value)
        relaxed = replace_key(relaxed, "solver.time_limit_s", time_limit_s)
        if _same_constraints(relaxed, scenario):
            continue
        model = build_model(data, relaxed, method=method)
        _, cores = _optimise(model, quiet=True)
        if cores is not None:
            reasons.append(f"{what} cannot hold together with the other constraints "
                           f"(the scenario is feasible without {what})")
    return reasons or ["the constraints conflict jointly; no single constraint family is "
                       "to blame"]


def _same_constraints(a: Scenario, b: Scenario) -> bool:
    return a.constraints == b.constraints and a.regions == b.regions
