"""Audit a plan against a scenario: which constraints it breaks, and where.

The checks mirror the model's constraint families one by one (see
``docs/metrics.md``), so a reference plan (NIVI's) can be held to the same
rules as the optimiser's plans, and its travel term set against the scenario's
proven optimum.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from regionopt.errors import ScenarioError
from regionopt.evaluate import PlanMetrics, evaluate
from regionopt.plan import Plan
from regionopt.problem import ProblemData


@dataclass(frozen=True)
class Violation:
    """One broken scenario constraint.

    Attributes
    ----------
    constraint
        The scenario key (``"constraints.max_travel_minutes"``, ``"regions.count"``).
    where
        The region name, kommunenummer or ``"a-b"`` pair at fault; empty when
        the whole plan is at fault.
    detail
        One sentence with the numbers.
    """

    constraint: str
    where: str
    detail: str


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
    """

    plan: str
    scenario: str
    violations: tuple[Violation, ...]
    travel_term: float
    optimum: float | None
    gap_percent: float | None

    @property
    def ok(self) -> bool:
        """Whether the plan meets every constraint of the scenario."""
        return not self.violations

    def to_frame(self) -> pd.DataFrame:
        """Return the violations as a table ``constraint, where, detail``."""
        return pd.DataFrame([(v.constraint, v.where, v.detail) for v in self.violations],
                            columns=["constraint", "where", "detail"])


_Check = Callable[[PlanMetrics, ProblemData, Any], list[Violation]]


def audit(plan: Plan, problem: ProblemData, scenario: Any, *,
          optimum: float | None = None) -> Audit:
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
        A :class:`regionopt.scenario.Scenario`.
    optimum
        The scenario's proven optimal travel term (person-minutes), from a
        solve; gives ``gap_percent``.

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
    metrics = evaluate(plan, problem)
    found: list[Violation] = []
    for check in _CHECKS:
        found.extend(check(metrics, problem, scenario))
    travel = float(metrics.summary["person_minutes"])
    return Audit(plan=plan.name, scenario=str(scenario.name), violations=tuple(found),
                 travel_term=travel, optimum=optimum, gap_percent=gap_percent(travel, optimum))


def gap_percent(value: float, optimum: float | None) -> float | None:
    """Return ``(value − optimum) / optimum · 100`` (``None`` without optimum).

    With ``optimum == 0`` the gap is 0 if ``value`` is 0, else ``inf``.
    """
    if optimum is None:
        return None
    if optimum == 0:
        return 0.0 if value == 0 else math.inf
    return (value - optimum) / optimum * 100.0


def _check_count(m: PlanMetrics, problem: ProblemData, s: Any) -> list[Violation]:
    n, r = int(m.summary["regions"]), s.regions
    tests = (("regions.count", r.count, n != r.count, "exactly"),
             ("regions.min_count", r.min_count, r.min_count is not None and n < r.min_count,
              "at least"),
             ("regions.max_count", r.max_count, r.max_count is not None and n > r.max_count,
              "at most"))
    return [Violation(key, "", f"plan has {n} regions, scenario asks for {word} {want}")
            for key, want, broken, word in tests if want is not None and broken]


def _check_regions(m: PlanMetrics, problem: ProblemData, s: Any) -> list[Violation]:
    c, out = s.constraints, []
    for row in m.regions.itertuples(index=False):
        r, pop = str(row.region), int(row.population)
        if c.contiguity and not row.connected:
            out.append(Violation("constraints.contiguity", r,
                                 f"region {r} is not connected in the adjacency graph"))
        if c.min_population and pop < c.min_population:
            out.append(Violation("constraints.min_population", r,
                                 f"region {r} has {pop} inhabitants < {c.min_population}"))
        if c.max_population is not None and pop > c.max_population:
            out.append(Violation("constraints.max_population", r,
                                 f"region {r} has {pop} inhabitants > {c.max_population}"))
        if c.respect_county_borders and row.n_counties > 1:
            out.append(Violation("constraints.respect_county_borders", r,
                                 f"region {r} spans counties {row.counties.replace(';', ', ')}"))
    return out


def _check_cores(m: PlanMetrics, problem: ProblemData, s: Any) -> list[Violation]:
    c, out = s.constraints, []
    munis = m.municipalities
    for row in m.regions.itertuples(index=False):
        r, core = str(row.region), str(row.core)
        core_pop = int(problem.population[problem.index(core)])
        if c.core_is_largest:
            sub = munis[munis["region"] == r]
            big = sub[sub["population"] > core_pop]
            if len(big):
                top = big.sort_values(["population", "kommunenummer"],
                                      ascending=[False, True]).iloc[0]
                out.append(Violation("constraints.core_is_largest", r,
                                     f"core {core} ({core_pop}) of region {r} is smaller than "
                                     f"member {top['kommunenummer']} ({top['population']})"))
        if c.min_core_population and core_pop < c.min_core_population:
            out.append(Violation("constraints.min_core_population", r,
                                 f"core {core} of region {r} has {core_pop} inhabitants "
                                 f"< {c.min_core_population}"))
    cores = set(m.plan.cores.values())
    for code in c.fixed_cores:
        _require(code, m.plan, "constraints.fixed_cores")
        if code not in cores:
            out.append(Violation("constraints.fixed_cores", code,
                                 f"{code} is not a core (its core is {m.plan.core_of(code)})"))
    return out


def _check_travel(m: PlanMetrics, problem: ProblemData, s: Any) -> list[Violation]:
    limit = s.constraints.max_travel_minutes
    if limit is None:
        return []
    munis = m.municipalities
    over = munis[munis["minutes_to_core"] > limit]
    return [Violation("constraints.max_travel_minutes", str(row.kommunenummer),
                      f"{row.kommunenummer} is "
                      + ("unreachable from" if math.isinf(row.minutes_to_core)
                         else f"{row.minutes_to_core:.2f} min from")
                      + f" its core {row.core} (limit {limit:g})")
            for row in over.itertuples(index=False)]


def _check_links(m: PlanMetrics, problem: ProblemData, s: Any) -> list[Violation]:
    plan, out = m.plan, []
    for key, pairs, want_same in (("constraints.must_link", s.constraints.must_link, True),
                                  ("constraints.cannot_link", s.constraints.cannot_link, False)):
        for x, y in pairs:
            rx, ry = _require(x, plan, key), _require(y, plan, key)
            if (rx == ry) != want_same:
                detail = (f"{x} ({rx}) and {y} ({ry}) are in different regions" if want_same
                          else f"{x} and {y} are both in region {rx}")
                out.append(Violation(key, f"{x}-{y}", detail))
    return out


def _require(code: str, plan: Plan, key: str) -> str:
    try:
        return plan.assignment[code]
    except KeyError:
        raise ScenarioError(f"{key}: municipality {code} is not in plan {plan.name!r}") from None


_CHECKS: tuple[_Check, ...] = (_check_count, _check_regions, _check_cores, _check_travel,
                               _check_links)


# --------------------------------------------------------------------------- rendering
