"""The travel network: roads, ferries, centre access legs, matrix and adjacency.

:func:`build_network` strings the steps together for an area and caches the
result (:mod:`regionopt.cache`); :func:`write_network` writes it to a folder.
"""

from __future__ import annotations

import csv
import logging
import os
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely
from scipy.spatial import cKDTree

from regionopt import _resources, cache, roads, travel
from regionopt.cache import network_key as network_key  # re-exported
from regionopt.errors import DataError
from regionopt.io import staged_output_dir

log = logging.getLogger(__name__)

FERRY_COLUMNS = ("id", "name", "from_name", "from_lon", "from_lat", "to_name", "to_lon",
                 "to_lat", "crossing_minutes", "wait_minutes", "operator", "approximate",
                 "source", "source_date")
#: A ferry terminal farther than this from every road node becomes a node of its own.
FERRY_SNAP_KM = 1.0
#: Boundaries of every municipality, used to tell whether a fastest route enters a third one.
NORWAY_POLYGONS = "kartverket/Kommuner-S.geojson"


@dataclass(frozen=True)
class NetworkSettings:
    """How the travel network is built.

    Attributes
    ----------
    speeds
        Speed overrides in km/h. For Travel Mapping, by system (``"norfv"``)
        or ``"<system>:<ref>"``, over :data:`regionopt.roads.DEFAULT_SPEEDS_KPH`;
        for the OSM sources, fallback speeds by ``highway`` value
        (:data:`regionopt.roads.OSM_HIGHWAYS`) for ways without ``maxspeed``.
        Given as a mapping or pairs; stored as sorted pairs.
    margin_km
        Roads are kept within this distance of the area's convex hull (for
        ``source="osm"`` this is the area downloaded).
    detour_factor
        Access legs (centre to nearest road node) are the great-circle
        distance times this factor. 1.3 is the usual ratio of road to
        straight-line distance over short distances in rural road networks
        (circuity studies report 1.2-1.4; Ballou et al. 2002, Giacomin &
        Levinson 2015); it also covers local streets missing from the
        Travel Mapping data.
    access_speed_kph
        Speed on access legs: 40 km/h, between the 30-50 km/h limits of
        built-up areas and the 60-80 km/h of the local roads outside them.
    ferries
        Ferry table (CSV); None means the bundled ``data/geo/ferries.csv``.
    use_ferries
        Add ferry edges at all. osmnx's drive networks leave out OSM ferry
        routes, so the ferry table is added to every source without counting
        a crossing twice.
    source
        Where the roads come from: ``"travelmapping"`` (the Travel Mapping
        files in the data folder, offline), ``"osm"`` (OpenStreetMap downloaded
        with osmnx, needs internet) or ``"osm-xml"`` (an OpenStreetMap XML file).
    osm_xml
        The OSM XML file; required exactly when ``source="osm-xml"``.
    """

    speeds: tuple[tuple[str, float], ...] | Mapping[str, float] = ()
    margin_km: float = 50.0
    detour_factor: float = 1.3
    access_speed_kph: float = 40.0
    ferries: str | None = None
    use_ferries: bool = True
    source: str = "travelmapping"
    osm_xml: str | None = None

    def __post_init__(self) -> None:
        self._check_source()
        pairs = dict(self.speeds.items() if isinstance(self.speeds, Mapping) else self.speeds)
        for key, value in pairs.items():
            self._check_road_class(str(key))
            if not (isinstance(value, int | float) and value > 0):
                raise DataError(f"network settings: speed {key!r} must be positive, got {value!r}")
        object.__setattr__(self, "speeds", tuple(sorted((str(k), float(v))
                                                        for k, v in pairs.items())))
        for name in ("margin_km", "detour_factor", "access_speed_kph"):
            value = getattr(self, name)
            if not (isinstance(value, int | float) and value > 0):
                raise DataError(f"network settings: {name} must be positive, got {value!r}")
        if self.detour_factor < 1:
            raise DataError(f"network settings: detour_factor must be >= 1, "
                            f"got {self.detour_factor}")
        if self.ferries is not None:
            object.__setattr__(self, "ferries", str(self.ferries))

    def _check_source(self) -> None:
        if self.source not in roads.SOURCES:
            raise DataError(f"network settings: unknown source {self.source!r} "
                            f"(expected one of {', '.join(roads.SOURCES)})")
        if (self.source == "osm-xml") != (self.osm_xml is not None):
            raise DataError("network settings: osm_xml (an OSM XML file) is required with "
                            "source='osm-xml' and only then")
        if self.osm_xml is not None:
            object.__setattr__(self, "osm_xml", str(self.osm_xml))

    def _check_road_class(self, key: str) -> None:
        if self.source == "travelmapping":
            if key.split(":", 1)[0] not in roads.DEFAULT_SPEEDS_KPH:
                raise DataError(f"network settings: unknown road class {key!r} in speeds "
                                f"(expected one of {', '.join(roads.DEFAULT_SPEEDS_KPH)}, "
                                f"optionally with ':<ref>')")
        elif key not in roads.OSM_HIGHWAYS:
            raise DataError(f"network settings: unknown OSM highway {key!r} in speeds "
                            f"(expected one of {', '.join(roads.OSM_HIGHWAYS)})")

    def with_speeds(self, speeds: Mapping[str, float]) -> NetworkSettings:
        """Return a copy with ``speeds`` added to (overriding) the current overrides."""
        return replace(self, speeds={**dict(self.speeds), **dict(speeds)})

    @property
    def speed_map(self) -> dict[str, float]:
        """Default speeds merged with the overrides (for OSM sources: the overrides only)."""
        if self.source != "travelmapping":
            return dict(self.speeds)
        return {**roads.DEFAULT_SPEEDS_KPH, **dict(self.speeds)}


