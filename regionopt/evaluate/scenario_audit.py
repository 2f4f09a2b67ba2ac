"""Audit a plan against a scenario: which constraints it breaks, and where.

Each check is the audit of one constraint family
(:mod:`regionopt.model.families`), the same families the model is built
from, so a reference plan (NIVI's) can be held to the same
rules as the optimiser's plans, and its travel term set against the scenario's
proven optimum.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from regionopt.evaluate.metrics import evaluate
from regionopt.model.families import PlanView, Violation, active_families
from regionopt.model.objective import objective_value
from regionopt.model.rules import resolve_rules
from regionopt.plan import Plan
from regionopt.problem import ProblemData
from regionopt.scenario import Scenario


@dataclass(frozen=True)
class Audit:
    """A plan checked against a scenario (see :func:`audit`).

    Attributes
    ----------
    plan, scenario
        Names of the plan and the scenario.
    violations
        Every broken constraint, in the order of the checks, then by place.
    travel_term
        The plan's person-minutes (``inf`` if a municipality is unreachable).
    optimum
        The scenario's proven optimal travel term, if given.
    gap_percent
        ``(travel_term − optimum) / optimum · 100``; ``None`` without optimum.
    objective
        The plan's value of the scenario's weighted objective (travel, balance,
        commuting and penalty terms as the scenario weighs them).
    optimum_objective
        The scenario's proven optimal objective, if given.
    objective_gap_percent
        ``(objective − optimum_objective) / optimum_objective · 100``; the gap in
        what the scenario minimises (equal to ``gap_percent`` when the objective
        is the travel term alone).
    """

    plan: str
    scenario: str
    violations: tuple[Violation, ...]
    travel_term: float
    optimum: float | None
    gap_percent: float | None
    objective: float = math.nan
    optimum_objective: float | None = None
    objective_gap_percent: float | None = None

    @property
    def ok(self) -> bool:
        """Whether the plan meets every constraint of the scenario."""
        return not self.violations

    def to_frame(self) -> pd.DataFrame:
        """Return the violations as a table ``constraint, where, detail``."""
        return pd.DataFrame([(v.constraint, v.where, v.detail) for v in self.violations],
                            columns=["constraint", "where", "detail"])


def audit(plan: Plan, problem: ProblemData, scenario: Scenario, *,
          optimum: float | None = None, optimum_objective: float | None = None) -> Audit:
    """Check ``plan`` against every constraint of ``scenario``.

    Checked (keys as in the scenario file): ``regions.count`` /
    ``min_count`` / ``max_count`` (number of regions); ``constraints.contiguity``
    (each region connected); ``core_is_largest`` (no member more populous than
    the core; a tie is allowed); ``min_core_population`` (core population);
    ``max_travel_minutes`` (each municipality's minutes to its core, unreachable
    counts as over); ``min_population`` / ``max_population`` (each region);
    ``respect_county_borders`` (each region within one county); ``must_link``
    (pair in one region); ``cannot_link`` (pair in different regions);
    ``fixed_cores`` (municipality is a core). The area itself is not checked:
    the plan must cover ``problem``, which the caller built for the scenario.

    Parameters
    ----------
    plan
        The plan to audit.
    problem
        The problem it covers.
    scenario
        The scenario.
    optimum
        The scenario's proven optimal travel term (person-minutes), from a
        solve; gives ``gap_percent``.
    optimum_objective
        The scenario's proven optimal weighted objective, from the same solve;
        gives ``objective_gap_percent``.

    Returns
    -------
    Audit

    Raises
    ------
    ScenarioError
        If a constraint names a municipality that is not in the plan.
    DataError
        If the plan does not cover exactly ``problem``'s municipalities.
    """
    scenario = resolve_rules(problem, scenario)  # exceptions found, "auto" count
    metrics = evaluate(plan, problem)
    view = PlanView.of(plan, problem)
    found: list[Violation] = []
    for fam in active_families(scenario):
        if fam.check is not None:
            found.extend(fam.check(view, scenario))
    travel = float(metrics.summary["person_minutes"])
    value = objective_value(problem, scenario, view.core_of)
    return Audit(plan=plan.name, scenario=str(scenario.name), violations=tuple(found),
                 travel_term=travel, optimum=optimum, gap_percent=gap_percent(travel, optimum),
                 objective=value, optimum_objective=optimum_objective,
                 objective_gap_percent=gap_percent(value, optimum_objective))


def gap_percent(value: float, optimum: float | None) -> float | None:
    """Return ``(value − optimum) / optimum · 100`` (``None`` without optimum).

    With ``optimum == 0`` the gap is 0 if ``value`` is 0, else ``inf``.
    """
    if optimum is None:
        return None
    if optimum == 0:
        return 0.0 if value == 0 else math.inf
    return (value - optimum) / optimum * 100.0


# --------------------------------------------------------------------------- rendering
