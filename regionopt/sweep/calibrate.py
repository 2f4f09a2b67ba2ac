"""Calibration: which scenario's optimum comes closest to a reference plan.

``regionopt calibrate --reference PLAN --vary KEY=VALUES ...`` solves scenarios
on the sweep machinery (resume, local processes or Dask; :mod:`.run`) and ranks
each optimum by its agreement with the reference
(:mod:`regionopt.evaluate.agreement`): adjusted Rand index first, then
municipalities placed as the reference does, then fewer person-minutes, then
the case id. Any scenario key may be varied except those that fix membership
(``must_link``, ``cannot_link``, ``fixed_cores``: they would write the answer
into the question) and the area (every case shares one travel-time problem).

Two searches over the grid the ``--vary`` values span:

- ``grid`` solves every combination;
- ``refine`` (the default) solves a coarse sub-grid (each key's first and last
  value and about every other half), then, round after round, the cases one
  step away along every key from the ``beam`` best found so far, halving the
  step each round, until at step one no unsolved neighbour of the best
  remains. It solves far fewer cases than the grid, and may miss a best case
  that sits in a narrow valley between coarse points; ``grid`` does not.

:func:`calibrate` writes, next to the sweep's own files (``sweep.csv`` with
the agreement columns and ``rank``, ``pareto.png``/``.html``), the Pareto
front of agreement against person-minutes (``agreement.png``/``.html``), the
best scenario (``best.toml``), the best plan beside the reference with the
differing municipalities outlined (``best_vs_reference.html``, given the
municipalities' geometry) and ``calibration.json``.
"""

from __future__ import annotations

import itertools
import json
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from regionopt.errors import ScenarioError
from regionopt.evaluate.agreement import agreement
from regionopt.evaluate.metrics import compare, evaluate
from regionopt.evaluate.report import agreement_to_dict, text_table
from regionopt.io import atomic_write_text
from regionopt.maps.html import write_compare_map
from regionopt.plan import Plan, read_plan
from regionopt.problem import ProblemData
from regionopt.scenario import Scenario, replace_key, scenario_to_toml
from regionopt.sweep import pareto
from regionopt.sweep.cases import SweepCase, VaryValue, case_id, format_value, sweep_cases
from regionopt.sweep.run import reference_points, solve_cases, sweep_table, write_sweep
from regionopt.sweep.store import claim_folder, jsonable

if TYPE_CHECKING:
    import geopandas as gpd

    # lazy: dask's distributed is heavy and only Dask sweeps need it
    from distributed import Client

log = logging.getLogger(__name__)

MEMBERSHIP_KEYS = ("constraints.must_link", "constraints.cannot_link",
                   "constraints.fixed_cores")
"""Keys that fix which municipality goes where: never varied by calibration."""
SEARCHES = ("refine", "grid")
BEST_TOML = "best.toml"
BEST_MAP = "best_vs_reference.html"
CALIBRATION_JSON = "calibration.json"

Varies = Sequence[tuple[str, Sequence[VaryValue]]]


@dataclass(frozen=True)
class Calibration:
    """The outcome of :func:`calibrate`.

    Attributes
    ----------
    table
        Every case solved, ranked (column ``rank``, 1 = closest to the
        reference; cases without a plan have none), with the agreement columns.
    best
        The best-ranked case, or ``None`` if no case has a plan.
    reference
        The reference plan's name.
    search
        ``"refine"`` or ``"grid"``.
    grid
        The number of cases in the full grid.
    rounds
        Rounds of the search (1 for ``grid``).
    solved_now
        Cases solved in this run (the others were loaded from ``out_dir``).
    """

    table: pd.DataFrame
    best: SweepCase | None
    reference: str
    search: str
    grid: int
    rounds: int
    solved_now: int

    @property
    def solves(self) -> int:
        """Cases solved by the search, in this run or an earlier one it resumed."""
        return len(self.table)


