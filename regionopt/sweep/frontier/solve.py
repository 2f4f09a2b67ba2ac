"""The functional frontier: least person-minutes for every level of commuting, exactly.

The ε-constraint method on the sweep machinery. From a base scenario (its commuting
weights set to 0, :func:`frontier_base`), :func:`run_frontier` solves

* the two ends of each axis: the travel optimum (``travel``) and the most the
  scenario allows on the axis (``max-kept``: fewest border commuters;
  ``max-criterion``: most regions meeting the self-containment criterion);
* ``points - 1`` points between them per axis: the least person-minutes subject to
  ``constraints.min_kept_share`` (axis ``kept``: at least K commuters kept, ε = (K −
  ½)/E so that the integer K is exact) or ``constraints.min_criterion_regions``
  (axis ``criterion``), each proven optimal or with its gap. Every case is solved by the
  solver's work, not the clock (:func:`work_limited`: one thread, a node limit, the
  scenario's time limit raised to a safety net), so the same command draws the same frontier
  on an idle and on a loaded machine. The points of an axis are
  solved in chains from the tightest down, each warm-started from its neighbour (the
  tighter plan meets the looser floor); with several workers each takes a chain,
  started from the axis's maximum;
* for each reference plan, the dominance solves of :mod:`regionopt.sweep.frontier.dominance`.

Every case is a sweep case (``plans/<id>/``, resumed while its scenario and problem are
unchanged, :mod:`regionopt.sweep.store`), solved in this process, on local processes or
on a Dask scheduler (:mod:`regionopt.sweep.pool`). A point that is infeasible is
reported for itself; the others are kept. Files: :mod:`regionopt.sweep.frontier.page`.
"""

from __future__ import annotations

import json
import logging
import math
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from regionopt.errors import DataError, InfeasibleError, ScenarioError
from regionopt.plan import Plan, read_plan
from regionopt.problem import ProblemData
from regionopt.scenario import Scenario, replace_key
from regionopt.sweep.cases import SweepCase, single_thread
from regionopt.sweep.pool import Pool, check_scheduler, is_parallel
from regionopt.sweep.run import solve_case
from regionopt.sweep.store import (
    PLANS_DIR,
    RESULT_JSON,
    case_dir,
    case_table,
    claim_folder,
    load_case,
    problem_digest,
    scenario_digest,
    write_case,
)

if TYPE_CHECKING:
    # lazy: dask's distributed is heavy and only Dask runs need it
    from distributed import Client

log = logging.getLogger(__name__)

#: Axis name → (the scenario key that bounds it, the metric column that measures it).
AXES: dict[str, tuple[str, str]] = {
    "kept": ("constraints.min_kept_share", "commuting_kept_share"),
    "criterion": ("constraints.min_criterion_regions", "criteria_self_containment_passed"),
}
#: The objective that maximises each axis (travel weight 0).
_MAXIMISE = {"kept": ("objective.commuting", 1.0), "criterion": ("objective.criterion", 1.0)}
#: Columns of the frontier table before the plan metrics.
CASE_COLUMNS = ("id", "role", "axis", "asked")


@dataclass
class FrontierCase:
    """One solve of the frontier: a sweep case with its role.

    Attributes
    ----------
    case
        The sweep case (id, scenario).
    role
        ``"travel"``, ``"maximum"``, ``"point"``, ``"match"`` or ``"bound"``.
    axis
        ``"kept"`` or ``"criterion"`` (empty for the travel optimum and dominance solves).
    asked
        What the case asks for on its axis: commuters kept, or regions meeting the
        criterion (``None`` when it asks for nothing).
    """

    case: SweepCase
    role: str
    axis: str = ""
    asked: float | None = None


