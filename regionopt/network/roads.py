"""Road graphs in osmnx conventions.

Three builders return the same shape of graph: an ``nx.MultiDiGraph`` with
``graph["crs"] = "EPSG:4326"``, nodes with ``x`` (lon) and ``y`` (lat), and
edges with ``length`` (m), ``highway``, ``ref``, ``speed_kph`` and
``travel_time`` (s), so osmnx functions (``ox.distance.nearest_nodes``,
``ox.routing.shortest_path``, ``ox.graph_to_gdfs``, ``ox.save_graphml``) work
on it.

* :func:`graph_from_travelmapping` reads the Travel Mapping waypoint files
  (offline, from the source data folder);
* :func:`regionopt.network.osm.graph_from_osm_xml` reads an OpenStreetMap XML
  file with osmnx;
* :func:`regionopt.network.osm.graph_from_osm_polygon` downloads OpenStreetMap
  roads with osmnx (needs internet).

:func:`regionopt.network.build.road_graph` picks one of them by name (:data:`SOURCES`).
This module also holds the helpers all three share (distances, node ids, the
buffered study area).
"""

from __future__ import annotations

import csv
import io
import logging
import os
from collections.abc import Hashable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry
from tqdm.auto import tqdm

from regionopt.data.sources import fetch
from regionopt.errors import DataError, NetworkError
from regionopt.network import junction_labels, junctions

log = logging.getLogger(__name__)

#: Travel Mapping systems read, in this order (later duplicates of an edge are dropped).
TM_SYSTEMS = ("normot", "eure", "norrv", "norntv", "norfv", "norr", "fintr")

#: Effective driving speeds (km/h) on the straight segments between Travel
#: Mapping waypoints, by road class. Keys are a system name, or ``"<system>:<ref>"``
#: for one route (``"eure:E6"``).
#:
#: Source and reasoning: the Norwegian general speed limit outside built-up
#: areas is 80 km/h (trafikkreglene §13; Statens vegvesen), 50 km/h in built-up
#: areas, and motorways are signed 100-110 km/h. Travel time is less than the
#: limit suggests because (a) the waypoint polyline cuts corners: Travel
#: Mapping places shaping points only where the line would stray from the road,
#: so the straight-line length is roughly 5-10 % shorter than the road;
#: (b) roads in Northern Norway pass villages (50-60 km/h), run along winding
#: fjords and carry many 60-70 km/h zones; county roads are narrower and
#: slower still. The values below are the limits reduced by judgement for these
#: effects, then checked (not fitted) against route-planner drive times in
#: ``tests/network/test_network_build.py``: Tromsø–Alta, Tromsø–Harstad, Alta–Hammerfest,
#: Kirkenes–Vadsø and Tromsø–Finnsnes come out within about 8 % of the Google
#: Maps figures noted there (approximate, recalled, not re-checked offline).
DEFAULT_SPEEDS_KPH: Mapping[str, float] = {
    "normot": 95.0,  # motorways, signed 100-110
    "eure": 72.0,  # E-roads, mostly 80 with villages and 60-70 zones
    "norrv": 68.0,  # national roads (Rv)
    "norntv": 55.0,  # national tourist roads: narrow, winding, scenic
    "norfv": 60.0,  # primary county roads (Fv)
    "norr": 45.0,  # Oslo ring roads, urban traffic
    "fintr": 70.0,  # Nordlysvegen / Revontultentie tourist route
}

#: osmnx-style ``highway`` value recorded for each system.
_HIGHWAY_OF_SYSTEM = {
    "normot": "motorway",
    "eure": "trunk",
    "norrv": "primary",
    "norntv": "secondary",
    "norfv": "secondary",
    "norr": "primary",
    "fintr": "secondary",
}

#: Road sources :func:`road_graph` builds from.
SOURCES = ("travelmapping", "osm", "osm-xml")

_EARTH_RADIUS_M = 6_371_008.8
TM_ROOT = "travelmapping/hwy_data"


@dataclass(frozen=True)
class _Route:
    system: str
    ref: str
    root: str
    region: str


def haversine_m(lon1: np.ndarray | float, lat1: np.ndarray | float,
                lon2: np.ndarray | float, lat2: np.ndarray | float) -> np.ndarray | float:
    """Return great-circle distances in metres between points (degrees)."""
    lon1, lat1, lon2, lat2 = (np.radians(v) for v in (lon1, lat1, lon2, lat2))
    a = (np.sin((lat2 - lat1) / 2) ** 2
         + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2)
    return 2 * _EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def node_id(lon: float, lat: float) -> int:
    """Return a deterministic integer node id for a coordinate (1e-6 degree grid).

    Waypoints with identical coordinates (where Travel Mapping routes meet) get
    the same id.
    """
    return round((lat + 90.0) * 1e6) * 1_000_000_000 + round((lon + 180.0) * 1e6)


