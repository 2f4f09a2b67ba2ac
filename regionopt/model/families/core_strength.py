"""Core is the strongest member: ``constraints.core_is_strongest`` under ``core_measure``.

Strength is ``constraints.core_measure``: ``population``, ``jobs`` (employed
persons working in the municipality) or ``centrality`` (Statistics Norway's
index), ties to the lower kommunenummer. Pruning: only weaker municipalities
may join a core (no rows). Audit: no member strictly stronger than the core
(a tie is allowed, as for ``core_is_largest``).
"""

from __future__ import annotations

import numpy as np

from regionopt.model.families.base import Family, PlanView, Violation, strength
from regionopt.problem import ProblemData
from regionopt.scenario import Scenario


def strength_rank(data: ProblemData, measure: str) -> np.ndarray:
    """Return each municipality's rank by strength, ties to the lower kommunenummer."""
    values = strength(data, measure)
    order = sorted(range(data.n), key=lambda i: (int(values[i]), -int(data.codes[i])))
    rank = np.empty(data.n, dtype="int64")
    rank[order] = np.arange(data.n)
    return rank


def _members(data: ProblemData, s: Scenario, j: int) -> np.ndarray:
    rank = strength_rank(data, s.constraints.core_measure)
    return np.asarray(rank < rank[j])


def _check(view: PlanView, s: Scenario) -> list[Violation]:
    data, measure, out = view.data, s.constraints.core_measure, []
    values = strength(data, measure)
    for r, core, members in view.regions:
        stronger = [i for i in members if values[i] > values[core]]
        if stronger:
            top = min(stronger, key=lambda i: (-int(values[i]), data.codes[i]))
            out.append(Violation("constraints.core_is_strongest", r,
                                 f"core {data.codes[core]} of region {r} has {measure} "
                                 f"{int(values[core])}, member {data.codes[top]} "
                                 f"{int(values[top])}"))
    return out


FAMILY = Family(
    name="core_is_strongest",
    keys=("constraints.core_is_strongest", "constraints.core_measure"),
    relax=(("constraints.core_is_strongest", False),),
    active=lambda s: s.constraints.core_is_strongest,
    members=_members,
    check=_check,
)
