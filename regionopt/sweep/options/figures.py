"""The figures of a direction's plan in ``regionopt options``, and what it changes.

Every direction's row carries its plan's person-minutes, commuters kept, region count and
criteria counts (:func:`option_figures`, from :func:`~regionopt.evaluate.metrics.evaluate`
and :func:`~regionopt.evaluate.criteria.criteria_table`: one definition of each), and the
regions and municipalities that differ from the base (:func:`changes`).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import numpy as np

from regionopt.evaluate.criteria import criteria_table, pass_counts
from regionopt.evaluate.metrics import evaluate, moves
from regionopt.plan import Plan, plan_from_labels
from regionopt.problem import ProblemData
from regionopt.scenario import Scenario


def option_figures(problem: ProblemData, scenario: Scenario, plan: Plan) -> dict[str, Any]:
    """Person-minutes, commuters kept, regions and criteria counts of ``plan``."""
    metrics = evaluate(plan, problem)
    s = metrics.summary
    out: dict[str, Any] = {
        "person_minutes": float(s["person_minutes"]), "regions": int(s["regions"]),
        "commuting_kept_share": s.get("commuting_kept_share"),
        "border_commuters": s.get("border_commuters"),
    }
    out.update(pass_counts(criteria_table(metrics, problem, scenario)))
    return out


@functools.lru_cache(maxsize=2)
def cached_figures(problem: ProblemData, scenario: Scenario,
                   cores: tuple[int, ...]) -> Mapping[str, Any]:
    """:func:`option_figures` of the plan ``cores[i]``, read-only, the last two kept.

    The base's figures are asked for by every direction of every municipality.
    """
    plan = plan_from_labels(problem, np.asarray(cores, dtype="int64"), name="optimum")
    return MappingProxyType(option_figures(problem, scenario, plan))


def changes(problem: ProblemData, base: Plan, plan: Plan, code: str) -> dict[str, Any]:
    """The regions of ``plan`` not in ``base`` and the other municipalities that move."""
    def groups(p: Plan) -> dict[frozenset[str], str]:
        return {frozenset(p.members(r)): r for r in p.regions}

    before = groups(base)
    changed = sorted(name for members, name in groups(plan).items() if members not in before)
    moved = [c for c in moves(base, plan, problem)["kommunenummer"] if c != code]
    return {"regions_changed": ";".join(changed), "moved": ";".join(moved),
            "moved_names": ";".join(problem.names[problem.index(c)] for c in moved)}


def plan_cores(problem: ProblemData, plan: Plan) -> list[int]:
    """``cores[i]`` of ``plan`` as a plain list (for JSON)."""
    return [int(k) for k in plan.labels(problem)]


def plan_of(problem: ProblemData, cores: list[int], name: str) -> Plan:
    """The plan of ``cores[i]`` (as from :func:`plan_cores`)."""
    return plan_from_labels(problem, np.asarray(cores, dtype="int64"), name=name)


__all__ = ["cached_figures", "changes", "option_figures", "plan_cores", "plan_of"]
