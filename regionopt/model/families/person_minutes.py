"""A travel budget: ``constraints.max_person_minutes`` (P), at most P person-minutes.

``Σ pop[i]·minutes[i, j]·x[i, j] <= P``, one row ``person_minutes`` divided by P (so
that national coefficients of 10⁹ stay well scaled). The frontier's dominance proofs
use it to ask for the most commuters, or the most regions meeting the criterion, at
a reference plan's travel. No pruning beyond what the budget alone excludes (a pair
whose own person-minutes exceed P). Audit: the plan's person-minutes.
"""

from __future__ import annotations

import numpy as np
import pulp

from regionopt.model.families.base import Family, ModelParts, PlanView, Violation
from regionopt.problem import ProblemData
from regionopt.scenario import Scenario

KEY = "constraints.max_person_minutes"


def _budget(s: Scenario) -> float:
    return float(s.constraints.max_person_minutes or 0.0)


def _members(data: ProblemData, s: Scenario, j: int) -> np.ndarray:
    return np.asarray(data.population * data.minutes[:, j] <= _budget(s))


def _rows(m: ModelParts) -> None:
    budget, pop, mins = _budget(m.scenario), m.data.population, m.data.minutes
    terms = [(var, float(pop[i] * mins[i, j]) / budget) for (i, j), var in m.x.items()
             if mins[i, j] != 0]
    m.prob += (pulp.LpAffineExpression(terms) <= 1, "person_minutes")


def _check(view: PlanView, s: Scenario) -> list[Violation]:
    budget = _budget(s)
    used = float((view.data.population * view.minutes_to_core()).sum())
    if used > budget * (1 + 1e-9):
        return [Violation(KEY, "", f"the plan needs {used:.0f} person-minutes, "
                                   f"above the budget of {budget:.0f}")]
    return []


FAMILY = Family(
    name="the person-minute budget",
    keys=(KEY,),
    relax=((KEY, None),),
    active=lambda s: s.constraints.max_person_minutes is not None,
    members=_members,
    rows=_rows,
    check=_check,
    page_check="person_minutes",
)
