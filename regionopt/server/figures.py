"""The figures a planner compares between plans, and their differences.

Each figure has one definition elsewhere: person-minutes, commuters kept, region count and
the criteria counts come from :func:`regionopt.sweep.options.figures.option_figures` (which
reads :func:`regionopt.evaluate.metrics.evaluate` and the criteria table), the longest trip
from the same metrics' ``max_minutes``. Here they are only gathered and subtracted.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from regionopt.evaluate.metrics import evaluate
from regionopt.plan import Plan
from regionopt.problem import ProblemData
from regionopt.scenario import Scenario
from regionopt.sweep.options.figures import option_figures

#: The figures shown and priced, in the page's order.
FIGURES = ("objective", "person_minutes", "commuting_kept_share", "border_commuters",
           "max_minutes", "regions", "criteria_population_passed",
           "criteria_municipal_minimum_passed", "criteria_self_containment_passed",
           "criteria_longest_trip_passed", "criteria_mean_trip_passed",
           "criteria_core_centrality_class_passed", "criteria_all_passed")


def plan_figures(problem: ProblemData, scenario: Scenario, plan: Plan,
                 objective: float | None = None) -> dict[str, Any]:
    """The figures of ``plan`` under ``scenario`` (keys :data:`FIGURES`; ``None``: not known)."""
    out = option_figures(problem, scenario, plan)
    out["max_minutes"] = float(evaluate(plan, problem).summary["max_minutes"])
    out["objective"] = objective
    return {key: _plain(out.get(key)) for key in FIGURES}


def _plain(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return int(value)
    number = float(value)
    return number if math.isfinite(number) else None


def differences(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, Any]:
    """``after - before`` for every figure both know (``None`` where either is missing)."""
    out: dict[str, Any] = {}
    for key in FIGURES:
        a, b = before.get(key), after.get(key)
        out[key] = None if a is None or b is None else b - a
    return out


__all__ = ["FIGURES", "differences", "plan_figures"]
