"""Core is the strongest member: ``constraints.core_is_strongest`` under ``core_measure``.

Strength is ``constraints.core_measure``: ``population``, ``jobs`` (employed
persons working in the municipality) or ``centrality`` (Statistics Norway's
index), ties to the lower kommunenummer. Pruning: only weaker municipalities
may join a core (no rows). Audit: no member strictly stronger than the core
(a tie is allowed, as for ``core_is_largest``, whose rank and audit loop it
shares: :func:`~regionopt.model.families.base.rank_by`,
:func:`~regionopt.model.families.base.stronger_members`).
"""

from __future__ import annotations

import numpy as np

from regionopt.model.families.base import (
    Family,
    PlanView,
    Violation,
    rank_by,
    strength,
    stronger_members,
)
from regionopt.problem import ProblemData
from regionopt.scenario import Scenario


def strength_rank(data: ProblemData, measure: str) -> np.ndarray:
    """Return each municipality's rank by strength, ties to the lower kommunenummer."""
    return rank_by(strength(data, measure), data.codes)


def _members(data: ProblemData, s: Scenario, j: int) -> np.ndarray:
    rank = strength_rank(data, s.constraints.core_measure)
    return np.asarray(rank < rank[j])


def _check(view: PlanView, s: Scenario) -> list[Violation]:
    measure, codes = s.constraints.core_measure, view.data.codes
    values = strength(view.data, measure)
    return [Violation("constraints.core_is_strongest", r,
                      f"core {codes[core]} of region {r} has {measure} {int(values[core])}, "
                      f"member {codes[top]} {int(values[top])}")
            for r, core, top in stronger_members(view, values)]


FAMILY = Family(
    name="core_is_strongest",
    keys=("constraints.core_is_strongest", "constraints.core_measure"),
    relax=(("constraints.core_is_strongest", False),),
    active=lambda s: s.constraints.core_is_strongest,
    members=_members,
    check=_check,
    page_check="core_strength",
)
