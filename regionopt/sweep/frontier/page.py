"""The frontier's files: table, JSON, maps, an interactive page and PNG plots.

:func:`write_frontier` writes into the frontier's folder (beside ``plans/<id>/``):

* ``frontier.csv`` and ``frontier.parquet``: one row per case
  (:func:`regionopt.sweep.frontier.solve.frontier_table`);
* ``frontier.json``: every case as ``points`` (each marked ``frontier``, ``repeats <id>``,
  ``dominated by <id>``, ``dominance solve`` or ``no plan``, :func:`frontier_marks`), the
  ids on the frontier as ``frontier``, and the dominance statements;
* ``plans/<id>/map.html`` for every plan (with the municipalities' geometry);
* ``frontier.html``: one plot per axis (person-minutes on x; commuters kept, or regions
  meeting the self-containment criterion, on y), drawn with the Pareto page's machinery
  (:mod:`regionopt.sweep.pareto`: inline SVG, offline), with the reference plans as red
  diamonds; hover a point for its figures, click it to open its map; the dominance
  statements below; the data as ``window.regionopt`` (``points``, ``references``,
  ``dominance``) for scripts;
* ``frontier.png`` (the first axis) and ``frontier_<axis>.png`` (any other).
"""

from __future__ import annotations

import html
import json
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from regionopt.evaluate.metrics import evaluate
from regionopt.io import atomic_write_text
from regionopt.maps.html import write_plan_map
from regionopt.plan import read_plan
from regionopt.problem import ProblemData
from regionopt.scenario import Scenario
from regionopt.sweep import pareto
from regionopt.sweep.frontier.solve import Runner, frontier_table
from regionopt.sweep.store import PLANS_DIR, claim_folder, drop_stale_cases, jsonable, write_table

log = logging.getLogger(__name__)

FILES = ("frontier.csv", "frontier.parquet", "frontier.json", "frontier.html", "frontier.png",
         "frontier_criterion.png", "frontier_kept.png")
_EXTRA = (("commuting_kept_share", "kept"), ("criteria_self_containment_passed", "criterion"),
          ("max_minutes", "longest min"), ("regions_not_connected", "not connected"),
          ("regions", "regions"), ("gap", "gap"))
PLOTS = {
    "kept": pareto.ParetoAxes(
        y="commuting_kept_share", label="commuters kept (share of employed residents)",
        short="commuters kept", tip="kept", maximise=True,
        title="frontier of travel against commuters kept", png_name="frontier.png",
        html_name="frontier.html", link="map.html", extra=_EXTRA),
    "criterion": pareto.ParetoAxes(
        y="criteria_self_containment_passed",
        label="regions meeting the self-containment criterion",
        short="regions meeting the criterion", tip="criterion", maximise=True,
        title="frontier of travel against regions meeting the criterion",
        png_name="frontier.png", html_name="frontier.html", link="map.html", extra=_EXTRA),
}
_VARIED = ("id",)
_CSS = ".dominance li{margin:.4em 0}"


#: The roles whose plans are points of the frontier (the others are dominance solves).
FRONTIER_ROLES = ("travel", "point", "maximum")
#: Axis → the metric column it is measured by (more is better); person-minutes: less.
_AXIS_COLUMNS = {"kept": "commuting_kept_share", "criterion": "criteria_self_containment_passed"}


def frontier_marks(table: pd.DataFrame, axes: Sequence[str]) -> list[str]:
    """Per row of ``table``: ``"frontier"``, ``"repeats <id>"``, ``"dominated by <id>"``,
    ``"dominance solve"`` (match and bound cases) or ``"no plan"``.

    A point is on the frontier when no other point has at most its person-minutes and at
    least its figure on every axis of ``axes``, one of them strictly; a point with the same
    figures as another repeats it (the travel optimum and the ε points are kept before the
    axes' maxima, which they repeat).
    """
    cols = ["person_minutes", *(_AXIS_COLUMNS[a] for a in axes)]
    rank = {role: k for k, role in enumerate(("travel", "point", "maximum"))}
    rows = list(table.itertuples(index=False))
    order = sorted((k for k, r in enumerate(rows) if r.role in FRONTIER_ROLES
                    and isinstance(r.plan_path, str)),
                   key=lambda k: (rank[rows[k].role], str(rows[k].id)))
    signed = {k: [-float(getattr(rows[k], c)) if c == "person_minutes"
                  else float(getattr(rows[k], c)) for c in cols] for k in order}
    marks = ["dominance solve" if r.role not in FRONTIER_ROLES else "no plan" for r in rows]
    for k in order:
        mine = signed[k]
        same = next((o for o in order if o != k and order.index(o) < order.index(k)
                     and all(abs(a - b) <= 1e-9 * max(1.0, abs(b))
                             for a, b in zip(signed[o], mine, strict=True))), None)
        over = next((o for o in order if all(a >= b - 1e-9 * max(1.0, abs(b))
                                              for a, b in zip(signed[o], mine, strict=True))
                     and any(a > b + 1e-9 * max(1.0, abs(b))
                             for a, b in zip(signed[o], mine, strict=True))), None)
        marks[k] = (f"repeats {rows[same].id}" if same is not None
                    else f"dominated by {rows[over].id}" if over is not None else "frontier")
    return marks


