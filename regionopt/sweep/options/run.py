"""Every municipality's directions on the sweep machinery: processes or Dask, resumable.

:func:`run_options` solves the scenario once (the base, with the reduced-cost bounds when
pruning), sends it to every worker once (the process pool's initializer, or
``client.scatter`` on Dask), and prices each municipality's directions in a task of its
own (:func:`regionopt.sweep.options.price.municipality_options`; a municipality's directions are
solved in the order of their bounds, so pruning needs them in one task). Each finished
municipality is written to ``municipalities/<code>.json`` at once, with the digests of the
scenario and the problem, so an interrupted run resumes where it stopped. The whole run ends
in ``options.csv``, ``options.parquet``, ``options.json`` and ``options.html``
(:func:`write_options`).
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from regionopt.errors import RegionoptError
from regionopt.io import MANIFEST, atomic_write_text, atomic_write_with
from regionopt.problem import ProblemData
from regionopt.scenario import Scenario
from regionopt.sweep.cases import single_thread
from regionopt.sweep.options.price import (
    COLUMNS,
    NO_PLAN_LIMIT_S,
    Base,
    municipality_options,
    plan_cores,
    solve_base,
)
from regionopt.sweep.pool import check_scheduler, run_tasks
from regionopt.sweep.store import claim_files, jsonable, problem_digest, scenario_digest

if TYPE_CHECKING:
    # lazy: dask's distributed is heavy and only Dask runs need it
    from distributed import Client

log = logging.getLogger(__name__)

RECORDS_DIR = "municipalities"
OPTIONS_FILES = ("options.csv", "options.parquet", "options.json", "options.html")

@dataclass(frozen=True)
class OptionsRun:
    """The outcome of :func:`run_options`.

    Attributes
    ----------
    table
        One row per municipality and direction (:data:`~regionopt.sweep.options.price.COLUMNS`),
        by municipality then rank.
    records
        Per kommunenummer: ``rows`` and ``plans`` (core code -> ``cores[i]`` list), or
        ``error``.
    base
        The unrestricted optimum of the scenario as given.
    scenario
        The scenario solved (one solver thread when several solves run at once).
    solved
        How many municipalities were priced now (not loaded).
    """

    table: pd.DataFrame
    records: dict[str, dict[str, Any]]
    base: Base
    scenario: Scenario
    solved: int


#: What every task shares: problem, scenario, base, ``prune``, ``whole`` and ``no_plan_s``.
_Shared = tuple[ProblemData, Scenario, Base, bool, bool, float]


def price_municipality(problem: ProblemData, scenario: Scenario, code: str, base: Base,
                       prune: bool, whole: bool = True,
                       no_plan_s: float = NO_PLAN_LIMIT_S) -> dict[str, Any]:
    """One task: ``code``'s rows and plans as plain JSON-able data (errors recorded)."""
    try:
        rows, plans = municipality_options(problem, scenario, code, base=base, prune=prune,
                                           whole=whole, no_plan_s=no_plan_s)
    except RegionoptError as exc:
        return {"code": code, "error": f"{type(exc).__name__}: {exc}"}
    return jsonable({"code": code, "rows": rows,
                     "plans": {core: plan_cores(problem, p) for core, p in sorted(plans.items())}})


def _price(problem: ProblemData, scenario: Scenario, base: Base, prune: bool, whole: bool,
           no_plan_s: float, code: str) -> dict[str, Any]:
    """A pool task: :func:`price_municipality` with the shared arguments first."""
    return price_municipality(problem, scenario, code, base, prune, whole, no_plan_s)


def _record_path(out: Path, code: str) -> Path:
    return out / RECORDS_DIR / f"{code}.json"


def _load(out: Path, code: str, digest: dict[str, Any]) -> dict[str, Any] | None:
    path = _record_path(out, code)
    try:
        rec = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return rec if isinstance(rec, dict) and rec.get("digest") == digest else None


def _digest(scenario: Scenario, problem: ProblemData, prune: bool, whole: bool,
            no_plan_s: float) -> dict[str, Any]:
    """What a finished municipality's record must match to be resumed."""
    out: dict[str, Any] = {"scenario_sha256": scenario_digest(scenario),
                           "problem_sha256": problem_digest(problem), "prune": prune,
                           "whole": whole}
    if not whole:
        out["no_plan_s"] = no_plan_s
    return out


