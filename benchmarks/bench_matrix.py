"""Benchmark: the 357 x 357 travel-time matrix of all Norway.

Times, separately and as the median of a few runs: the road graph (Travel
Mapping roads, ferries, centre access legs), the matrix (one multi-source
Dijkstra from the 357 centres) and the functional adjacency. Writes the
figures into the "Travel-time matrix" section of ``docs/benchmarks.md``
(replacing that section only) and prints them.

Run from the repository root::

    REGIONOPT_DATA_DIR=../shared/data python benchmarks/bench_matrix.py [--runs 3]
"""

from __future__ import annotations

import argparse
import logging
import os
import platform
import re
import statistics
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import shapely

from regionopt import network, roads, travel
from regionopt.data import load_municipalities
from regionopt.io import atomic_write_text

DOC = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
HEADING = "## Travel-time matrix"


def _timed(fn: Callable[[], Any], runs: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def _largest_mutual_group(minutes: np.ndarray) -> int:
    reach = ~np.isnan(minutes) & ~np.isnan(minutes.T)
    rows = {tuple(r) for r in reach}
    return max(int(np.sum(r)) for r in rows)


def measure(runs: int) -> dict[str, Any]:
    """Build the all-Norway network pieces ``runs`` times each and return the figures."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # centre placement warnings are not the point here
        munis = load_municipalities("norway")
    settings = network.NetworkSettings()
    hull = shapely.GeometryCollection(list(munis.geometry))
    ferries = network.load_ferries()

    def build_graph() -> Any:
        G = roads.graph_from_travelmapping(hull, speeds=settings.speed_map,
                                           margin_km=settings.margin_km)
        network._add_ferries_inplace(G, ferries, snap_km=network.FERRY_SNAP_KM)
        network._attach_centres_inplace(G, munis, settings=settings)
        return G

    t_graph, G = _timed(build_graph, runs)
    codes = sorted(munis["kommunenummer"])
    centres = {c: f"centre:{c}" for c in codes}

    def matrix() -> Any:
        paths = travel.shortest_paths(G, [centres[c] for c in codes])
        return paths, travel.travel_time_matrix(G, centres, paths=paths)

    t_matrix, (paths, minutes) = _timed(matrix, runs)
    t_adj, adjacency = _timed(
        lambda: travel.functional_adjacency(munis, G, centre_nodes=centres, paths=paths), runs)
    values = minutes.to_numpy()
    return {
        "n": len(codes), "nodes": G.number_of_nodes(), "edges": G.number_of_edges(),
        "t_graph": t_graph, "t_matrix": t_matrix, "t_adj": t_adj, "runs": runs,
        "reachable": _largest_mutual_group(values), "pairs": len(adjacency),
        "kinds": adjacency["kind"].value_counts().to_dict(),
        "max_minutes": float(np.nanmax(values)),
    }


def render(f: dict[str, Any]) -> str:
    """Return the Markdown section for the figures ``f``."""
    kinds = ", ".join(f"{k} {v}" for k, v in sorted(f["kinds"].items()))
    graph = (f"road graph: Travel Mapping roads + ferries + centre access legs "
             f"({f['nodes']} nodes, {f['edges']} edges)")
    matrix = (f"{f['n']} x {f['n']} matrix: one multi-source Dijkstra "
              f"(scipy.sparse.csgraph) from all centres")
    return f"""{HEADING}

`benchmarks/bench_matrix.py`: all of Norway ({f['n']} municipalities), the default
settings and the bundled ferry table. Median of {f['runs']} runs each, on
{os.cpu_count()} cores ({_cpu_model()}), Python {platform.python_version()},
on a machine shared with other jobs (figures are upper bounds).

| step | median time |
| --- | --- |
| {graph} | {f['t_graph']:.2f} s |
| {matrix} | {f['t_matrix']:.2f} s |
| functional adjacency ({f['pairs']} pairs: {kinds}) | {f['t_adj']:.2f} s |

Mutually reachable centres: {f['reachable']} of {f['n']}. Longest fastest route:
{f['max_minutes']:.0f} minutes.
"""


def write_section(text: str, path: Path = DOC) -> None:
    """Replace (or append) the section under :data:`HEADING` in ``path``."""
    old = path.read_text(encoding="utf-8") if path.is_file() else "# Benchmarks\n"
    pattern = re.compile(rf"^{re.escape(HEADING)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(old):
        new = pattern.sub(lambda _: text + "\n", old, count=1)
    else:
        new = old.rstrip("\n") + "\n\n" + text
    atomic_write_text(path, new.rstrip("\n") + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-write", action="store_true", help="only print the figures")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    text = render(measure(args.runs))
    if not args.no_write:
        write_section(text)
    print(text)


if __name__ == "__main__":
    main()
