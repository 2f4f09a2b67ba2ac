"""A municipality's choice of direction, priced exactly (``regionopt options``).

For a municipality ``i`` under a scenario, a *direction* is a core ``j`` it could join (a
candidate pair ``(i, j)`` of :func:`~regionopt.model.candidates.candidate_sets`, ``j != i``)
or a region of its own (``i`` a core, when ``(i, i)`` is a candidate). Fixing a direction
is fixing ``x[i, j] = 1``: the scenario gets ``must_link = [i, j]`` and ``j`` among its
``fixed_cores`` (a fixed core is the core of its region, so ``i`` is then in ``j``'s region
with ``j`` its core, and nothing else changes). The rest of the plan is re-optimised by
:func:`regionopt.model.engine.solve`, warm-started from the unrestricted optimum with ``i``
moved, and every direction carries its status: proven optimal, or its gap.

The municipality's own ``must_link`` and ``cannot_link`` pairs are *released* first: they
are the choice being priced (the Troms og Finnmark functional scenario links Kvænangen with
Alta; Kvænangen's options are then Alta, Tromsø, Nord-Troms ...). The unrestricted optimum
(the *base*) is the optimum of the released scenario, so its own direction has price 0 and
every price is ``objective - base objective``; ``scenario_choice`` marks the direction the
scenario's own links point to.

Directions towards the cores of neighbouring regions that no feasible plan allows are listed
with the rule they break (the families' candidate pruning, then
:func:`~regionopt.model.diagnose.diagnose`). With ``prune``, a direction is not solved when a
bound proves it dearer than the cheapest other direction already solved (``best``): the
reduced-cost bound of one relaxation per scenario, then the relaxation with the choice fixed
(:mod:`regionopt.sweep.options.bounds`). Directions are solved in the order of their
reduced-cost bounds, so the cheapest other direction is always solved and exact; a pruned
direction may also have no plan at all (its optimum is then infinite, above ``best`` too).
Each direction starts from the base optimum with the municipality moved, repaired when that
breaks a rule (:mod:`regionopt.sweep.options.start`).
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from regionopt.errors import InfeasibleError, RegionoptError, ScenarioError
from regionopt.model.candidates import candidate_sets
from regionopt.model.diagnose import diagnose
from regionopt.model.engine import solve
from regionopt.model.families import Candidates, active_families
from regionopt.model.objective import objective_value
from regionopt.model.optimise import relative_gap
from regionopt.model.rules import resolve_rules
from regionopt.plan import Plan, plan_from_labels
from regionopt.problem import ProblemData
from regionopt.scenario import Scenario, replace_key
from regionopt.sweep.options.bounds import (
    above,
    direction_bounds,
    fix_direction,
    relaxation,
)
from regionopt.sweep.options.figures import cached_figures, changes, plan_cores, plan_of
from regionopt.sweep.options.local import PATIENT_S, local_search, patient_plan, proven, restricts
from regionopt.sweep.options.region import region_possible
from regionopt.sweep.options.start import moved, start_plan

log = logging.getLogger(__name__)

#: Seconds of the whole-area solve of a direction the neighbourhood holds no plan for, with
#: ``--bounds-only`` (docs/options.md).
NO_PLAN_LIMIT_S = 180.0

#: Columns of the options table, in order.
COLUMNS = ("municipality", "name", "rank", "direction", "direction_name", "kind", "status",
           "current", "scenario_choice", "objective", "price", "bound", "gap", "person_minutes",
           "person_minutes_change", "commuting_kept_share", "border_commuters", "regions",
           "criteria_population_passed", "criteria_municipal_minimum_passed",
           "criteria_self_containment_passed", "criteria_longest_trip_passed",
           "criteria_mean_trip_passed", "criteria_core_centrality_class_passed",
           "criteria_all_passed", "regions_changed", "moved", "moved_names", "released",
           "reason", "proof", "seconds")


def find_municipality(problem: ProblemData, name_or_code: str) -> str:
    """Return the kommunenummer named by ``name_or_code`` (a code, or a name in any case).

    Raises
    ------
    ScenarioError
        If no municipality of the area, or more than one, has that name.
    """
    text = name_or_code.strip()
    if text in problem.codes:
        return text
    hits = [c for c, n in zip(problem.codes, problem.names, strict=True)
            if n.casefold() == text.casefold()]
    if len(hits) == 1:
        return hits[0]
    if hits:
        raise ScenarioError(f"--municipality {text!r}: several municipalities have that name "
                            f"({', '.join(hits)}); give the kommunenummer")
    raise ScenarioError(f"--municipality {text!r}: no municipality of the scenario's area has "
                        "that name or kommunenummer")


def release(scenario: Scenario, code: str) -> tuple[Scenario, tuple[str, ...]]:
    """Return ``scenario`` without ``code``'s own must-link and cannot-link pairs, and them.

    The pairs are returned as text (``"must_link 5546-5601"``).
    """
    c = scenario.constraints
    out, released = scenario, []
    for key, pairs in (("must_link", c.must_link), ("cannot_link", c.cannot_link)):
        keep = [list(p) for p in pairs if code not in p]
        released += [f"{key} {'-'.join(p)}" for p in pairs if code in p]
        if len(keep) != len(pairs):
            out = replace_key(out, f"constraints.{key}", keep)
    return out, tuple(released)


@dataclass(frozen=True)
class Base:
    """The unrestricted optimum of a (released) scenario and what pricing needs of it.

    Plain values only (picklable), so that it can be sent to sweep workers.

    Attributes
    ----------
    scenario
        The scenario solved.
    cores
        ``cores[i]``: the position of the core of ``i`` in its optimum.
    objective, status, bound, gap
        As in :class:`~regionopt.model.engine.SolveResult`.
    cands
        Its candidate sets.
    bounds
        ``(i, j) -> `` a proven lower bound on every plan with ``x[i, j] = 1`` (empty when
        not computed or the relaxation failed).
    resolved
        The scenario as the engine solved it (its area rules resolved).
    """

    scenario: Scenario
    cores: tuple[int, ...]
    objective: float
    status: str
    bound: float | None
    gap: float | None
    cands: Candidates
    bounds: Mapping[tuple[int, int], float]
    resolved: Scenario | None = None

    def plan(self, problem: ProblemData) -> Plan:
        """The optimum as a :class:`~regionopt.plan.Plan`."""
        return plan_from_labels(problem, np.asarray(self.cores, dtype="int64"), name="optimum")


def solve_base(problem: ProblemData, scenario: Scenario, *, with_bounds: bool = False,
               quiet: bool = True) -> Base:
    """Solve ``scenario`` (the unrestricted optimum) and, with ``with_bounds``, its bounds.

    Raises
    ------
    InfeasibleError
        If the scenario has no feasible plan, or none was found in the time limit.
    """
    result = solve(problem, scenario, quiet=quiet)
    if result.plan is None:
        raise InfeasibleError(f"scenario {scenario.name!r}: no plan found in the time limit",
                              [f"the solver stopped with status {result.status}"])
    cands = candidate_sets(problem, scenario)
    bounds = direction_bounds(problem, scenario, cands) if with_bounds else {}
    return Base(scenario=scenario, cores=tuple(int(k) for k in result.plan.labels(problem)),
                objective=result.objective, status=result.status, bound=result.bound,
                gap=result.gap, cands=cands, bounds=bounds, resolved=result.scenario)


def directions(problem: ProblemData, base: Base, code: str) -> list[str]:
    """The cores ``code`` may join within the rules (``code`` itself: a region of its own)."""
    i = problem.index(code)
    cores = sorted(j for j, members in base.cands.items() if i in members)
    return [problem.codes[j] for j in cores]


def neighbour_cores(problem: ProblemData, plan: Plan, code: str) -> list[str]:
    """Cores of the regions of ``plan`` that border ``code``, and ``code`` itself."""
    i = problem.index(code)
    near = {b for a, b, _ in problem.edges if a == i} | {a for a, b, _ in problem.edges if b == i}
    cores = {plan.core_of(problem.codes[k]) for k in near} | {code}
    return sorted(cores)


def rule_broken(problem: ProblemData, scenario: Scenario, code: str, core: str) -> str:
    """Name the rule that forbids ``code`` joining ``core`` (``core == code``: its own region)."""
    i, j = problem.index(code), problem.index(core)
    names = []
    for fam in active_families(scenario):
        if fam.cores is not None and not fam.cores(problem, scenario)[j]:
            names.append(f"{fam.name}: {problem.names[j]} ({core}) cannot be a core")
        elif i != j and fam.members is not None and not fam.members(problem, scenario, j)[i]:
            names.append(f"{fam.name}: {problem.names[i]} cannot join {problem.names[j]}")
    if not np.isfinite(problem.minutes[i, j]):
        names.append(f"no route from {problem.names[i]} to {problem.names[j]}")
    if names:
        return "; ".join(names)
    reasons = diagnose(problem, fix_direction(scenario, code, core))
    if reasons:
        return "; ".join(reasons)
    refiners = [f.name for f in active_families(scenario) if f.refine is not None]
    return "no feasible plan: dropped by the candidate pruning of " + ", ".join(refiners)


def _row(problem: ProblemData, code: str, core: str, **values: Any) -> dict[str, Any]:
    row: dict[str, Any] = dict.fromkeys(COLUMNS)
    i = problem.index(code)
    own = core == code
    row.update(municipality=code, name=problem.names[i], direction=core,
               direction_name=("own region" if own else problem.names[problem.index(core)]),
               kind="own" if own else "join", regions_changed="", moved="", moved_names="")
    row.update(values)
    return row


def solve_direction(problem: ProblemData, base: Base, code: str, core: str, *,
                    scenario_choice: bool = False, explain: bool = True,
                    start: np.ndarray | None = None, lower: float | None = None,
                    time_limit_s: float | None = None) -> tuple[dict[str, Any], Plan | None]:
    """Solve the plan with ``code`` in the region of ``core``; return its row and plan.

    ``explain``: when the choice has no feasible plan, probe which rule is to blame (the
    relaxation solves of :mod:`regionopt.model.explain`, often the dearest part). ``start``:
    a plan with the choice to start from (else the repaired base, :func:`start_plan`).
    ``lower``: a lower bound already proven, kept when the solver's own is weaker.
    ``time_limit_s``: a shorter limit than the scenario's (one solve, no second start).
    """
    began = time.perf_counter()
    fixed = fix_direction(base.scenario, code, core)
    if time_limit_s is not None:
        fixed = replace_key(fixed, "solver.time_limit_s", min(
            time_limit_s, fixed.solver.time_limit_s or time_limit_s))
    common = {"scenario_choice": scenario_choice, "current": False}
    try:
        cores = np.asarray(base.cores, dtype="int64")
        i, j = problem.index(code), problem.index(core)
        first = start_plan(problem, fixed, cores, i, j) if start is None else start
        res = solve(problem, fixed, quiet=True, start_plan=first, explain=explain)
        plain = moved(problem, cores, i, j)
        if res.status != "optimal" and start is None and time_limit_s is None \
                and not np.array_equal(first, plain):
            # The engine can stop short of its proof from a repaired start (seen on a small
            # graph of tests/sweep/test_options.py): the unrepaired start is the fallback.
            log.info("options: %s -> %s not proven from the repaired start; solving again",
                     code, core)
            res = solve(problem, fixed, quiet=True, start_plan=plain, explain=explain)
    except InfeasibleError as exc:
        why = "; ".join(exc.reasons) or str(exc)
        if not explain:
            why += f" (regionopt options --municipality {code} names the rule)"
        return _row(problem, code, core, status="infeasible", reason=why, proof="solver",
                    seconds=time.perf_counter() - began, **common), None
    except RegionoptError as exc:
        return _row(problem, code, core, status="error", reason=f"{type(exc).__name__}: {exc}",
                    seconds=time.perf_counter() - began, **common), None
    bound, proof = res.bound, "solver"
    if lower is not None and (bound is None or lower > bound):
        bound, proof = lower, "solver's plan and an earlier bound"
    if res.plan is None:
        return _row(problem, code, core, status="not_solved", bound=bound, proof=proof,
                    reason=f"the solver stopped without a plan ({res.status})",
                    seconds=time.perf_counter() - began, **common), None
    status = res.status
    if status == "time_limit" and proven(res.objective, bound, res.scenario.solver.mip_gap):
        status = "optimal"
    solved = {"objective": res.objective, "status": status, "bound": bound,
              "gap": relative_gap(res.objective, bound), "seconds": res.seconds,
              "proof": proof}
    return _priced(problem, base, code, core, res.plan, solved, common), res.plan


def _priced(problem: ProblemData, base: Base, code: str, core: str, plan: Plan,
            solved: dict[str, Any], common: dict[str, Any]) -> dict[str, Any]:
    """The row of a solved direction: ``solved`` holds objective, status, bound, gap, seconds."""
    base_plan = base.plan(problem)
    cores = tuple(plan_cores(problem, plan))
    base_figures = cached_figures(problem, base.scenario, base.cores)
    figures = dict(base_figures if cores == base.cores else
                   cached_figures(problem, base.scenario, cores))
    base_pm = base_figures["person_minutes"]
    return _row(problem, code, core, price=solved["objective"] - base.objective,
                person_minutes_change=figures["person_minutes"] - base_pm, reason="",
                **solved, **figures, **common, **changes(problem, base_plan, plan, code))


def _current_row(problem: ProblemData, base: Base, code: str) -> dict[str, Any]:
    """The direction the base optimum takes: its plan is the base itself, price 0."""
    plan = base.plan(problem)
    solved = {"objective": base.objective, "status": base.status, "bound": base.bound,
              "gap": base.gap, "seconds": 0.0, "proof": "solver (the base)"}
    return _priced(problem, base, code, plan.core_of(code), plan, solved,
                   {"current": True, "scenario_choice": False})


def municipality_options(problem: ProblemData, scenario: Scenario, code: str, *,
                         base: Base | None = None, prune: bool = False,
                         explain: bool | None = None, whole: bool = True,
                         no_plan_s: float = NO_PLAN_LIMIT_S
                         ) -> tuple[list[dict[str, Any]], dict[str, Plan]]:
    """Price every direction of ``code`` under ``scenario``.

    Parameters
    ----------
    problem, scenario
        The problem and the scenario as given (``code``'s own links are released here).
    code
        The municipality's kommunenummer.
    base
        The base of the released scenario when already solved (shared by the municipalities
        without links of their own); solved here otherwise.
    prune
        Skip the directions a bound proves dearer than the cheapest other direction.
    explain
        Name the rule that makes a candidate direction infeasible (relaxation probes);
        default: when not pruning (``--municipality``), not with ``--all``'s pruning.
    whole
        Solve the whole area for a direction the cheaper proofs leave open; without it
        (``--bounds-only``) such a direction keeps its local plan and gap (``bounded``),
        and one without a local plan gets ``no_plan_s`` seconds of the whole area.
    no_plan_s
        Those seconds (0: the row keeps its bound, ``not_solved``).

    Returns
    -------
    tuple
        The rows (:data:`COLUMNS`), ranked, and each solved direction's plan by core code.

    Raises
    ------
    InfeasibleError
        If the released scenario itself has no feasible plan.
    """
    explain = not prune if explain is None else explain
    released, links = release(scenario, code)
    if base is None or base.scenario != released:
        base = solve_base(problem, released, with_bounds=prune)
    chosen = _scenario_choices(scenario, code)
    base_plan = base.plan(problem)
    current = base_plan.core_of(code)
    rows = [_current_row(problem, base, code)]
    plans = {current: base_plan}
    i = problem.index(code)
    others = [c for c in directions(problem, base, code) if c != current]
    best: float | None = None
    order = sorted(others, key=lambda c: (base.bounds.get((i, problem.index(c)), -np.inf), c))
    for core in order:
        row, plan = price_direction(problem, base, code, core, best=best if prune else None,
                                    scenario_choice=core in chosen, explain=explain,
                                    whole=whole, no_plan_s=no_plan_s)
        rows.append(row)
        if plan is not None:
            plans[core] = plan
            best = row["objective"] if best is None else min(best, row["objective"])
    rows[0]["scenario_choice"] = current in chosen
    allowed = set(others) | {current}
    for core in neighbour_cores(problem, base_plan, code):
        if core not in allowed:
            rows.append(_row(problem, code, core, status="breaks_rule", current=False,
                             scenario_choice=core in chosen,
                             reason=rule_broken(problem, released, code, core)))
    for row in rows:
        row["released"] = ";".join(links)
    return rank(rows), plans


def price_direction(problem: ProblemData, base: Base, code: str, core: str, *,
                    best: float | None = None, scenario_choice: bool = False,
                    explain: bool = True,
                    whole: bool = True,
                    no_plan_s: float = NO_PLAN_LIMIT_S) -> tuple[dict[str, Any], Plan | None]:
    """Price one direction with the cheapest proof that holds; return its row and plan.

    In order (:mod:`regionopt.sweep.options.local`): with ``best`` (pruning), the
    reduced-cost bound above ``best`` prunes it; the relaxation with the choice fixed
    (:meth:`~regionopt.sweep.options.bounds.Relaxation.bound`) shows it has no plan (not
    with ``explain``: the exact solve then names the rule) or prunes it; the local
    re-optimisation within the scenario's gap of the best bound proves it; without a local
    plan, the core's region alone may prove it has none
    (:func:`~regionopt.sweep.options.region.region_possible`; not with ``explain``); else,
    with ``whole``, the exact solve of the whole area from the local plan, and without it
    the local plan with its gap (``bounded``). Without ``whole``, a direction the
    neighbourhood gave no plan for gets ``no_plan_s`` seconds more at most: half of them
    (:data:`~regionopt.sweep.options.local.PATIENT_S` at most) a longer search of the
    neighbourhood (:func:`~regionopt.sweep.options.local.patient_plan`), the rest the whole
    area (a plan and its gap, a proof that none exists, or ``not_solved`` with the bound).
    """
    began = time.perf_counter()
    i, j = problem.index(code), problem.index(core)
    common = {"scenario_choice": scenario_choice, "current": False}
    rc = base.bounds.get((i, j))
    if best is not None and rc is not None and rc > above(best):
        return _row(problem, code, core, status="pruned", bound=rc, proof="reduced cost",
                    reason=f"pruned: bound {rc:.6g} > best {best:.6g} (reduced cost)",
                    **common), None
    resolved = resolve_rules(problem, fix_direction(base.scenario, code, core))
    lower, proof = _lower(problem, base, resolved, code, core, rc)
    rel = relaxation(problem, base.resolved) if base.resolved is not None else None
    tight = None if rel is None else rel.bound(i, j)
    if tight == math.inf and not explain:
        return _row(problem, code, core, status="infeasible", proof="relaxation",
                    reason=("no plan: the relaxation with the choice fixed has no solution "
                            f"(regionopt options --municipality {code} names the rule)"),
                    seconds=time.perf_counter() - began, **common), None
    if tight is not None and tight != math.inf and (lower is None or tight > lower):
        lower, proof = tight, "relaxation with the choice fixed"
    if best is not None and lower is not None and lower > above(best):
        return _row(problem, code, core, status="pruned", bound=lower, proof=proof,
                    reason=f"pruned: bound {lower:.6g} > best {best:.6g} ({proof})",
                    seconds=time.perf_counter() - began, **common), None
    cores = np.asarray(base.cores, dtype="int64")
    local, ring = local_search(problem, resolved, cores, i, j)
    searched = time.perf_counter()
    if local is None and not explain and not region_possible(problem, resolved, i, j):
        return _row(problem, code, core, status="infeasible", proof="the core's region alone",
                    reason=("no plan: no region around the core can hold the municipality "
                            "(its candidate members, contiguity, links and the "
                            "self-containment floor; regionopt options --municipality "
                            f"{code} names the rule)"),
                    seconds=time.perf_counter() - began, **common), None
    patience = 0.0 if whole else min(PATIENT_S, no_plan_s / 2)
    if local is None and patience > 0:
        local = patient_plan(problem, resolved, cores, i, j, ring, patience)
    upper = None if local is None else objective_value(problem, resolved, local)
    if local is not None and upper is not None and (
            not whole or proven(upper, lower, resolved.solver.mip_gap)):
        status = "optimal" if proven(upper, lower, resolved.solver.mip_gap) else "bounded"
        return _local_row(problem, base, code, core, local, upper, lower, proof, status,
                          common, time.perf_counter() - began)
    left = no_plan_s - (time.perf_counter() - searched)
    if not whole and left < 1.0:
        return _row(problem, code, core, status="not_solved", bound=lower, proof=proof,
                    reason=f"no plan in the neighbourhood, none in {no_plan_s:g} s more "
                    "(--bounds-only)", seconds=time.perf_counter() - began, **common), None
    row, plan = solve_direction(problem, base, code, core, scenario_choice=scenario_choice,
                                explain=explain, start=local, lower=lower,
                                time_limit_s=None if whole else left)
    if not whole and row["status"] == "not_solved":
        row["reason"] = (f"no plan in the neighbourhood, none in {no_plan_s:g} s more: a "
                         "longer search of it, then the whole area (--bounds-only)")
    row["seconds"] = time.perf_counter() - began
    return row, plan


def _lower(problem: ProblemData, base: Base, resolved: Scenario, code: str, core: str,
           rc: float | None) -> tuple[float | None, str]:
    """The best lower bound before any solve: the base's bound or the reduced-cost bound."""
    lower, proof = rc, "reduced cost"
    if base.bound is not None and base.resolved is not None and restricts(
            base.resolved, resolved, code, core) and (lower is None or base.bound > lower):
        lower, proof = base.bound, "the base's bound"
    return lower, proof


def _local_row(problem: ProblemData, base: Base, code: str, core: str, cores: np.ndarray,
               objective: float, bound: float | None, proof: str, status: str,
               common: dict[str, Any], seconds: float) -> tuple[dict[str, Any], Plan]:
    """The row of a direction priced by its local plan: ``optimal`` or ``bounded``."""
    plan = plan_from_labels(problem, cores, name="optimum")
    solved = {"objective": objective, "status": status, "bound": bound,
              "gap": relative_gap(objective, bound), "seconds": seconds,
              "proof": f"local re-optimisation and {proof}"}
    return _priced(problem, base, code, core, plan, solved, common), plan


def _scenario_choices(scenario: Scenario, code: str) -> set[str]:
    """The partners the scenario's own must-link pairs give ``code``."""
    return {b if a == code else a for a, b in scenario.constraints.must_link if code in (a, b)}


_ORDER = {"optimal": 0, "time_limit": 0, "bounded": 0, "pruned": 1, "not_solved": 2,
          "infeasible": 3, "error": 3, "breaks_rule": 4}


def rank(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rank rows: solved by objective, then pruned by bound, then the rest by core code."""
    def key(r: dict[str, Any]) -> tuple[Any, ...]:
        value = r["objective"] if r["objective"] is not None else r["bound"]
        return (_ORDER.get(str(r["status"]), 5), np.inf if value is None else value,
                r["direction"])

    out = sorted(rows, key=key)
    for k, r in enumerate(out, start=1):
        r["rank"] = k
    return out


__all__ = ["COLUMNS", "NO_PLAN_LIMIT_S", "Base", "direction_bounds", "directions",
           "find_municipality", "fix_direction", "municipality_options", "plan_cores", "plan_of",
           "rank", "release", "rule_broken", "solve_base", "solve_direction"]