@dataclass
class Runner:
    """Solves frontier cases on the sweep machinery and keeps their records and plans.

    Attributes
    ----------
    problem, out, scheduler, max_workers, resume, progress
        As in :func:`run_frontier`.
    records
        Every solved (or resumed) case's record by id (its ``result.json``).
    cores
        Every case's plan as ``cores[i]``, by id (cases without a plan are absent).
    cases
        Every case run so far, in order.
    """

    problem: ProblemData
    out: Path
    scheduler: str | Client | None = None
    max_workers: int = 1
    resume: bool = True
    progress: bool = True
    records: dict[str, dict[str, Any]] = field(default_factory=dict)
    cores: dict[str, np.ndarray] = field(default_factory=dict)
    cases: list[FrontierCase] = field(default_factory=list)

    @property
    def parallel(self) -> bool:
        """Whether several solves run at once (then each has one solver thread)."""
        return is_parallel(self.scheduler, self.max_workers)

    def run(self, chains: Sequence[Sequence[FrontierCase]],
            starts: Sequence[np.ndarray | None] | None = None) -> None:
        """Solve ``chains``: each in order, warm-started from its previous plan.

        ``starts[k]`` is the plan chain ``k`` starts from (``None``: the heuristic's).
        """
        starts = list(starts) if starts is not None else [None] * len(chains)
        todo: list[list[FrontierCase]] = []
        for k, chain in enumerate(chains):
            rest: list[FrontierCase] = []
            for fc in chain:
                self.cases.append(fc)
                if not rest and self._load(fc):
                    starts[k] = self.cores.get(fc.case.id, starts[k])
                else:
                    rest.append(fc)
            todo.append(rest)
        total = sum(map(len, todo))
        if not total:
            return
        with tqdm(total=total, disable=not self.progress, desc="frontier", unit="point") as bar:
            self._solve(todo, starts, bar.update)

    def _digests(self, case: SweepCase) -> dict[str, str]:
        return {"scenario_sha256": scenario_digest(case.scenario),
                "problem_sha256": problem_digest(self.problem)}

    def _load(self, fc: FrontierCase) -> bool:
        if not self.resume:
            return False
        rec = load_case(self.out, fc.case, self._digests(fc.case))
        if rec is None:
            return False
        self.records[fc.case.id] = rec
        if rec.get("plan_path"):
            plan = read_plan(self.out / rec["plan_path"], problem=self.problem)
            self.cores[fc.case.id] = _plan_cores(self.problem, plan.assignment, plan.cores)
        return True

    def _scenario(self, fc: FrontierCase) -> Scenario:
        return single_thread(fc.case.scenario) if self.parallel else fc.case.scenario

    def _store(self, fc: FrontierCase, outcome: dict[str, Any]) -> np.ndarray | None:
        cid = fc.case.id
        if outcome["status"] == "error":
            log.warning("frontier: %s failed: %s", cid, outcome["reason"])
            self.records[cid] = {**outcome, "plan_path": None}
            return None
        write_case(self.out, fc.case, self._scenario(fc), outcome, self._digests(fc.case))
        self.records[cid] = json.loads((case_dir(self.out, fc.case) / RESULT_JSON)
                                       .read_text(encoding="utf-8"))
        if outcome["assignment"] is None:
            return None
        cores = _plan_cores(self.problem, outcome["assignment"], outcome["cores"])
        self.cores[cid] = cores
        return cores

    def _solve(self, chains: list[list[FrontierCase]], starts: list[np.ndarray | None],
               tick: Callable[[int], object]) -> None:
        """Keep one case of every chain running; the next starts from the plan just found."""
        workers = self.max_workers if self.parallel else 1
        with Pool(solve_case, (self.problem,), scheduler=self.scheduler, workers=workers,
                  size=len(chains), what="frontier") as pool:

            def push(k: int, pos: int) -> None:
                if pos < len(chains[k]):
                    pool.submit((k, pos), self._scenario(chains[k][pos]), starts[k])

            for k in range(len(chains)):
                push(k, 0)
            for key, outcome in pool.results():
                k, at = cast(tuple[int, int], key)
                found = self._store(chains[k][at], outcome)
                starts[k] = found if found is not None else starts[k]
                tick(1)
                push(k, at + 1)


def _plan_cores(problem: ProblemData, assignment: Mapping[str, str],
                cores: Mapping[str, str]) -> np.ndarray:
    return np.array([problem.index(cores[assignment[c]]) for c in problem.codes], dtype="int64")


# --------------------------------------------------------------------------- cases


def frontier_base(scenario: Scenario) -> Scenario:
    """The scenario every point starts from: its commuting term and criterion reward off."""
    out = scenario
    for key in ("objective.commuting", "objective.criterion"):
        out = replace_key(out, key, 0.0)
    return out


def frontier_case(cid: str, scenario: Scenario, role: str, axis: str = "",
                  asked: float | None = None) -> FrontierCase:
    """A frontier case ``cid`` solving ``scenario`` in ``role`` (see :class:`FrontierCase`)."""
    return FrontierCase(SweepCase(id=cid, overrides=(), scenario=scenario), role, axis, asked)


#: Nodes of a work-limited solve when the scenario sets no ``solver.max_nodes``.
WORK_NODES = 200
#: Wall-clock seconds a work-limited solve may take at least: a safety net only.
SAFETY_S = 3600.0


