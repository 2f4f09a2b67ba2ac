"""Travel times from where people live: the population-weighted matrix (``origins="grid"``).

The time from municipality *i* to core *j* is the population-weighted mean, over *i*'s cells
of Statistics Norway's population grid (:mod:`regionopt.data.grid`), of the time from the
cell to *j*'s centre node: an **access leg** from the cell's centre to a node of the graph
(straight line × ``detour_factor`` at ``access_speed_kph``, as the centres' own legs) plus the
fastest route from that node.

An access leg never crosses water: every cell and every graph node is labelled with the piece
of land it lies on (a part of Kartverket's coast-clipped outline of Norway, ``Norge-S``: the
mainland and each island), and a cell reaches the graph only at a node on its own piece. Of
those, it takes the nearest among the nodes that reach the most centres (so a cell does not
start on a stub of road cut off from the rest of its island). A cell on a piece with no
node at all (an island with neither a road of the graph nor a ferry terminal, or a skerry
lost in the simplified outline) counts as living at its municipality's centre, whose own
access leg is the centre-to-centre network's. A node on a bridge or quay outside the outline
takes the nearest piece within :data:`NODE_SNAP_M`; a cell outside it the nearest piece within
:data:`CELL_SNAP_M`.

The destination end is the core's centre node, as in TØI's ``Reisetid`` (``docs/metrics.md``
and ``docs/travel_validation.md`` give the evidence).

Only shares of a municipality's grid population are used (the grid is 2019, the
municipalities' populations 2024).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer
from scipy import sparse
from scipy.sparse import csgraph
from scipy.spatial import cKDTree

from regionopt.data import grid as popgrid
from regionopt.data import sources
from regionopt.errors import DataError
from regionopt.network import travel

log = logging.getLogger(__name__)

#: The outline of Norway, coast-clipped; its parts are the pieces of land.
LAND = "kartverket/Norge-S.geojson"
#: A graph node outside the outline (bridge, quay, ferry terminal) takes the nearest piece
#: of land within this distance.
NODE_SNAP_M = 1000.0
#: A cell whose centre is outside the outline (coastal 1 km cells, skerries) takes the
#: nearest piece of land within this distance.
CELL_SNAP_M = 1500.0
#: With ``destinations="grid"`` a trip ends at the destination's this many most populous
#: access points (its town), weighted by their inhabitants: fitted on TØI's pairs as well as
#: the exact mean over every cell, at a tenth of the Dijkstra runs
#: (``docs/travel_validation.md``).
DESTINATION_NODES = 3


@dataclass(frozen=True)
class Access:
    """Where each cell reaches the graph.

    Attributes
    ----------
    node
        CSR index of the cell's access node; -1 where the cell counts as at its centre.
    metres
        Straight-line length of the access leg (0 where ``node`` is -1).
    piece
        The cell's piece of land (-1: none within :data:`CELL_SNAP_M`).
    """

    node: np.ndarray
    metres: np.ndarray
    piece: np.ndarray


def land_pieces(*, data_dir: str | os.PathLike[str] | None = None,
                cache_dir: str | os.PathLike[str] | None = None) -> np.ndarray:
    """Return the pieces of land of Norway (polygons in EPSG:25833), largest first.

    Raises
    ------
    DataError
        If the outline cannot be read.
    """
    path = sources.fetch(LAND, data_dir=data_dir, cache_dir=cache_dir)
    try:
        frame = gpd.read_file(path)
    except Exception as exc:  # pyogrio raises its own error types for bad files
        raise DataError(f"{path}: cannot read GeoJSON ({type(exc).__name__}: {exc})") from None
    frame = frame.set_crs(4326) if frame.crs is None else frame
    parts = shapely.get_parts(shapely.make_valid(frame.to_crs(popgrid.GRID_CRS).geometry
                                                 .to_numpy()))
    parts = parts[shapely.get_type_id(parts) == 3]  # polygons only
    return parts[np.argsort(-shapely.area(parts), kind="stable")]


def label_pieces(x: np.ndarray, y: np.ndarray, pieces: np.ndarray, *,
                 snap_m: float) -> np.ndarray:
    """Return the index of the piece each point (EPSG:25833) lies on, or the nearest within
    ``snap_m``; -1 farther out."""
    points = shapely.points(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
    tree = shapely.STRtree(pieces)
    out = np.full(len(points), -1, dtype=np.int64)
    pt, poly = tree.query(points, predicate="within")
    out[pt] = poly
    outside = np.flatnonzero(out < 0)
    if len(outside) and snap_m > 0:
        idx, near = tree.query_nearest(points[outside], max_distance=snap_m, all_matches=False)
        out[outside[idx]] = near
    return out


def node_xy(G: nx.MultiDiGraph, nodes: Sequence[Hashable]) -> tuple[np.ndarray, np.ndarray]:
    """Return the nodes' positions in EPSG:25833."""
    lon = np.array([G.nodes[n]["x"] for n in nodes], dtype=float)
    lat = np.array([G.nodes[n]["y"] for n in nodes], dtype=float)
    to_utm = Transformer.from_crs(4326, popgrid.GRID_CRS, always_xy=True)
    return to_utm.transform(lon, lat)


