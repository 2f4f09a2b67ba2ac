"""Commuters kept: ``constraints.min_kept_share`` (ε), the share of employed residents
who work in their own region.

``Σ_R L(R) >= ε·Σ_i E_i`` (``docs/metrics.md``: ``commuting_kept_share``), one row
``kept_share`` over the kept-pair variables of
:func:`~regionopt.model.families.base.kept_flows`: ``Σ_{o<d} (F[o, d] + F[d, o])·y[o, d, j]
>= ε·E - Σ_o F[o, o]`` (a municipality always keeps its own commuters). Exact: the row
only asks the kept pairs to rise, and they may rise to their products. No pruning.
Audit: :func:`kept_commuters` against the same product.
"""

from __future__ import annotations

import numpy as np

from regionopt.model.families.base import (
    Family,
    ModelParts,
    PlanView,
    Violation,
    commuting_of,
    kept_flows,
    summed,
)
from regionopt.problem import ProblemData
from regionopt.scenario import Scenario

KEY = "constraints.min_kept_share"


def kept_commuters(data: ProblemData, cores: np.ndarray) -> tuple[int, int]:
    """Return the employed residents who work in their own region, and all employed residents."""
    c = commuting_of(data, KEY)
    cores = np.asarray(cores)
    kept = int(c.flows[cores[:, None] == cores[None, :]].sum())
    return kept, int(c.employed.sum())


def _rows(m: ModelParts) -> None:
    c = commuting_of(m.data, KEY)
    both = c.flows + c.flows.T
    need = m.scenario.constraints.min_kept_share * float(c.employed.sum())
    terms = [(y, float(both[o, d])) for (o, d, _), y in kept_flows(m).items()]
    m.prob += (summed(terms) >= need - float(np.trace(c.flows)), "kept_share")


def _check(view: PlanView, s: Scenario) -> list[Violation]:
    eps = s.constraints.min_kept_share
    kept, employed = kept_commuters(view.data, view.core_of)
    if kept < eps * employed:
        return [Violation(KEY, "", f"the plan keeps {kept} of {employed} employed residents "
                                   f"in their region ({kept / employed:.4f}), below {eps:g}")]
    return []


FAMILY = Family(
    name="the kept-commuter floor",
    keys=(KEY,),
    relax=((KEY, 0.0),),
    active=lambda s: s.constraints.min_kept_share > 0,
    rows=_rows,
    check=_check,
    page_check="kept_share",
)