@dataclass(frozen=True, eq=False)
class Network:
    """Municipalities, road graph, travel minutes and adjacency of an area."""

    municipalities: gpd.GeoDataFrame
    graph: nx.MultiDiGraph
    minutes: pd.DataFrame
    adjacency: pd.DataFrame
    settings: NetworkSettings = field(default_factory=NetworkSettings)
    key: str = ""


# ---------------------------------------------------------------- ferries

def load_ferries(path: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """Read and validate the ferry table.

    Parameters
    ----------
    path
        CSV file; default ``data/geo/ferries.csv``.

    Returns
    -------
    pandas.DataFrame
        One row per crossing with the columns of :data:`FERRY_COLUMNS`.

    Raises
    ------
    DataError
        Naming the file, row id and field of the first invalid value.
    """
    file = Path(path) if path is not None else _resources.geo_file("ferries.csv")
    try:
        with file.open(encoding="utf-8-sig", newline="") as fh:  # spreadsheets add a BOM
            rows = list(csv.DictReader(fh))
    except FileNotFoundError:
        raise DataError(f"{file}: file not found") from None
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise DataError(f"{file}: cannot read ({exc})") from None
    missing = [c for c in FERRY_COLUMNS if rows and c not in rows[0]]
    if not rows or missing:
        raise DataError(f"{file}: missing column {(missing or ['id'])[0]!r} or no rows")
    seen: set[str] = set()
    for n, row in enumerate(rows, start=2):
        rid = row["id"] or f"line {n}"
        if rid in seen:
            raise DataError(f"{file}: ferry {rid}: duplicate id")
        seen.add(rid)
        _check_ferry_row(file, rid, row)
    frame = pd.DataFrame(rows, columns=list(FERRY_COLUMNS))
    for col in ("from_lon", "from_lat", "to_lon", "to_lat", "crossing_minutes", "wait_minutes"):
        frame[col] = frame[col].astype(float)
    frame["approximate"] = frame["approximate"].str.lower() == "true"
    return frame


def _check_ferry_row(file: Path, rid: str, row: Mapping[str, str]) -> None:
    limits = {"from_lon": (-180, 180), "to_lon": (-180, 180), "from_lat": (-90, 90),
              "to_lat": (-90, 90), "crossing_minutes": (0, 24 * 60), "wait_minutes": (0, 24 * 60)}
    for col, (low, high) in limits.items():
        try:
            value = float(row[col])
        except (TypeError, ValueError):
            raise DataError(f"{file}: ferry {rid}: {col} is not a number ({row[col]!r})") from None
        if not (low <= value <= high) or (col == "crossing_minutes" and value <= 0):
            raise DataError(f"{file}: ferry {rid}: {col} out of range ({row[col]!r})")
    for col in ("name", "from_name", "to_name", "source", "source_date"):
        if not (row[col] or "").strip():
            raise DataError(f"{file}: ferry {rid}: {col} is empty")
    if (row["approximate"] or "").lower() not in ("true", "false"):
        raise DataError(f"{file}: ferry {rid}: approximate must be true or false")


def nearest_nodes(G: nx.MultiDiGraph, lons: Iterable[float], lats: Iterable[float], *,
                  exclude: Iterable[Hashable] = ()) -> tuple[list[Hashable], np.ndarray]:
    """Return the nearest graph node to each point and the great-circle distance (m).

    Unlike ``osmnx.distance.nearest_nodes`` on an unprojected graph, this
    needs no scikit-learn: a k-d tree on unit vectors.
    """
    skip = set(exclude)
    nodes = [n for n in G.nodes if n not in skip]
    if not nodes:
        raise DataError("the road graph has no nodes to join to")
    xs = np.array([G.nodes[n]["x"] for n in nodes], dtype=float)
    ys = np.array([G.nodes[n]["y"] for n in nodes], dtype=float)
    tree = cKDTree(_unit(xs, ys))
    qx, qy = np.asarray(list(lons), dtype=float), np.asarray(list(lats), dtype=float)
    _, idx = tree.query(_unit(qx, qy))
    found = [nodes[i] for i in np.atleast_1d(idx)]
    dist = roads.haversine_m(qx, qy, xs[np.atleast_1d(idx)], ys[np.atleast_1d(idx)])
    return found, np.atleast_1d(dist)


def _unit(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    lo, la = np.radians(lon), np.radians(lat)
    return np.column_stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)])