def access_nodes(cell_x: np.ndarray, cell_y: np.ndarray, cell_piece: np.ndarray,
                 node_x: np.ndarray, node_y: np.ndarray, node_piece: np.ndarray,
                 node_reach: np.ndarray, need: np.ndarray) -> Access:
    """Return each cell's access node: the nearest on its piece among those reaching most.

    A cell whose best node reaches fewer centres than ``need`` (its own centre's reach: an
    island whose ferry is not in the table) gets none and counts as at its centre.

    Parameters
    ----------
    cell_x, cell_y, cell_piece
        Cell centres (metres) and their pieces of land.
    node_x, node_y, node_piece
        Graph nodes (CSR order) and their pieces (-1: none; never an access node).
    node_reach
        How many centres each node reaches.
    need
        Per cell, how many centres its municipality's centre reaches.
    """
    node = np.full(len(cell_x), -1, dtype=np.int64)
    metres = np.zeros(len(cell_x))
    by_piece = pd.Series(np.arange(len(node_piece))).groupby(node_piece).apply(np.asarray)
    for piece in np.unique(cell_piece[cell_piece >= 0]):
        if piece not in by_piece.index:
            continue
        cand = by_piece[piece]
        cand = cand[node_reach[cand] == node_reach[cand].max()]
        cells = np.flatnonzero(cell_piece == piece)
        dist, k = cKDTree(np.column_stack([node_x[cand], node_y[cand]])).query(
            np.column_stack([cell_x[cells], cell_y[cells]]))
        ok = node_reach[cand[k]] >= need[cells]
        node[cells[ok]] = cand[k][ok]
        metres[cells[ok]] = dist[ok]
    return Access(node=node, metres=metres, piece=cell_piece)


def times_to_centres(G: nx.MultiDiGraph, centre_nodes: Mapping[str, Hashable]
                     ) -> tuple[np.ndarray, tuple[Hashable, ...]]:
    """Return seconds from every node to every centre (centres in sorted code order × nodes).

    One multi-source Dijkstra on the reversed graph.
    """
    csr, nodes, index = travel.graph_to_csr(G)
    codes = sorted(centre_nodes)
    src = np.array([index[centre_nodes[c]] for c in codes], dtype=np.int64)
    seconds = csgraph.dijkstra(csr.T.tocsr(), directed=True, indices=src)
    return np.atleast_2d(seconds), nodes


def weighted_minutes(codes: Sequence[str], cell_code: np.ndarray, share: np.ndarray,
                     access: Access, access_seconds: np.ndarray, to_centres: np.ndarray,
                     centre_index: np.ndarray) -> np.ndarray:
    """Return the population-weighted minutes (origins ``codes`` × centres).

    ``minutes[i, j] = Σ_c share_c · (access_seconds_c + to_centres[j, node_c]) / 60`` over
    *i*'s cells; a cell without an access node counts as at *i*'s centre
    (``to_centres[j, centre_index[i]]``). A pair some cell cannot make is unreachable (NaN).

    Parameters
    ----------
    codes
        The origins, in matrix order.
    cell_code, share
        Each cell's municipality and its share of the municipality's grid population.
    access, access_seconds
        Each cell's access node and the leg's seconds.
    to_centres
        Seconds from every node to every centre (:func:`times_to_centres`).
    centre_index
        CSR index of each origin's own centre node (same order as ``codes``).
    """
    row_of = {c: k for k, c in enumerate(codes)}
    rows = np.array([row_of.get(c, -1) for c in cell_code], dtype=np.int64)
    keep = rows >= 0
    rows, share = rows[keep], share[keep]
    node = np.where(access.node[keep] >= 0, access.node[keep], centre_index[rows])
    secs = np.where(access.node[keep] >= 0, access_seconds[keep], 0.0)
    n, m = len(codes), to_centres.shape[1]
    weights = sparse.csr_array((share, (rows, node)), shape=(n, m))
    leg = np.bincount(rows, weights=share * secs, minlength=n)
    reach = np.isfinite(to_centres)
    safe = np.where(reach, to_centres, 0.0)
    total = weights @ safe.T + leg[:, None]
    used = sparse.csr_array((np.ones_like(share), (rows, node)), shape=(n, m))
    missing = (used @ (~reach).T.astype(float)) > 0
    out = total / 60.0
    out[missing] = np.nan
    return np.asarray(out)


