"""The travel limit: ``constraints.max_travel_minutes`` from each member to its core.

Pruning: only municipalities within the limit of a core may join it (the
limit is enforced entirely by which pairs exist; it adds no rows). Audit:
each municipality's minutes to its core, unreachable counting as over.

A named exception (``constraints.exceptions``) has no limit. Elastic limit:
with ``objective.travel_excess`` = w > 0 any reachable pair is a candidate
and ``w·max(0, minutes − limit)`` is added to the objective on ``x[i, j]``
(exact, no extra variables); no audit (the criteria table reports it).

**Long-distance members** (``constraints.long_distance_minutes`` = L, longer
than the functional limit F = ``max_travel_minutes``). A municipality that no
*possible core* other than itself reaches within F may join a core within L
instead: it is a long-distance member (itself a possible core, it may still be
a core; its own region does not count, as it may be too small to stand). A
possible core is a municipality that meets the core thresholds of the scenario
(``min_core_population``, ``min_core_jobs``, ``max_core_centrality_class``,
the same masks their families prune cores by), is not an exception, and has a
travel time to itself. The test depends on the
area and the scenario only, never on the plan, so the rule is a limit per
municipality (:func:`travel_limits`): L for the long-distance ones, F for the
others, none for exceptions. Every region it allows within F is still
allowed; a municipality some other possible core reaches within F never
travels further.
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
from regionopt.model.families.core_minimum import FAMILY as CORE_MINIMUM
from regionopt.model.families.core_population import FAMILY as CORE_POPULATION
from regionopt.problem import ProblemData
from regionopt.scenario import Scenario

LONG_KEY = "constraints.long_distance_minutes"


def possible_cores(data: ProblemData, s: Scenario) -> np.ndarray:
    """Return the mask of the possible cores (see the module notes)."""
    ok = np.isfinite(np.diag(data.minutes)) & ~exception_mask(data, s)
    for fam in (CORE_POPULATION, CORE_MINIMUM):
        if fam.active(s) and fam.cores is not None:
            ok &= fam.cores(data, s)
    return np.asarray(ok)


def long_distance_mask(data: ProblemData, s: Scenario) -> np.ndarray:
    """Return the mask of the municipalities no other possible core reaches within the limit.

    All ``False`` without ``constraints.long_distance_minutes`` (or with an elastic
    limit); exceptions are never long-distance members.
    """
    c = s.constraints
    if c.long_distance_minutes is None or c.max_travel_minutes is None \
            or s.objective.travel_excess > 0:
        return np.zeros(data.n, dtype=bool)
    near = (data.minutes <= c.max_travel_minutes) & possible_cores(data, s)[None, :]
    np.fill_diagonal(near, False)  # its own region does not count: it may be too small
    return np.asarray(~near.any(axis=1) & ~exception_mask(data, s))


def travel_limits(data: ProblemData, s: Scenario) -> np.ndarray:
    """Return each municipality's limit to its core: F, L for long-distance members, or inf.

    ``inf`` for everyone without a (hard) limit, and for exceptions.
    """
    c = s.constraints
    limits = np.full(data.n, math.inf)
    if c.max_travel_minutes is None or s.objective.travel_excess > 0:
        return limits
    limits[:] = c.max_travel_minutes
    if c.long_distance_minutes is not None:
        limits[long_distance_mask(data, s)] = c.long_distance_minutes
    limits[exception_mask(data, s)] = math.inf
    return limits


def _members(data: ProblemData, s: Scenario, j: int) -> np.ndarray:
    return np.asarray(data.minutes[:, j] <= travel_limits(data, s))


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
    limits, far = travel_limits(data, s), long_distance_mask(data, s)
    out = []
    for i in np.flatnonzero(mins > limits):
        code, core = data.codes[i], data.codes[view.core_of[i]]
        how = "unreachable from" if math.isinf(mins[i]) else f"{mins[i]:.2f} min from"
        if far[i]:
            out.append(Violation(LONG_KEY, code, f"{code} is {how} its core {core} (a "
                                 f"long-distance member, limit {limits[i]:g})"))
        else:
            out.append(Violation("constraints.max_travel_minutes", code,
                                 f"{code} is {how} its core {core} (limit {limit:g})"))
    return out


FAMILY = Family(
    name="the travel limit",
    keys=("constraints.max_travel_minutes", LONG_KEY),
    relax=((LONG_KEY, None), ("constraints.max_travel_minutes", None)),
    active=lambda s: s.constraints.max_travel_minutes is not None,
    members=_members,
    rows=_rows,
    check=_check,
    page_check="travel",
)