def check_keys(varies: Varies) -> None:
    """Refuse keys calibration must not vary.

    Raises
    ------
    ScenarioError
        Naming the first membership key (:data:`MEMBERSHIP_KEYS`) or area key.
    """
    for key, _ in varies:
        if key in MEMBERSHIP_KEYS:
            raise ScenarioError(f"--vary {key}: calibration never varies membership "
                                "(must_link, cannot_link, fixed_cores decide the answer)")
        if key.startswith("area."):
            raise ScenarioError(f"--vary {key}: calibration compares plans of one area; "
                                "set the area in the scenario instead")


def rank_cases(table: pd.DataFrame) -> pd.DataFrame:
    """Return ``table`` sorted by agreement, with ``rank`` (1 = best) as first column.

    Order: ``agreement_ari`` (highest first), ``agreement_placed`` (most
    first), ``person_minutes`` (fewest first), ``id``. Cases without a plan
    come last, with no rank.
    """
    has = table["agreement_ari"].notna()
    ranked = table.assign(_ari=-table["agreement_ari"].astype("float64"),
                          _placed=-table["agreement_placed"].astype("float64"))
    ranked = ranked.sort_values(["_ari", "_placed", "person_minutes", "id"],
                                kind="mergesort", na_position="last")
    ranked = ranked.drop(columns=["_ari", "_placed"]).reset_index(drop=True)
    n = int(has.sum())
    ranked.insert(0, "rank", pd.array([*range(1, n + 1), *([None] * (len(ranked) - n))],
                                      dtype="Int64"))
    return ranked


# --------------------------------------------------------------------------- search


def _case(scenario: Scenario, varies: Varies, at: tuple[int, ...]) -> SweepCase:
    overrides = tuple((key, values[i]) for (key, values), i in zip(varies, at, strict=True))
    s = scenario
    for key, value in overrides:
        s = replace_key(s, key, value)
    return SweepCase(id=case_id(overrides), overrides=overrides, scenario=s)


def _coarse(n: int, step: int) -> list[int]:
    return sorted({*range(0, n, step), n - 1})


def _neighbours(at: tuple[int, ...], steps: Sequence[int], sizes: Sequence[int]
                ) -> list[tuple[int, ...]]:
    """Every lattice point at most one step away from ``at`` along every key."""
    axes = [sorted({i for i in (a - s, a, a + s) if 0 <= i < n})
            for a, s, n in zip(at, steps, sizes, strict=True)]
    return list(itertools.product(*axes))


@dataclass
class _Search:
    """The cases solved so far and their records."""

    scenario: Scenario
    varies: Varies
    problem: ProblemData
    reference: Plan
    out: Path
    options: dict[str, Any]
    cases: dict[tuple[int, ...], SweepCase]
    records: dict[str, dict[str, Any]]
    solved_now: int = 0

    def run(self, points: Sequence[tuple[int, ...]]) -> pd.DataFrame:
        new = [p for p in dict.fromkeys(points) if p not in self.cases]
        fresh = {p: _case(self.scenario, self.varies, p) for p in new}
        if fresh:
            records, solved = solve_cases(list(fresh.values()), problem=self.problem,
                                          out_dir=self.out, **self.options)
            self.records.update(records)
            self.solved_now += solved
            self.cases.update(fresh)
        return self.table()

    def table(self) -> pd.DataFrame:
        order = sorted(self.cases)
        table = sweep_table([self.cases[p] for p in order], self.records, problem=self.problem,
                            out_dir=self.out, agree_with=self.reference)
        table.insert(1, "_at", pd.Series(order, index=table.index, dtype=object))
        return rank_cases(table)


