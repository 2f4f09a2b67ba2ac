"""Two-centre regions: ``delineation.twin_centres``, ``[head, twin]`` pairs.

TØI's table marks both centres of a two-centre BA-region "Senterkommune (sammen med ...)" and
measures a member's commuting to the pair (``docs/calibration.md``): the twin ``t`` is in the
region of its head ``h`` whenever ``h`` is a core, and the shares to ``h`` count ``t`` too
(:func:`regionopt.model.families.shares.pair_shares`, read by the join, the admission, the
travel steps and the restkommune rule). Rows ``twin_<t>_<h>``: ``x[t, h] >= x[h, h]`` (or
``x[h, h] <= 0`` where ``t`` may not join ``h``). No pruning. Audit: each pair whose head is
a core.
"""

from __future__ import annotations

from regionopt.model.families.base import Family, ModelParts, PlanView, Violation
from regionopt.problem import ProblemData
from regionopt.scenario import Scenario

KEY = "delineation.twin_centres"


def twin_pairs(data: ProblemData, s: Scenario) -> list[tuple[int, int]]:
    """The ``(head, twin)`` positions of the pairs with both municipalities in the area."""
    at = {code: k for k, code in enumerate(data.codes)}
    return [(at[h], at[t]) for h, t in s.delineation.twin_centres if h in at and t in at]


def _rows(m: ModelParts) -> None:
    for h, t in twin_pairs(m.data, m.scenario):
        if (h, h) not in m.x:
            continue
        name = f"twin_{m.data.codes[t]}_{m.data.codes[h]}"
        joined = m.x.get((t, h), 0)
        m.prob += (joined - m.x[h, h] >= 0, name)


def _check(view: PlanView, s: Scenario) -> list[Violation]:
    data, out = view.data, []
    for h, t in twin_pairs(data, s):
        if view.core_of[h] == h and view.core_of[t] != h:
            out.append(Violation(KEY, data.codes[t], f"{data.codes[t]} is the twin centre of "
                                 f"{data.codes[h]}, a core, but joins core "
                                 f"{data.codes[view.core_of[t]]}"))
    return out


FAMILY = Family(
    name="the two-centre regions",
    keys=(KEY,),
    relax=((KEY, ()),),
    active=lambda s: bool(s.delineation.twin_centres),
    rows=_rows,
    check=_check,
    page_check="twin_centres",
)