def source_path(relpath: str, *, data_dir: str | os.PathLike[str] | None = None,
                cache_dir: str | os.PathLike[str] | None = None) -> Path:
    """Return a local path of source file ``relpath`` (via :mod:`regionopt.data.sources`).

    Raises
    ------
    DataError
        If the file cannot be found or fetched.
    """
    return fetch(relpath, data_dir=data_dir, cache_dir=cache_dir)


def speed_for(system: str, ref: str, speeds: Mapping[str, float]) -> float:
    """Return the speed (km/h) for a route: ``speeds["<system>:<ref>"]``, else by system.

    Raises
    ------
    DataError
        If neither key is in ``speeds`` or the value is not positive.
    """
    for key in (f"{system}:{ref}", system):
        if key in speeds:
            value = float(speeds[key])
            if not value > 0:
                raise DataError(f"speeds: {key!r} must be positive, got {speeds[key]!r}")
            return value
    raise DataError(f"speeds: no speed for Travel Mapping system {system!r}")


def _read_systems(systems: tuple[str, ...], data_dir: str | os.PathLike[str] | None,
                  cache_dir: str | os.PathLike[str] | None) -> list[_Route]:
    routes = []
    for system in systems:
        rel = f"{TM_ROOT}/_systems/{system}.csv"
        path = source_path(rel, data_dir=data_dir, cache_dir=cache_dir)
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise DataError(f"{path}: cannot read ({exc})") from None
        rows = list(csv.reader(io.StringIO(text), delimiter=";"))
        for lineno, row in enumerate(rows[1:], start=2):
            if not row:
                continue
            if len(row) < 7:
                raise DataError(f"{path}: line {lineno} has {len(row)} fields, expected 8")
            if row[1] == "NOR":
                routes.append(_Route(system=system, ref=row[2], root=row[6], region=row[1]))
    return routes


def _read_waypoints(path: Path) -> list[tuple[float, float, str]]:
    points = []
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(f"{path}: cannot read ({exc})") from None
    for lineno, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        url = line.split()[-1]
        try:
            query = url.split("?", 1)[1]
            fields = dict(part.split("=", 1) for part in query.split("&"))
            points.append((float(fields["lon"]), float(fields["lat"]), line.split()[0]))
        except (IndexError, KeyError, ValueError):
            raise DataError(f"{path}: line {lineno} has no lat/lon URL") from None
    return points


def _iter_route_edges(
    routes: list[_Route], data_dir: str | os.PathLike[str] | None,
    cache_dir: str | os.PathLike[str] | None, progress: bool,
) -> Iterator[tuple[_Route, list[tuple[float, float, str]]]]:
    for route in tqdm(routes, desc="Travel Mapping routes", disable=not progress):
        rel = f"{TM_ROOT}/{route.region}/{route.system}/{route.root}.wpt"
        yield route, _read_waypoints(source_path(rel, data_dir=data_dir, cache_dir=cache_dir))


def buffered_area(polygon: BaseGeometry, margin_km: float) -> BaseGeometry:
    """Return the convex hull of ``polygon`` buffered by ``margin_km`` (EPSG:4326).

    The hull (rather than the polygon itself) is used so that slightly invalid
    or simplified boundaries cannot break the clip, and so that roads through a
    neighbouring country or along the coast between two parts of the area stay
    in the graph. The buffer is computed in EPSG:25833 (metres).
    """
    hull = shapely.convex_hull(polygon)
    series = gpd.GeoSeries([hull], crs="EPSG:4326").to_crs("EPSG:25833")
    return series.buffer(margin_km * 1000.0).to_crs("EPSG:4326").iloc[0]


