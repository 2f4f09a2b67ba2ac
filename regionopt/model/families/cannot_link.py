"""Cannot-link pairs: ``constraints.cannot_link``, two municipalities in different regions.

Rows: ``cannot_<a>_<b>_<core>`` (``x[a, j] + x[b, j] <= 1``). Audit: the pair
is split. Proof of infeasibility: the pair is joined by a chain of must-link pairs.
"""

from __future__ import annotations

from regionopt.model.families.base import (
    Candidates,
    Family,
    ModelParts,
    PlanView,
    Violation,
    label,
    must_groups,
)
from regionopt.model.families.must_link import require
from regionopt.problem import ProblemData
from regionopt.scenario import Scenario


def _rows(m: ModelParts) -> None:
    for a_code, b_code in m.scenario.constraints.cannot_link:
        a, b = m.data.index(a_code), m.data.index(b_code)
        for j in sorted(m.cands):
            if (a, j) in m.x and (b, j) in m.x:
                m.prob += (m.x[a, j] + m.x[b, j] <= 1,
                           f"cannot_{a_code}_{b_code}_{m.data.codes[j]}")


def _check(view: PlanView, s: Scenario) -> list[Violation]:
    out, key = [], "constraints.cannot_link"
    for a, b in s.constraints.cannot_link:
        ra, rb = require(a, view, key), require(b, view, key)
        if ra == rb:
            out.append(Violation(key, f"{a}-{b}", f"{a} and {b} are both in region {ra}"))
    return out


def _reasons(data: ProblemData, s: Scenario, cands: Candidates) -> list[str]:
    out = []
    for group in must_groups(data, s):
        for a, b in s.constraints.cannot_link:
            ia, ib = data.index(a), data.index(b)
            if ia in group and ib in group:
                out.append(f"{label(data, ia)} and {label(data, ib)} must not share a region "
                           "but are joined by a chain of must-link pairs")
    return out


FAMILY = Family(
    name="cannot_link",
    keys=("constraints.cannot_link",),
    relax=(("constraints.cannot_link", []),),
    active=lambda s: bool(s.constraints.cannot_link),
    rows=_rows,
    check=_check,
    page_check="cannot_link",
    reasons=_reasons,
)
