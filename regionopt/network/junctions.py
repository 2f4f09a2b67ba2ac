"""Join Travel Mapping routes that meet at a junction but share no waypoint.

In Travel Mapping data, routes that meet share a waypoint with identical coordinates, and the
road graph (:mod:`regionopt.network.roads`) joins them there. Some do not: a county road begins
at a junction with a minor road that is not in the data (Fv255 begins in Vinstra at Fv2522,
1.05 km from the E6), or the two routes put their junction waypoints at the two ends of a ramp.
Such a junction is a dead end or a gap in the graph, and everything behind it is reached by a
long detour (Sør-Fron to Vinstra: 140 min instead of 17). Three rules join them; each join is
made only where the graph has no path shorter than ``min_detour`` (3) times the straight line
and at least ``min_saving_m`` (1 km) longer than it, so a junction the graph already links is
never touched.

1. **Route ends** (:func:`find_junction_joins`, radius 1.5 km). Only a route's first or last
   waypoint, and only when its node is a dead end of the graph (no other route shares it), is
   joined to the nearest point of another road (the edge is split there). A waypoint in the
   middle of a route is never joined, so a road crossing another on a bridge stays unlinked.
   Ends at a ferry quay (labels containing ``Fry``) are left alone: the far side of a fjord is
   often within a kilometre, and the ferry table joins them with the sailing time. A motorway
   edge is never split: the end joins the motorway's nearest labelled (exit) waypoint or nothing.
2. **Labels naming each other** (:func:`regionopt.network.junction_labels.find_labelled_joins`,
   radius 300 m): two labelled waypoints of different routes, one naming the other's route
   (Fv128's ``Fv211_W`` and Fv211's ``Fv128_W``, 32 m apart).
3. **A shared missing road** (:func:`regionopt.network.junction_labels.find_shared_road_joins`,
   radius 5 km): labelled waypoints of two routes that both name a road number Travel Mapping
   does not carry (Fv251's and Fv33's ``Fv2466``, 2.9 km apart) are the two ends of that road.

A join is an edge pair of ``straight × detour_factor`` metres at ``speed_kph`` (1.3 and 40 km/h,
the same as a centre's access leg, :mod:`regionopt.network.ferries`), ``highway="junction_link"``
and ``junction_join=True``: it stands for a local road missing from the data, not for a fitted
speed. :func:`regionopt.network.roads.join_broken_junctions` applies the rules in the order 2, 3,
1 and counts the joins of each.
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections.abc import Callable, Collection, Hashable, Iterable
from dataclasses import dataclass

import networkx as nx
import numpy as np

#: Largest straight-line gap (m) joined. The longest gap between a county road's end and the
#: road it joins through a street missing from Travel Mapping is about 1.2 km (Fv255 in
#: Vinstra to the E6); 1.5 km keeps such links and stays below the distances where a join would
#: stand for a real road of its own.
JUNCTION_RADIUS_M = 1500.0

_EARTH_RADIUS_M = 6_371_008.8
M_PER_DEG = math.pi * _EARTH_RADIUS_M / 180.0


@dataclass(frozen=True)
class Join:
    """One join made between a route end and another road.

    Attributes
    ----------
    end
        The dead-end node joined.
    target
        The node it is joined to: an existing node, or the node inserted into ``edge``.
    edge
        The undirected edge ``(u, v)`` the target lies on (``target`` is ``u`` or ``v`` when the
        nearest point is an end of the edge).
    split
        Whether ``edge`` is split by a new node.
    lon, lat, to_lon, to_lat
        Coordinates of the end and of the target point.
    distance_m
        Straight-line length of the join.
    network_m
        Road-network distance between the two points before the join (``inf`` if unreachable).
    ref, to_ref
        Road numbers (``ref``) at the end and of ``edge``.
    """

    end: Hashable
    target: Hashable
    edge: tuple[Hashable, Hashable]
    split: bool
    lon: float
    lat: float
    to_lon: float
    to_lat: float
    distance_m: float
    network_m: float
    ref: str
    to_ref: str


def grid_node_id(lon: float, lat: float) -> int:
    """Return the integer node id of a coordinate on a 1e-6 degree grid.

    The convention of ``regionopt.network.roads.node_id`` (which imports this module):
    identical coordinates give identical ids.
    """
    return round((lat + 90.0) * 1e6) * 1_000_000_000 + round((lon + 180.0) * 1e6)


def dead_ends(G: nx.MultiDiGraph) -> list[Hashable]:
    """Return the nodes with exactly one neighbour (in either direction), sorted by id."""
    out = [n for n in G.nodes if len(set(G.successors(n)) | set(G.predecessors(n))) == 1]
    return sorted(out, key=repr)


def _is_road(data: dict) -> bool:
    return not (data.get("ferry") or data.get("access"))


def _road_segments(G: nx.MultiDiGraph) -> tuple[list[tuple[Hashable, Hashable]], np.ndarray]:
    """Return the undirected road edges and their end coordinates ``[[x1, y1, x2, y2], ...]``."""
    pairs: dict[tuple[Hashable, Hashable], None] = {}
    for u, v, data in G.edges(data=True):
        if u == v or not _is_road(data):
            continue
        key = (u, v) if repr(u) <= repr(v) else (v, u)
        pairs.setdefault(key, None)
    segs = list(pairs)
    coords = np.array([[G.nodes[u]["x"], G.nodes[u]["y"], G.nodes[v]["x"], G.nodes[v]["y"]]
                       for u, v in segs], dtype=float).reshape(-1, 4)
    return segs, coords


def network_lengths(G: nx.MultiDiGraph, source: Hashable, cutoff: float) -> dict[Hashable, float]:
    """Return road-network distances (m, edge ``length``) from ``source`` up to ``cutoff``."""
    dist: dict[Hashable, float] = {source: 0.0}
    heap: list[tuple[float, int, Hashable]] = [(0.0, 0, source)]
    count = 1
    while heap:
        d, _, u = heapq.heappop(heap)
        if d > dist.get(u, math.inf):
            continue
        for v, keyed in G[u].items():
            step = min((e.get("length", math.inf) for e in keyed.values() if _is_road(e)),
                       default=math.inf)
            nd = d + step
            if nd <= cutoff and nd < dist.get(v, math.inf):
                dist[v] = nd
                heapq.heappush(heap, (nd, count, v))
                count += 1
    return dist


def _is_motorway(G: nx.MultiDiGraph, u: Hashable, v: Hashable) -> bool:
    data = G.get_edge_data(u, v) or G.get_edge_data(v, u) or {}
    return any(str(d.get("highway", "")).startswith("motorway") for d in data.values())


def _ref_at(G: nx.MultiDiGraph, u: Hashable, v: Hashable | None = None) -> str:
    edges = G.edges(u, data=True) if v is None else [(u, v, d) for d in G[u][v].values()]
    refs = sorted({str(d.get("ref", "")) for _, _, d in edges if _is_road(d)})
    return "/".join(r for r in refs if r)


def find_junction_joins(
    G: nx.MultiDiGraph,
    *,
    ends: Iterable[Hashable] | None = None,
    exclude: Collection[Hashable] = (),
    radius_m: float = JUNCTION_RADIUS_M,
    min_detour: float = 3.0,
    min_saving_m: float = 1000.0,
    allow: Callable[[float, float, float, float], bool] | None = None,
    snap_m: float = 25.0,
    junction_nodes: Collection[Hashable] | None = None,
) -> list[Join]:
    """Find the joins between dead-end route ends and the nearest other road (see module doc).

    Parameters
    ----------
    G
        Road graph in osmnx conventions (nodes with ``x`` = lon, ``y`` = lat; edges with
        ``length`` in metres); ferry (``ferry=True``) and access (``access=True``) edges are
        neither targets nor used for network distances.
    ends
        Candidate nodes (route ends); default every dead end of ``G`` (:func:`dead_ends`).
        Candidates that are not dead ends are skipped.
    exclude
        Nodes never joined (route ends at ferry quays).
    radius_m
        Largest straight-line join (metres).
    min_detour, min_saving_m
        Join only when the road-network distance to the target point is at least
        ``min_detour`` times the straight line and longer than it by ``min_saving_m`` (or there
        is no road path).
    allow
        ``allow(lon, lat, to_lon, to_lat) -> bool``; a join it refuses is not made, and the
        next-nearest candidate edge is tried.
    snap_m
        A target point this close to an end of its edge joins that node instead of splitting
        the edge.
    junction_nodes
        Nodes where a motorway may be entered (its labelled waypoints: exits). A motorway edge
        (``highway`` ``motorway``) is never split: the end joins the edge's nearer end node in
        ``junction_nodes`` (either end node when None), if that is within ``radius_m``.

    Returns
    -------
    list of Join
        At most one per end, sorted by the end's id (``repr``).
    """
    skip = set(exclude)
    cands = dead_ends(G) if ends is None else sorted(set(ends), key=repr)
    segs, xy = _road_segments(G)
    if not segs:
        return []
    joins: list[Join] = []
    for end in cands:
        if end in skip or end not in G:
            continue
        if len(set(G.successors(end)) | set(G.predecessors(end))) != 1:
            continue
        join = _join_for(G, end, segs, xy, radius_m=radius_m, min_detour=min_detour,
                         min_saving_m=min_saving_m, allow=allow, snap_m=snap_m,
                         junction_nodes=None if junction_nodes is None else set(junction_nodes))
        if join is not None:
            joins.append(join)
    return joins


def _join_for(G: nx.MultiDiGraph, end: Hashable, segs: list[tuple[Hashable, Hashable]],
              xy: np.ndarray, *, radius_m: float, min_detour: float, min_saving_m: float,
              allow: Callable[[float, float, float, float], bool] | None,
              snap_m: float, junction_nodes: set[Hashable] | None) -> Join | None:
    lon, lat = float(G.nodes[end]["x"]), float(G.nodes[end]["y"])
    kx = M_PER_DEG * math.cos(math.radians(lat))
    ax, ay = (xy[:, 0] - lon) * kx, (xy[:, 1] - lat) * M_PER_DEG
    bx, by = (xy[:, 2] - lon) * kx, (xy[:, 3] - lat) * M_PER_DEG
    dx, dy = bx - ax, by - ay
    len2 = np.maximum(dx * dx + dy * dy, 1e-9)
    t = np.clip(-(ax * dx + ay * dy) / len2, 0.0, 1.0)
    dist = np.hypot(ax + t * dx, ay + t * dy)
    order = np.flatnonzero(dist <= radius_m)
    if order.size == 0:
        return None
    order = order[np.argsort(dist[order], kind="stable")]
    reach = network_lengths(G, end, cutoff=max(min_detour * radius_m,
                                                radius_m + min_saving_m) + 1.0)
    for j in order:
        u, v = segs[j]
        if end in (u, v):
            continue
        d, tj = float(dist[j]), float(t[j])
        seg_len = float(math.hypot(dx[j], dy[j]))
        via = min(reach.get(u, math.inf) + tj * seg_len,
                  reach.get(v, math.inf) + (1.0 - tj) * seg_len)
        if via < max(min_detour * max(d, 1.0), d + min_saving_m):
            continue  # already linked: no shortcut
        to_lon = float(xy[j, 0] + tj * (xy[j, 2] - xy[j, 0]))
        to_lat = float(xy[j, 1] + tj * (xy[j, 3] - xy[j, 1]))
        if _is_motorway(G, u, v):
            # A motorway is entered at an interchange only: join its nearer junction waypoint.
            exits = [(w, flat_m(lon, lat, G.nodes[w]["x"], G.nodes[w]["y"]),
                      reach.get(w, math.inf)) for w in (u, v)
                     if junction_nodes is None or w in junction_nodes]
            exits = [e for e in exits if e[1] <= radius_m
                     and e[2] >= max(min_detour * max(e[1], 1.0), e[1] + min_saving_m)]
            if not exits:
                continue
            w, d, via = min(exits, key=lambda e: e[1])
            tj = 0.0 if w == u else 1.0
            to_lon, to_lat = float(G.nodes[w]["x"]), float(G.nodes[w]["y"])
        if allow is not None and not allow(lon, lat, to_lon, to_lat):
            continue
        if tj * seg_len <= snap_m:
            target, split = u, False
        elif (1.0 - tj) * seg_len <= snap_m:
            target, split = v, False
        else:
            target, split = None, True
        if not split:
            to_lon, to_lat = float(G.nodes[target]["x"]), float(G.nodes[target]["y"])
        return Join(end=end, target=target, edge=(u, v), split=split, lon=lon, lat=lat,
                    to_lon=round(to_lon, 6), to_lat=round(to_lat, 6), distance_m=round(d, 1),
                    network_m=via, ref=_ref_at(G, end), to_ref=_ref_at(G, u, v))
    return None


def apply_joins(
    G: nx.MultiDiGraph,
    joins: Iterable[Join],
    *,
    speed_kph: float = 40.0,
    detour_factor: float = 1.3,
    node_factory: Callable[[float, float], Hashable] = grid_node_id,
) -> list[Join]:
    """Add the joins to ``G`` in place; return them with ``target`` filled in for split edges.

    A split edge ``u–v`` (every key, both directions) is replaced by ``u–p`` and ``p–v`` with
    the same attributes, ``length`` and ``travel_time`` in proportion. Each join is an edge
    pair ``end–target`` with ``length = distance × detour_factor``, ``speed_kph``,
    ``travel_time``, ``highway="junction_link"``, ``ref=""`` and ``junction_join=True``.
    """
    done: list[Join] = []
    for join in joins:
        target = join.target
        if join.split:
            target = node_factory(join.to_lon, join.to_lat)
            if target not in G:
                _split_edge(G, join.edge, target, join.to_lon, join.to_lat)
        length = join.distance_m * detour_factor
        seconds = length / (speed_kph / 3.6)
        for s, t in ((join.end, target), (target, join.end)):
            G.add_edge(s, t, length=round(length, 3), highway="junction_link", ref="",
                       speed_kph=speed_kph, travel_time=round(seconds, 3), junction_join=True)
        done.append(Join(**{**join.__dict__, "target": target}))
    return done


def _split_edge(G: nx.MultiDiGraph, edge: tuple[Hashable, Hashable], node: Hashable,
                lon: float, lat: float) -> None:
    u, v = edge
    if not (G.has_edge(u, v) or G.has_edge(v, u)):
        # An earlier join split this edge: find the piece the point lies on.
        u, v = _piece_containing(G, edge, lon, lat)
    G.add_node(node, x=round(lon, 6), y=round(lat, 6))
    for a, b in ((u, v), (v, u)):
        if not G.has_edge(a, b):
            continue
        full = flat_m(G.nodes[a]["x"], G.nodes[a]["y"], G.nodes[b]["x"], G.nodes[b]["y"])
        part = flat_m(G.nodes[a]["x"], G.nodes[a]["y"], lon, lat)
        frac = min(max(part / full, 0.0), 1.0) if full > 0 else 0.5
        for key, data in list(G[a][b].items()):
            G.remove_edge(a, b, key=key)
            for s, t, f in ((a, node, frac), (node, b, 1.0 - frac)):
                piece = dict(data)
                for attr in ("length", "travel_time"):
                    if attr in piece:
                        piece[attr] = round(float(piece[attr]) * f, 3)
                G.add_edge(s, t, key=key, **piece)


def _piece_containing(G: nx.MultiDiGraph, edge: tuple[Hashable, Hashable], lon: float,
                      lat: float) -> tuple[Hashable, Hashable]:
    """Return the sub-edge of an already split ``edge`` nearest to ``(lon, lat)``."""
    u, v = edge
    path = nx.shortest_path(G, u, v, weight="length")
    pieces = list(itertools.pairwise(path))
    return min(pieces, key=lambda p: _seg_dist(G, p, lon, lat))


def _seg_dist(G: nx.MultiDiGraph, piece: tuple[Hashable, Hashable], lon: float,
              lat: float) -> float:
    a, b = piece
    k = math.cos(math.radians(lat))
    ax, ay = (G.nodes[a]["x"] - lon) * k, G.nodes[a]["y"] - lat
    bx, by = (G.nodes[b]["x"] - lon) * k, G.nodes[b]["y"] - lat
    dx, dy = bx - ax, by - ay
    t = min(max(-(ax * dx + ay * dy) / max(dx * dx + dy * dy, 1e-18), 0.0), 1.0)
    return math.hypot(ax + t * dx, ay + t * dy)


def flat_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    k = math.cos(math.radians((lat1 + lat2) / 2.0))
    return M_PER_DEG * math.hypot((lon2 - lon1) * k, lat2 - lat1)
