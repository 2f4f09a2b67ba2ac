"""The travel limit: ``constraints.max_travel_minutes`` from each member to its core.

Pruning: only municipalities within the limit of a core may join it (the
limit is enforced entirely by which pairs exist; it adds no rows). Audit:
each municipality's minutes to its core, unreachable counting as over.
"""

from __future__ import annotations

import math

import numpy as np

from regionopt.model.families.base import Family, PlanView, Violation
from regionopt.problem import ProblemData
from regionopt.scenario import Scenario


def _members(data: ProblemData, s: Scenario, j: int) -> np.ndarray:
    limit = s.constraints.max_travel_minutes
    return np.asarray(data.minutes[:, j] <= (np.inf if limit is None else limit))


def _check(view: PlanView, s: Scenario) -> list[Violation]:
    limit = s.constraints.max_travel_minutes
    if limit is None:
        return []
    data, mins = view.data, view.minutes_to_core()
    out = []
    for i in np.flatnonzero(mins > limit):
        code, core = data.codes[i], data.codes[view.core_of[i]]
        how = "unreachable from" if math.isinf(mins[i]) else f"{mins[i]:.2f} min from"
        out.append(Violation("constraints.max_travel_minutes", code,
                             f"{code} is {how} its core {core} (limit {limit:g})"))
    return out


FAMILY = Family(
    name="the travel limit",
    keys=("constraints.max_travel_minutes",),
    relax=(("constraints.max_travel_minutes", None),),
    active=lambda s: s.constraints.max_travel_minutes is not None,
    members=_members,
    check=_check,
)
