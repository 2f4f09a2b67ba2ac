"""Benchmark: the 357 x 357 travel-time matrix of all Norway.

Times, separately and as the median of a few runs: the road graph (Travel
Mapping roads, ferries, centre access legs), the matrix (one multi-source
Dijkstra from the 357 centres) and the functional adjacency. Prints a Markdown
section; with ``--write`` it replaces the "matrix" section of
``docs/benchmarks.md``.

Usage::

    REGIONOPT_DATA_DIR=/work/shared/data python benchmarks/bench_matrix.py [--write] [--runs 3]
"""

from __future__ import annotations

import logging
import warnings
from typing import Any

import numpy as np
import shapely
from _common import Machine, arg_parser, emit, machine, median_time

from regionopt import network
from regionopt.data.municipalities import load_municipalities
from regionopt.network import roads, travel
from regionopt.network.settings import FERRY_SNAP_KM


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
        G = network.add_ferries(G, ferries, snap_km=FERRY_SNAP_KM)
        return network.attach_centres(G, munis, settings=settings)

    t_graph, G = median_time(build_graph, runs)
    codes = sorted(munis["kommunenummer"])
    centres = {c: f"centre:{c}" for c in codes}

    def matrix() -> Any:
        paths = travel.shortest_paths(G, [centres[c] for c in codes])
        return paths, travel.travel_time_matrix(G, centres, paths=paths)

    t_matrix, (paths, minutes) = median_time(matrix, runs)
    t_adj, adjacency = median_time(
        lambda: travel.functional_adjacency(munis, G, centre_nodes=centres, paths=paths), runs)
    values = minutes.to_numpy()
    return {
        "n": len(codes), "nodes": G.number_of_nodes(), "edges": G.number_of_edges(),
        "t_graph": t_graph, "t_matrix": t_matrix, "t_adj": t_adj, "runs": runs,
        "reachable": _largest_mutual_group(values), "pairs": len(adjacency),
        "kinds": adjacency["kind"].value_counts().to_dict(),
        "max_minutes": float(np.nanmax(values)),
    }


def render(f: dict[str, Any], host: Machine) -> str:
    """Return the Markdown section (without markers) for the figures ``f``."""
    kinds = ", ".join(f"{k} {v}" for k, v in sorted(f["kinds"].items()))
    graph = (f"road graph: Travel Mapping roads + ferries + centre access legs "
             f"({f['nodes']} nodes, {f['edges']} edges)")
    matrix = (f"{f['n']} x {f['n']} matrix: one multi-source Dijkstra "
              f"(scipy.sparse.csgraph) from all centres")
    return f"""## Travel-time matrix

`python benchmarks/bench_matrix.py --write`: all of Norway ({f['n']} municipalities), the
default settings and the bundled ferry table; median of {f['runs']} runs each.
{host.describe()}

| step | median time |
| --- | --- |
| {graph} | {f['t_graph']:.2f} s |
| {matrix} | {f['t_matrix']:.2f} s |
| functional adjacency ({f['pairs']} pairs: {kinds}) | {f['t_adj']:.2f} s |

Mutually reachable centres: {f['reachable']} of {f['n']}. Longest fastest route:
{f['max_minutes']:.0f} minutes.
"""


def main() -> None:
    host = machine()
    parser = arg_parser(__doc__)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    emit("matrix", render(measure(args.runs), host), write=args.write)


if __name__ == "__main__":
    main()