def add_ferries(G: nx.MultiDiGraph, ferries: pd.DataFrame, *,
                snap_km: float = FERRY_SNAP_KM) -> nx.MultiDiGraph:
    """Return a copy of ``G`` with a pair of edges for each ferry crossing.

    Each terminal is snapped to the nearest road node within ``snap_km``;
    a terminal farther from every road (an island whose roads are not in the
    Travel Mapping data: Værøy, Træna, Utsira...) becomes a node of its own,
    ``"ferry:<id>:from"`` or ``":to"``, which a centre's access leg can reach
    and which other crossings from the same place (within ``snap_km``) share.
    No access edge is drawn from such a terminal to the nearest road: it would
    cross open water. Ferry edges have ``highway="ferry"``, ``ferry=True``,
    ``route`` (the ferry id), ``length`` (great-circle metres) and
    ``travel_time = (crossing + wait) * 60`` seconds.

    Parameters
    ----------
    G
        Road graph (not modified).
    ferries
        Table from :func:`load_ferries`.
    snap_km
        Snapping distance.

    Returns
    -------
    networkx.MultiDiGraph

    Raises
    ------
    DataError
        If both terminals of a crossing join the same node.
    """
    H = G.copy()
    _add_ferries_inplace(H, ferries, snap_km=snap_km)
    return H


