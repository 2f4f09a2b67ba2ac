"""Benchmark: size and render time of the maps for Troms og Finnmark.

Builds the network, solves the default scenario (falls back to NIVI with one
municipality moved if the model cannot run), evaluates both plans, writes
``compare_nivi.html`` (with and without the road layer), ``map.html`` and
``plan.png`` to a temporary folder, and prints file sizes and times as a
Markdown section; with ``--write`` it replaces the "maps" section of
``docs/benchmarks.md``.

Usage::

    REGIONOPT_DATA_DIR=/work/shared/data python benchmarks/bench_maps.py [--write]
"""

from __future__ import annotations

import logging
import tempfile
import time
from pathlib import Path

import osmnx
from _common import Machine, arg_parser, emit, machine

from regionopt.data import municipalities as data
from regionopt.data import reference
from regionopt.evaluate import metrics as evaluate
from regionopt.maps import assets as viz_assets
from regionopt.maps import html as viz
from regionopt.network import build_network
from regionopt.plan import Plan
from regionopt.problem import problem_from_network


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
    """Write the maps to a temporary folder; return sizes (bytes), times (s) and the plan used."""
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


def section(m: dict[str, float], what: str, host: Machine) -> str:
    """Render the Maps section (without markers)."""
    mb = 1_000_000
    return f"""## Maps

`python benchmarks/bench_maps.py --write`: Troms og Finnmark (39 municipalities), optimised
plan = {what}, beside NIVI 2023. Goal: `compare_nivi.html` under 5 MB (1 MB = 10^6 bytes).
{host.describe()}

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
"""


def main() -> None:
    host = machine()
    args = arg_parser(__doc__).parse_args()
    logging.basicConfig(level=logging.WARNING)
    figures, what = measure()
    emit("maps", section(figures, what, host), write=args.write)


if __name__ == "__main__":
    main()
