"""``regionopt methods``: every delineation preset solved exactly beside its greedy procedure.

One sweep case per preset of ``data/geo/scenarios/methods/`` (``docs/methods.md``), each on
the area asked for, solved on the sweep's machinery (:func:`regionopt.sweep.run.solve_cases`:
processes or Dask, stored in ``plans/<id>/``, resumed); each method's own greedy procedure
(:mod:`regionopt.model.greedy_methods`) runs beside it. :func:`method_rows` gives one row per
method and plan (``exact``, ``greedy``) with the figures of the table
(:data:`COLUMNS`), :func:`write_methods` writes ``methods.csv`` and ``methods.html``.
"""

from __future__ import annotations

import html
import os
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd

from regionopt._resources import geo_file
from regionopt.data.areas import scenario_for_area
from regionopt.evaluate import evaluate
from regionopt.evaluate.criteria import criteria_table, pass_counts
from regionopt.io import atomic_write_text
from regionopt.maps.png import plan_png
from regionopt.model.families import PlanView, active_families
from regionopt.model.greedy_methods import method_greedy
from regionopt.plan import Plan, plan_from_labels, read_plan
from regionopt.problem import ProblemData
from regionopt.scenario import Scenario, load_scenario
from regionopt.sweep.cases import SweepCase, case_id
from regionopt.sweep.run import area_problem, solve_cases

if TYPE_CHECKING:
    # lazy: dask's distributed is heavy and only Dask runs need it
    from distributed import Client

PRESETS = ("ba-toi", "se-la", "fi-tyossakaynti", "oecd-fua", "ttwa-coombes-bond")
COLUMNS = ("method", "plan", "status", "gap", "regions", "commuters_kept", "self_containment_min",
           "self_containment_median", "regions_meeting_criterion", "regions_not_connected",
           "longest_trip_minutes", "mean_trip_minutes", "person_minutes", "rules_broken")
FILES = ("methods.csv", "methods.html")


def method_cases(area: str | None, *, data_dir: str | os.PathLike[str] | None = None
                 ) -> list[SweepCase]:
    """One case per preset, on ``area`` (``None``: each preset's own, all of Norway)."""
    out = []
    for name in PRESETS:
        base = load_scenario(geo_file("scenarios", "methods", f"{name}.toml"))
        scenario, _ = scenario_for_area(base, area, data_dir=data_dir)
        overrides = (("name", name),)
        out.append(SweepCase(id=case_id(overrides), overrides=overrides, scenario=scenario))
    return out


def rules_broken(plan: Plan, data: ProblemData, scenario: Scenario) -> int:
    """Violations of the method's rules as hard rules (elastic weights set to 0) and contiguity."""
    d = replace(scenario.delineation, join_weight=0.0, admit_weight=0.0)
    hard = replace(scenario, delineation=d)
    view = PlanView.of(plan, data)
    return sum(len(f.check(view, hard)) for f in active_families(hard) if f.check)


def figures(plan: Plan, data: ProblemData, scenario: Scenario) -> dict[str, Any]:
    """The table's figures of one plan (``docs/metrics.md``)."""
    m = evaluate(plan, data)
    s = m.summary
    sc = m.regions["self_containment"].to_numpy(dtype="float64")
    met = pass_counts(criteria_table(m, data, scenario))["criteria_self_containment_passed"]
    return {"regions": int(s["regions"]), "commuters_kept": float(s["commuting_kept_share"]),
            "self_containment_min": float(sc.min()),
            "self_containment_median": float(np.median(sc)),
            "regions_meeting_criterion": met,
            "regions_not_connected": int(s["regions_not_connected"]),
            "longest_trip_minutes": float(s["max_minutes"]),
            "mean_trip_minutes": float(s["mean_minutes_per_inhabitant"]),
            "person_minutes": float(s["person_minutes"]),
            "rules_broken": rules_broken(plan, data, scenario)}


