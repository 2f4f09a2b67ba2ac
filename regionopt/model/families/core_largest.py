"""Core is the largest member: ``constraints.core_is_largest``.

"Largest" is the size rank of :func:`rank_order`: population, ties to the
lower kommunenummer. Pruning: only smaller municipalities may join a core (no
rows). Audit: no member more populous than the core (a tie is allowed). The
rank and the audit's loop are those of ``core_is_strongest``
(:func:`~regionopt.model.families.base.rank_by`,
:func:`~regionopt.model.families.base.stronger_members`) with population as
the measure.
"""

from __future__ import annotations

import numpy as np

from regionopt.model.families.base import (
    Family,
    PlanView,
    Violation,
    rank_by,
    stronger_members,
)
from regionopt.problem import ProblemData
from regionopt.scenario import Scenario


def rank_order(data: ProblemData) -> np.ndarray:
    """Return each municipality's rank by size: population, ties to the lower kommunenummer.

    ``rank[i] > rank[j]`` means ``i`` counts as larger than ``j``; equal
    populations rank the lower kommunenummer as larger (as in :func:`regionopt.plan.read_plan`).
    """
    return rank_by(data.population, data.codes)


def _members(data: ProblemData, s: Scenario, j: int) -> np.ndarray:
    rank = rank_order(data)
    return np.asarray(rank < rank[j])


def _check(view: PlanView, s: Scenario) -> list[Violation]:
    pop, codes = view.data.population, view.data.codes
    return [Violation("constraints.core_is_largest", r,
                      f"core {codes[core]} ({int(pop[core])}) of region {r} is smaller than "
                      f"member {codes[top]} ({int(pop[top])})")
            for r, core, top in stronger_members(view, pop)]


FAMILY = Family(
    name="core_is_largest",
    keys=("constraints.core_is_largest",),
    relax=(("constraints.core_is_largest", False),),
    active=lambda s: s.constraints.core_is_largest,
    members=_members,
    check=_check,
    page_check="core_largest",
)