def frontier_summary(table: pd.DataFrame, statements: Sequence[dict[str, Any]],
                     scenario: Scenario, axes: Sequence[str] = ("kept",)) -> dict[str, Any]:
    """The content of ``frontier.json``: every case as ``points`` (each with its ``frontier``
    mark, :func:`frontier_marks`), the ids on the frontier as ``frontier``, and the
    dominance statements."""
    rows = [{k: v for k, v in row.items() if k != "reason" or v is not None}
            for row in jsonable(table.astype(object).where(table.notna(), None)
                                .to_dict(orient="records"))]
    marks = frontier_marks(table, axes)
    for row, mark in zip(rows, marks, strict=True):
        row["frontier"] = mark
    return {"scenario": scenario.name, "axes": list(axes), "points": rows,
            "frontier": [r["id"] for r, m in zip(rows, marks, strict=True) if m == "frontier"],
            "dominance": list(statements)}


def write_frontier(runner: Runner, statements: Sequence[dict[str, Any]], *,
                   scenario: Scenario, axes: Sequence[str],
                   references: Sequence[tuple[str, dict[str, Any]]],
                   municipalities: gpd.GeoDataFrame | None = None, lang: str = "nb") -> None:
    """Write every file of the frontier into ``runner.out`` (see the module)."""
    out, problem = runner.out, runner.problem
    table = frontier_table(runner)
    ids = [str(i) for i in table["id"]]
    drop_stale_cases(out, ids)
    if municipalities is not None:
        _maps(out, table, problem, municipalities, lang)
    write_table(table, out, stem="frontier")
    summary = jsonable(frontier_summary(table, statements, scenario, axes))
    atomic_write_text(out / "frontier.json", json.dumps(summary, indent=2, sort_keys=True,
                                                        ensure_ascii=False) + "\n")
    refs = [(name, jsonable(fig)) for name, fig in references]
    plotted = table[table["plan_path"].notna()]
    sections = []
    for k, axis in enumerate(axes):
        plot = PLOTS[axis]
        pts, shown = pareto.plot_points(plotted, refs, plot)
        name = "frontier.png" if k == 0 else f"frontier_{axis}.png"
        pareto.write_png(pts, out / name, varied=_VARIED, references=shown, axes=plot)
        sections.append(f"<h2>{html.escape(plot.title.capitalize())}</h2>\n"
                        + pareto.pareto_section(pts, varied=_VARIED, references=shown,
                                                axes=plot))
    atomic_write_text(out / "frontier.html", _page(sections, statements, summary, refs))
    claim_folder(out, ids, extra=[n for n in FILES if (out / n).is_file()])


def _maps(out: Path, table: pd.DataFrame, problem: ProblemData,
          municipalities: gpd.GeoDataFrame, lang: str) -> None:
    for cid, path in zip(table["id"], table["plan_path"], strict=True):
        if not isinstance(path, str):
            continue
        target = out / PLANS_DIR / str(cid) / "map.html"
        plan = read_plan(out / path, problem=problem, name=f"frontier {cid}")
        write_plan_map(plan, municipalities, path=target, metrics=evaluate(plan, problem),
                       lang=lang, problem=problem)


def _page(sections: list[str], statements: Sequence[dict[str, Any]], summary: dict[str, Any],
          refs: Sequence[tuple[str, dict[str, Any]]]) -> str:
    e = html.escape
    items = []
    for s in statements:
        link = (f' (<a href="{PLANS_DIR}/{e(s["plan"])}/map.html">{e(s["plan"])}</a>)'
                if s.get("plan") else "")
        items.append(f"<li><b>{e(s['reference'])}</b>: {e(s['verdict'])}{link}. "
                     f"{e(s['sentence'])}.</li>")
    dominance = ('<h2>Dominance</h2>\n<p>Compared at the same region count on seven axes: '
                 "commuters kept, regions meeting the self-containment criterion, "
                 "person-minutes, the longest trip to a core, regions not connected, the "
                 "weakest region's self-containment and the median region's. A plan "
                 "dominates when it matches or beats the reference on all seven.</p>\n"
                 '<ul class="dominance">' + "\n".join(items) + "</ul>" if items else "")
    on = [p["id"] for p in summary["points"] if p.get("frontier") == "frontier"]
    off = [f'{p["id"]} ({p["frontier"]})' for p in summary["points"]
           if str(p.get("frontier", "")).startswith(("repeats", "dominated"))]
    listing = (f"<p>On the frontier: {e(', '.join(on))}."
               + (f" Not on it: {e('; '.join(off))}." if off else "") + "</p>\n")
    data = json.dumps({"points": summary["points"], "references": [
        {"name": n, **f} for n, f in refs], "dominance": summary["dominance"]},
        sort_keys=True, ensure_ascii=False).replace("</", "<\\/")
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>Frontier: {e(str(summary['scenario']))}</title>"
            f"<style>{pareto.PAGE_CSS}\n{_CSS}</style></head><body>\n"
            f"<h1>Frontier of {e(str(summary['scenario']))}</h1>\n<p>Each point is the least "
            "person-minutes with at least the commuters kept (or regions meeting the "
            "self-containment criterion) it asks for, proven optimal or with its gap. Blue: "
            "non-dominated; grey: dominated; red diamond: reference plan. Hover a point for "
            "its figures, click it to open its map.</p>\n" + listing + dominance + "\n"
            + "\n".join(sections)
            + f"\n<script>window.regionopt = {data};</script>\n</body></html>\n")


__all__ = ["FILES", "FRONTIER_ROLES", "PLOTS", "frontier_marks", "frontier_summary",
           "write_frontier"]
