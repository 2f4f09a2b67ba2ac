"""Share-dependent travel limits: ``delineation.travel_steps``, ``delineation.travel_measure``.

Steps ``(minutes, share)``: a member may join a core within ``minutes`` of it only when its
share (``docs/methods.md``) to the core is above ``share`` (TØI: within 45 minutes above 6 %,
within 75 above 8 %, summed commuting). A pair any step admits, or the share rule of
``share_admit``, is admitted (the union). Pruning only (no rows) when the admission is by
pairs; with ``admit_to = "region"`` the rows of ``share_admit`` state the union. Audit: each
member against the rules (reported here only when ``share_admit`` is off, which reports both).
Elastic (``admit_weight``): a member no rule admits may join a core within the farthest step's
minutes at the penalty (rows: the objective term); the audit names members beyond them.
"""

from __future__ import annotations

import numpy as np

from regionopt.model.families.base import Family, ModelParts, PlanView, Violation
from regionopt.model.families.shares import (
    admission_penalty,
    admission_violations,
    elastic,
    elastic_pairs,
    pair_admitted,
)
from regionopt.problem import ProblemData
from regionopt.scenario import Scenario

KEY = "delineation.travel_steps"


def _members(data: ProblemData, s: Scenario, j: int) -> np.ndarray:
    d = s.delineation
    if d.admit_share > 0 and d.admit_to == "region":
        return np.ones(data.n, dtype=bool)
    if elastic(d):
        return elastic_pairs(data, d)[:, j]
    return pair_admitted(data, d)[:, j]


def _rows(m: ModelParts) -> None:
    if elastic(m.scenario.delineation) and m.scenario.delineation.admit_share == 0:
        admission_penalty(m)  # else share_admit adds it


def _check(view: PlanView, s: Scenario) -> list[Violation]:
    if s.delineation.admit_share > 0:
        return []  # share_admit reports the union of both rules
    return admission_violations(view, s.delineation, KEY)


FAMILY = Family(
    name="the share-dependent travel limits",
    keys=(KEY, "delineation.travel_measure"),
    relax=((KEY, []),),
    active=lambda s: bool(s.delineation.travel_steps),
    members=_members,
    rows=_rows,
    check=_check,
    page_check="share_travel",
)
