"""Files of a sweep: one folder per finished case, resume, and the sweep table.

Every finished case of :func:`regionopt.sweep.run_sweep` is written to
``plans/<id>/`` (``scenario.toml``, ``plan.csv``, ``metrics.json`` and, last,
``result.json``, which marks the case complete). A stored case is reused only
while the SHA-256 of its scenario and of the travel-time problem are unchanged
and its plan file is still there. The sweep's table goes to ``sweep.csv`` and
``sweep.parquet``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from regionopt.evaluate.agreement import AGREEMENT_COLUMNS, agreement, agreement_columns
from regionopt.evaluate.criteria import PASS_COLUMNS
from regionopt.io import MANIFEST, atomic_write_text, atomic_write_with, owned_files
from regionopt.plan import Plan, read_plan
from regionopt.problem import ProblemData
from regionopt.scenario import Scenario, scenario_to_toml
from regionopt.sweep.cases import SweepCase, format_value

log = logging.getLogger(__name__)

SWEEP_CSV = "sweep.csv"
SWEEP_PARQUET = "sweep.parquet"
PLANS_DIR = "plans"
RESULT_JSON = "result.json"
#: The files a case folder may hold.
CASE_FILES = frozenset({"scenario.toml", "plan.csv", "metrics.json", RESULT_JSON, "map.html"})
RESULT_COLUMNS = ("status", "objective", "travel", "balance", "bound", "gap", "seconds", "solver")
METRIC_COLUMNS = (
    "person_minutes",
    "mean_minutes_per_inhabitant",
    "max_minutes",
    "smallest_region_population",
    "largest_region_population",
    "population_cv",
    "regions_not_connected",
    "regions",
    # with commuting flows and centrality (empty without them): docs/metrics.md
    "self_containment_min",
    "commuting_kept_share",
    "border_commuters",
    "weakest_core_class",
    # regions meeting each criterion of the case's [criteria], and all of them
    *PASS_COLUMNS,
)


# --------------------------------------------------------------------------- case files


def problem_digest(problem: ProblemData) -> str:
    """Return a SHA-256 of everything in ``problem`` that a solve depends on."""
    h = hashlib.sha256()
    h.update(json.dumps([problem.codes, problem.counties, problem.edges]).encode("utf-8"))
    h.update(np.ascontiguousarray(problem.population, dtype="<i8").tobytes())
    h.update(np.ascontiguousarray(problem.minutes, dtype="<f8").tobytes())
    return h.hexdigest()


def scenario_digest(scenario: Scenario) -> str:
    """Return a SHA-256 of ``scenario`` written as TOML (every default filled)."""
    return hashlib.sha256(scenario_to_toml(scenario).encode("utf-8")).hexdigest()


def case_dir(out_dir: Path, case: SweepCase) -> Path:
    """Return the folder ``plans/<id>/`` of ``case`` inside ``out_dir``."""
    return out_dir / PLANS_DIR / case.id


def _dump_json(obj: object) -> str:
    return json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False) + "\n"


def write_case(out_dir: Path, case: SweepCase, solved: Scenario, outcome: dict[str, Any],
               digests: dict[str, str]) -> None:
    """Write one finished case; ``result.json`` goes last and marks it complete.

    Parameters
    ----------
    out_dir
        The sweep's folder.
    case
        The case solved.
    solved
        The scenario as solved (with the solver thread count actually used).
    outcome
        The solve's plain record: result columns, ``reason``, ``metrics``,
        and ``assignment``/``cores`` (``None`` without a plan).
    digests
        ``scenario_sha256`` and ``problem_sha256``, stored for resume.
    """
    folder = case_dir(out_dir, case)
    atomic_write_text(folder / "scenario.toml", scenario_to_toml(solved))
    plan_path = None
    if outcome["assignment"] is not None:
        plan = Plan(assignment=outcome["assignment"], cores=outcome["cores"],
                    name=f"sweep {case.id}")
        atomic_write_text(folder / "plan.csv", plan.to_frame().to_csv(index=False,
                                                                      lineterminator="\n"))
        atomic_write_text(folder / "metrics.json", _dump_json(outcome["metrics"]))
        plan_path = f"{PLANS_DIR}/{case.id}/plan.csv"
    record = {k: v for k, v in outcome.items() if k not in ("assignment", "cores")}
    record.update(id=case.id, overrides=[list(o) for o in case.overrides], plan_path=plan_path,
                  **digests)
    atomic_write_text(folder / RESULT_JSON, _dump_json(jsonable(record)))


def load_case(out_dir: Path, case: SweepCase, digests: dict[str, str]) -> dict[str, Any] | None:
    """Return the stored record of ``case`` if it is complete and still current.

    Returns
    -------
    dict or None
        ``None`` when ``result.json`` is missing or unreadable, a digest in
        ``digests`` differs from the stored one, or the plan file is gone.
    """
    path = case_dir(out_dir, case) / RESULT_JSON
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        log.warning("%s: unreadable (%s); solving %s again", path, exc, case.id)
        return None
    stale = [k for k, v in digests.items() if record.get(k) != v]
    if stale:
        log.info("%s: %s changed since it was solved; solving again", case.id,
                 stale[0].removesuffix("_sha256"))
        return None
    plan_path = record.get("plan_path")
    if plan_path and not (out_dir / plan_path).is_file():
        log.info("%s: %s is missing; solving again", case.id, plan_path)
        return None
    return record


# --------------------------------------------------------------------------- table


def case_table(cases: Sequence[SweepCase], records: dict[str, dict[str, Any]]) -> pd.DataFrame:
    """Return the sweep table: one row per case, columns typed for Parquet.

    Parameters
    ----------
    cases
        The cases, in table order.
    records
        The record of every case by id (as written to ``result.json``).

    Returns
    -------
    pandas.DataFrame
        ``id``, the varied keys, the result columns, the plan metrics and
        criteria pass counts (:data:`METRIC_COLUMNS`, empty where the problem
        has no commuting or centrality data; any other metric after them,
        sorted), ``plan_path`` and ``reason``.
    """
    keys = [k for k, _ in cases[0].overrides] if cases else []
    seen = {m for r in records.values() for m in (r.get("metrics") or {})}
    extra = sorted(seen - set(METRIC_COLUMNS) - {"plan"})
    rows = []
    for case in cases:
        rec = records[case.id]
        row: dict[str, Any] = {"id": case.id, **dict(case.overrides)}
        row.update({c: rec.get(c) for c in RESULT_COLUMNS})
        metrics = rec.get("metrics") or {}
        row.update({m: metrics.get(m) for m in (*METRIC_COLUMNS, *extra)})
        row.update(plan_path=rec.get("plan_path"), reason=rec.get("reason"))
        rows.append(row)
    columns = ["id", *keys, *RESULT_COLUMNS, *METRIC_COLUMNS, *extra, "plan_path", "reason"]
    df = pd.DataFrame(rows, columns=columns)
    for col in ("objective", "travel", "balance", "bound", "gap", "seconds",
                "person_minutes", "mean_minutes_per_inhabitant", "max_minutes", "population_cv",
                "self_containment_min", "commuting_kept_share"):
        df[col] = pd.to_numeric(df[col], errors="coerce").astype("float64")
    for col in ("smallest_region_population", "largest_region_population",
                "regions_not_connected", "regions", "border_commuters", "weakest_core_class",
                *PASS_COLUMNS):
        df[col] = pd.to_numeric(df[col], errors="coerce").astype("Int64")
    for col in extra:
        num = pd.to_numeric(df[col], errors="coerce")
        whole = num.dropna().map(lambda v: float(v).is_integer()).all()
        df[col] = num.astype("Int64") if whole else num
    for col in keys:
        df[col] = _uniform_column(df[col])
    return df


def add_agreement(table: pd.DataFrame, out_dir: Path, reference: Plan,
                  problem: ProblemData) -> pd.DataFrame:
    """Return ``table`` with each plan's agreement with ``reference``, before ``plan_path``.

    The plans are read back from their ``plan.csv`` (so resumed cases count
    too); cases without a plan get missing values. Columns:
    :data:`regionopt.evaluate.agreement.AGREEMENT_COLUMNS`.

    Raises
    ------
    DataError
        If ``reference`` does not cover ``problem``'s municipalities.
    """
    population = dict(zip(problem.codes, (int(p) for p in problem.population), strict=True))
    rows: list[dict[str, Any]] = []
    for path in table["plan_path"]:
        if not isinstance(path, str) or not path:
            rows.append(dict.fromkeys(AGREEMENT_COLUMNS))
            continue
        plan = read_plan(out_dir / path, problem=problem)
        rows.append(agreement_columns(agreement(plan, reference, population=population)))
    cells = pd.DataFrame(rows, columns=list(AGREEMENT_COLUMNS), index=table.index)
    out = table.copy()
    at = out.columns.get_loc("plan_path")
    for k, col in enumerate(AGREEMENT_COLUMNS):
        out.insert(at + k, col, cells[col])
    out["agreement_ari"] = pd.to_numeric(out["agreement_ari"]).astype("float64")
    for col in ("agreement_placed", "agreement_identical_regions"):
        out[col] = pd.to_numeric(out[col]).astype("Int64")
    out["agreement_differing"] = out["agreement_differing"].astype("string")
    return out


def _uniform_column(col: pd.Series) -> pd.Series:
    """Give a varied-value column one type (Parquet needs it): numbers, else text."""
    vals = [v for v in col if v is not None]
    if all(isinstance(v, bool) for v in vals):
        return col.astype("boolean")
    if all(isinstance(v, int) and not isinstance(v, bool) for v in vals):
        return col.astype("Int64")
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in vals):
        return col.astype("float64")
    return pd.Series([None if v is None else format_value(v) for v in col], index=col.index,
                     dtype="string", name=col.name)


def write_table(table: pd.DataFrame, out_dir: str | os.PathLike[str], *,
                stem: str = "sweep") -> None:
    """Write ``<stem>.csv`` and ``<stem>.parquet`` (``sweep``) into ``out_dir`` atomically."""
    out = Path(out_dir)
    # sums of rounded minutes carry float noise (8364890.490000001): 6 decimals in the CSV
    shown = table.copy()
    floats = shown.select_dtypes("float").columns
    shown[floats] = shown[floats].round(6)
    atomic_write_text(out / f"{stem}.csv", shown.to_csv(index=False, lineterminator="\n"))
    atomic_write_with(out / f"{stem}.parquet", lambda p: table.to_parquet(p, index=False))


def drop_stale_cases(out_dir: str | os.PathLike[str], keep: Sequence[str]) -> list[str]:
    """Remove ``plans/<id>/`` folders of cases no longer in the sweep.

    Only folders regionopt wrote (holding ``result.json`` or ``scenario.toml`` and
    nothing but case files) are removed, so that ``plans/`` matches ``sweep.csv``.

    Returns
    -------
    list of str
        The ids removed.
    """
    plans = Path(out_dir) / PLANS_DIR
    if not plans.is_dir():
        return []
    wanted = set(keep)
    dropped = []
    for folder in sorted(plans.iterdir()):
        if not folder.is_dir() or folder.name in wanted:
            continue
        names = {p.name for p in folder.iterdir()}
        if not names & {RESULT_JSON, "scenario.toml"} or not names <= CASE_FILES:
            log.warning("sweep: leaving %s, which is not in this sweep (not a case folder "
                        "regionopt wrote)", folder)
            continue
        shutil.rmtree(folder)
        dropped.append(folder.name)
    if dropped:
        log.info("sweep: removed %d plan folder(s) no longer in the sweep: %s", len(dropped),
                 ", ".join(dropped))
    return dropped


def claim_folder(out_dir: str | os.PathLike[str], case_ids: Sequence[str], *,
                 extra: Sequence[str] = ()) -> None:
    """List the sweep's files in the folder's manifest (:data:`regionopt.io.MANIFEST`).

    ``extra`` names further files the command wrote in the folder (a calibration's).
    """
    out = Path(out_dir)
    names = [n for n in (SWEEP_CSV, SWEEP_PARQUET, "pareto.png", "pareto.html", *extra)
             if (out / n).is_file()]
    for cid in sorted(case_ids):
        folder = out / PLANS_DIR / cid
        if folder.is_dir():
            names += [f"{PLANS_DIR}/{cid}/{p.name}" for p in sorted(folder.iterdir())
                      if p.is_file()]
    atomic_write_text(out / MANIFEST, "".join(f"{n}\n" for n in sorted(names)))


def claim_case(out_dir: str | os.PathLike[str], case_id: str | None = None) -> None:
    """Mark ``out_dir`` as a sweep's folder while the sweep runs, so that it can resume.

    Adds the files of ``plans/<case_id>/`` to the folder's manifest, creating the
    manifest if there is none yet (with ``case_id`` ``None``: before the first case is
    solved). An interrupted first sweep thus leaves a folder regionopt recognises as its
    own (:func:`regionopt.io.check_output_owner`), and the same command resumes it.
    """
    out = Path(out_dir)
    names = set(owned_files(out) or [])
    if case_id is None and (out / MANIFEST).is_file():
        return
    if case_id is not None:
        folder = out / PLANS_DIR / case_id
        names.update(f"{PLANS_DIR}/{case_id}/{p.name}" for p in folder.iterdir() if p.is_file())
    atomic_write_text(out / MANIFEST, "".join(f"{n}\n" for n in sorted(names)))


def claim_files(out_dir: str | os.PathLike[str], names: Sequence[str] = ()) -> None:
    """Add ``names`` (relative paths) to the folder's manifest, creating it if there is none.

    A long run that writes its records one by one (``regionopt options``) claims its folder
    before the first and each record as written, so that an interrupted run resumes
    (:func:`regionopt.io.check_output_owner`).
    """
    out = Path(out_dir)
    have = owned_files(out)
    if have is not None and set(names) <= set(have):
        return
    listed = sorted({*(have or []), *names})
    atomic_write_text(out / MANIFEST, "".join(f"{n}\n" for n in listed))


# --------------------------------------------------------------------------- values


def jsonable(obj: Any) -> Any:
    """Turn numpy scalars, tuples and NaN into plain JSON values."""
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [jsonable(v) for v in obj]
    if isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float) and not np.isfinite(obj):
        return None
    return obj