def graph_from_travelmapping(
    polygon: BaseGeometry,
    *,
    speeds: Mapping[str, float] | None = None,
    margin_km: float = 50.0,
    data_dir: str | os.PathLike[str] | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    progress: bool = False,
    join_junctions: bool = True,
) -> nx.MultiDiGraph:
    """Build a road graph from the Travel Mapping waypoint files.

    Consecutive waypoints of each route are joined in both directions; routes
    meet where their waypoints have identical coordinates (the node id is
    derived from the coordinates, see :func:`node_id`). Only waypoints inside
    ``polygon`` buffered by ``margin_km`` are kept; a route leaving the buffer
    is cut there. Where two routes share a segment, the faster edge is kept.

    Parameters
    ----------
    polygon
        Study area in EPSG:4326 (e.g. the union of the municipalities).
    speeds
        Speeds in km/h by system or ``"<system>:<ref>"``; merged over
        :data:`DEFAULT_SPEEDS_KPH`.
    margin_km
        Buffer around ``polygon``; routes leaving the area and returning
        within the margin stay usable.
    data_dir, cache_dir
        Where source files are read or downloaded to (see
        :func:`regionopt.data.sources.fetch`).
    progress
        Show a progress bar.
    join_junctions
        Join junctions whose routes share no waypoint (:func:`join_broken_junctions`).

    Returns
    -------
    networkx.MultiDiGraph
        With ``graph["junction_joins_<rule>"]``: the number of joins made by each rule.

    Raises
    ------
    DataError
        If a source file is missing or malformed, or a speed is invalid.
    NetworkError
        If no road lies inside the buffered area.
    """
    merged = {**DEFAULT_SPEEDS_KPH, **(speeds or {})}
    area = buffered_area(polygon, margin_km)
    shapely.prepare(area)
    G = nx.MultiDiGraph(crs="EPSG:4326", name="travelmapping")
    routes = _read_systems(TM_SYSTEMS, data_dir, cache_dir)
    labels: dict[Hashable, list[tuple[str, str]]] = {}
    ends: set[int] = set()
    quays: set[int] = set()
    for route, points in _iter_route_edges(routes, data_dir, cache_dir, progress):
        if len(points) < 2:
            continue
        arr = np.asarray([p[:2] for p in points], dtype=float)
        inside = shapely.contains_xy(area, arr[:, 0], arr[:, 1])
        kph = speed_for(route.system, route.ref, merged)
        lengths = np.asarray(haversine_m(arr[:-1, 0], arr[:-1, 1], arr[1:, 0], arr[1:, 1]))
        for i in np.flatnonzero(inside[:-1] & inside[1:]):
            _add_segment(G, points[i][:2], points[i + 1][:2], float(lengths[i]), route, kph)
        for i in np.flatnonzero(inside):
            labels.setdefault(node_id(*points[i][:2]), []).append((route.ref, points[i][2]))
        for end in (points[0], points[-1]):
            ends.add(node_id(*end[:2]))
            if "Fry" in end[2]:  # Travel Mapping labels a ferry quay ...Fry
                quays.add(node_id(*end[:2]))
    if G.number_of_nodes() == 0:
        raise NetworkError("no Travel Mapping road lies inside the study area")
    if join_junctions:
        join_broken_junctions(G, labels, ends=ends, quays=quays)
    log.info("Travel Mapping graph: %d nodes, %d edges", G.number_of_nodes(),
             G.number_of_edges())
    return G


def join_broken_junctions(G: nx.MultiDiGraph,
                          labels: Mapping[Hashable, Iterable[tuple[str, str]]], *,
                          ends: set[int], quays: set[int]) -> dict[str, int]:
    """Join junctions whose routes share no waypoint, in place (:mod:`.junctions`).

    Parameters
    ----------
    G
        Travel Mapping road graph.
    labels
        For each node, the ``(ref, label)`` of every route waypoint at it.
    ends
        Nodes that are a route's first or last waypoint.
    quays
        Route ends at a ferry quay (never joined by the route-end rule).

    Returns
    -------
    dict
        Joins made by rule (``labels``, ``exit_numbers``, ``shared_road``, ``route_end``),
        also stored in
        ``G.graph`` as ``junction_joins_<rule>``.
    """
    named = junction_labels.find_labelled_joins(G, labels)
    junction_labels.apply_labelled_joins(G, named)
    exits = junction_labels.find_exit_joins(G, labels)
    junction_labels.apply_labelled_joins(G, exits)
    known = {ref for wps in labels.values() for ref, _ in wps}
    shared = junction_labels.find_shared_road_joins(G, labels, known_refs=known)
    junction_labels.apply_labelled_joins(G, shared)
    named_nodes = {n for n, wps in labels.items()
                   if any(not lab.startswith("+") for _, lab in wps)}
    ended = junctions.apply_joins(G, junctions.find_junction_joins(
        G, ends=ends, exclude=quays, junction_nodes=named_nodes))
    for _, _, data in G.edges(data=True):
        if data.get("junction_join"):
            data.setdefault("tm_system", "")  # a local road missing from Travel Mapping
    counts = {"labels": len(named), "exit_numbers": len(exits), "shared_road": len(shared),
              "route_end": len(ended)}
    G.graph.update({f"junction_joins_{rule}": n for rule, n in counts.items()})
    log.info("Travel Mapping junction joins: %s", counts)
    return counts


def _add_segment(G: nx.MultiDiGraph, a: tuple[float, float], b: tuple[float, float],
                 length: float, route: _Route, kph: float) -> None:
    u, v = node_id(*a), node_id(*b)
    if u == v:
        return
    travel_time = length / (kph / 3.6)
    for n, (lon, lat) in ((u, a), (v, b)):
        if n not in G:
            G.add_node(n, x=round(lon, 6), y=round(lat, 6))
    for s, t in ((u, v), (v, u)):
        existing = G.get_edge_data(s, t, key=0)
        if existing is not None and existing["travel_time"] <= travel_time:
            continue
        G.add_edge(s, t, key=0, length=round(length, 3), highway=_HIGHWAY_OF_SYSTEM[route.system],
                   ref=route.ref, speed_kph=kph, travel_time=round(travel_time, 3),
                   tm_system=route.system)
