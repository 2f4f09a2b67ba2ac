"""Self-containment floor: ``constraints.min_self_containment`` (α).

Every region R must keep at least the share α of its employed residents and
of its jobs: ``L(R) >= α·E(R)`` and ``L(R) >= α·J(R)`` (the linear form of
``min(L/E, L/J) >= α``; E and J count flows to and from all of Norway, see
``docs/metrics.md``). Rows ``scres_<core>`` and ``scjobs_<core>`` with
``L`` the kept commuters of
:func:`~regionopt.model.families.base.kept_in_region`. A
region whose core is a named exception (``constraints.exceptions``) is
exempt. No pruning. Audit: each region's
:func:`~regionopt.model.containment.self_containment` (a region with neither
employed residents nor jobs has 1, as the rows allow it), with its L, E and J.
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
    exception_mask,
    kept_in_region,
)
from regionopt.scenario import Scenario

KEY = "constraints.min_self_containment"


def _rows(m: ModelParts) -> None:
    alpha, data = m.scenario.constraints.min_self_containment, m.data
    c = commuting_of(data, KEY)
    exempt = exception_mask(data, m.scenario)
    kept = kept_in_region(m)
    for j, members in sorted(m.cands.items()):
        if exempt[j]:
            continue
        for name, total in (("scres", c.employed), ("scjobs", c.jobs)):
            side = pulp.lpSum(alpha * float(total[i]) * m.x[i, j] for i in sorted(members))
            m.prob += (kept[j] - side >= 0, f"{name}_{data.codes[j]}")


def _check(view: PlanView, s: Scenario) -> list[Violation]:
    alpha, data, out = s.constraints.min_self_containment, view.data, []
    c = commuting_of(data, KEY)
    exempt = exception_mask(data, s)
    for r, core, members in view.regions:
        if exempt[core]:
            continue
        live, employed, jobs = region_flows(c, members)
        if self_containment(live, employed, jobs) < alpha:
            out.append(Violation(KEY, r, f"region {r} keeps {live} of {employed} employed "
                                         f"residents and {jobs} jobs, below {alpha:g}"))
    return out


FAMILY = Family(
    name="the self-containment floor",
    keys=(KEY,),
    relax=((KEY, 0.0),),
    active=lambda s: s.constraints.min_self_containment > 0,
    rows=_rows,
    check=_check,
    page_check="self_containment",
)
