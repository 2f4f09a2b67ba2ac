"""Must-link pairs: ``constraints.must_link``, two municipalities in one region.

Pruning: a core keeps both partners as candidates or neither. Rows:
``must_<a>_<b>_<core>`` (``x[a, j] = x[b, j]``). Audit: the pair shares a region.
"""

from __future__ import annotations

from regionopt.errors import ScenarioError
from regionopt.model.families.base import Candidates, Family, ModelParts, PlanView, Violation
from regionopt.problem import ProblemData
from regionopt.scenario import Scenario


def require(code: str, view: PlanView, key: str) -> str:
    """Return the region of ``code`` in the plan.

    Raises
    ------
    ScenarioError
        If the plan does not hold ``code`` (naming ``key``).
    """
    try:
        return view.plan.assignment[code]
    except KeyError:
        raise ScenarioError(f"{key}: municipality {code} is not in plan "
                            f"{view.plan.name!r}") from None


def _refine(cands: Candidates, data: ProblemData, s: Scenario) -> bool:
    links = [(data.index(a), data.index(b)) for a, b in s.constraints.must_link]
    changed = False
    for members in cands.values():
        for a, b in links:
            if (a in members) != (b in members):
                members.discard(a)
                members.discard(b)
                changed = True
    return changed


def _rows(m: ModelParts) -> None:
    for a_code, b_code in m.scenario.constraints.must_link:
        a, b = m.data.index(a_code), m.data.index(b_code)
        for j in sorted(m.cands):
            if (a, j) in m.x:  # pruning keeps a and b candidates of the same cores
                m.prob += (m.x[a, j] - m.x[b, j] == 0,
                           f"must_{a_code}_{b_code}_{m.data.codes[j]}")


def _check(view: PlanView, s: Scenario) -> list[Violation]:
    out, key = [], "constraints.must_link"
    for a, b in s.constraints.must_link:
        ra, rb = require(a, view, key), require(b, view, key)
        if ra != rb:
            out.append(Violation(key, f"{a}-{b}", f"{a} ({ra}) and {b} ({rb}) are in "
                                 "different regions"))
    return out


FAMILY = Family(
    name="must_link",
    keys=("constraints.must_link",),
    relax=(("constraints.must_link", []),),
    active=lambda s: bool(s.constraints.must_link),
    refine=_refine,
    rows=_rows,
    check=_check,
    page_check="must_link",
)
