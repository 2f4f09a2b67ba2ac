"""Road-class speeds fitted to TØI's drive times, checked on pairs the fit did not see.

The speeds of the main Travel Mapping systems (:data:`FITTED_CLASSES`) and of the access legs
are fitted to TØI's ``Reisetid`` pairs (:func:`regionopt.network.validation.toi_pairs`) on
the population-weighted matrix (``origins="grid"``): each split puts a seeded random half of
the pairs in the fit and reports the other half (:func:`held_out`); the figures are the mean
over the splits. The fit minimises the mean absolute log ratio ours / TØI (a relative error
that treats too long and too short alike and is not pulled by one pair) by Nelder-Mead on
the log speeds, from the default speeds, each speed kept within :data:`BOUNDS_KPH`; every
step is deterministic, so a seed gives the same speeds every time.

Only the edge weights change with the speeds: the graph, the cells' access nodes (the
nearest on their own island, :mod:`regionopt.network.origins`) and the pairs are set up
once (:class:`FitProblem`), and an evaluation is one Dijkstra from the pairs' cores.
"""

from __future__ import annotations

import os
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

import networkx as nx
import numpy as np
import pandas as pd
from scipy import optimize, sparse
from scipy.sparse import csgraph

from regionopt.errors import DataError
from regionopt.network import origins, validation
from regionopt.network.roads import DEFAULT_SPEEDS_KPH
from regionopt.network.settings import GRID_ACCESS_SPEED_KPH, GRID_SPEEDS_KPH

#: The systems whose speed is fitted (the others keep their default: Oslo's ring roads and
#: one Finnish route, too few pairs use them).
FITTED_CLASSES = ("normot", "eure", "norrv", "norfv", "norntv")
#: The name of the access legs' speed among the fitted ones.
ACCESS = "access"
#: Every fitted speed stays within these limits (km/h).
BOUNDS_KPH = (20.0, 110.0)
#: The speeds fitted on all of TØI's pairs (but the later-link pair, :func:`comparable`) with
#: ``origins="grid"`` and ``destinations="grid"`` (``benchmarks/fit_speeds.py``,
#: ``docs/travel_validation.md``): the defaults of the population-weighted network, kept in
#: :mod:`regionopt.network.settings` (:data:`~regionopt.network.settings.GRID_SPEEDS_KPH`,
#: access legs :data:`~regionopt.network.settings.GRID_ACCESS_SPEED_KPH`).
GRID_FITTED_KPH = dict(GRID_SPEEDS_KPH)
GRID_FITTED_ACCESS_KPH = GRID_ACCESS_SPEED_KPH
#: The speed limits published for each class (vegtrafikkloven; Statens vegvesen): what a
#: driver may do where nothing slower is signed.
POSTED_KPH = {"normot": "100-110", "eure": "80 (60-90)", "norrv": "80 (50-80)",
              "norfv": "80 (50-80)", "norntv": "80 (50-80)", ACCESS: "30-80"}


@dataclass(frozen=True)
class FitProblem:
    """The fixed part of a fit: graph arrays, cells, their access nodes and the pairs.

    Attributes
    ----------
    rows, cols
        CSR indices of each edge's ends (reversed graph: ``rows`` is the head).
    length
        Edge length in metres (access legs: the leg with its detour).
    kind
        Per edge, the index of its class in ``names`` or -1 for a fixed time.
    fixed
        Per edge, its seconds when ``kind`` is -1.
    names
        The fitted classes, :data:`ACCESS` last.
    n_nodes
        Nodes of the graph.
    cores
        The pairs' cores.
    dest_index, dest_core, dest_share, dest_leg_m
        The destination points: CSR index, row of its core in ``cores``, share of the core
        (summing to 1 per core) and access leg (metres with its detour; 0 at a centre). With
        ``destinations="centre"`` a core's centre node alone, else its cells' access nodes.
    pair_core
        Per pair, the row of its core in ``core_index``.
    pair_origin
        Per pair, the index of its origin municipality in ``origin_codes``.
    origin_codes
        The pairs' origin municipalities.
    cell_origin, cell_share, cell_node, cell_leg_m
        The origins' cells: municipality index, share, access node, leg length (metres,
        with its detour).
    toi_min
        TØI's minutes per pair.
    codes
        Per pair, the origin's kommunenummer.
    """

    rows: np.ndarray
    cols: np.ndarray
    length: np.ndarray
    kind: np.ndarray
    fixed: np.ndarray
    names: tuple[str, ...]
    n_nodes: int
    cores: tuple[str, ...]
    dest_index: np.ndarray
    dest_core: np.ndarray
    dest_share: np.ndarray
    dest_leg_m: np.ndarray
    pair_core: np.ndarray
    pair_origin: np.ndarray
    origin_codes: tuple[str, ...]
    cell_origin: np.ndarray
    cell_share: np.ndarray
    cell_node: np.ndarray
    cell_leg_m: np.ndarray
    toi_min: np.ndarray
    codes: tuple[str, ...]

    def minutes(self, kph: np.ndarray) -> np.ndarray:
        """Return our minutes for every pair with speeds ``kph`` (order of ``names``)."""
        mps = np.asarray(kph, dtype=float) / 3.6
        secs = np.where(self.kind >= 0, self.length / mps[np.maximum(self.kind, 0)],
                        self.fixed)
        frame = pd.DataFrame({"r": self.rows, "c": self.cols, "w": np.maximum(secs, 1e-6)})
        best = frame.groupby(["r", "c"], sort=True)["w"].min().reset_index()
        csr = sparse.csr_array((best["w"].to_numpy(), (best["r"].to_numpy(),
                                                       best["c"].to_numpy())),
                               shape=(self.n_nodes, self.n_nodes))
        to_dest = np.atleast_2d(csgraph.dijkstra(csr, directed=True, indices=self.dest_index))
        mix = sparse.csr_array((self.dest_share, (self.dest_core, np.arange(len(self.dest_core)))),
                               shape=(len(self.cores), len(self.dest_core)))
        to_core = mix @ to_dest + (mix @ (self.dest_leg_m / mps[-1]))[:, None]
        cell_s = self.cell_leg_m / mps[-1]
        out = np.empty(len(self.toi_min))
        for p, (core, origin) in enumerate(zip(self.pair_core, self.pair_origin, strict=True)):
            mine = self.cell_origin == origin
            out[p] = np.sum(self.cell_share[mine] * (cell_s[mine]
                                                     + to_core[core, self.cell_node[mine]]))
        return out / 60.0


