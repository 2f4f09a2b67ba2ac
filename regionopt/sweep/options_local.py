"""Directions proven without a national solve: a local optimum and the bounds in hand.

Fixing a direction ``(i, j)`` changes the plan near ``i`` and ``j``; far away the base
optimum usually stands. :func:`local_plan` re-optimises only a *neighbourhood*: the base
regions of ``i`` and ``j``, those the quickest path from ``i`` to ``j`` crosses, and every
base region bordering one of them. Outside it every municipality keeps its base core; inside
it the exact engine (:func:`regionopt.model.engine.solve`) solves the sub-problem
(:meth:`~regionopt.problem.ProblemData.subset`, national commuting totals kept) with the
choice fixed and the region counts less the regions kept outside. The result is put back
into the national plan and checked against every rule of the fixed scenario
(:func:`~regionopt.model.heuristic.unmet_rules`): it is a feasible plan, an *upper bound* on
the direction's optimum, never more.

It becomes a proof with a lower bound. Two are at hand before any solve:

* the base's proven bound: the fixed scenario is the base scenario with one more rule (when
  its resolved rules are the base's plus the choice, :func:`restricts`), so every plan with
  the choice is a plan of the base and costs at least the base's bound;
* the reduced-cost bound of :func:`~regionopt.sweep.options_bounds.direction_bounds`, and
  after it the relaxation with the choice fixed
  (:func:`~regionopt.sweep.options_bounds.fixed_bound`).

When the local plan is within the scenario's ``solver.mip_gap`` of the best of them, it is
optimal by the scenario's own definition (the test a MIP solver applies to stop), and no
national solve is needed (:func:`proven`). Otherwise the direction is solved nationally,
from the local plan.
"""

from __future__ import annotations

import dataclasses
import logging

import numpy as np

from regionopt.errors import RegionoptError
from regionopt.model.engine import solve
from regionopt.model.heuristic import unmet_rules
from regionopt.model.objective import objective_value
from regionopt.model.optimise import relative_gap
from regionopt.problem import ProblemData
from regionopt.scenario import Scenario
from regionopt.sweep.options_bounds import fix_direction
from regionopt.sweep.options_start import quickest_path, start_plan

log = logging.getLogger(__name__)

#: Seconds a local re-optimisation may take at most (the scenario's limit when lower).
LOCAL_LIMIT_S = 4.0


def neighbourhood(problem: ProblemData, cores: np.ndarray, i: int, j: int) -> list[int]:
    """Positions re-optimised for direction ``(i, j)`` from the base ``cores`` (module notes).

    Whole base regions: those of ``i``, ``j`` and the quickest path between them, and every
    base region bordering one of these.
    """
    inner = {int(cores[i]), int(cores[j])} | {int(cores[k]) for k in quickest_path(problem, i, j)}
    members = {k for k in range(problem.n) if int(cores[k]) in inner}
    near = set(inner)
    for a, b, _ in problem.edges:
        if a in members:
            near.add(int(cores[b]))
        if b in members:
            near.add(int(cores[a]))
    return [k for k in range(problem.n) if int(cores[k]) in near]


def _count(value: int | None, kept: int, *, low: int) -> int | None:
    return None if value is None else max(low, value - kept)


def local_scenario(scenario: Scenario, codes: set[str], kept: int) -> Scenario | None:
    """``scenario`` for the sub-problem of ``codes``, ``kept`` regions staying outside it.

    ``None`` when the region counts leave no room (or are ``"max"``/``"auto"``).
    """
    r = scenario.regions
    if isinstance(r.count, str):
        return None
    if r.count is not None:
        if r.count - kept < 1:
            return None
        regions = dataclasses.replace(r, count=r.count - kept)
    else:
        high = _count(r.max_count, kept, low=0)
        if high is not None and high < 1:
            return None
        regions = dataclasses.replace(r, min_count=_count(r.min_count, kept, low=1),
                                      max_count=high)
    c = scenario.constraints
    constraints = dataclasses.replace(
        c, must_link=tuple(p for p in c.must_link if set(p) <= codes),
        cannot_link=tuple(p for p in c.cannot_link if set(p) <= codes),
        fixed_cores=tuple(k for k in c.fixed_cores if k in codes),
        exceptions=tuple(e for e in c.exceptions if e[0] in codes))
    solver = dataclasses.replace(scenario.solver, threads=1, time_limit_s=min(
        LOCAL_LIMIT_S, scenario.solver.time_limit_s or LOCAL_LIMIT_S))
    return dataclasses.replace(scenario, regions=regions, constraints=constraints,
                               solver=solver)