def _refine(search: _Search, *, beam: int) -> tuple[pd.DataFrame, int]:
    sizes = [len(values) for _, values in search.varies]
    steps = [max(1, (n - 1) // 2) for n in sizes]
    table = search.run(list(itertools.product(*(_coarse(n, s) for n, s in zip(sizes, steps,
                                                                                strict=True)))))
    rounds = 1
    while True:
        top = [tuple(at) for at in table.loc[table["rank"].notna(), "_at"].head(beam)]
        if not top:
            break
        steps = [max(1, s // 2) for s in steps]
        points = [p for at in top for p in _neighbours(at, steps, sizes)]
        if all(p in search.cases for p in points):
            if all(s == 1 for s in steps):
                break
            continue
        table = search.run(points)
        rounds += 1
        log.info("calibrate: round %d, %d cases solved, best ARI %.4f", rounds, len(table),
                 float(table["agreement_ari"].iloc[0]))
    return table, rounds


# --------------------------------------------------------------------------- driver


def calibrate(scenario: Scenario, varies: Varies, *, problem: ProblemData, reference: Plan,
              out_dir: str | os.PathLike[str], search: str = "refine", beam: int = 2,
              municipalities: gpd.GeoDataFrame | None = None, lang: str = "nb",
              scheduler: str | Client | None = None, max_workers: int = 2,
              resume: bool = True, progress: bool = True) -> Calibration:
    """Find the scenario whose optimum agrees best with ``reference``.

    Parameters
    ----------
    scenario
        The base scenario; each case overrides the varied keys.
    varies
        ``(dotted key, values)`` pairs, as from :func:`regionopt.sweep.parse_vary`.
    problem
        The travel-time problem every case is solved on.
    reference
        The plan to reproduce (same municipalities as ``problem``).
    out_dir
        Folder for the sweep's files and the calibration's (module docstring).
    search
        ``"refine"`` (successive refinement, the default) or ``"grid"``.
    beam
        How many of the best cases ``refine`` searches around each round.
    municipalities
        The municipalities' geometry; with it, ``best_vs_reference.html`` is drawn.
    lang
        Language of the map.
    scheduler, max_workers, resume, progress
        As in :func:`regionopt.sweep.run_sweep`.

    Returns
    -------
    Calibration

    Raises
    ------
    ScenarioError
        If a varied key fixes membership or the area, a ``--vary`` value makes
        an invalid scenario, or ``search``/``beam`` is unknown.
    DataError
        If ``reference`` does not cover ``problem``'s municipalities.
    """
    check_keys(varies)
    if search not in SEARCHES:
        raise ScenarioError(f"--search {search!r}: expected one of {', '.join(SEARCHES)}")
    if beam < 1:
        raise ScenarioError(f"--beam {beam}: need at least 1")
    grid = sweep_cases(scenario, varies)  # validates every combination up front
    out = Path(out_dir)
    options = {"scheduler": scheduler, "max_workers": max_workers, "resume": resume,
               "progress": progress}
    state = _Search(scenario=scenario, varies=varies, problem=problem, reference=reference,
                    out=out, options=options, cases={}, records={})
    if search == "grid":
        table = state.run(list(itertools.product(*(range(len(v)) for _, v in varies))))
        rounds = 1
    else:
        table, rounds = _refine(state, beam=beam)
    table = table.drop(columns="_at")
    best = None
    if table["rank"].notna().any():
        best = next(c for c in state.cases.values() if c.id == table["id"].iloc[0])
    result = Calibration(table=table, best=best, reference=reference.name, search=search,
                         grid=len(grid), rounds=rounds, solved_now=state.solved_now)
    _write(result, problem=problem, reference=reference, out=out, varies=varies,
           municipalities=municipalities, lang=lang)
    log.info("calibrate: %d of %d grid cases solved (%d now) in %d rounds", result.solves,
             result.grid, result.solved_now, rounds)
    return result


def _write(result: Calibration, *, problem: ProblemData, reference: Plan, out: Path,
           varies: Varies, municipalities: gpd.GeoDataFrame | None, lang: str) -> None:
    keys = [k for k, _ in varies]
    write_sweep(result.table, out, problem=problem, varied=keys, reference=reference)
    refs = [(n, {**m, "agreement_ari": 1.0}) for n, m in reference_points(problem, reference)]
    pareto.write_pareto(result.table, out, varied=keys, references=refs, axes=pareto.AGREEMENT)
    summary: dict[str, Any] = {
        "reference": reference.name, "search": result.search, "grid_cases": result.grid,
        "cases_solved": result.solves, "rounds": result.rounds,
        "varied": {k: [format_value(v) for v in values] for k, values in varies},
        "best": None,
    }
    if result.best is not None:
        row = result.table.iloc[0]
        plan = read_plan(out / str(row["plan_path"]), problem=problem,
                         name=f"calibrated ({result.best.label()})")
        population = dict(zip(problem.codes, (int(p) for p in problem.population), strict=True))
        agr = agreement(plan, reference, population=population)
        summary["best"] = {"id": result.best.id,
                           "overrides": {k: format_value(v) for k, v in result.best.overrides},
                           "person_minutes": round(float(row["person_minutes"]), 2),
                           "agreement": agreement_to_dict(agr)}
        atomic_write_text(out / BEST_TOML, _best_toml(result, result.best, agr))
        if municipalities is not None:
            write_compare_map(plan, reference, municipalities, path=out / BEST_MAP,
                              metrics_a=evaluate(plan, problem),
                              metrics_b=evaluate(reference, problem),
                              comparison=compare(plan, reference, problem), lang=lang)
    atomic_write_text(out / CALIBRATION_JSON,
                      json.dumps(jsonable(summary), indent=2, sort_keys=True,
                                 ensure_ascii=False) + "\n")
    claim_folder(out, [str(i) for i in result.table["id"]],
                 extra=("agreement.png", "agreement.html", BEST_TOML, BEST_MAP, CALIBRATION_JSON))


def _best_toml(result: Calibration, best: SweepCase, agr: Any) -> str:
    chosen = ", ".join(f"{k} = {format_value(v)}" for k, v in best.overrides)
    head = [f"# The scenario whose optimum agrees best with {result.reference}, found by",
            f"# `regionopt calibrate` ({result.search} search, {result.solves} of "
            f"{result.grid} grid cases solved).",
            f"# Varied: {chosen}.",
            f"# Agreement: adjusted Rand index {agr.adjusted_rand:.4f}; {agr.placed} of "
            f"{agr.municipalities} municipalities placed as the reference does; "
            f"{agr.identical_regions} regions identical.",
            f"# Not placed as the reference does: {', '.join(agr.differing) or 'none'}."]
    return "\n".join(head) + "\n" + scenario_to_toml(best.scenario)


def format_calibration(result: Calibration, *, top: int = 10) -> str:
    """Return the search's counts and its ``top`` best cases as text."""
    keys = [k for k in result.table.columns if "." in str(k)]
    cols = ["rank", *keys, "agreement_ari", "agreement_placed", "agreement_identical_regions",
            "person_minutes", "regions"]
    shown = result.table.loc[result.table["rank"].notna(), cols].head(top)
    lines = [f"calibration against {result.reference!r}: {result.search} search, "
             f"{result.solves} solves of a {result.grid}-case grid in {result.rounds} rounds "
             f"({result.solved_now} solved now, the rest resumed)", ""]
    lines.append(text_table(shown.rename(columns={k: k.rsplit(".", 1)[-1] for k in keys}),
                            digits={"agreement_ari": 4, "person_minutes": 0}))
    if result.best is None:
        lines += ["", "no case has a plan"]
    return "\n".join(lines) + "\n"


__all__ = ["BEST_MAP", "BEST_TOML", "CALIBRATION_JSON", "MEMBERSHIP_KEYS", "SEARCHES",
           "Calibration", "calibrate", "check_keys", "format_calibration", "rank_cases"]