def run_options(scenario: Scenario, codes: Sequence[str], *, problem: ProblemData,
                out_dir: str | os.PathLike[str], prune: bool = True, whole: bool = True,
                no_plan_s: float = NO_PLAN_LIMIT_S,
                scheduler: str | Client | None = None, max_workers: int = 2,
                resume: bool = True, progress: bool = True) -> OptionsRun:
    """Price every direction of each municipality of ``codes``; write each as it finishes.

    Parameters
    ----------
    scenario
        The scenario as given (each municipality's own links are released in its task).
    codes
        The municipalities, by kommunenummer.
    problem
        The problem shared by every task.
    out_dir
        Folder for ``municipalities/<code>.json`` (the final files: :func:`write_options`).
    prune
        Skip directions a bound proves dearer than the cheapest other one (said in ``reason``).
    whole
        Solve the whole area for a direction the cheaper proofs leave open (``False``:
        ``--bounds-only``, its local plan and gap).
    no_plan_s
        With ``whole=False``: seconds more for a direction without a local plan, a longer
        search of its neighbourhood and then the whole area (0: none; ``--no-plan-seconds``).
    scheduler
        ``None`` for local processes; a Dask scheduler address or ``Client``.
    max_workers
        Local worker processes (1: in this process, with the scenario's own threads).
    resume
        Load municipalities already priced in ``out_dir`` under the same scenario and problem.
    progress
        Show a progress bar.

    Returns
    -------
    OptionsRun

    Raises
    ------
    InfeasibleError
        If the scenario has no feasible plan.
    """
    parallel = scheduler is not None or (max_workers > 1 and len(codes) > 1)
    if parallel:
        scenario = single_thread(scenario)
    check_scheduler(scheduler)  # before the base solve and anything written
    base = solve_base(problem, scenario, with_bounds=prune)
    out = Path(out_dir)
    digest = _digest(scenario, problem, prune, whole, no_plan_s)
    records: dict[str, dict[str, Any]] = {}
    if resume:
        for code in codes:
            rec = _load(out, code, digest)
            if rec is not None:
                records[code] = rec
    todo = [c for c in codes if c not in records]
    log.info("options: %d municipalities, %d already priced, %d to price", len(codes),
             len(records), len(todo))
    shared: _Shared = (problem, scenario, base, prune, whole, no_plan_s)
    if todo:
        claim_files(out)  # before the first record: an interrupted first run resumes
    stream = run_tasks(_price, [(c, (c,)) for c in todo], shared=shared,
                       scheduler=scheduler if parallel else None,
                       workers=max_workers if parallel else 1, what="options",
                       progress=progress, unit="municipality")
    try:
        for _, rec in stream:
            code = rec["code"]
            if "error" in rec:
                log.warning("options: %s failed: %s", code, rec["error"])
            else:
                rec["digest"] = digest
                atomic_write_text(_record_path(out, code),
                                  json.dumps(rec, sort_keys=True, ensure_ascii=False))
                claim_files(out, [f"{RECORDS_DIR}/{code}.json"])
            records[code] = rec
    finally:
        stream.close()  # left early, the pool stops now, not when collected
    return OptionsRun(table=options_table(codes, records), records=records, base=base,
                      scenario=scenario, solved=len(todo))


def options_table(codes: Sequence[str], records: dict[str, dict[str, Any]]) -> pd.DataFrame:
    """The rows of ``codes`` (in that order, each by rank) as one table."""
    rows = [row for c in codes for row in records.get(c, {}).get("rows", [])]
    return pd.DataFrame(rows, columns=list(COLUMNS))


#: Wall-clock columns: kept in ``municipalities/<code>.json``, left out of the final files.
TIMED = ("seconds",)


def _untimed(rec: dict[str, Any]) -> dict[str, Any]:
    rows = [{k: v for k, v in r.items() if k not in TIMED} for r in rec.get("rows", [])]
    return {**{k: v for k, v in rec.items() if k != "digest"}, "rows": rows}


def write_options(run: OptionsRun, out_dir: str | os.PathLike[str], *, problem: ProblemData,
                  html: str | None = None) -> list[str]:
    """Write ``options.csv``, ``options.parquet``, ``options.json`` (and ``options.html``).

    Byte-identical for the same inputs: the solve times (:data:`TIMED`) stay in the
    municipalities' records.

    The folder's manifest then lists these files and ``municipalities/`` (only the records
    of this run's municipalities are kept). Returns the names written.
    """
    out = Path(out_dir)
    table = run.table.drop(columns=list(TIMED))  # same inputs, same bytes
    atomic_write_text(out / "options.csv", table.to_csv(index=False, lineterminator="\n"))
    atomic_write_with(out / "options.parquet", lambda p: table.to_parquet(p, index=False))
    summary = {
        "scenario": run.scenario.name,
        "base": {"objective": run.base.objective, "status": run.base.status,
                 "gap": run.base.gap, "cores": list(run.base.cores)},
        "codes": list(problem.codes),
        "municipalities": {c: _untimed(run.records[c]) for c in sorted(run.records)},
    }
    atomic_write_text(out / "options.json",
                      json.dumps(jsonable(summary), sort_keys=True, ensure_ascii=False, indent=1))
    if html is not None:
        atomic_write_text(out / "options.html", html)
    keep = {f"{c}.json" for c in run.records}
    folder = out / RECORDS_DIR
    if folder.is_dir():
        for path in sorted(folder.iterdir()):
            if path.suffix == ".json" and path.name not in keep:
                path.unlink()
    names = [n for n in OPTIONS_FILES if (out / n).is_file()]
    names += [f"{RECORDS_DIR}/{n}" for n in sorted(keep) if (folder / n).is_file()]
    atomic_write_text(out / MANIFEST, "".join(f"{n}\n" for n in sorted(names)))
    return names


__all__ = ["OPTIONS_FILES", "OptionsRun", "options_table", "price_municipality",
           "run_options", "write_options"]