def work_limited(s: Scenario, nodes: int | None = None) -> Scenario:
    """``s`` solved by work, not by the clock: one thread, a node limit (``nodes``, else the
    scenario's ``solver.max_nodes``, else :data:`WORK_NODES`) and a wall-clock limit of at
    least :data:`SAFETY_S` as a safety net. HiGHS with one thread, the same options and the
    same start stops at the same node on an idle and on a loaded machine."""
    s = replace_key(s, "solver.threads", 1)
    s = replace_key(s, "solver.max_nodes", nodes or s.solver.max_nodes or WORK_NODES)
    return replace_key(s, "solver.time_limit_s", max(SAFETY_S, s.solver.time_limit_s or 0.0))


def maximum_case(base: Scenario, axis: str, cid: str | None = None) -> FrontierCase:
    """The case that asks for the most the scenario allows on ``axis`` (travel not weighed),
    work-limited (:func:`work_limited`): the axis's range, and so every point's floor, is
    the same on an idle and on a loaded machine."""
    key, weight = _MAXIMISE[axis]
    s = replace_key(replace_key(base, "objective.travel", 0.0), key, weight)
    return frontier_case(cid or f"max-{axis}", work_limited(s), "maximum", axis)


def kept_epsilon(kept: int, employed: int) -> float:
    """The ``constraints.min_kept_share`` that asks for at least ``kept`` commuters exactly."""
    return (kept - 0.5) / employed


def point_case(base: Scenario, axis: str, asked: int, employed: int) -> FrontierCase:
    """The case: least person-minutes with at least ``asked`` kept (or meeting the criterion)."""
    key = AXES[axis][0]
    value: float | int = kept_epsilon(asked, employed) if axis == "kept" else asked
    return frontier_case(f"{axis}-{asked}", replace_key(base, key, value), "point", axis, asked)


def grid(lo: int, hi: int, points: int) -> list[int]:
    """``points - 1`` levels evenly above ``lo`` (the travel optimum) up to ``hi``."""
    if hi <= lo:
        return []
    values = {lo + math.ceil((hi - lo) * k / (points - 1)) for k in range(1, points)}
    return sorted(v for v in values if lo < v <= hi)


def level(problem: ProblemData, record: dict[str, Any], axis: str) -> int | None:
    """A solved case's level on ``axis``: commuters kept, or regions meeting the criterion."""
    metrics = record.get("metrics") or {}
    if axis == "criterion":
        value = metrics.get(AXES[axis][1])
        return None if value is None else int(value)
    share = metrics.get("commuting_kept_share")
    if share is None or problem.commuting is None:
        return None
    return round(share * int(problem.commuting.employed.sum()))


def _chains(cases: list[FrontierCase], n: int) -> list[list[FrontierCase]]:
    """Split cases (tightest first) into ``n`` contiguous chains."""
    if not cases:
        return []
    n = max(1, min(n, len(cases)))
    size = math.ceil(len(cases) / n)
    return [cases[k:k + size] for k in range(0, len(cases), size)]


def check_axes(axes: Sequence[str], problem: ProblemData | None, *, points: int) -> None:
    """Refuse unknown axes, fewer than two points, or a problem without commuting flows.

    Raises
    ------
    ScenarioError
        Naming the axis or option at fault.
    """
    unknown = [a for a in axes if a not in AXES]
    if unknown or not axes:
        raise ScenarioError(f"--axes {','.join(axes)}: expected kept, criterion or both")
    if points < 2:
        raise ScenarioError(f"--points {points}: a frontier needs at least 2 points")
    if problem is not None and problem.commuting is None:
        raise DataError("the frontier needs commuting flows, and the problem has none")


def check_values(axis: str, values: Sequence[float], problem: ProblemData,
                 scenario: Scenario) -> list[int]:
    """Turn explicit ε values of an axis into levels, refusing values outside its range.

    Raises
    ------
    ScenarioError
        If a kept share is outside (0, 1] or a region count outside 1 to the most
        regions the scenario allows.
    """
    if axis == "kept":
        bad = [v for v in values if not 0 < v <= 1]
        if bad:
            raise ScenarioError(f"--{axis} {bad[0]:g}: a kept share must be above 0 and at most 1")
        employed = int(problem.commuting.employed.sum()) if problem.commuting is not None else 0
        return sorted({math.ceil(v * employed) for v in values})
    r = scenario.regions
    most = r.count if isinstance(r.count, int) else (r.max_count or problem.n)
    bad = [v for v in values if not float(v).is_integer() or not 1 <= v <= most]
    if bad:
        raise ScenarioError(f"--{axis} {bad[0]:g}: a region count from 1 to {most} is needed")
    return sorted({int(v) for v in values})


# --------------------------------------------------------------------------- the frontier


