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

Two fallbacks find a plan where that solve finds none:

* *a thinned model*: where the self-containment floor forces a new region far from the
  base (Hurdal to Kongsvinger: the Kongsvinger region must take Eidsvoll and keep 60 % of
  its commuters), HiGHS finds no plan of the exact sub-problem in 20 s; it finds one in a
  few seconds once the flows between two municipalities below :data:`THIN_FLOW` commuters
  are left out of the model (:func:`thinned`: a quarter of the kept-pair variables). Its
  regions keep fewer commuters than they do, so its plans meet every floor; their
  objective is taken on the whole data like any other.
* *wider rings*: when the exact sub-problem is proven to hold no plan (a neighbourhood
  too small to reach the population or self-containment floors: Åmli to Lillesand), every
  base region bordering the neighbourhood is added, up to :data:`MAX_RINGS` rings (Lillesand's
  own region and the directions into it need three; such proofs take a second or less).

It becomes a proof with a lower bound. Two are at hand before any solve:

* the base's proven bound: the fixed scenario is the base scenario with one more rule (when
  its resolved rules are the base's plus the choice, :func:`restricts`), so every plan with
  the choice is a plan of the base and costs at least the base's bound;
* the reduced-cost bound of :func:`~regionopt.sweep.options.bounds.direction_bounds`, and
  after it the relaxation with the choice fixed
  (:func:`~regionopt.sweep.options.bounds.fixed_bound`).

When the local plan is within the scenario's ``solver.mip_gap`` of the best of them, it is
optimal by the scenario's own definition (the test a MIP solver applies to stop), and no
national solve is needed (:func:`proven`). Otherwise the direction is solved nationally,
from the local plan.
"""

from __future__ import annotations

import dataclasses
import logging
import time

import numpy as np

from regionopt.errors import InfeasibleError, RegionoptError
from regionopt.model.engine import solve
from regionopt.model.heuristic import unmet_rules
from regionopt.model.objective import objective_value
from regionopt.model.optimise import relative_gap
from regionopt.problem import ProblemData
from regionopt.scenario import Scenario
from regionopt.sweep.options.bounds import fix_direction
from regionopt.sweep.options.start import quickest_path, start_plan

log = logging.getLogger(__name__)

#: Seconds a local re-optimisation may take at most (the scenario's limit when lower).
LOCAL_LIMIT_S = 4.0
#: Seconds of the thinned sub-problem, when the exact one found no plan in time.
THIN_LIMIT_S = 10.0
#: Seconds of :func:`patient_plan` (one direction), and of each of its solves at most.
PATIENT_S = 60.0
PATIENT_STEP_S = 20.0
#: Rings of base regions a neighbourhood grows to while each is proven to hold no plan.
MAX_RINGS = 4
#: Commuters between two municipalities below which the thinned sub-problem leaves the
#: flow out (:func:`thinned`).
THIN_FLOW = 50


def neighbourhood(problem: ProblemData, cores: np.ndarray, i: int, j: int, *,
                  rings: int = 1) -> list[int]:
    """Positions re-optimised for direction ``(i, j)`` from the base ``cores`` (module notes).

    Whole base regions: those of ``i``, ``j`` and the quickest path between them, and
    ``rings`` times every base region bordering one of these.
    """
    inner = {int(cores[i]), int(cores[j])} | {int(cores[k]) for k in quickest_path(problem, i, j)}
    near = set(inner)
    for _ in range(rings):
        members = {k for k in range(problem.n) if int(cores[k]) in near}
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
    neighbourhood holds no such plan (or its solves found none in time). While the
    neighbourhood is proven to hold no plan, the next ring of base regions is added, up to
    :data:`MAX_RINGS` rings or the whole area (module notes).
    """
    return local_search(problem, fixed, cores, i, j)[0]


def local_search(problem: ProblemData, fixed: Scenario, cores: np.ndarray, i: int,
                 j: int) -> tuple[np.ndarray | None, int]:
    """:func:`local_plan`, and the first ring not proven to hold no plan.

    The ring is where :func:`patient_plan` starts (``MAX_RINGS + 1`` when every ring up to
    :data:`MAX_RINGS` is proven empty).
    """
    size = 0
    for rings in range(1, MAX_RINGS + 1):
        area = neighbourhood(problem, cores, i, j, rings=rings)
        if len(area) == size:
            break
        size = len(area)
        out, none_there = _area_plan(problem, fixed, cores, i, j, area, _FIRST)
        if out is not None or not none_there:
            return out, rings
    return None, MAX_RINGS + 1


