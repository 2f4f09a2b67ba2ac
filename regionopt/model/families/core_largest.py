"""Core is the largest member: ``constraints.core_is_largest``.

"Largest" is the size rank of :func:`rank_order`: population, ties to the
lower kommunenummer. Pruning: only smaller municipalities may join a core (no
rows). Audit: no member more populous than the core (a tie is allowed).
"""

from __future__ import annotations

import numpy as np

from regionopt.model.families.base import Family, PlanView, Violation
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


def _members(data: ProblemData, s: Scenario, j: int) -> np.ndarray:
    rank = rank_order(data)
    return np.asarray(rank < rank[j])


def _check(view: PlanView, s: Scenario) -> list[Violation]:
    data, out = view.data, []
    for r, core, members in view.regions:
        core_pop = int(data.population[core])
        bigger = [i for i in members if data.population[i] > core_pop]
        if bigger:
            top = min(bigger, key=lambda i: (-int(data.population[i]), data.codes[i]))
            out.append(Violation("constraints.core_is_largest", r,
                                 f"core {data.codes[core]} ({core_pop}) of region {r} is "
                                 f"smaller than member {data.codes[top]} "
                                 f"({int(data.population[top])})"))
    return out


FAMILY = Family(
    name="core_is_largest",
    keys=("constraints.core_is_largest",),
    relax=(("constraints.core_is_largest", False),),
    active=lambda s: s.constraints.core_is_largest,
    members=_members,
    check=_check,
)
