"""The travel limit: ``constraints.max_travel_minutes`` from each member to its core.

Pruning: only municipalities within the limit of a core may join it (the
limit is enforced entirely by which pairs exist; it adds no rows). Audit:
each municipality's minutes to its core, unreachable counting as over.

A named exception (``constraints.exceptions``) has no limit. Elastic limit:
with ``objective.travel_excess`` = w > 0 any reachable pair is a candidate
and ``w·max(0, minutes − limit)`` is added to the objective on ``x[i, j]``
(exact, no extra variables); no audit (the criteria table reports it).
"""

from __future__ import annotations

import math

import numpy as np
import pulp

from regionopt.model.families.base import (
    Family,
    ModelParts,
    PlanView,
    Violation,
    exception_mask,
)
from regionopt.problem import ProblemData
from regionopt.scenario import Scenario


def _members(data: ProblemData, s: Scenario, j: int) -> np.ndarray:
    limit = s.constraints.max_travel_minutes
    if limit is None or s.objective.travel_excess > 0:
        return np.ones(data.n, dtype=bool)
    return np.asarray(data.minutes[:, j] <= limit) | exception_mask(data, s)


def excess_minutes(data: ProblemData, s: Scenario) -> np.ndarray:
    """Return ``max(0, minutes[i, j] − limit)`` per pair, 0 for exceptions (no limit: all 0)."""
    limit = s.constraints.max_travel_minutes
    if limit is None:
        return np.zeros_like(data.minutes)
    over = np.where(np.isfinite(data.minutes), np.maximum(data.minutes - limit, 0.0), np.inf)
    over[exception_mask(data, s)] = 0.0
    return over


def _rows(m: ModelParts) -> None:
    weight = m.scenario.objective.travel_excess
    if weight <= 0:
        return
    over = excess_minutes(m.data, m.scenario)
    m.penalty += pulp.LpAffineExpression(
        [(var, weight * float(over[i, j])) for (i, j), var in m.x.items() if over[i, j] > 0])


def _check(view: PlanView, s: Scenario) -> list[Violation]:
    limit = s.constraints.max_travel_minutes
    if limit is None or s.objective.travel_excess > 0:
        return []
    data, mins = view.data, view.minutes_to_core()
    mins = np.where(exception_mask(data, s), 0.0, mins)
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
    rows=_rows,
    check=_check,
    page_check="travel",
)