def _add_ferries_inplace(H: nx.MultiDiGraph, ferries: pd.DataFrame, *, snap_km: float) -> None:
    rows = list(ferries.sort_values("id").itertuples(index=False))
    lons = [getattr(r, f"{side}_lon") for r in rows for side in ("from", "to")]
    lats = [getattr(r, f"{side}_lat") for r in rows for side in ("from", "to")]
    if not rows:
        return
    found, dist = nearest_nodes(H, lons, lats)
    own: list[Hashable] = []  # terminals that became nodes; later ferries may share them
    ends: list[Hashable] = []
    for k, (lon, lat) in enumerate(zip(lons, lats, strict=True)):
        row, side = rows[k // 2], ("from", "to")[k % 2]
        node = found[k] if dist[k] <= snap_km * 1000.0 else _shared_terminal(H, own, lon, lat,
                                                                             snap_km)
        if node is None:
            node = f"ferry:{row.id}:{side}"
            H.add_node(node, x=float(lon), y=float(lat))
            own.append(node)
        ends.append(node)
    for k, row in enumerate(rows):
        if ends[2 * k] == ends[2 * k + 1]:
            raise DataError(f"ferries: ferry {row.id}: from_lon/from_lat and to_lon/to_lat "
                            f"join the same node {ends[2 * k]!r} (terminals too close)")
        _add_ferry_edges(H, ends[2 * k], ends[2 * k + 1], row)


def _shared_terminal(H: nx.MultiDiGraph, own: list[Hashable], lon: float, lat: float,
                     snap_km: float) -> Hashable | None:
    for node in own:
        if roads.haversine_m(lon, lat, H.nodes[node]["x"], H.nodes[node]["y"]) <= snap_km * 1e3:
            return node
    return None


def _add_ferry_edges(H: nx.MultiDiGraph, u: Hashable, v: Hashable, row: object) -> None:
    length = float(roads.haversine_m(H.nodes[u]["x"], H.nodes[u]["y"],
                                     H.nodes[v]["x"], H.nodes[v]["y"]))
    seconds = (row.crossing_minutes + row.wait_minutes) * 60.0  # type: ignore[attr-defined]
    for s, t in ((u, v), (v, u)):
        H.add_edge(s, t, length=round(length, 3), highway="ferry", ref="", ferry=True,
                   route=row.id, speed_kph=round(length / 1000 / (seconds / 3600), 3),  # type: ignore[attr-defined]
                   travel_time=seconds)


def attach_centres(G: nx.MultiDiGraph, municipalities: pd.DataFrame, *,
                   settings: NetworkSettings) -> nx.MultiDiGraph:
    """Return a copy of ``G`` with a node ``"centre:<kommunenummer>"`` per municipality.

    Each centre is joined both ways to its nearest graph node by an access
    leg of ``great-circle distance × detour_factor`` metres at
    ``access_speed_kph`` (edge attribute ``access=True``, ``highway="access"``).
    """
    H = G.copy()
    _attach_centres_inplace(H, municipalities, settings=settings)
    return H


def _attach_centres_inplace(H: nx.MultiDiGraph, municipalities: pd.DataFrame, *,
                            settings: NetworkSettings) -> None:
    existing = [n for n in H.nodes if isinstance(n, str) and n.startswith("centre:")]
    codes = [str(c) for c in municipalities["kommunenummer"]]
    lons = municipalities["centre_lon"].to_numpy(dtype=float)
    lats = municipalities["centre_lat"].to_numpy(dtype=float)
    found, dist = nearest_nodes(H, lons, lats, exclude=existing)
    for code, lon, lat, node, d in zip(codes, lons, lats, found, dist, strict=True):
        centre = f"centre:{code}"
        H.add_node(centre, x=float(lon), y=float(lat), kommunenummer=code)
        length = float(d) * settings.detour_factor
        seconds = length / (settings.access_speed_kph / 3.6)
        for s, t in ((centre, node), (node, centre)):
            H.add_edge(s, t, length=round(length, 3), highway="access", ref="", access=True,
                       speed_kph=settings.access_speed_kph, travel_time=round(seconds, 3))
        if d > 10_000:
            log.info("centre of %s is %.1f km from the nearest road node", code, d / 1000)


# ---------------------------------------------------------------- build

def build_network(
    area: str | Iterable[str] = "troms-finnmark",
    *,
    settings: NetworkSettings | None = None,
    data_dir: str | os.PathLike[str] | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    use_cache: bool = True,
    progress: bool = True,
) -> Network:
    """Build (or load from the cache) the travel network of an area.

    Steps: municipalities (:func:`regionopt.data.load_municipalities`), roads
    within the area's hull plus ``margin_km`` from ``settings.source``
    (:func:`regionopt.roads.road_graph`: Travel Mapping, OpenStreetMap
    downloaded with osmnx, or an OSM XML file), ferries whose two terminals
    lie in that zone, centre access legs, the travel-time matrix and the
    functional adjacency. Centres that cannot reach the others are reported
    with a warning in the log.

    Parameters
    ----------
    area
        Area as accepted by :func:`regionopt.data.resolve_area`.
    settings
        Network settings; default :class:`NetworkSettings()`.
    data_dir, cache_dir
        Source data folder and download/network cache folder.
    use_cache
        Load a cached network with the same inputs, and store a new one. For
        ``source="osm"`` the key cannot tell when OpenStreetMap changed:
        ``use_cache=False`` downloads it again.
    progress
        Show progress bars.

    Returns
    -------
    Network

    Raises
    ------
    DataError
        For a bad area, source file (an OSM XML file included) or ferry table.
    NetworkError
        If the roads cannot be built or downloaded.
    """
    from regionopt import data

    settings = settings or NetworkSettings()
    munis = data.load_municipalities(area, data_dir=data_dir, cache_dir=cache_dir)
    key = cache.network_key(munis, settings)
    if use_cache:
        cached = cache.load(key, cache_dir=cache_dir)
        if isinstance(cached, Network):
            return cached
    net = _build(munis, settings, key=key, data_dir=data_dir, cache_dir=cache_dir,
                 progress=progress)
    if use_cache:
        cache.store(key, net, cache_dir=cache_dir)
    return net


def _build(munis: gpd.GeoDataFrame, settings: NetworkSettings, *, key: str,
           data_dir: str | os.PathLike[str] | None, cache_dir: str | os.PathLike[str] | None,
           progress: bool) -> Network:
    hull = shapely.GeometryCollection(list(munis.geometry))
    G = roads.road_graph(hull, source=settings.source, osm_xml=settings.osm_xml,
                         speeds=settings.speed_map, margin_km=settings.margin_km,
                         data_dir=data_dir, cache_dir=cache_dir, progress=progress)
    if settings.use_ferries:
        ferries = load_ferries(settings.ferries)
        zone = roads.buffered_area(hull, settings.margin_km)
        inside = (shapely.contains_xy(zone, ferries["from_lon"], ferries["from_lat"])
                  & shapely.contains_xy(zone, ferries["to_lon"], ferries["to_lat"]))
        _add_ferries_inplace(G, ferries[inside], snap_km=FERRY_SNAP_KM)
    _attach_centres_inplace(G, munis, settings=settings)
    codes = sorted(munis["kommunenummer"])
    centre_nodes = {c: f"centre:{c}" for c in codes}
    paths = travel.shortest_paths(G, [centre_nodes[c] for c in codes])
    minutes = travel.travel_time_matrix(G, centre_nodes, paths=paths)
    names = dict(zip(munis["kommunenummer"], munis["name"], strict=True))
    for line in travel.unreachable_report(minutes, G, centre_nodes, names=names):
        log.warning("unreachable centre: %s", line)
    adjacency = travel.functional_adjacency(munis, G, centre_nodes=centre_nodes, paths=paths,
                                            context=_norway_polygons(data_dir, cache_dir))
    return Network(municipalities=munis, graph=G, minutes=minutes, adjacency=adjacency,
                   settings=settings, key=key)


def _norway_polygons(data_dir: str | os.PathLike[str] | None,
                     cache_dir: str | os.PathLike[str] | None) -> gpd.GeoDataFrame:
    """Return ``kommunenummer`` and polygon of all of Norway's municipalities (Kommuner-S)."""
    path = roads.source_path(NORWAY_POLYGONS, data_dir=data_dir, cache_dir=cache_dir)
    try:
        frame = gpd.read_file(path, columns=["kommunenummer"])
    except Exception as exc:  # pyogrio raises its own error types for bad files
        raise DataError(f"{path}: cannot read GeoJSON ({type(exc).__name__}: {exc})") from None
    if "kommunenummer" not in frame.columns:
        raise DataError(f"{path}: missing property 'kommunenummer'")
    frame["kommunenummer"] = frame["kommunenummer"].astype(str).str.zfill(4)
    return frame.to_crs(4326) if frame.crs is not None else frame.set_crs(4326)


def write_network(net: Network, out_dir: str | os.PathLike[str], *,
                  graph_format: str = "graphml") -> Path:
    """Write ``municipalities.csv``, ``travel_time_minutes.csv``, ``adjacency.csv`` and the graph.

    Files are written to a staging folder and moved into ``out_dir`` only
    when all succeeded. The road graph goes to ``road_graph.graphml`` (osmnx
    GraphML, readable with plain ``osmnx.load_graphml``) or ``road_graph.gpkg``
    (GeoPackage with ``nodes`` and ``edges`` layers). Node ids there are
    integers: centre nodes get negative ids and keep their name
    (``"centre:5501"``) in the node attribute ``label``.

    Returns
    -------
    pathlib.Path
        ``out_dir``.

    Raises
    ------
    DataError
        For an unknown ``graph_format``.
    """
    import osmnx as ox

    if graph_format not in ("graphml", "gpkg"):
        raise DataError(f"graph format {graph_format!r}: expected graphml or gpkg")
    with staged_output_dir(out_dir) as stage:
        munis = pd.DataFrame(net.municipalities.drop(columns="geometry"))
        munis.to_csv(stage / "municipalities.csv", index=False, lineterminator="\n")
        net.minutes.to_csv(stage / "travel_time_minutes.csv", index_label="origin",
                           float_format="%.2f", lineterminator="\n")
        net.adjacency.to_csv(stage / "adjacency.csv", index=False, lineterminator="\n")
        G = _exportable(net.graph)
        if graph_format == "graphml":
            ox.save_graphml(G, stage / "road_graph.graphml")
        else:
            ox.save_graph_geopackage(G, stage / "road_graph.gpkg")
    return Path(out_dir)


def _exportable(G: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """Return a copy of ``G`` whose node ids are all integers, as osmnx's loaders expect.

    Road nodes keep their ids. Named nodes (``"centre:5501"``, ferry-only
    terminals) get negative ids in sorted order, ``-1, -2, ...``, and keep
    their name in the node attribute ``label``; road nodes get an empty label.
    """
    named = sorted(n for n in G.nodes if not isinstance(n, int))
    mapping = {n: -(k + 1) for k, n in enumerate(named)}
    H = nx.relabel_nodes(G, mapping, copy=True)
    nx.set_node_attributes(H, {n: "" for n in H.nodes}, "label")
    nx.set_node_attributes(H, {mapping[n]: str(n) for n in named}, "label")
    return H