def solve_frontier(scenario: Scenario, *, runner: Runner, points: int,
                   axes: Sequence[str] = ("kept",),
                   values: dict[str, list[int]] | None = None) -> Scenario:
    """Solve the travel optimum, the axes' maxima and the points between; return the base.

    ``values`` gives explicit levels per axis instead of the even grid.

    Raises
    ------
    InfeasibleError
        If the base scenario itself has no plan.
    """
    problem = runner.problem
    employed = int(problem.commuting.employed.sum()) if problem.commuting is not None else 0
    # every case by the solver's work: the frontier must not depend on the machine's load
    base = work_limited(frontier_base(scenario))
    ends = [frontier_case("travel", base, "travel"), *(maximum_case(base, a) for a in axes)]
    runner.run([[c] for c in ends])
    travel = runner.records["travel"]
    if "travel" not in runner.cores:
        raise InfeasibleError(f"scenario {scenario.name!r} has no plan, so it has no frontier",
                              [travel.get("reason") or str(travel.get("status"))])
    chains: list[list[FrontierCase]] = []
    starts: list[np.ndarray | None] = []
    for axis in axes:
        lo = level(problem, travel, axis) or 0
        top = runner.records[f"max-{axis}"]
        hi = level(problem, top, axis)
        wanted = (values or {}).get(axis)
        levels = wanted if wanted is not None else grid(lo, hi if hi is not None else lo, points)
        cases = [point_case(base, axis, v, employed) for v in sorted(levels, reverse=True)]
        for chain in _chains(cases, runner.max_workers if runner.parallel else 1):
            chains.append(chain)
            starts.append(runner.cores.get(f"max-{axis}"))
        log.info("frontier %s: from %s (travel optimum) to %s (maximum), %d points", axis, lo,
                 hi, len(cases))
    runner.run(chains, starts)
    return base


def frontier_table(runner: Runner) -> pd.DataFrame:
    """One row per case run: ``id``, ``role``, ``axis``, ``asked``, the result and metric
    columns of the sweep table (:func:`regionopt.sweep.store.case_table`), ``plan_path``,
    ``reason``."""
    seen: dict[str, FrontierCase] = {}
    for fc in runner.cases:
        seen.setdefault(fc.case.id, fc)
    cases = list(seen.values())
    table = case_table([fc.case for fc in cases], runner.records)
    table.insert(1, "role", pd.Series([fc.role for fc in cases], dtype="string"))
    table.insert(2, "axis", pd.Series([fc.axis for fc in cases], dtype="string"))
    table.insert(3, "asked", pd.Series([fc.asked for fc in cases], dtype="float64"))
    return table


def run_frontier(scenario: Scenario, *, problem: ProblemData, out_dir: str | os.PathLike[str],
                 points: int, axes: Sequence[str] = ("kept",),
                 references: Sequence[Plan] = (), values: dict[str, list[int]] | None = None,
                 scheduler: str | Client | None = None, max_workers: int = 1,
                 resume: bool = True, progress: bool = True) -> Runner:
    """Solve a whole frontier with its dominance statements (files are not written here).

    Parameters
    ----------
    scenario
        The base scenario (its region count is the frontier's).
    problem
        The problem, with commuting flows.
    out_dir
        Where ``plans/<id>/`` go (and are resumed from).
    points
        Points per axis, the travel optimum included.
    axes
        ``"kept"``, ``"criterion"`` or both.
    references
        Plans to state dominance against (:mod:`regionopt.sweep.frontier.dominance`).
    values
        Explicit levels per axis instead of the even grid (:func:`check_values`).
    scheduler, max_workers, resume, progress
        As in :func:`regionopt.sweep.run_sweep`.

    Returns
    -------
    Runner
        With every case's record and plan.
    """
    check_axes(axes, problem, points=points)
    check_scheduler(scheduler)  # before anything is written
    out = Path(out_dir)
    # mark the folder as regionopt's before the first case is stored, so that an
    # interrupted run resumes without --force (the manifest is rewritten at the end)
    claim_folder(out, sorted(p.name for p in (out / PLANS_DIR).glob("*") if p.is_dir()))
    runner = Runner(problem, Path(out_dir), scheduler, max_workers, resume, progress)
    solve_frontier(scenario, runner=runner, points=points, axes=axes, values=values)
    return runner


__all__ = ["AXES", "SAFETY_S", "WORK_NODES", "FrontierCase", "Runner", "check_axes",
           "check_values", "frontier_base", "frontier_case", "frontier_table", "grid",
           "kept_epsilon", "level", "maximum_case", "point_case", "run_frontier",
           "solve_frontier", "work_limited"]
