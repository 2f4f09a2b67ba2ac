"""Travel-time matrix between centres and functional adjacency.

All shortest paths come from one multi-source Dijkstra
(:func:`scipy.sparse.csgraph.dijkstra`) on a CSR copy of the graph whose
edge weights are ``travel_time`` seconds; the same run returns the
predecessor arrays used to check which municipalities a fastest route
crosses.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely
from scipy import sparse
from scipy.sparse import csgraph

from regionopt.errors import NetworkError

log = logging.getLogger(__name__)

#: CRS used for border tests (ETRS89 / UTM 33N, metres; covers Norway).
METRIC_CRS = "EPSG:25833"
#: Polygons closer than this count as touching (Kommuner-S is simplified).
BORDER_TOLERANCE_M = 50.0
#: Minimum length of shared boundary for a ``border`` pair (excludes corner touches).
MIN_SHARED_BORDER_M = 500.0
#: A road node outside every polygon (coastal roads, bridges, quays and small islands lost in
#: the simplified Kommuner-S boundaries: 5.5 % of Norway's nodes, 99 % of them within 1.2 km)
#: belongs to the nearest municipality within this distance.
LABEL_SNAP_M = 2000.0
#: Candidate pairs for ``road``/``ferry`` links: each centre's nearest centres by time.
ROUTE_CANDIDATES = 12


@dataclass(frozen=True)
class ShortestPaths:
    """Result of a multi-source Dijkstra from the centres.

    Attributes
    ----------
    nodes
        Graph node of each CSR index.
    sources
        CSR index of each centre (row order of ``seconds``).
    seconds
        Shape ``(len(sources), len(nodes))``; ``inf`` where unreachable.
    predecessors
        Same shape; CSR index of the previous node, ``-9999`` at the source or
        where unreachable.
    """

    nodes: tuple[Hashable, ...]
    sources: np.ndarray
    seconds: np.ndarray
    predecessors: np.ndarray

    def path(self, row: int, target: int) -> list[int]:
        """Return CSR indices of the fastest path from source ``row`` to ``target``."""
        pred = self.predecessors[row]
        out = [target]
        while pred[out[-1]] >= 0:
            out.append(int(pred[out[-1]]))
        return out[::-1]


def graph_to_csr(G: nx.MultiDiGraph, *, weight: str = "travel_time"
                 ) -> tuple[sparse.csr_array, tuple[Hashable, ...], dict[Hashable, int]]:
    """Return a CSR matrix of ``weight`` (fastest of parallel edges), nodes and their index.

    Raises
    ------
    NetworkError
        If an edge lacks ``weight`` or has a negative one.
    """
    nodes = tuple(G.nodes)
    index = {n: i for i, n in enumerate(nodes)}
    rows, cols, vals = [], [], []
    for u, v, w in G.edges(data=weight):
        if w is None or not w >= 0:
            raise NetworkError(f"edge {u}->{v} has no valid {weight!r}")
        rows.append(index[u])
        cols.append(index[v])
        # csgraph treats explicit zeros as missing edges: keep them tiny instead.
        vals.append(max(float(w), 1e-6))
    frame = pd.DataFrame({"r": rows, "c": cols, "w": vals})
    best = frame.groupby(["r", "c"], sort=True)["w"].min().reset_index()
    n = len(nodes)
    csr = sparse.csr_array((best["w"].to_numpy(), (best["r"].to_numpy(), best["c"].to_numpy())),
                           shape=(n, n))
    return csr, nodes, index


def shortest_paths(G: nx.MultiDiGraph, sources: Sequence[Hashable]) -> ShortestPaths:
    """Run Dijkstra on ``travel_time`` from every node in ``sources`` at once.

    Raises
    ------
    NetworkError
        If a source is not in the graph.
    """
    csr, nodes, index = graph_to_csr(G)
    missing = [s for s in sources if s not in index]
    if missing:
        raise NetworkError(f"node {missing[0]!r} is not in the road graph")
    src = np.array([index[s] for s in sources], dtype=np.int64)
    dist, pred = csgraph.dijkstra(csr, directed=True, indices=src, return_predecessors=True)
    return ShortestPaths(nodes=nodes, sources=src, seconds=np.atleast_2d(dist),
                         predecessors=np.atleast_2d(pred))


def travel_time_matrix(G: nx.MultiDiGraph, centre_nodes: Mapping[str, Hashable], *,
                       paths: ShortestPaths | None = None) -> pd.DataFrame:
    """Return minutes between every pair of centres.

    Parameters
    ----------
    G
        Road graph with ``travel_time`` (s) on every edge.
    centre_nodes
        Kommunenummer → graph node of its centre.
    paths
        A :func:`shortest_paths` result for the same sources, to reuse.

    Returns
    -------
    pandas.DataFrame
        Index ``origin`` (sorted kommunenummer), one column per destination;
        minutes rounded to 0.01; NaN where unreachable.
    """
    codes = sorted(centre_nodes)
    if paths is None:
        paths = shortest_paths(G, [centre_nodes[c] for c in codes])
    cols = paths.sources
    minutes = np.round(paths.seconds[:, cols] / 60.0, 2)
    minutes[~np.isfinite(minutes)] = np.nan
    return pd.DataFrame(minutes, index=pd.Index(codes, name="origin"), columns=codes)


def unreachable_report(minutes: pd.DataFrame, G: nx.MultiDiGraph,
                       centre_nodes: Mapping[str, Hashable], *,
                       names: Mapping[str, str] | None = None) -> list[str]:
    """Explain each centre that cannot reach all the others.

    A centre is reported when its row or column in ``minutes`` has a gap and
    it belongs to a smaller group of mutually reachable centres than the
    largest one (so a 2-way split names the smaller side).

    Returns
    -------
    list of str
        One sentence per centre, e.g. ``"Træna (1835): no road or ferry link
        from its nearest road node (an island part of 3 nodes)"``.
    """
    names = names or {}
    reach = minutes.notna().to_numpy() & minutes.notna().to_numpy().T
    codes = list(minutes.index)
    groups: dict[tuple[bool, ...], list[str]] = {}
    for i, code in enumerate(codes):
        groups.setdefault(tuple(reach[i]), []).append(code)
    if len(groups) <= 1:
        return []
    largest = max(groups.values(), key=len)
    comp_size = _component_sizes(G)
    out = []
    for group in sorted(groups.values(), key=lambda g: g[0]):
        if group is largest:
            continue
        for code in group:
            size = comp_size.get(_road_node(G, centre_nodes[code]), 0)
            out.append(f"{names.get(code, code)} ({code}): no road or ferry link from its "
                       f"nearest road node (a separate part of {size} nodes; reaches "
                       f"{len(group) - 1} other centre(s))")
    return out


def _component_sizes(G: nx.MultiDiGraph) -> dict[Hashable, int]:
    sizes: dict[Hashable, int] = {}
    for comp in nx.weakly_connected_components(G):
        for n in comp:
            sizes[n] = len(comp)
    return sizes


def _road_node(G: nx.MultiDiGraph, centre: Hashable) -> Hashable:
    succ = [v for v in G.successors(centre)]
    return succ[0] if succ else centre


def border_pairs(municipalities: gpd.GeoDataFrame, *,
                 tolerance_m: float = BORDER_TOLERANCE_M,
                 min_shared_m: float = MIN_SHARED_BORDER_M) -> set[tuple[str, str]]:
    """Return pairs of municipalities whose polygons share a border.

    Polygons are projected to EPSG:25833; ``a`` and ``b`` are neighbours when
    the part of ``a``'s boundary lying within ``tolerance_m`` of ``b`` is at
    least ``min_shared_m`` long (either way round). The tolerance absorbs the
    slivers and gaps of the simplified Kommuner-S boundaries; the length
    threshold drops pairs that only meet at a corner or across a narrow sound.
    """
    gdf = municipalities[["kommunenummer", "geometry"]].to_crs(METRIC_CRS)
    geoms = shapely.make_valid(gdf.geometry.to_numpy())
    codes = gdf["kommunenummer"].to_numpy()
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="dwithin", distance=tolerance_m)
    pairs = set()
    for i, j in zip(left, right, strict=True):
        if i >= j:
            continue
        near_j = shapely.buffer(geoms[j], tolerance_m)
        near_i = shapely.buffer(geoms[i], tolerance_m)
        shared = max(shapely.length(shapely.intersection(shapely.boundary(geoms[i]), near_j)),
                     shapely.length(shapely.intersection(shapely.boundary(geoms[j]), near_i)))
        if shared >= min_shared_m:
            pairs.add((str(codes[i]), str(codes[j])))
    return pairs


def label_nodes(G: nx.MultiDiGraph, municipalities: gpd.GeoDataFrame,
                nodes: Sequence[Hashable], *, snap_m: float = LABEL_SNAP_M) -> np.ndarray:
    """Return the kommunenummer each node lies in.

    A node inside no polygon takes the nearest municipality within ``snap_m``
    metres (the simplified boundaries miss coastal roads, bridges and small
    islands); ``""`` farther out (at sea, abroad, or in no given polygon).
    """
    xs = np.array([G.nodes[n]["x"] for n in nodes], dtype=float)
    ys = np.array([G.nodes[n]["y"] for n in nodes], dtype=float)
    points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(xs, ys), crs="EPSG:4326")
    polys = municipalities[["kommunenummer", "geometry"]].copy()
    polys["geometry"] = shapely.make_valid(polys.geometry.to_numpy())
    joined = gpd.sjoin(points, polys, how="left", predicate="within")
    joined = joined[~joined.index.duplicated(keep="first")].sort_index()
    labels = joined["kommunenummer"].fillna("").astype(str).to_numpy()
    outside = np.flatnonzero(labels == "")
    if snap_m > 0 and len(outside):
        near = gpd.sjoin_nearest(points.iloc[outside].to_crs(METRIC_CRS), polys.to_crs(METRIC_CRS),
                                 how="inner", max_distance=snap_m)
        near = near[~near.index.duplicated(keep="first")]
        labels[near.index.to_numpy()] = near["kommunenummer"].astype(str).to_numpy()
    return labels


def functional_adjacency(
    municipalities: gpd.GeoDataFrame,
    G: nx.MultiDiGraph,
    *,
    centre_nodes: Mapping[str, Hashable] | None = None,
    paths: ShortestPaths | None = None,
    candidates: int = ROUTE_CANDIDATES,
    context: gpd.GeoDataFrame | None = None,
) -> pd.DataFrame:
    """Return neighbouring municipalities with the kind of link.

    Two municipalities are neighbours when their polygons share a border (see
    :func:`border_pairs`) or when the fastest route between their centres
    (either direction) enters no third municipality, judged by the
    municipality of each graph node on it (:func:`label_nodes`; nodes at sea
    or abroad belong to none, and the centres' access legs end at the centres
    themselves, so they cannot disqualify a route). Pass the polygons of the
    municipalities around the area as ``context``: a route through one of
    them enters a third municipality too (Lødingen–Evenes runs through
    Tjeldsund, which is in Troms, not Nordland). Only each centre's
    ``candidates`` nearest centres by travel time are tried: a direct link to
    a farther centre would in practice pass a nearer one's municipality.

    The kind says how the pair is joined: ``ferry`` when such a direct route
    uses a ferry, even if the polygons touch (Hasvik and Loppa share a border
    on uninhabited land, but are joined by the Hasvik–Øksfjord ferry);
    otherwise ``border`` when the polygons share a border; otherwise ``road``.

    Parameters
    ----------
    municipalities
        GeoDataFrame with ``kommunenummer`` and polygons (EPSG:4326).
    G
        Graph with centre nodes ``"centre:<kommunenummer>"``.
    centre_nodes
        Kommunenummer → centre node; default the ``centre:`` nodes.
    paths
        A :func:`shortest_paths` result from the centres in sorted code order.
    candidates
        How many nearest centres to test per centre.
    context
        ``kommunenummer`` and polygons of other municipalities (e.g. all of
        Norway's) used only to label route nodes; rows of the area's own
        municipalities in it are ignored.

    Returns
    -------
    pandas.DataFrame
        Columns ``a, b, kind`` with ``a < b``, sorted.
    """
    codes = sorted(str(c) for c in municipalities["kommunenummer"])
    if centre_nodes is None:
        centre_nodes = {c: f"centre:{c}" for c in codes}
    if paths is None:
        paths = shortest_paths(G, [centre_nodes[c] for c in codes])
    borders = border_pairs(municipalities)
    polys = municipalities[["kommunenummer", "geometry"]]
    if context is not None:
        others = context[~context["kommunenummer"].astype(str).isin(codes)]
        polys = pd.concat([polys, others[["kommunenummer", "geometry"]].to_crs(polys.crs)],
                          ignore_index=True)
    direct = _direct_links(codes, G, paths, label_nodes(G, polys, paths.nodes), candidates)
    kinds = {pair: "border" for pair in borders}
    for pair, kind in direct.items():
        if kind == "ferry" or pair not in borders:
            kinds[pair] = kind
    rows = sorted((a, b, kind) for (a, b), kind in kinds.items())
    return pd.DataFrame(rows, columns=["a", "b", "kind"])


def _direct_links(codes: list[str], G: nx.MultiDiGraph, paths: ShortestPaths,
                  labels: np.ndarray, candidates: int) -> dict[tuple[str, str], str]:
    """Return ``road``/``ferry`` for candidate pairs whose fastest route enters no third one.

    A pair is ``road`` if the route in either direction is direct and uses no
    ferry, else ``ferry`` if a direct route uses one.
    """
    ferry_edges = {(u, v) for u, v, f in G.edges(data="ferry") if f}
    col = {c: k for k, c in enumerate(codes)}
    found: dict[tuple[str, str], str] = {}
    for row, a in enumerate(codes):
        times = paths.seconds[row, paths.sources]
        order = [int(k) for k in np.argsort(times, kind="stable") if np.isfinite(times[k])]
        for k in [k for k in order if codes[k] != a][:candidates]:
            b = codes[k]
            pair = (a, b) if a < b else (b, a)
            if found.get(pair) == "road":
                continue
            route = paths.path(row, int(paths.sources[col[b]]))
            if not {lab for lab in labels[route] if lab} <= {a, b}:
                continue
            uses_ferry = any((paths.nodes[u], paths.nodes[v]) in ferry_edges
                             for u, v in itertools.pairwise(route))
            found[pair] = "ferry" if uses_ferry else "road"
    return found