def solve_methods(area: str | None, *, problem: ProblemData, out_dir: str | os.PathLike[str],
                  scheduler: str | Client | None = None, max_workers: int = 2,
                  resume: bool = True, progress: bool = True,
                  data_dir: str | os.PathLike[str] | None = None,
                  problems: Mapping[str, ProblemData] | None = None,
                  municipalities: gpd.GeoDataFrame | None = None) -> pd.DataFrame:
    """Solve every preset (exact) and run its greedy procedure; return the table.

    A preset that pins its minutes (``area.travel_times``) is solved and measured on
    ``problems[name]`` when given, the others on ``problem``. With ``municipalities`` (their
    polygons) each plan is also drawn, ``maps/<method>-<plan>.png``, for :func:`write_methods`.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COLUMNS`, two rows per method (``exact``, ``greedy``).
    """
    cases = method_cases(area, data_dir=data_dir)
    by = dict(problems or {})

    def problem_of(case: SweepCase) -> ProblemData:
        return by.get(case.scenario.area.travel_times or "", problem)

    records: dict[str, dict[str, Any]] = {}
    for key in dict.fromkeys(id(problem_of(c)) for c in cases):  # one solve per matrix
        group = [c for c in cases if id(problem_of(c)) == key]
        done, _ = solve_cases(group, problem=problem_of(group[0]), out_dir=out_dir,
                              scheduler=scheduler, max_workers=max_workers, resume=resume,
                              progress=progress)
        records.update(done)
    rows = []
    for case in cases:
        data = area_problem(problem_of(case), case.scenario)
        name = str(dict(case.overrides)["name"])
        rec = records[case.id]
        path = rec.get("plan_path")
        if path:
            plan = read_plan(Path(out_dir) / path, problem=data, name=f"{name} (exact)")
            _draw(plan, municipalities, out_dir, name, "exact")
            rows.append({"method": name, "plan": "exact", "status": rec.get("status"),
                         "gap": rec.get("gap"), **figures(plan, data, case.scenario)})
        else:
            rows.append({"method": name, "plan": "exact", "status": rec.get("status"),
                         "gap": rec.get("gap")})
        greedy = plan_from_labels(data, method_greedy(data, case.scenario),
                                  name=f"{name} (greedy)")
        _draw(greedy, municipalities, out_dir, name, "greedy")
        rows.append({"method": name, "plan": "greedy", "status": "greedy",
                     **figures(greedy, data, case.scenario)})
    return pd.DataFrame(rows, columns=list(COLUMNS))


def _map_name(method: str, kind: str) -> str:
    return f"maps/{method}-{kind}.png"


def _draw(plan: Plan, municipalities: gpd.GeoDataFrame | None,
          out_dir: str | os.PathLike[str], method: str, kind: str) -> None:
    if municipalities is None:
        return
    munis = municipalities[municipalities["kommunenummer"].isin(set(plan.assignment))]
    (Path(out_dir) / "maps").mkdir(parents=True, exist_ok=True)
    plan_png(plan, munis, path=Path(out_dir) / _map_name(method, kind), lang="en",
             title=f"{method}, {kind}", dpi=72)


def drawn_maps(out_dir: str | os.PathLike[str]) -> list[str]:
    """The maps :func:`solve_methods` drew in ``out_dir`` (for the folder's manifest)."""
    return sorted(f"maps/{p.name}" for p in (Path(out_dir) / "maps").glob("*.png"))


def _gallery(table: pd.DataFrame, out: Path) -> str:
    """The maps drawn beside each other, exact and greedy per method (none drawn: empty)."""
    cells = []
    for method in dict.fromkeys(table["method"]):
        pair = [f"<figure><img src=\"{html.escape(_map_name(method, kind))}\" alt=\""
                f"{html.escape(method)} {kind}\" width=\"480\"><figcaption>"
                f"{html.escape(method)}, {kind}</figcaption></figure>"
                for kind in ("exact", "greedy") if (out / _map_name(method, kind)).exists()]
        if pair:
            cells.append(f"<div class=\"pair\">{''.join(pair)}</div>")
    return "<h2>The plans side by side</h2>" + "".join(cells) if cells else ""


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return "" if np.isnan(value) else f"{value:,.3f}".rstrip("0").rstrip(".")
    return html.escape("" if value is None else str(value))


def write_methods(table: pd.DataFrame, out_dir: str | os.PathLike[str], *,
                  area: str | None) -> None:
    """Write ``methods.csv`` and ``methods.html`` (one self-contained table page)."""
    out = Path(out_dir)
    atomic_write_text(out / "methods.csv", table.to_csv(index=False, lineterminator="\n"))
    head = "".join(f"<th>{html.escape(c)}</th>" for c in COLUMNS)
    body = "".join("<tr>" + "".join(f"<td>{_cell(row[c])}</td>" for c in COLUMNS) + "</tr>"
                   for _, row in table.iterrows())
    title = f"Delineation methods, exact and greedy: {html.escape(area or 'Norway')}"
    page = (f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}"
            "</title><style>body{font-family:sans-serif}table{border-collapse:collapse}"
            "td,th{border:1px solid #999;padding:2px 6px;text-align:right}"
            ".pair{display:flex;gap:8px}figure{margin:4px}</style></head>"
            f"<body><h1>{title}</h1><p>Each method (docs/methods.md) solved exactly with "
            "contiguous regions, beside its own greedy procedure; rules_broken counts the "
            "method's rules as hard rules, contiguity included.</p>"
            f"<table><tr>{head}</tr>{body}</table>{_gallery(table, out)}</body></html>\n")
    atomic_write_text(out / "methods.html", page)


__all__ = ["COLUMNS", "FILES", "PRESETS", "drawn_maps", "figures", "method_cases", "rules_broken",
           "solve_methods", "write_methods"]
