"""County borders: ``constraints.respect_county_borders``, each region inside one county.

Pruning: only municipalities of the core's county may join it (no rows).
Audit: each region's counties. Proof of infeasibility: a must-link pair
across a county border.
"""

from __future__ import annotations

import numpy as np

from regionopt.model.families.base import Candidates, Family, PlanView, Violation, label
from regionopt.problem import ProblemData
from regionopt.scenario import Scenario


def _members(data: ProblemData, s: Scenario, j: int) -> np.ndarray:
    return np.array([cty == data.counties[j] for cty in data.counties], dtype=bool)


def _check(view: PlanView, s: Scenario) -> list[Violation]:
    out = []
    for r, _, members in view.regions:
        counties = sorted({view.data.counties[i] for i in members})
        if len(counties) > 1:
            out.append(Violation("constraints.respect_county_borders", r,
                                 f"region {r} spans counties {', '.join(counties)}"))
    return out


def _reasons(data: ProblemData, s: Scenario, cands: Candidates) -> list[str]:
    out = []
    for a, b in s.constraints.must_link:
        ia, ib = data.index(a), data.index(b)
        if data.counties[ia] != data.counties[ib]:
            out.append(f"must-link pair {label(data, ia)} and {label(data, ib)} crosses "
                       f"the county border ({data.counties[ia]}/{data.counties[ib]}) "
                       "while respect_county_borders is on")
    return out


FAMILY = Family(
    name="the county borders",
    keys=("constraints.respect_county_borders",),
    relax=(("constraints.respect_county_borders", False),),
    active=lambda s: s.constraints.respect_county_borders,
    members=_members,
    check=_check,
    page_check="county",
    reasons=_reasons,
)
