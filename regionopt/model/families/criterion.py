"""The self-containment criterion as a model quantity: regions that meet it, counted.

A region R meets the criterion of the criteria table (``[criteria]``) when
``min(L/E, L/J)`` reaches ``self_containment`` (0.75), or ``self_containment_large``
(0.667) when R has more than ``large_workers`` (25 000) employed residents; ``L``,
``E`` and ``J`` as in ``docs/metrics.md``, self-containment by its one definition
(:mod:`regionopt.model.containment`: a side whose total is 0 counts as 1, which is what
the linear rows below hold). Keys:
``constraints.min_criterion_regions`` (at least N regions meet it) and
``constraints.criterion_above_workers`` (every region of more than M employed
residents meets it); ``objective.criterion`` rewards each region that meets it
(:mod:`regionopt.model.objective`).

Linearisation (exact): per core ``j`` one binary per threshold that can apply,
``meets_<code>`` (0.75) and, when j's candidates hold more than ``large_workers``
employed residents, ``meetslarge_<code>`` (0.667, with ``E(R) >= large_workers + 1``).
A binary at 1 forces ``L(R) >= t·E(R)`` and ``L(R) >= t·J(R)`` by big-M rows
(``M = t`` times the candidates' E or J, which ``t·E(R) - L(R)`` never exceeds), with
``L`` the kept commuters of
:func:`~regionopt.model.families.base.kept_in_region`; at most one binary per core, and
none unless ``j`` is open. The binaries only ever need to be 1 (the count row and
the reward ask for more of them, and the kept pairs may rise to their products), so
their sum is at most the plan's true count and equal to it at an optimum that rewards
them. Audit: :func:`criterion_meets`, the one test of a plan used by the audit, the
objective's figures and the frontier.
"""

from __future__ import annotations

import numpy as np
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
from regionopt.problem import ProblemData
from regionopt.scenario import CriteriaConfig, Scenario

KEY = "constraints.min_criterion_regions"
KEY_LARGE = "constraints.criterion_above_workers"


def criterion_threshold(employed: float, criteria: CriteriaConfig) -> float:
    """The self-containment a region of ``employed`` employed residents must reach.

    ``criteria.self_containment``, or ``self_containment_large`` above ``large_workers``:
    the one statement of the rule, used by the criteria table too.
    """
    large = employed > criteria.large_workers
    return criteria.self_containment_large if large else criteria.self_containment


def criterion_meets(data: ProblemData, criteria: CriteriaConfig,
                    members: list[tuple[int, ...]]) -> tuple[np.ndarray, np.ndarray]:
    """Return, per region (member positions), whether it meets the criterion, and its E.

    The criteria table's test (:mod:`regionopt.evaluate.criteria`), on the problem's flows.
    """
    c = commuting_of(data, "the self-containment criterion")
    meets, employed = np.zeros(len(members), dtype=bool), np.zeros(len(members), dtype="int64")
    for r, group in enumerate(members):
        live, e, j = region_flows(c, group)
        meets[r] = self_containment(live, e, j) >= criterion_threshold(e, criteria)
        employed[r] = e
    return meets, employed


def count_meeting(data: ProblemData, criteria: CriteriaConfig, cores: np.ndarray) -> int:
    """Return how many regions of the plan ``cores[i]`` = core of ``i`` meet the criterion."""
    cores = np.asarray(cores)
    groups = [tuple(np.flatnonzero(cores == j).tolist()) for j in np.unique(cores)]
    return int(criterion_meets(data, criteria, groups)[0].sum())


def criterion_vars(m: ModelParts) -> dict[int, list[pulp.LpVariable]]:
    """Return (creating once) the binaries ``meets[j]`` with their rows (see the module)."""
    if m.meets is not None:
        return m.meets
    cr, data = m.scenario.criteria, m.data
    c = commuting_of(data, "the self-containment criterion")
    region_kept = kept_in_region(m)
    m.meets = {}
    for j, members in sorted(m.cands.items()):
        idx, code, kept = sorted(members), data.codes[j], region_kept[j]
        size = pulp.LpAffineExpression([(m.x[i, j], float(c.employed[i])) for i in idx])
        most = float(c.employed[idx].sum())
        options = [("meets", cr.self_containment)]
        if most > cr.large_workers:
            options.append(("meetslarge", cr.self_containment_large))
        binaries = []
        for name, t in options:
            z = m.prob.add_variable(f"{name}_{code}", 0, 1, cat=pulp.LpBinary)
            for side, total in (("res", c.employed), ("jobs", c.jobs)):
                big = t * float(total[idx].sum())
                need = pulp.LpAffineExpression([(m.x[i, j], t * float(total[i])) for i in idx])
                m.prob += (kept - need - big * z >= -big, f"{name}{side}_{code}")
            if name == "meetslarge":
                m.prob += (size - (cr.large_workers + 1) * z >= 0, f"{name}size_{code}")
            elif most > cr.large_workers and cr.self_containment_large > cr.self_containment:
                m.prob += (size + (most - cr.large_workers) * z <= most, f"{name}size_{code}")
            binaries.append(z)
        m.prob += (pulp.lpSum(binaries) - m.x[j, j] <= 0, f"meetsopen_{code}")
        m.meets[j] = binaries
    return m.meets


def criterion_count(m: ModelParts) -> pulp.LpAffineExpression:
    """Return the model's count of regions meeting the criterion (a lower bound, see above)."""
    return pulp.lpSum(z for j in sorted(criterion_vars(m)) for z in criterion_vars(m)[j])


def _rows(m: ModelParts) -> None:
    s, data = m.scenario.constraints, m.data
    meets = criterion_vars(m)
    if s.min_criterion_regions:
        m.prob += (criterion_count(m) >= s.min_criterion_regions, "criterion_count")
    limit = s.criterion_above_workers
    if limit is None:
        return
    c = commuting_of(data, KEY_LARGE)
    for j, members in sorted(m.cands.items()):
        idx = sorted(members)
        most = float(c.employed[idx].sum())
        if most <= limit:
            continue
        size = pulp.LpAffineExpression([(m.x[i, j], float(c.employed[i])) for i in idx])
        # E(R) > limit  =>  the region meets the criterion
        m.prob += (size - (most - limit) * pulp.lpSum(meets[j]) <= limit,
                   f"criterionlarge_{data.codes[j]}")


def _check(view: PlanView, s: Scenario) -> list[Violation]:
    want, limit = s.constraints.min_criterion_regions, s.constraints.criterion_above_workers
    meets, employed = criterion_meets(view.data, s.criteria, [m for _, _, m in view.regions])
    out = []
    if meets.sum() < want:
        out.append(Violation(KEY, "", f"{int(meets.sum())} regions meet the self-containment "
                                      f"criterion, the scenario asks for at least {want}"))
    if limit is not None:
        for (r, _, _), ok, e in zip(view.regions, meets, employed, strict=True):
            if e > limit and not ok:
                out.append(Violation(KEY_LARGE, r, f"region {r} has {e} employed residents "
                                                   f"(over {limit}) and misses the "
                                                   "self-containment criterion"))
    return out


FAMILY = Family(
    name="the self-containment criterion",
    keys=(KEY, KEY_LARGE),
    relax=((KEY, 0), (KEY_LARGE, None)),
    active=lambda s: (s.constraints.min_criterion_regions > 0
                      or s.constraints.criterion_above_workers is not None),
    rows=_rows,
    check=_check,
    page_check="criterion",
)
