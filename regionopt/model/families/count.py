"""The number of regions: ``regions.count``, or ``regions.min_count`` to ``max_count``.

Rows: ``core_count`` (exact) or ``core_count_min`` / ``core_count_max`` on the
number of open cores. Audit: the plan's number of regions. Proof of
infeasibility: more regions asked for than municipalities that can be cores.
"""

from __future__ import annotations

from regionopt.model.families.base import Candidates, Family, ModelParts, PlanView, Violation
from regionopt.problem import ProblemData
from regionopt.scenario import Scenario


def count_range(data: ProblemData, scenario: Scenario) -> tuple[int, int]:
    """Return the least and the most regions a plan of ``scenario`` may have."""
    r = scenario.regions
    if r.count in ("max", "auto"):  # "auto" is resolved before a model is built
        return 1, data.n
    if isinstance(r.count, int):
        return r.count, r.count
    return r.min_count or 1, r.max_count or data.n


def _rows(m: ModelParts) -> None:
    lo, hi = count_range(m.data, m.scenario)
    if lo == hi:
        m.prob += (m.opened == lo, "core_count")
    else:
        m.prob += (m.opened >= lo, "core_count_min")
        m.prob += (m.opened <= hi, "core_count_max")


def _check(view: PlanView, s: Scenario) -> list[Violation]:
    n, r = len(view.regions), s.regions
    exact = r.count if isinstance(r.count, int) else None
    tests = (("regions.count", exact, n != exact, "exactly"),
             ("regions.min_count", r.min_count, r.min_count is not None and n < r.min_count,
              "at least"),
             ("regions.max_count", r.max_count, r.max_count is not None and n > r.max_count,
              "at most"))
    return [Violation(key, "", f"plan has {n} regions, scenario asks for {word} {want}")
            for key, want, broken, word in tests if want is not None and broken]


def _reasons(data: ProblemData, s: Scenario, cands: Candidates) -> list[str]:
    lo, _ = count_range(data, s)
    if lo > len(cands):
        return [f"{lo} regions need {lo} cores, but only {len(cands)} municipalities "
                "can be cores under the scenario's constraints"]
    return []


FAMILY = Family(
    name="the number of regions",
    keys=("regions.count", "regions.min_count", "regions.max_count"),
    relax=(("regions.count", None), ("regions.min_count", None), ("regions.max_count", None)),
    active=lambda s: True,
    rows=_rows,
    check=_check,
    page_check="count",
    reasons=_reasons,
)
