"""Commuting-share admissibility: ``delineation.admit_share`` (θ), ``admit_measure``, ``admit_to``.

A member may join a core only when its share (``docs/methods.md``) to the core
(``admit_to = "core"``) or its out-commuters to the rest of the region (``"region"``) are
above θ of its employed residents; the travel steps (``share_travel``) admit too, so the
scenario's admission is the union of both. To the core: pruning only. To the region: rows
``admit_<i>_<j>``, ``Σ_{k≠i} F[i, k]·x[k, j] >= (floor(θ·E[i]) + 1)·x[i, j]`` (exact: flows are
whole persons) for every pair no travel step admits. Audit: each member against the rules.
"""

from __future__ import annotations

import numpy as np
import pulp

from regionopt.model.families.base import Family, ModelParts, PlanView, Violation, commuting_of
from regionopt.model.families.shares import (
    admission_penalty,
    admission_violations,
    elastic,
    elastic_pairs,
    pair_admitted,
    region_threshold,
)
from regionopt.problem import ProblemData
from regionopt.scenario import Scenario

KEY = "delineation.admit_share"


def _members(data: ProblemData, s: Scenario, j: int) -> np.ndarray:
    d = s.delineation
    if d.admit_to == "region":
        return np.ones(data.n, dtype=bool)
    if elastic(d):
        return elastic_pairs(data, d)[:, j]
    return pair_admitted(data, d)[:, j]


def _rows(m: ModelParts) -> None:
    d, data = m.scenario.delineation, m.data
    if elastic(d):
        admission_penalty(m)
    if d.admit_to != "region":
        return
    flows = commuting_of(data, KEY).flows
    need = region_threshold(data, d.admit_share)
    by_step = pair_admitted(data, d) if d.travel_steps else np.eye(data.n, dtype=bool)
    for j, members in sorted(m.cands.items()):
        for i in sorted(members):
            if by_step[i, j]:
                continue
            sent = pulp.lpSum(float(flows[i, k]) * m.x[k, j] for k in sorted(members)
                              if k != i and flows[i, k])
            m.prob += (sent - float(need[i]) * m.x[i, j] >= 0,
                       f"admit_{data.codes[i]}_{data.codes[j]}")


def _check(view: PlanView, s: Scenario) -> list[Violation]:
    return admission_violations(view, s.delineation, KEY)


FAMILY = Family(
    name="the commuting-share admission",
    keys=(KEY, "delineation.admit_measure", "delineation.admit_to"),
    relax=((KEY, 0.0),),
    active=lambda s: s.delineation.admit_share > 0,
    members=_members,
    rows=_rows,
    check=_check,
    page_check="share_admit",
)
