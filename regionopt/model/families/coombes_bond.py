"""The Coombes–Bond validity curve per region: ``delineation.cb_min_size`` (m) and its keys.

Coombes & Bond (2008), Istat's LabourMarketAreas: a region of ``E`` employed residents is
valid when its self-containment ``SC = min(L/E, L/J)`` reaches
``req(E) = min_sc / (1 − (1 − min_sc/target_sc)·t)``, ``t = (T − E)/(T − m)`` (``target_sc``
at ``E = m``, ``min_sc`` from ``E = T`` on), and invalid below ``m``. The model states it in
``cb_steps`` (K) steps, exactly: breakpoints ``e_s = m + s·(T − m)/K``, ``s = 0..K``, and a
region with ``e_s <= E`` (``s`` the largest) must reach ``req(e_s)``. The steps lie on or above
the curve: a region the steps accept is valid; one they refuse is at most
``req(e_s) − req(e_{s+1})`` below the curve's demand (``step_error``; 0.0115 for the UK
parameters in 8 steps). Regions keeping all their commuting (SC = 1) below ``m``, valid for
Istat, are refused here. Binaries ``cbstep_<j>_<s>`` per core; rows ``cbpick_<j>``,
``cbsize_<j>``, ``cbres_<j>_<s>``, ``cbjobs_<j>_<s>``. No pruning. Audit: each region.

The step rows' big-M is the excess of the step's demand over the least one, ``a_K``
(``req(e_K)``, the last step): ``L − a_s·E + (a_s − a_K)·Ē·(1 − z_s) >= 0`` with ``Ē`` the
candidates' employed (``J`` and ``J̄`` the same). Exact: the last step's row is
``L >= a_K·E`` unconditionally, which every region the steps accept meets (``a_s >= a_K``)
and a closed core meets with ``L = E = 0``; with it, a step not chosen asks
``L >= a_s·E − (a_s − a_K)·Ē``, which ``L >= a_K·E`` and ``E <= Ē`` already imply. The LP
relaxation keeps ``L >= a_K·E`` and ``L >= a_K·J`` per core, which the big-M
``a_s·Ē·(1 − z_s)`` of every step let it drop (a fractional ``z`` spread over the steps).
"""

from __future__ import annotations

from itertools import pairwise

import pulp

from regionopt.delineation import DelineationConfig
from regionopt.model.containment import region_flows
from regionopt.model.families.base import (
    Family,
    ModelParts,
    PlanView,
    Violation,
    commuting_of,
    kept_in_region,
)
from regionopt.scenario import Scenario

KEY = "delineation.cb_min_size"


def steps(d: DelineationConfig) -> list[tuple[float, float]]:
    """``(e_s, req(e_s))`` per step, smallest size first."""
    m, big, lo, hi = d.cb_min_size, d.cb_target_size, d.cb_min_sc, d.cb_target_sc
    if big <= m:
        return [(m, lo)]
    out = []
    for s in range(d.cb_steps + 1):
        e = m + s * (big - m) / d.cb_steps
        t = (big - e) / (big - m)
        out.append((e, lo / (1 - (1 - lo / hi) * t)))
    return out


def step_error(d: DelineationConfig) -> float:
    """The largest gap between the steps' demand and the curve's (in self-containment)."""
    levels = [a for _, a in steps(d)]
    return max((a - b for a, b in pairwise(levels)), default=0.0)


def demand(d: DelineationConfig, employed: float) -> float | None:
    """The steps' self-containment demand of a region of ``employed`` workers (None: too small)."""
    below = [a for e, a in steps(d) if e <= employed]
    return below[-1] if below else None


def _rows(m: ModelParts) -> None:
    d, data = m.scenario.delineation, m.data
    c = commuting_of(data, KEY)
    kept = kept_in_region(m)
    levels = steps(d)
    least = min(alpha for _, alpha in levels)
    for j, members in sorted(m.cands.items()):
        code, idx = data.codes[j], sorted(members)
        size = pulp.lpSum(float(c.employed[i]) * m.x[i, j] for i in idx)
        jobs = pulp.lpSum(float(c.jobs[i]) * m.x[i, j] for i in idx)
        big_e = float(c.employed[idx].sum())
        big_j = float(c.jobs[idx].sum())
        z = [m.prob.add_variable(f"cbstep_{code}_{s}", 0, 1, cat=pulp.LpBinary)
             for s in range(len(levels))]
        m.prob += (pulp.lpSum(z) - m.x[j, j] == 0, f"cbpick_{code}")
        m.prob += (size - pulp.lpSum(e * zs for (e, _), zs in zip(levels, z, strict=True)) >= 0,
                   f"cbsize_{code}")
        for s, ((_, alpha), zs) in enumerate(zip(levels, z, strict=True)):
            # the least demand holds unconditionally, so a step's row needs only the excess
            # over it as its big-M: (alpha - least)·big_e, 0 for the last step
            slack = alpha - least
            m.prob += (kept[j] - alpha * size + slack * big_e * (1 - zs) >= 0,
                       f"cbres_{code}_{s}")
            m.prob += (kept[j] - alpha * jobs + slack * big_j * (1 - zs) >= 0,
                       f"cbjobs_{code}_{s}")


def valid(d: DelineationConfig, live: int, employed: int, jobs: int) -> bool:
    """Whether a region with ``L, E, J`` meets the stepped curve (the rows' inequalities)."""
    alpha = demand(d, employed)
    return alpha is not None and live >= alpha * employed - 1e-6 and live >= alpha * jobs - 1e-6


def _check(view: PlanView, s: Scenario) -> list[Violation]:
    d, out = s.delineation, []
    c = commuting_of(view.data, KEY)
    for r, _, members in view.regions:
        live, employed, jobs = region_flows(c, members)
        if not valid(d, live, employed, jobs):
            alpha = demand(d, employed)
            want = (f"below the minimum size {d.cb_min_size:g}" if alpha is None
                    else f"below the self-containment {alpha:.4f} its size needs")
            out.append(Violation(KEY, r, f"region {r} keeps {live} of {employed} employed "
                                         f"residents and {jobs} jobs, {want}"))
    return out


FAMILY = Family(
    name="the Coombes-Bond validity",
    keys=(KEY, "delineation.cb_target_size", "delineation.cb_min_sc",
          "delineation.cb_target_sc", "delineation.cb_steps"),
    relax=((KEY, 0.0),),
    active=lambda s: s.delineation.cb_min_size > 0,
    rows=_rows,
    check=_check,
    page_check="coombes_bond",
)