def fit_problem(net_graph: nx.MultiDiGraph, centre_nodes: Mapping[str, Hashable], *,
                detour_factor: float, destinations: str = "centre",
                top_nodes: int | None = origins.DESTINATION_NODES,
                data_dir: str | os.PathLike[str] | None = None,
                cache_dir: str | os.PathLike[str] | None = None) -> FitProblem:
    """Set up the fit on a national graph with centre nodes (``origins="centre"`` built).

    ``destinations="grid"`` weights the core's end too, at its ``top_nodes`` most populous
    access nodes (:func:`regionopt.network.origins.destination_points`; None: every one).

    Raises
    ------
    DataError
        If a pair's municipality is not in the graph.
    """
    codes = sorted(centre_nodes)
    pairs = validation.toi_pairs()
    missing = sorted(set(pairs["code"]) - set(codes))
    if missing:
        raise DataError(f"speed fit: municipality {missing[0]} is not in the network "
                        "(fit on the network of all Norway)")
    G = net_graph
    nodes = tuple(G.nodes)
    index = {n: k for k, n in enumerate(nodes)}
    names = (*FITTED_CLASSES, ACCESS)
    rows, cols, length, kind, fixed = [], [], [], [], []
    for u, v, d in G.edges(data=True):
        rows.append(index[v])  # reversed: Dijkstra from the cores gives times *to* them
        cols.append(index[u])
        length.append(float(d.get("length", 0.0)))
        system = d.get("tm_system") or ("access" if d.get("access") else "")
        kind.append(names.index(system) if system in names else -1)
        fixed.append(float(d["travel_time"]))
    grid_cells = origins.cells_and_access(G, {c: centre_nodes[c] for c in codes}, codes,
                                          data_dir=data_dir, cache_dir=cache_dir)
    origin_codes = tuple(sorted(set(pairs["code"])))
    o_index = {c: k for k, c in enumerate(origin_codes)}
    keep = grid_cells["kommunenummer"].isin(origin_codes).to_numpy()
    cells = grid_cells[keep]
    cores = tuple(sorted(set(pairs["core"])))
    c_index = {c: k for k, c in enumerate(cores)}
    if destinations == "grid":
        dest = origins.destination_points(grid_cells, cores, top=top_nodes or 10**9)
        dest_index, dest_core = dest["node"].to_numpy(), dest["kommunenummer"].map(c_index)
        dest_share = dest["share"].to_numpy()
        dest_leg = dest["metres"].to_numpy() * detour_factor
    else:
        dest_index = np.array([index[centre_nodes[c]] for c in cores])
        dest_core, dest_share = np.arange(len(cores)), np.ones(len(cores))
        dest_leg = np.zeros(len(cores))
    return FitProblem(
        rows=np.array(rows), cols=np.array(cols), length=np.array(length),
        kind=np.array(kind), fixed=np.array(fixed), names=names, n_nodes=len(nodes),
        cores=cores, dest_index=np.asarray(dest_index), dest_core=np.asarray(dest_core),
        dest_share=np.asarray(dest_share), dest_leg_m=np.asarray(dest_leg),
        pair_core=pairs["core"].map(c_index).to_numpy(),
        pair_origin=pairs["code"].map(o_index).to_numpy(), origin_codes=origin_codes,
        cell_origin=cells["kommunenummer"].map(o_index).to_numpy(),
        cell_share=cells["share"].to_numpy(), cell_node=cells["node"].to_numpy(),
        cell_leg_m=cells["metres"].to_numpy() * detour_factor,
        toi_min=pairs["toi_min"].to_numpy(dtype=float), codes=tuple(pairs["code"]))