def cells_and_access(G: nx.MultiDiGraph, centre_nodes: Mapping[str, Hashable],
                     codes: Sequence[str], *, to_centres: np.ndarray | None = None,
                     data_dir: str | os.PathLike[str] | None = None,
                     cache_dir: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """Return the cells of ``codes`` with their share and where they reach the graph.

    Columns ``kommunenummer``, ``pop``, ``share`` (of the municipality's grid population),
    ``node`` (index into ``tuple(G.nodes)``; the municipality's centre node for a cell that
    counts as at its centre) and ``metres`` (the access leg's straight line; 0 at the centre).

    Raises
    ------
    DataError
        If a grid or outline file cannot be read, or a municipality has no populated cell.
    """
    cells = popgrid.load_grid(data_dir=data_dir, cache_dir=cache_dir)
    cells = cells[cells["kommunenummer"].isin(codes)].reset_index(drop=True)
    missing = sorted(set(codes) - set(cells["kommunenummer"]))
    if missing:
        raise DataError(f"population grid: municipality {missing[0]} has no populated cell")
    cells["share"] = popgrid.cell_shares(cells)
    nodes = tuple(G.nodes)
    if to_centres is None:
        to_centres = times_to_centres(G, centre_nodes)[0]
    pieces = land_pieces(data_dir=data_dir, cache_dir=cache_dir)
    nx_, ny_ = node_xy(G, nodes)
    node_piece = label_pieces(nx_, ny_, pieces, snap_m=NODE_SNAP_M)
    cx, cy = cells["x"].to_numpy(), cells["y"].to_numpy()
    cell_piece = label_pieces(cx, cy, pieces, snap_m=CELL_SNAP_M)
    reach = np.isfinite(to_centres).sum(axis=0)
    index = {n: k for k, n in enumerate(nodes)}
    own = {c: index[centre_nodes[c]] for c in sorted(centre_nodes)}
    need = cells["kommunenummer"].map({c: reach[k] for c, k in own.items()}).to_numpy()
    access = access_nodes(cx, cy, cell_piece, nx_, ny_, node_piece, reach, need)
    at_centre = access.node < 0
    if at_centre.any():
        log.info("population grid: %d people in %d cells reach no graph node on their "
                 "island and count as at their centre", int(cells["pop"][at_centre].sum()),
                 int(at_centre.sum()))
    centre_of = cells["kommunenummer"].map(own).to_numpy()
    cells["node"] = np.where(at_centre, centre_of, access.node)
    cells["metres"] = np.where(at_centre, 0.0, access.metres)
    return cells[["kommunenummer", "pop", "share", "node", "metres"]]


def destination_points(cells: pd.DataFrame, codes: Sequence[str], *,
                       top: int = DESTINATION_NODES) -> pd.DataFrame:
    """Return where trips to each municipality end when the destination end is weighted.

    The municipality's ``top`` most populous access nodes (ties to the lower node index),
    each with its share of their inhabitants (summing to 1 per municipality) and the
    share-weighted mean straight-line leg of its cells (``metres``).

    Parameters
    ----------
    cells
        :func:`cells_and_access`'s frame.
    codes
        The destination municipalities.
    """
    mine = cells[cells["kommunenummer"].isin(codes)]
    points = (mine.assign(leg=mine["metres"] * mine["share"])
              .groupby(["kommunenummer", "node"], sort=True)[["share", "leg"]].sum()
              .reset_index())
    points["metres"] = points["leg"] / points["share"]
    points = (points.sort_values(["kommunenummer", "share", "node"],
                                 ascending=[True, False, True], kind="stable")
              .groupby("kommunenummer").head(top)
              .sort_values(["kommunenummer", "node"], kind="stable").reset_index(drop=True))
    points["share"] = points["share"] / points.groupby("kommunenummer")["share"].transform("sum")
    return points[["kommunenummer", "node", "share", "metres"]]


def times_to_destinations(G: nx.MultiDiGraph, codes: Sequence[str], points: pd.DataFrame,
                          leg_seconds: np.ndarray) -> np.ndarray:
    """Return seconds from every node to each municipality's weighted end (codes × nodes).

    ``Σ_d w_d (T(node → d) + leg_d)`` over the municipality's points *d*
    (:func:`destination_points`), ``leg_seconds`` per point; one reverse Dijkstra from all
    points.
    """
    csr, _, _ = travel.graph_to_csr(G)
    row_of = {c: k for k, c in enumerate(codes)}
    rows = points["kommunenummer"].map(row_of).to_numpy()
    to_points = np.atleast_2d(csgraph.dijkstra(csr.T.tocsr(), directed=True,
                                               indices=points["node"].to_numpy()))
    mix = sparse.csr_array((points["share"].to_numpy(), (rows, np.arange(len(points)))),
                           shape=(len(codes), len(points)))
    reach = np.isfinite(to_points)
    out = mix @ np.where(reach, to_points, 0.0) + (mix @ leg_seconds)[:, None]
    gaps = (mix @ (~reach).astype(float)) > 0
    out[gaps] = np.inf
    return np.asarray(out)


def access_leg_seconds(metres: np.ndarray, *, detour_factor: float,
                       access_speed_kph: float) -> np.ndarray:
    """Return the seconds of access legs of ``metres`` straight line (× ``detour_factor``)."""
    return np.asarray(metres, dtype=float) * detour_factor / (access_speed_kph / 3.6)


def cell_minutes(G: nx.MultiDiGraph, centre_nodes: Mapping[str, Hashable], *,
                 detour_factor: float, access_speed_kph: float,
                 data_dir: str | os.PathLike[str] | None = None,
                 cache_dir: str | os.PathLike[str] | None = None
                 ) -> tuple[pd.DataFrame, np.ndarray]:
    """Return the cells of the centres' municipalities and each cell's minutes to every centre.

    The cells are :func:`cells_and_access`'s frame; the minutes (cells × the sorted codes of
    ``centre_nodes``) are the access leg plus the fastest route from the cell's access node
    to the centre, unrounded, ``inf`` where there is no route: the terms whose
    share-weighted mean over a municipality's cells is :func:`grid_matrix`'s time (with
    ``destinations="centre"``).

    Raises
    ------
    DataError
        If a grid or outline file cannot be read.
    """
    codes = sorted(centre_nodes)
    to_centres, _ = times_to_centres(G, centre_nodes)
    cells = cells_and_access(G, centre_nodes, codes, to_centres=to_centres,
                             data_dir=data_dir, cache_dir=cache_dir)
    legs = access_leg_seconds(cells["metres"].to_numpy(), detour_factor=detour_factor,
                              access_speed_kph=access_speed_kph)
    return cells, (to_centres[:, cells["node"].to_numpy()].T + legs[:, None]) / 60.0


def grid_matrix(G: nx.MultiDiGraph, centre_nodes: Mapping[str, Hashable], *,
                detour_factor: float, access_speed_kph: float, destinations: str = "centre",
                data_dir: str | os.PathLike[str] | None = None,
                cache_dir: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """Return the population-weighted travel-time matrix of the centres' municipalities.

    Index ``origin`` and columns are the sorted codes of ``centre_nodes``; minutes rounded to
    0.01, NaN where unreachable. ``destinations="grid"`` weights the destination end too,
    at its :data:`DESTINATION_NODES` most populous access points
    (:func:`destination_points`); ``"centre"`` ends every trip at the destination's centre.

    Raises
    ------
    DataError
        If a grid or outline file cannot be read.
    """
    codes = sorted(centre_nodes)
    to_centres, nodes = times_to_centres(G, centre_nodes)
    cells = cells_and_access(G, centre_nodes, codes, to_centres=to_centres,
                             data_dir=data_dir, cache_dir=cache_dir)
    index = {n: k for k, n in enumerate(nodes)}
    centre_index = np.array([index[centre_nodes[c]] for c in codes], dtype=np.int64)
    access = Access(node=cells["node"].to_numpy(), metres=cells["metres"].to_numpy(),
                    piece=np.zeros(len(cells), dtype=np.int64))
    seconds = access_leg_seconds(access.metres, detour_factor=detour_factor,
                                 access_speed_kph=access_speed_kph)
    if destinations == "grid":
        points = destination_points(cells, codes)
        legs = access_leg_seconds(points["metres"].to_numpy(),
                                  detour_factor=detour_factor,
                                  access_speed_kph=access_speed_kph)
        to_centres = times_to_destinations(G, codes, points, legs)
    minutes = weighted_minutes(codes, cells["kommunenummer"].to_numpy(),
                               cells["share"].to_numpy(), access, seconds, to_centres,
                               centre_index)
    return pd.DataFrame(np.round(minutes, 2), index=pd.Index(codes, name="origin"),
                        columns=codes)
