"""Why a scenario has no feasible plan: proofs that name what is at fault.

:func:`diagnose` runs cheap checks that each *prove* infeasibility when they
fire: each constraint family's own proofs (:mod:`regionopt.model.families`,
for instance a must-link pair across a county border), then checks of the
candidate sets as a whole (a municipality that can reach no admissible core,
population bounds that no number of regions in range can meet, more
municipalities pairwise without a common core than regions allowed). The
relaxation probes that name a culprit when no proof is found are in
:mod:`regionopt.model.explain`.
"""

from __future__ import annotations

import math

from regionopt.errors import whole
from regionopt.model import contiguity as contig
from regionopt.model.candidates import candidate_sets
from regionopt.model.families import Candidates, active_families, count_range
from regionopt.model.families.base import exception_mask, label
from regionopt.problem import ProblemData
from regionopt.scenario import Scenario, replace_key


def diagnose(data: ProblemData, scenario: Scenario, *,
             cands: Candidates | None = None) -> list[str]:
    """Return concrete reasons why ``scenario`` has no feasible plan on ``data``.

    Every reason returned is a proof of infeasibility; an empty list does not
    prove feasibility.

    Parameters
    ----------
    data
        Municipalities, minutes and adjacency.
    scenario
        The scenario.
    cands
        Its candidate sets if already computed (not modified).

    Returns
    -------
    list of str
        One sentence per reason, naming the municipality, pair or bound.

    Raises
    ------
    DataError
        If the scenario names a municipality not in ``data``.
    """
    if cands is None:
        cands = candidate_sets(data, scenario)
    reasons: list[str] = []
    for fam in active_families(scenario):
        if fam.reasons is not None:
            reasons += fam.reasons(data, scenario, cands)
    reasons += _unassignable(data, scenario, cands)
    reasons += _population_reasons(data, scenario, cands)
    reasons += _separate_reasons(data, scenario, cands)
    return list(dict.fromkeys(reasons))


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
        free = replace_key(scenario, "constraints.long_distance_minutes", None)
        unlimited = candidate_sets(data, replace_key(free, "constraints.max_travel_minutes",
                                                     None))
    pop = data.population
    out = []
    for i in missing:
        small = {j: int(pop[sorted(m)].sum()) for j, m in unfloored.items() if i in m}
        near = [j for j, m in unlimited.items() if i in m and j != i]
        if small:
            j = max(small, key=lambda k: (small[k], -k))
            out.append(f"{label(data, i)} can join no core whose region could reach "
                       f"min_population {c.min_population}: the largest region it could "
                       f"be part of, around {label(data, j)}, has at most {whole(small[j])} "
                       "inhabitants")
        elif near:
            j = min(near, key=lambda k: (data.minutes[i, k], k))
            out.append(f"{label(data, i)} cannot reach any admissible core within {limit:g} "
                       f"minutes; the nearest is {label(data, j)} at "
                       f"{data.minutes[i, j]:.1f} minutes")
        else:
            out.append(f"{label(data, i)} can join no admissible core and cannot be one "
                       "itself (check core_is_largest, min_core_population, county borders, "
                       "fixed cores, must-link partners and its neighbours)")
    return out


def _separate_reasons(data: ProblemData, scenario: Scenario,
                      cands: dict[int, set[int]]) -> list[str]:
    """Municipalities pairwise without a common admissible core need a region each."""
    _, hi = count_range(data, scenario)
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
    names = ", ".join(label(data, i) for i in sorted(apart)[:6])
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
    lo, hi = count_range(data, scenario)
    pop = data.population
    # an elastic floor (objective.population_shortfall) proves nothing; exceptions are exempt
    floor = c.min_population if scenario.objective.population_shortfall == 0 else 0
    exempt = exception_mask(data, scenario)
    out = []
    comps = _components(data, scenario)
    need = most = 0
    for comp in comps:
        total = int(pop[sorted(comp)].sum())
        where = "the study area" if len(comps) == 1 else (
            f"the part of the graph holding {label(data, min(comp))} ({len(comp)} "
            "municipalities, not connected to the rest)")
        if not comp & set(cands):
            out.append(f"{where} holds no municipality that can be a core")
        if total < floor and not exempt[sorted(comp)].all():
            out.append(f"{where} has {whole(total)} inhabitants, below min_population "
                       f"{c.min_population}")
        need += 1 if c.max_population is None else max(1, math.ceil(total / c.max_population))
        cores_here = len(comp & set(cands))
        # a region of exceptions only has no floor: at most one per exception
        most += cores_here if floor == 0 else min(
            cores_here, total // floor + int(exempt[sorted(comp)].sum()))
    if need > hi:
        what = "each connected part needs a region" if c.max_population is None else \
            f"max_population {c.max_population}"
        out.append(f"at least {need} regions are needed ({what}), but at most {hi} are allowed")
    if most < lo:
        what = "possible cores" if floor == 0 else \
            f"possible cores, min_population {c.min_population}, " \
            f"{whole(pop.sum())} inhabitants"
        out.append(f"at most {most} regions are possible ({what}), but at least {lo} are "
                   "required")
    return out
