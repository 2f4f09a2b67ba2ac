"""Candidate pairs of the region MIP: which municipality may join which core.

A pair ``(i, j)`` is kept only if some feasible plan could put ``i`` in the
region of core ``j``: within the travel limit, ``j`` larger than ``i`` under
``core_is_largest``, same county when borders are respected, ``j`` above the
core population floor (with a finite ``minutes[j, j]``), ``i`` not a fixed
core, must-link partners kept together, and under contiguity ``i`` reachable
from ``j`` through other candidates. Pruning therefore never cuts off a feasible plan; the model
(:mod:`regionopt.model`) creates variables for these pairs only, and
:mod:`regionopt.infeasibility` reads them to explain an infeasible scenario.
"""

from __future__ import annotations

import numpy as np

from regionopt import contiguity as contig
from regionopt.errors import DataError
from regionopt.problem import ProblemData
from regionopt.scenario import Scenario


def rank_order(data: ProblemData) -> np.ndarray:
    """Return each municipality's rank by size: population, ties to the lower kommunenummer.

    ``rank[i] > rank[j]`` means ``i`` counts as larger than ``j``; equal
    populations rank the lower kommunenummer as larger (as in :func:`regionopt.plan.read_plan`).
    """
    order = sorted(range(data.n), key=lambda i: (int(data.population[i]), -int(data.codes[i])))
    rank = np.empty(data.n, dtype="int64")
    rank[order] = np.arange(data.n)
    return rank


def check_codes(data: ProblemData, scenario: Scenario) -> None:
    """Check that every code in ``must_link``, ``cannot_link`` and ``fixed_cores`` is in ``data``.

    Raises
    ------
    DataError
        Naming the scenario key and the first code outside the study area.
    """
    c = scenario.constraints
    keyed = [("fixed_cores", code) for code in c.fixed_cores]
    keyed += [(key, code) for key, pairs in (("must_link", c.must_link),
                                             ("cannot_link", c.cannot_link))
              for pair in pairs for code in pair]
    for key, code in keyed:
        if code not in data.codes:
            raise DataError(f"scenario {scenario.name!r}: constraints.{key} names municipality "
                            f"{code}, which is not in the study area")


def candidate_sets(data: ProblemData, scenario: Scenario) -> dict[int, set[int]]:
    """Return, per possible core ``j``, the municipalities that may join it (``j`` included).

    Only pairs some feasible plan could use are kept, so pruning never cuts
    off a feasible plan.

    Raises
    ------
    DataError
        If the scenario names a municipality not in ``data`` (see :func:`check_codes`).
    """
    check_codes(data, scenario)
    c = scenario.constraints
    pop, mins = data.population, data.minutes
    rank = rank_order(data)
    fixed = {data.index(k) for k in c.fixed_cores}
    limit = np.inf if c.max_travel_minutes is None else c.max_travel_minutes
    cands: dict[int, set[int]] = {}
    for j in range(data.n):
        if pop[j] < c.min_core_population or not np.isfinite(mins[j, j]):
            continue
        ok = np.isfinite(mins[:, j]) & (mins[:, j] <= limit)
        if c.core_is_largest:
            ok &= rank < rank[j]
        if c.respect_county_borders:
            ok &= np.array([cty == data.counties[j] for cty in data.counties])
        members = {int(i) for i in np.flatnonzero(ok)} - fixed
        cands[j] = members | {j}
    links = [(data.index(a), data.index(b)) for a, b in c.must_link]
    nbrs = data.neighbours()
    changed = True
    while changed:
        changed = False
        for members in cands.values():
            for a, b in links:
                if (a in members) != (b in members):
                    members.discard(a)
                    members.discard(b)
                    changed = True
        for j in [j for j, m in cands.items() if j not in m]:
            del cands[j]
            changed = True
        if c.contiguity:
            changed |= contig.prune_unreachable(cands, nbrs)
        for j in [j for j, m in cands.items() if int(pop[sorted(m)].sum()) < c.min_population]:
            del cands[j]  # even all its candidates together stay below min_population
            changed = True
    return cands
