"""Median-region floor: ``constraints.min_median_self_containment`` (m).

At least half of the regions keep at least the share m of their employed residents and of
their jobs: ``2·#{R : min(L/E, L/J) >= m} >= n`` for a plan of n regions. For an odd n this
is exactly "the median region's self-containment is at least m"; for an even n it is what
any plan whose median (the mean of the two middle regions) reaches m must meet, so a plan
that fails it cannot reach that median (a proof by the floor stays sound), while a plan
that meets it may still fall short of it. Self-containment by its one definition
(:mod:`regionopt.model.containment`: a side whose total is 0 counts as 1, which the linear
rows below hold).

Linearisation (as the criterion's, :mod:`regionopt.model.families.criterion`): per core
``j`` a binary ``median_<code>`` that may be 1 only when ``j`` is open; at 1 it forces
``L(R) >= m·E(R)`` and ``L(R) >= m·J(R)`` by big-M rows ``medianres_<code>``,
``medianjobs_<code>`` (``M = m`` times the candidates' E or J), ``L`` written with the
kept-pair variables of :func:`~regionopt.model.families.base.kept_flows`;
``median_count``: twice their sum is at least the open cores. The binaries only need to be
1, so their sum is at most the plan's true count. Used by ``regionopt frontier``'s
dominance match (the median-region axis). No pruning. Audit: each region's
:func:`~regionopt.model.containment.self_containment`.
"""

from __future__ import annotations

import pulp

from regionopt.model.containment import region_flows, self_containment
from regionopt.model.families.base import (
    Family,
    ModelParts,
    PlanView,
    Violation,
    commuting_of,
    kept_in_region,
)
from regionopt.scenario import Scenario

KEY = "constraints.min_median_self_containment"


def _rows(m: ModelParts) -> None:
    floor, data = m.scenario.constraints.min_median_self_containment, m.data
    c = commuting_of(data, KEY)
    kept_by_core = kept_in_region(m)
    meets, opened = [], []
    for j, members in sorted(m.cands.items()):
        idx, code, kept = sorted(members), data.codes[j], kept_by_core[j]
        z = m.prob.add_variable(f"median_{code}", 0, 1, cat=pulp.LpBinary)
        for side, total in (("res", c.employed), ("jobs", c.jobs)):
            big = floor * float(total[idx].sum())
            need = pulp.LpAffineExpression([(m.x[i, j], floor * float(total[i])) for i in idx])
            m.prob += (kept - need - big * z >= -big, f"median{side}_{code}")
        m.prob += (z - m.x[j, j] <= 0, f"medianopen_{code}")
        meets.append(z)
        opened.append(m.x[j, j])
    m.prob += (2 * pulp.lpSum(meets) - pulp.lpSum(opened) >= 0, "median_count")


def _check(view: PlanView, s: Scenario) -> list[Violation]:
    floor, data = s.constraints.min_median_self_containment, view.data
    c = commuting_of(data, KEY)
    keeping = sum(self_containment(*region_flows(c, members)) >= floor
                  for _, _, members in view.regions)
    n = len(view.regions)
    if 2 * keeping >= n:
        return []
    return [Violation(KEY, "", f"{keeping} of {n} regions keep at least {floor:g}, fewer "
                               "than half")]


FAMILY = Family(
    name="the median-region floor",
    keys=(KEY,),
    relax=((KEY, 0.0),),
    active=lambda s: s.constraints.min_median_self_containment > 0,
    rows=_rows,
    check=_check,
    page_check="median",
)
