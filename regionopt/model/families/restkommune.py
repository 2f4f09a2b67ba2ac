"""Restkommune: ``delineation.restkommune``, a region of its own only when no rule admits it.

A municipality stands alone (a core with no other member) only when no open core admits it:
by the pair rules (``share_admit`` to the core, the travel steps) or by the join share
(``share_join``); with none of them set every pair is admitted. TØI's *restkommuner*. A
centre (with ``centre_rule``) is exempt: alone, it heads its region as a centre; and only a
centre admits (no other core may take members). The
other half, that a municipality no open core admits is a core, follows from the admission's
pruning. Rows ``rest_<i>_<j>`` for every pair
a rule admits: ``x[i, i] + x[j, j] − Σ_{k≠i} x[k, i] <= 1``. Audit: each region of one
municipality against the plan's other cores.
"""

from __future__ import annotations

import numpy as np
import pulp

from regionopt.model.families.base import Family, ModelParts, PlanView, Violation
from regionopt.model.families.shares import (
    centre_mask,
    pair_admitted,
    pair_shares,
    within_reach,
)
from regionopt.problem import ProblemData
from regionopt.scenario import Scenario

KEY = "delineation.restkommune"


def admits(data: ProblemData, s: Scenario) -> np.ndarray:
    """The pairs ``(i, j)``, ``i ≠ j``, where a rule of ``[delineation]`` admits ``i`` to ``j``."""
    d = s.delineation
    ok = np.zeros((data.n, data.n), dtype=bool)
    if d.admission or not d.join_share:  # no rule at all: every pair is admitted
        ok |= pair_admitted(data, d)
    if d.join_share > 0:
        ok |= (pair_shares(data, d.join_measure, twins=d.twin_centres) > d.join_share) \
            & within_reach(data, d)
    np.fill_diagonal(ok, False)
    if d.centre_rule:  # a centre alone heads its region as a centre, not as a restkommune;
        centres = centre_mask(data, d)  # only a centre may take members
        ok[centres] = False
        ok[:, ~centres] = False
    return ok


def _rows(m: ModelParts) -> None:
    data = m.data
    ok = admits(data, m.scenario)
    for i, j in zip(*np.nonzero(ok), strict=True):
        i, j = int(i), int(j)
        if (i, i) not in m.x or (j, j) not in m.x:
            continue
        joined = pulp.lpSum(m.x[k, i] for k in sorted(m.cands.get(i, ())) if k != i)
        m.prob += (m.x[i, i] + m.x[j, j] - joined <= 1, f"rest_{data.codes[i]}_{data.codes[j]}")


def _check(view: PlanView, s: Scenario) -> list[Violation]:
    data, out = view.data, []
    ok = admits(data, s)
    cores = sorted({core for _, core, _ in view.regions}, key=lambda k: data.codes[k])
    for r, core, members in view.regions:
        if len(members) > 1:
            continue
        by = next((j for j in cores if ok[core, j]), None)
        if by is not None:
            out.append(Violation(KEY, r, f"{data.codes[core]} stands alone, but core "
                                         f"{data.codes[by]} admits it by a rule of [delineation]"))
    return out


FAMILY = Family(
    name="the restkommune rule",
    keys=(KEY,),
    relax=((KEY, False),),
    active=lambda s: s.delineation.restkommune,
    rows=_rows,
    check=_check,
    page_check="restkommune",
)
