"""Scenario sweeps: solve every combination of varied scenario keys.

A sweep takes one base scenario and a few ``--vary`` specifications such as
``regions.count=8..16`` or ``constraints.max_travel_minutes=60,90,120``, and
solves the cartesian product of their values, in parallel on local processes
or on a Dask cluster. Every finished scenario is written to
``plans/<id>/`` as soon as it completes (``plan.csv``, ``scenario.toml``,
``metrics.json`` and, last, ``result.json``), so an interrupted sweep resumes
where it stopped (those files: :mod:`regionopt.sweep.store`; the cases:
:mod:`regionopt.sweep.cases`). The whole sweep ends in ``sweep.csv``,
``sweep.parquet`` and a Pareto plot (:mod:`regionopt.sweep.pareto`).

The travel-time problem is sent to each worker once: through the process
pool's initializer, or with ``client.scatter(problem, broadcast=True)`` on
Dask. When several solves run at once each uses one solver thread.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from regionopt.data.reference import reference_plans_for
from regionopt.errors import InfeasibleError, RegionoptError, ScenarioError
from regionopt.evaluate.criteria import criteria_table, pass_counts
from regionopt.evaluate.metrics import evaluate
from regionopt.model.engine import solve
from regionopt.plan import Plan
from regionopt.problem import ProblemData
from regionopt.scenario import Scenario
from regionopt.sweep import pareto
from regionopt.sweep.cases import SweepCase, VaryValue, single_thread, sweep_cases
from regionopt.sweep.pool import check_scheduler, is_parallel, run_tasks
from regionopt.sweep.store import (
    RESULT_COLUMNS,
    RESULT_JSON,
    add_agreement,
    case_dir,
    case_table,
    claim_case,
    claim_folder,
    drop_stale_cases,
    jsonable,
    load_case,
    problem_digest,
    scenario_digest,
    write_case,
    write_table,
)

if TYPE_CHECKING:
    # lazy: dask's distributed is heavy and only Dask sweeps need it
    from distributed import Client

log = logging.getLogger(__name__)

# --------------------------------------------------------------------------- solving


def area_problem(problem: ProblemData, scenario: Scenario) -> ProblemData:
    """The part of ``problem`` the scenario's area names (an atlas's county), else all of it."""
    area = scenario.area
    if not area.counties and not area.municipalities:
        return problem
    codes = [c for c in problem.codes if c[:2] in area.counties or c in area.municipalities]
    return problem if len(codes) == problem.n or not codes else problem.subset(codes)


def solve_case(problem: ProblemData, scenario: Scenario,
                start: np.ndarray | None = None) -> dict[str, Any]:
    """Solve one scenario and evaluate its plan; return plain, picklable data.

    ``start`` (``cores[i]`` on ``problem``) is a plan to warm-start from
    (:func:`regionopt.model.solve`'s ``start_plan``), such as a neighbouring frontier point's;
    it is dropped when the scenario's area is a part of ``problem``.
    """
    whole = problem
    problem = area_problem(problem, scenario)
    if problem is not whole:
        start = None
    out: dict[str, Any] = dict.fromkeys((*RESULT_COLUMNS, "reason"))
    out.update(assignment=None, cores=None, metrics={})
    try:
        res = solve(problem, scenario, quiet=True, start_plan=start)
    except InfeasibleError as exc:
        out.update(status="infeasible", reason="; ".join(exc.reasons) or str(exc))
        return out
    except RegionoptError as exc:  # solver missing or failed: record, retry on resume
        out.update(status="error", reason=f"{type(exc).__name__}: {exc}")
        return out
    terms = dict(res.terms or {})
    out.update(status=res.status, objective=res.objective, travel=terms.get("travel"),
               balance=terms.get("balance"), bound=res.bound, gap=res.gap,
               seconds=res.seconds, solver=res.solver)
    if scenario.constraints.relative_self_containment > 0:  # the floor kept, maybe lowered
        out["self_containment_floor"] = res.scenario.constraints.min_self_containment
    if res.plan is not None:
        out.update(assignment=dict(res.plan.assignment), cores=dict(res.plan.cores))
        metrics = evaluate(res.plan, problem)
        counts = pass_counts(criteria_table(metrics, problem, scenario))
        out["metrics"] = jsonable({**metrics.summary, **counts})
    elif res.status == "infeasible":
        out["reason"] = "the solver proved the scenario infeasible"
    else:
        out["reason"] = f"the solver stopped without a plan (status {res.status})"
    return jsonable(out)


# --------------------------------------------------------------------------- driver


def run_sweep(scenario: Scenario, varies: Sequence[tuple[str, Sequence[VaryValue]]], *,
              problem: ProblemData, out_dir: str | os.PathLike[str],
              scheduler: str | Client | None = None, max_workers: int = 2,
              resume: bool = True, progress: bool = True,
              reference: Plan | Sequence[Plan] | None = None,
              agree_with: Plan | None = None) -> pd.DataFrame:
    """Solve every combination of ``varies`` and write the sweep's outputs.

    Parameters
    ----------
    scenario
        The base scenario; each case overrides the varied keys.
    varies
        ``(dotted key, values)`` pairs, e.g. from :func:`parse_vary`.
    problem
        The travel-time problem shared by every case (sent to each worker once).
    out_dir
        Folder for ``plans/<id>/``, ``sweep.csv``, ``sweep.parquet``,
        ``pareto.png`` and ``pareto.html``.
    scheduler
        ``None`` for local processes; a Dask scheduler address
        ``tcp://HOST:PORT`` or a ``dask.distributed.Client`` to run on Dask.
    max_workers
        Local worker processes (ignored on Dask). With 1 the cases are solved
        in this process, one after the other, with the scenario's own thread
        count; otherwise every solve uses one thread.
    resume
        Load cases already finished in ``out_dir`` (same scenario, same
        problem) instead of solving them again.
    progress
        Show a progress bar.
    reference
        A plan or plans to mark on the Pareto plot; ``None`` picks the shipped
        reference plans covering exactly ``problem``'s area (NIVI 2023 for
        Troms og Finnmark); ``()`` marks none.
    agree_with
        A plan to measure every case's plan against: the table gets the
        agreement columns (``agreement_ari``, ``agreement_placed``,
        ``agreement_identical_regions``, ``agreement_differing``; see
        ``docs/metrics.md``).

    Returns
    -------
    pandas.DataFrame
        One row per case, in the order of :func:`sweep_cases`: ``id``, the
        varied keys, the solve's ``status``, ``objective``, ``travel``,
        ``balance``, ``bound``, ``gap``, ``seconds``, ``solver``, the plan
        metrics, the agreement columns (with ``agree_with``), ``pareto``
        (non-dominated), ``plan_path`` and ``reason`` (why a case is
        infeasible or failed).

    Raises
    ------
    ScenarioError
        If a ``--vary`` key or value makes an invalid scenario, or the
        scheduler is unusable.
    """
    cases = sweep_cases(scenario, varies)
    return run_cases(cases, problem=problem, out_dir=out_dir, scheduler=scheduler,
                     max_workers=max_workers, resume=resume, progress=progress,
                     reference=reference, agree_with=agree_with)


def run_cases(cases: Sequence[SweepCase], *, problem: ProblemData,
              out_dir: str | os.PathLike[str], scheduler: str | Client | None = None,
              max_workers: int = 2, resume: bool = True, progress: bool = True,
              reference: Plan | Sequence[Plan] | None = None,
              agree_with: Plan | None = None) -> pd.DataFrame:
    """Solve ``cases`` (all overriding the same keys) and write the sweep's outputs.

    :func:`run_sweep` on a list of cases chosen by the caller; the options are
    those of :func:`run_sweep`.

    Returns
    -------
    pandas.DataFrame
        As :func:`run_sweep`, in the order of ``cases``.
    """
    records, _ = solve_cases(cases, problem=problem, out_dir=out_dir, scheduler=scheduler,
                             max_workers=max_workers, resume=resume, progress=progress)
    table = sweep_table(cases, records, problem=problem, out_dir=out_dir, agree_with=agree_with)
    write_sweep(table, out_dir, problem=problem, varied=varied_keys(cases), reference=reference)
    return table


def varied_keys(cases: Sequence[SweepCase]) -> list[str]:
    """The keys the cases override, in ``--vary`` order."""
    return [k for k, _ in cases[0].overrides] if cases else []


def solve_cases(cases: Sequence[SweepCase], *, problem: ProblemData,
                out_dir: str | os.PathLike[str], scheduler: str | Client | None = None,
                max_workers: int = 2, resume: bool = True,
                progress: bool = True) -> tuple[dict[str, dict[str, Any]], int]:
    """Solve the cases not already finished in ``out_dir``; write each to ``plans/<id>/``.

    Options as in :func:`run_sweep`.

    Returns
    -------
    tuple
        ``(records, solved)``: the record of every case by id (as in its
        ``result.json``) and how many were solved now (not loaded).
    """
    if max_workers < 1:
        raise ScenarioError(f"max_workers={max_workers}: need at least one worker")
    check_scheduler(scheduler)  # before anything is written
    out = Path(out_dir)
    pdigest = problem_digest(problem)
    digests = {c.id: {"scenario_sha256": scenario_digest(c.scenario), "problem_sha256": pdigest}
               for c in cases}
    records: dict[str, dict[str, Any]] = {}
    if resume:
        for c in cases:
            rec = load_case(out, c, digests[c.id])
            if rec is not None:
                records[c.id] = rec
    todo = [c for c in cases if c.id not in records]
    log.info("sweep: %d scenarios, %d already finished, %d to solve",
             len(cases), len(records), len(todo))
    if todo:
        claim_case(out)  # before the first solve: an interrupted first run can resume
        records.update(_solve_all(todo, problem=problem, out=out, scheduler=scheduler,
                                  max_workers=max_workers, progress=progress, digests=digests))
    return records, len(todo)


def sweep_table(cases: Sequence[SweepCase], records: dict[str, dict[str, Any]], *,
                problem: ProblemData, out_dir: str | os.PathLike[str],
                agree_with: Plan | None = None) -> pd.DataFrame:
    """The sweep table of ``cases`` (see :func:`run_sweep`), with ``pareto`` computed."""
    table = case_table(cases, records)
    if agree_with is not None:
        table = add_agreement(table, Path(out_dir), agree_with, problem)
    table.insert(table.columns.get_loc("plan_path"), "pareto",
                 pareto.pareto_mask(table["person_minutes"], table["population_cv"]))
    return table


def write_sweep(table: pd.DataFrame, out_dir: str | os.PathLike[str], *, problem: ProblemData,
                varied: Sequence[str],
                reference: Plan | Sequence[Plan] | None = None) -> None:
    """Write ``sweep.csv``, ``sweep.parquet``, ``pareto.png`` and ``pareto.html``.

    ``plans/<id>/`` folders of cases not in ``table`` are removed, and the folder's
    manifest lists the sweep's files (:func:`~regionopt.sweep.store.claim_folder`).
    """
    ids = [str(i) for i in table["id"]]
    drop_stale_cases(out_dir, ids)
    write_table(table, out_dir)
    pareto.write_pareto(table, out_dir, varied=varied,
                        references=reference_points(problem, reference))
    claim_folder(out_dir, ids)


def _solve_all(todo: Sequence[SweepCase], *, problem: ProblemData, out: Path,
               scheduler: str | Client | None, max_workers: int, progress: bool,
               digests: dict[str, dict[str, str]]) -> dict[str, dict[str, Any]]:
    parallel = is_parallel(scheduler, max_workers)
    if parallel:
        log.info("sweep: several solves run at once, each with one solver thread")
    jobs = [(c, single_thread(c.scenario) if parallel else c.scenario) for c in todo]
    solved = {c.id: s for c, s in jobs}
    by_id = {c.id: c for c in todo}
    stream = run_tasks(solve_case, [(c.id, (s,)) for c, s in jobs], shared=(problem,),
                       scheduler=scheduler, workers=max_workers, what="sweep",
                       progress=progress, unit="scenario")
    records: dict[str, dict[str, Any]] = {}
    try:
        for cid, outcome in stream:
            case = by_id[str(cid)]
            if outcome["status"] == "error":
                log.warning("sweep: %s (%s) failed: %s", cid, case.label(), outcome["reason"])
                records[case.id] = {**outcome, "plan_path": None}
            else:
                write_case(out, case, solved[case.id], outcome, digests[case.id])
                claim_case(out, case.id)
                records[case.id] = json.loads((case_dir(out, case) / RESULT_JSON).read_text(
                    encoding="utf-8"))
    finally:
        stream.close()  # left early, the pool stops now, not when collected
    return records


def reference_points(problem: ProblemData, reference: Plan | Sequence[Plan] | None
                     ) -> list[tuple[str, dict[str, Any]]]:
    """``(name, metrics summary)`` of the plans to mark (``None``: the shipped ones)."""
    if reference is None:
        reference = reference_plans_for(problem)
    plans = [reference] if isinstance(reference, Plan) else list(reference)
    return [(p.name, jsonable(dict(evaluate(p, problem).summary))) for p in plans]