def local_plan(problem: ProblemData, fixed: Scenario, cores: np.ndarray, i: int,
               j: int) -> np.ndarray | None:
    """The best plan with ``i`` in ``j``'s region that changes only the neighbourhood.

    ``fixed`` is the scenario with the choice fixed and its rules resolved. Returns the
    national ``cores[i]``, checked against every rule of ``fixed``, or ``None`` when the
    neighbourhood holds no such plan (or its solve found none in time).
    """
    area = neighbourhood(problem, cores, i, j)
    inside = set(area)
    kept = len({int(cores[k]) for k in range(problem.n) if k not in inside})
    codes = {problem.codes[k] for k in area}
    sub = problem.subset(sorted(codes))
    at = [problem.index(c) for c in sub.codes]
    back = {old: new for new, old in enumerate(at)}
    begin = start_plan(problem, fixed, np.asarray(cores, dtype="int64"), i, j)
    sub_start = np.array([back.get(int(begin[k]), -1) for k in at], dtype="int64")
    sub_scenario = local_scenario(fixed, codes, kept)
    if sub_scenario is None:
        return None
    sub_scenario = dataclasses.replace(sub_scenario, solver=dataclasses.replace(
        sub_scenario.solver, mip_gap=_local_gap(problem, fixed, cores, sub, sub_scenario, at)))
    try:
        result = solve(sub, sub_scenario, quiet=True, explain=False,
                       start_plan=sub_start if (sub_start >= 0).all() else None)
    except RegionoptError as exc:
        log.debug("options: no local plan for %s -> %s (%s)", problem.codes[i],
                  problem.codes[j], exc)
        return None
    if result.plan is None:
        return None
    out = np.array(cores, dtype="int64")
    labels = result.plan.labels(sub)
    for k, code in enumerate(sub.codes):
        out[problem.index(code)] = problem.index(sub.codes[int(labels[k])])
    if unmet_rules(problem, fixed, out):
        return None
    return out


def _local_gap(problem: ProblemData, fixed: Scenario, cores: np.ndarray, sub: ProblemData,
               sub_scenario: Scenario, at: list[int]) -> float:
    """The sub-problem's gap: half the scenario's gap on the whole area, in person-minutes.

    A relative gap on the much smaller sub-problem would ask for a far closer plan than the
    whole area's proof needs (and take as long); capped at 5 %.
    """
    share = fixed.solver.mip_gap
    if share <= 0:
        return 0.0
    whole = objective_value(problem, fixed, np.asarray(cores, dtype="int64"))
    back = {old: new for new, old in enumerate(at)}
    part = objective_value(sub, sub_scenario,
                           np.array([back.get(int(cores[k]), 0) for k in at]))
    return float(min(0.05, 0.5 * share * abs(whole) / max(abs(part), 1.0)))


def restricts(base: Scenario, fixed: Scenario, code: str, core: str) -> bool:
    """Whether ``fixed`` (resolved) is ``base`` (resolved) with only the choice added.

    Then every plan of ``fixed`` is a plan of ``base``, and the base's bound holds for it.
    """
    return fixed == fix_direction(base, code, core)


def proven(objective: float, bound: float | None, mip_gap: float) -> bool:
    """Whether a plan of ``objective`` is optimal within ``mip_gap`` given a lower ``bound``.

    The engine's test (:func:`~regionopt.model.optimise.relative_gap` at most ``mip_gap``),
    without its tolerance for the solver's rounding.
    """
    gap = relative_gap(objective, bound)
    return gap is not None and gap <= mip_gap


__all__ = ["LOCAL_LIMIT_S", "local_plan", "local_scenario", "neighbourhood",
           "proven", "restricts"]