def patient_plan(problem: ProblemData, fixed: Scenario, cores: np.ndarray, i: int, j: int,
                 ring: int, seconds: float) -> np.ndarray | None:
    """A longer search for a direction :func:`local_search` found no plan for.

    The thinned sub-problem of ring ``ring`` (where the first search stopped) and of the
    next, then the exact one of each, :data:`PATIENT_STEP_S` seconds each at most, all
    within ``seconds``. Nationally the thinned model finds the Oslo-area plans (Rælingen
    joining Drammen: 15 s in the first ring; joining Asker: 13 s in the second, where the
    first holds none of the thinned model), the exact one those whose self-containment
    the thinned flows cannot reach (Løten joining Åsnes: 6 s in the first ring, none in
    20 s in the second). Returns a plan checked against every rule of ``fixed``, or ``None``.
    """
    deadline = time.perf_counter() + seconds
    areas = [neighbourhood(problem, cores, i, j, rings=r) for r in (ring, ring + 1)]
    if len(areas[1]) == len(areas[0]):
        areas.pop()
    for step in ((True, PATIENT_STEP_S), (False, PATIENT_STEP_S)):
        for area in areas:
            out, _ = _area_plan(problem, fixed, cores, i, j, area, (step,), deadline)
            if out is not None:
                return out
    return None


#: The solves of a neighbourhood, in order: (thinned, seconds at most). The first search
#: tries the thinned sub-problem only when the exact one is not proven empty.
_FIRST = ((False, LOCAL_LIMIT_S), (True, THIN_LIMIT_S))


def _area_plan(problem: ProblemData, fixed: Scenario, cores: np.ndarray, i: int, j: int,
               area: list[int], steps: tuple[tuple[bool, float], ...],
               deadline: float | None = None) -> tuple[np.ndarray | None, bool]:
    """The local plan of ``area`` and whether the area is proven to hold none.

    ``steps``: the exact or thinned sub-problem (:func:`thinned`, whose plans meet every
    rule of the exact one) and the seconds of each, until one gives a plan or the exact
    one is proven empty (a thinned one proven empty proves nothing); none past ``deadline``.
    """
    inside = set(area)
    kept = len({int(cores[k]) for k in range(problem.n) if k not in inside})
    codes = {problem.codes[k] for k in area}
    sub_scenario = local_scenario(fixed, codes, kept)
    if sub_scenario is None:
        return None, False
    sub = problem.subset(sorted(codes))
    at = [problem.index(c) for c in sub.codes]
    back = {old: new for new, old in enumerate(at)}
    begin = start_plan(problem, fixed, np.asarray(cores, dtype="int64"), i, j)
    sub_start = np.array([back.get(int(begin[k]), -1) for k in at], dtype="int64")
    gap = _local_gap(problem, fixed, cores, sub, sub_scenario, at)
    start = sub_start if (sub_start >= 0).all() else None
    labels = None
    for thin, seconds in steps:
        limit = min(seconds, fixed.solver.time_limit_s or seconds)
        if deadline is not None:
            limit = min(limit, deadline - time.perf_counter())
            if limit < 1.0:
                break
        scenario = dataclasses.replace(sub_scenario, solver=dataclasses.replace(
            sub_scenario.solver, mip_gap=gap, time_limit_s=limit))
        labels, none_there = _sub_solve(thinned(sub) if thin else sub, scenario, start,
                                        problem.codes[i], problem.codes[j])
        if labels is not None:
            break
        if none_there and not thin:
            return None, True
    if labels is None:
        return None, False
    out = np.array(cores, dtype="int64")
    for k, code in enumerate(sub.codes):
        out[problem.index(code)] = problem.index(sub.codes[int(labels[k])])
    if unmet_rules(problem, fixed, out):
        return None, False
    return out, False


def _sub_solve(sub: ProblemData, scenario: Scenario, start: np.ndarray | None, code: str,
               core: str) -> tuple[np.ndarray | None, bool]:
    """Solve a sub-problem: its plan's labels, and whether it is proven to hold none."""
    try:
        result = solve(sub, scenario, quiet=True, explain=False, start_plan=start)
    except InfeasibleError:
        return None, True
    except RegionoptError as exc:
        log.debug("options: no local plan for %s -> %s (%s)", code, core, exc)
        return None, False
    if result.plan is None:
        return None, False
    return np.asarray(result.plan.labels(sub), dtype="int64"), False


def thinned(problem: ProblemData, least: int = THIN_FLOW) -> ProblemData:
    """``problem`` with every flow between two municipalities below ``least`` left out.

    The national totals of employed residents and jobs stay, so a region keeps fewer
    commuters here than in ``problem`` and never more: a plan meeting the
    self-containment (and kept-share) floors here meets them in ``problem``. The model
    has far fewer kept-pair variables, and HiGHS finds a plan where it found none in the
    exact model in time (module notes). Only the flows change; the objective of a plan
    found is always taken on ``problem``.
    """
    c = problem.commuting
    if c is None:
        return problem
    flows = c.flows.copy()
    flows[(flows < least) & ~np.eye(len(flows), dtype=bool)] = 0
    return dataclasses.replace(problem, commuting=dataclasses.replace(c, flows=flows))


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


__all__ = ["LOCAL_LIMIT_S", "MAX_RINGS", "PATIENT_S", "PATIENT_STEP_S", "THIN_FLOW",
           "THIN_LIMIT_S", "local_plan", "local_scenario", "local_search", "neighbourhood",
           "patient_plan", "proven", "restricts", "thinned"]
