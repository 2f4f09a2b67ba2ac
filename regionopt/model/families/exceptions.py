"""Named exceptions: ``constraints.exceptions``, municipalities with a reason.

An exception (an island with only a ferry, say) is exempt from the travel
limit, and a region whose core is an exception is exempt from the population
floor, the self-containment floor and the core minimums (those families read
:func:`~regionopt.model.families.base.exception_mask`). This family holds the
rule that keeps the exemption honest: an exception may be the core only of a
region of exceptions. Pruning: members of an exception core (no rows). Audit:
a region with an exception core and another member. The reasons are shown in
the criteria table.
"""

from __future__ import annotations

import numpy as np

from regionopt.model.families.base import Family, PlanView, Violation, exception_mask
from regionopt.problem import ProblemData
from regionopt.scenario import Scenario

KEY = "constraints.exceptions"


def _members(data: ProblemData, s: Scenario, j: int) -> np.ndarray:
    mask = exception_mask(data, s)
    return mask if mask[j] else np.ones(data.n, dtype=bool)


def _check(view: PlanView, s: Scenario) -> list[Violation]:
    data, mask, out = view.data, exception_mask(view.data, s), []
    for r, core, members in view.regions:
        others = [data.codes[i] for i in members if not mask[i]]
        if mask[core] and others:
            out.append(Violation(KEY, r, f"core {data.codes[core]} of region {r} is an "
                                         f"exception but member {others[0]} is not"))
    return out


FAMILY = Family(
    name="the exceptions",
    keys=(KEY,),
    relax=((KEY, []),),
    active=lambda s: bool(s.constraints.exceptions),
    members=_members,
    check=_check,
    page_check="exceptions",
)
