"""Benchmark: size and render time of the maps for Troms og Finnmark.

Builds the network, solves the default scenario (falls back to NIVI with one
municipality moved if the model cannot run), evaluates both plans, writes
``compare_nivi.html`` (with and without the road layer), ``map.html`` and
``plan.png`` to a temporary folder, and records file sizes and times in the
"Maps" section of ``docs/benchmarks.md`` (replacing that section only).

Run from the repository root::

    REGIONOPT_DATA_DIR=../shared/data python benchmarks/bench_maps.py [--write]
"""

from __future__ import annotations

import argparse
import logging
import os
import platform
import re
import tempfile
import time
from pathlib import Path

import osmnx

from regionopt import data, evaluate, reference, viz, viz_assets
from regionopt.io import atomic_write_text
from regionopt.network import build_network
from regionopt.plan import Plan
from regionopt.problem import problem_from_network

DOC = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
START, END = "<!-- maps:start -->", "<!-- maps:end -->"


def _optimum(problem, nivi: Plan) -> tuple[Plan, str]:
    try:
        from regionopt.model import solve
        from regionopt.scenario import default_scenario_path, load_scenario

        result = solve(problem, load_scenario(default_scenario_path()), quiet=True)
        if result.plan is not None:
            return result.plan, f"the default scenario's optimum ({result.status})"
    except Exception as exc:  # the benchmark measures maps, not the model
        logging.warning("model unavailable (%s); using NIVI with one move", exc)
    code = next(c for c in nivi.assignment if c not in nivi.cores.values())
    other = next(r for r in nivi.regions if r != nivi.assignment[code])
    moved = Plan(assignment=dict(nivi.assignment, **{code: other}), cores=dict(nivi.cores),
                 name="NIVI, one move")
    return moved, "NIVI with one municipality moved (model unavailable)"


def measure() -> tuple[dict[str, float], str]:
    net = build_network(progress=False)
    problem = problem_from_network(net)
    nivi = reference.nivi_2023(problem)
    opt, what = _optimum(problem, nivi)
    cmp = evaluate.compare(opt, nivi, problem)
    counties, country = data.load_counties(), data.load_country()
    roads = osmnx.graph_to_gdfs(net.graph, nodes=False)
    common = {"counties": counties, "country": country}
    out: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        path = viz.write_compare_map(opt, nivi, net.municipalities, path=Path(tmp, "c.html"),
                                     metrics_a=cmp.a, metrics_b=cmp.b, comparison=cmp,
                                     roads=roads, **common)
        out["compare_s"] = time.perf_counter() - t0
        out["compare_roads"] = path.stat().st_size
        path = viz.write_compare_map(opt, nivi, net.municipalities, path=Path(tmp, "n.html"),
                                     metrics_a=cmp.a, metrics_b=cmp.b, comparison=cmp, **common)
        out["compare_plain"] = path.stat().st_size
        path = viz.write_plan_map(opt, net.municipalities, path=Path(tmp, "m.html"),
                                  metrics=cmp.a, roads=roads, **common)
        out["plan_roads"] = path.stat().st_size
        t0 = time.perf_counter()
        path = viz.plan_png(opt, net.municipalities, path=Path(tmp, "p.png"), metrics=cmp.a,
                            **common)
        out["png_s"] = time.perf_counter() - t0
        out["png"] = path.stat().st_size
    js, css = viz_assets.leaflet_assets()
    out["leaflet"] = len(js.encode()) + len(css.encode())
    return out, what


def section(m: dict[str, float], what: str) -> str:
    mb = 1_000_000
    return f"""{START}
## Maps

`python benchmarks/bench_maps.py --write`: Troms og Finnmark (39 municipalities), optimised
plan = {what}, beside NIVI 2023. Machine: {os.cpu_count()} cores, {platform.machine()},
Python {platform.python_version()}, shared with other jobs. Goal: `compare_nivi.html` under 5 MB.

| file | size |
| --- | ---: |
| `compare_nivi.html`, with the road layer | {m['compare_roads'] / mb:.2f} MB |
| `compare_nivi.html`, without roads | {m['compare_plain'] / mb:.2f} MB |
| `map.html` (one plan, with roads) | {m['plan_roads'] / mb:.2f} MB |
| of which inlined Leaflet 1.9.4 (JS + CSS, per file) | {m['leaflet'] / mb:.2f} MB |
| `plan.png` (150 dpi) | {m['png'] / mb:.2f} MB |

Writing `compare_nivi.html` took {m['compare_s']:.1f} s, `plan.png` {m['png_s']:.1f} s.
Geometry is simplified for display only (coverage-preserving, 120 m for municipalities,
400 m for county and country outlines, 60 m for roads, in EPSG:25833) and rounded to
5 decimals. Kartverket's `-S` files are already coarse, so simplification removes little;
the largest pieces, drawn once per pane, are Norway's outline (about 0.27 MB of GeoJSON)
and the municipalities (about 0.14 MB) with their region outlines.
{END}"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="update docs/benchmarks.md")
    args = parser.parse_args()
    figures, what = measure()
    text = section(figures, what)
    print(text)
    if args.write:
        doc = DOC.read_text(encoding="utf-8")
        pattern = re.compile(re.escape(START) + ".*?" + re.escape(END), re.DOTALL)
        doc = pattern.sub(lambda _: text, doc) if pattern.search(doc) else \
            doc.rstrip("\n") + "\n\n" + text + "\n"
        atomic_write_text(DOC, doc)


if __name__ == "__main__":
    main()