def default_kph(problem: FitProblem, access_kph: float) -> np.ndarray:
    """Return the default speeds in the order of ``problem.names``."""
    return np.array([DEFAULT_SPEEDS_KPH[n] for n in problem.names[:-1]] + [access_kph])


def loss(ours: np.ndarray, toi: np.ndarray) -> float:
    """Return the mean absolute log ratio of ``ours`` to ``toi`` (inf where unreachable)."""
    if not np.isfinite(ours).all():
        return float("inf")
    return float(np.mean(np.abs(np.log(ours / toi))))


def fit(problem: FitProblem, pairs: Sequence[int] | np.ndarray, start: np.ndarray, *,
        max_evals: int = 300) -> np.ndarray:
    """Return the speeds (km/h, order of ``problem.names``) that fit ``pairs`` best."""
    pairs = np.asarray(pairs)
    low, high = np.log(BOUNDS_KPH[0]), np.log(BOUNDS_KPH[1])

    def objective(log_kph: np.ndarray) -> float:
        kph = np.exp(np.clip(log_kph, low, high))
        return loss(problem.minutes(kph)[pairs], problem.toi_min[pairs])

    result = optimize.minimize(objective, np.log(start), method="Nelder-Mead",
                               options={"maxfev": max_evals, "xatol": 1e-3, "fatol": 1e-5})
    return np.round(np.exp(np.clip(result.x, low, high)), 1)


def figures(ours: np.ndarray, toi: np.ndarray) -> dict[str, float]:
    """Median and p90 relative error, gross outliers and median ratio of some pairs."""
    rel = np.abs(ours - toi) / toi
    off = np.abs(ours - toi)
    ratio = np.maximum(ours / toi, toi / ours)
    gross = ((ratio >= validation.FACTOR) & (off > validation.FACTOR_MIN)) | (
        off > validation.ABS_MIN) | ~np.isfinite(ours)
    return {"median_rel_error": float(np.median(rel)), "p90_rel_error":
            float(np.quantile(rel, 0.9)), "gross": float(gross.sum()),
            "median_ratio": float(np.median(ours / toi))}


def comparable(problem: FitProblem) -> np.ndarray:
    """Return, per pair, whether its route uses no link opened after TØI measured.

    A pair of :data:`regionopt.network.validation.LATER_LINKS` measures a road TØI did not
    drive: it never enters a fit, and the held-out figures are given without and with it.
    """
    return np.array([code not in validation.LATER_LINKS for code in problem.codes])


def split(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Return a seeded random half of ``range(n)`` (the fit) and the other half (held out)."""
    order = np.random.default_rng(seed).permutation(n)
    half = n // 2
    return np.sort(order[:half]), np.sort(order[half:])


def held_out(problem: FitProblem, start: np.ndarray, *, seeds: Sequence[int] = (0, 1, 2, 3, 4),
             max_evals: int = 300) -> pd.DataFrame:
    """Fit on half the pairs and report on the other half, once per seed.

    Returns
    -------
    pandas.DataFrame
        One row per seed: the fitted speeds (a column per class) and the held-out
        ``median_rel_error``, ``p90_rel_error``, ``gross``, ``median_ratio`` (without the
        pairs of a later link, :func:`comparable`; the same with them: ``all_...``), with the
        same figures of the start speeds on the same held-out pairs (``start_...``).
    """
    base = problem.minutes(start)
    same = comparable(problem)
    out = []
    for seed in seeds:
        train, every = split(len(problem.toi_min), seed)
        train, test = train[same[train]], every[same[every]]
        kph = fit(problem, train, start, max_evals=max_evals)
        ours = problem.minutes(kph)
        row: dict[str, float] = {"seed": seed, **dict(zip(problem.names, kph, strict=True))}
        row.update(figures(ours[test], problem.toi_min[test]))
        row.update({f"all_{k}": v for k, v in figures(ours[every],
                                                     problem.toi_min[every]).items()})
        row.update({f"start_{k}": v for k, v in figures(base[test],
                                                       problem.toi_min[test]).items()})
        out.append(row)
    return pd.DataFrame(out)
