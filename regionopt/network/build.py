"""The travel network of an area: municipalities, roads, ferries, matrix and adjacency.

:func:`build_network` strings the steps together for an area and caches the
result (:mod:`regionopt.network.cache`, keyed by :mod:`regionopt.network.key`);
:func:`write_network` writes it to a folder.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import networkx as nx
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from regionopt.data.municipalities import load_municipalities
from regionopt.errors import DataError
from regionopt.io import staged_output_dir
from regionopt.network import origins, osm, roads, stored, travel
from regionopt.network.ferries import add_ferries_inplace, attach_centres_inplace, load_ferries
from regionopt.network.key import network_key
from regionopt.network.settings import FERRY_SNAP_KM, NORWAY_POLYGONS, NetworkSettings

log = logging.getLogger(__name__)

@dataclass(frozen=True, eq=False)
class Network:
    """Municipalities, road graph, travel minutes and adjacency of an area."""

    municipalities: gpd.GeoDataFrame
    graph: nx.MultiDiGraph
    minutes: pd.DataFrame
    adjacency: pd.DataFrame
    settings: NetworkSettings = field(default_factory=NetworkSettings)
    key: str = ""


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
    (:func:`road_graph`: Travel Mapping, OpenStreetMap
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
    settings = settings or NetworkSettings()
    munis = load_municipalities(area, data_dir=data_dir, cache_dir=cache_dir)
    key = network_key(munis, settings)
    if use_cache:
        parts = stored.load_network(key, cache_dir=cache_dir)
        if parts is not None:
            return Network(**parts, settings=settings, key=key)
    net = _build(munis, settings, key=key, data_dir=data_dir, cache_dir=cache_dir,
                 progress=progress)
    if use_cache:
        stored.store_network(key, municipalities=net.municipalities, graph=net.graph,
                             minutes=net.minutes, adjacency=net.adjacency, cache_dir=cache_dir)
    return net


def _build(munis: gpd.GeoDataFrame, settings: NetworkSettings, *, key: str,
           data_dir: str | os.PathLike[str] | None, cache_dir: str | os.PathLike[str] | None,
           progress: bool) -> Network:
    hull = shapely.GeometryCollection(list(munis.geometry))
    G = road_graph(hull, source=settings.source, osm_xml=settings.osm_xml,
                         speeds=settings.speed_map, margin_km=settings.margin_km,
                         data_dir=data_dir, cache_dir=cache_dir, progress=progress)
    if settings.use_ferries:
        ferries = load_ferries(settings.ferries)
        zone = roads.buffered_area(hull, settings.margin_km)
        inside = (shapely.contains_xy(zone, ferries["from_lon"], ferries["from_lat"])
                  & shapely.contains_xy(zone, ferries["to_lon"], ferries["to_lat"]))
        add_ferries_inplace(G, ferries[inside], snap_km=FERRY_SNAP_KM)
    attach_centres_inplace(G, munis, settings=settings)
    codes = sorted(munis["kommunenummer"])
    centre_nodes = {c: f"centre:{c}" for c in codes}
    paths = travel.shortest_paths(G, [centre_nodes[c] for c in codes])
    minutes = travel.travel_time_matrix(G, centre_nodes, paths=paths)
    names = dict(zip(munis["kommunenummer"], munis["name"], strict=True))
    for line in travel.unreachable_report(minutes, G, centre_nodes, names=names):
        log.warning("unreachable centre: %s", line)
    if settings.origins == "grid":
        minutes = origins.grid_matrix(G, centre_nodes, detour_factor=settings.detour_factor,
                                      access_speed_kph=settings.access_kph,
                                      destinations=settings.destinations or "grid",
                                      data_dir=data_dir, cache_dir=cache_dir)
    adjacency = travel.functional_adjacency(munis, G, centre_nodes=centre_nodes, paths=paths,
                                            context=_norway_polygons(data_dir, cache_dir))
    return Network(municipalities=munis, graph=G, minutes=minutes, adjacency=adjacency,
                   settings=settings, key=key)


def road_graph(
    polygon: BaseGeometry,
    *,
    source: str = "travelmapping",
    osm_xml: str | os.PathLike[str] | None = None,
    speeds: Mapping[str, float] | None = None,
    margin_km: float = 50.0,
    data_dir: str | os.PathLike[str] | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    progress: bool = False,
) -> nx.MultiDiGraph:
    """Build the road graph of ``polygon`` plus ``margin_km`` from one road source.

    ``"travelmapping"`` calls :func:`.roads.graph_from_travelmapping`;
    ``"osm"`` downloads the area buffered by ``margin_km``
    (:func:`.roads.buffered_area`) with :func:`.osm.graph_from_osm_polygon`;
    ``"osm-xml"`` reads ``osm_xml`` with :func:`.osm.graph_from_osm_xml` and
    keeps the same buffered area.

    Parameters
    ----------
    polygon
        Study area in EPSG:4326.
    source
        One of :data:`.roads.SOURCES`.
    osm_xml
        The OSM XML file (``source="osm-xml"`` only).
    speeds
        Travel Mapping speeds by system (merged over
        :data:`.roads.DEFAULT_SPEEDS_KPH`), or for OSM sources fallback speeds by ``highway`` value.
    margin_km, data_dir, cache_dir, progress
        As for :func:`.roads.graph_from_travelmapping`.

    Returns
    -------
    networkx.MultiDiGraph

    Raises
    ------
    DataError
        For an unknown source, a missing ``osm_xml`` or a bad source file.
    NetworkError
        If no road lies in the area or the download fails.
    """
    if source == "travelmapping":
        return roads.graph_from_travelmapping(polygon, speeds=speeds, margin_km=margin_km,
                                        data_dir=data_dir, cache_dir=cache_dir,
                                        progress=progress)
    if source not in roads.SOURCES:
        raise DataError(f"road source {source!r}: expected one of {', '.join(roads.SOURCES)}")
    area = roads.buffered_area(polygon, margin_km)
    if source == "osm":
        log.info("downloading OpenStreetMap roads (osmnx, needs internet)")
        G = osm.graph_from_osm_polygon(area, speeds=speeds)
    elif osm_xml is None:
        raise DataError("road source 'osm-xml': no OSM XML file given")
    else:
        log.info("reading OpenStreetMap roads from %s", osm_xml)
        G = osm.graph_from_osm_xml(osm_xml, speeds=speeds, polygon=area)
    log.info("OpenStreetMap graph: %d nodes, %d edges", G.number_of_nodes(),
             G.number_of_edges())
    return G


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
                  graph_format: str = "graphml", force: bool = False) -> Path:
    """Write ``municipalities.csv``, ``travel_time_minutes.csv``, ``adjacency.csv`` and the graph.

    Files are written to a staging folder and moved into ``out_dir`` only
    when all succeeded. The road graph goes to ``road_graph.graphml`` (osmnx
    GraphML, readable with plain ``osmnx.load_graphml``) or ``road_graph.gpkg``
    (GeoPackage with ``nodes`` and ``edges`` layers). Node ids there are
    integers: centre nodes get negative ids and keep their name
    (``"centre:5501"``) in the node attribute ``label``. The folder then holds
    exactly these files (see :func:`regionopt.io.staged_output_dir`; ``force``
    writes into a non-empty folder regionopt did not write).

    Returns
    -------
    pathlib.Path
        ``out_dir``.

    Raises
    ------
    DataError
        For an unknown ``graph_format``.
    """
    # lazy: osmnx is slow to import; only the GraphML/GPKG export needs it
    import osmnx as ox

    if graph_format not in ("graphml", "gpkg"):
        raise DataError(f"graph format {graph_format!r}: expected graphml or gpkg")
    with staged_output_dir(out_dir, force=force) as stage:
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
