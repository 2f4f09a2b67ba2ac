"""Road graphs from OpenStreetMap, read from an XML file or downloaded with osmnx.

Both keep only the ways osmnx's ``drive`` network keeps, inside the study area
buffered by the margin, and return the graph shape of :mod:`regionopt.network.roads`.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from pathlib import Path

import networkx as nx
import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from regionopt.data.sources import default_cache_dir
from regionopt.errors import DataError, NetworkError

log = logging.getLogger(__name__)

#: OSM ``highway`` values osmnx's ``drive`` network leaves out (osmnx 2.1 ``_get_network_filter``).
OSM_DRIVE_EXCLUDED = frozenset({
    "abandoned", "bridleway", "bus_guideway", "construction", "corridor", "cycleway",
    "elevator", "escalator", "footway", "no", "path", "pedestrian", "planned", "platform",
    "proposed", "raceway", "razed", "rest_area", "service", "services", "steps", "track"})
_OSM_SERVICE_EXCLUDED = frozenset({"alley", "driveway", "emergency_access", "parking",
                                   "parking_aisle", "private"})

#: OSM ``highway`` values a speed may be given for (fallbacks for ways without ``maxspeed``).
OSM_HIGHWAYS = ("motorway", "motorway_link", "trunk", "trunk_link", "primary", "primary_link",
                "secondary", "secondary_link", "tertiary", "tertiary_link", "unclassified",
                "residential", "living_street", "road", "busway")


def graph_from_osm_xml(
    path: str | os.PathLike[str],
    *,
    speeds: Mapping[str, float] | None = None,
    polygon: BaseGeometry | None = None,
) -> nx.MultiDiGraph:
    """Build a drivable road graph from an OpenStreetMap XML file with osmnx.

    The file is read with ``osmnx.graph_from_xml``, which turns every way into
    edges; only the ways a car may use are kept, by the rules of osmnx's
    ``network_type="drive"`` filter (:data:`OSM_DRIVE_EXCLUDED` highway values,
    ``area=yes``, ``access=private``, the excluded ``service`` values), and
    nodes left without an edge (points of interest, buildings) are dropped.
    Ferry routes (``route=ferry``, no ``highway``) are dropped too, as in
    osmnx's drive networks. One-way streets are respected.

    Parameters
    ----------
    path
        ``.osm`` XML file (``.osm.bz2`` and ``.osm.gz`` are read too).
    speeds
        Fallback speeds by OSM ``highway`` value for ways without ``maxspeed``
        (osmnx ``hwy_speeds``); others are imputed by osmnx from the mean of
        their highway class.
    polygon
        Keep only nodes inside this area (EPSG:4326); None keeps everything.

    Returns
    -------
    networkx.MultiDiGraph

    Raises
    ------
    DataError
        If the file is missing, not valid OSM XML, holds no drivable way, or
        no speed can be imputed.
    NetworkError
        If no drivable way lies inside ``polygon``.
    """
    # lazy: osmnx is slow to import; only the OSM sources need it
    import osmnx as ox

    file = Path(path)
    if not file.is_file():
        raise DataError(f"{file}: file not found")
    try:
        G = ox.graph_from_xml(file, simplify=False, retain_all=True)
    except Exception as exc:  # osmnx/ElementTree/SAX raise many kinds
        detail = " ".join(str(exc).split())
        raise DataError(f"{file}: cannot read OSM XML ({type(exc).__name__}: {detail})") from None
    G = _drivable(G)
    if G.number_of_edges() == 0:
        raise DataError(f"{file}: no drivable ways (highway=*) in the OSM XML")
    if polygon is not None:
        G = _clip(G, polygon, what=str(file))
    # Merge chains of nodes, but never across a change of road class, speed or number.
    G = ox.simplify_graph(G, edge_attrs_differ=["highway", "maxspeed", "ref"])
    return _add_osm_speeds(G, speeds, what=str(file))


def graph_from_osm_polygon(
    polygon: BaseGeometry,
    *,
    speeds: Mapping[str, float] | None = None,
) -> nx.MultiDiGraph:
    """Download the drivable OpenStreetMap network inside ``polygon`` with osmnx.

    Needs internet access (Overpass API). For a large area this takes long and
    osmnx caches the responses in ``<regionopt cache>/osmnx`` (not in the
    current folder, osmnx's own default).

    Parameters
    ----------
    polygon
        Area in EPSG:4326 (buffer it yourself for a margin).
    speeds
        Fallback speeds by OSM ``highway`` value (see :func:`graph_from_osm_xml`).

    Returns
    -------
    networkx.MultiDiGraph

    Raises
    ------
    NetworkError
        If the download fails.
    """
    # lazy: osmnx is slow to import; only the OSM sources need it
    import osmnx as ox


    previous = ox.settings.cache_folder  # osmnx's setting is global: restore it afterwards
    ox.settings.cache_folder = str(default_cache_dir() / "osmnx")
    try:
        G = ox.graph_from_polygon(polygon, network_type="drive", retain_all=True, simplify=False)
    except Exception as exc:  # network and Overpass errors
        detail = " ".join(str(exc).split())
        raise NetworkError(f"OpenStreetMap download failed ({type(exc).__name__}: "
                           f"{detail})") from None
    finally:
        ox.settings.cache_folder = previous
    G = ox.simplify_graph(G, edge_attrs_differ=["highway", "maxspeed", "ref"])
    return _add_osm_speeds(G, speeds, what="OpenStreetMap download")


def _drivable(G: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """Return ``G`` without the edges osmnx's ``drive`` filter leaves out, and isolated nodes."""
    drop = [(u, v, k) for u, v, k, d in G.edges(keys=True, data=True) if not _is_drivable(d)]
    G.remove_edges_from(drop)
    G.remove_nodes_from([n for n in list(G.nodes) if G.degree(n) == 0])
    return G


def _is_drivable(data: Mapping[str, object]) -> bool:
    highway = data.get("highway")
    return (isinstance(highway, str) and highway not in OSM_DRIVE_EXCLUDED
            and data.get("area") != "yes" and "private" not in str(data.get("access", ""))
            and data.get("service") not in _OSM_SERVICE_EXCLUDED)


def _clip(G: nx.MultiDiGraph, polygon: BaseGeometry, *, what: str) -> nx.MultiDiGraph:
    xs = np.array([d["x"] for _, d in G.nodes(data=True)], dtype=float)
    ys = np.array([d["y"] for _, d in G.nodes(data=True)], dtype=float)
    inside = shapely.contains_xy(polygon, xs, ys)
    if not inside.any():
        raise NetworkError(f"{what}: no drivable way lies inside the study area")
    G.remove_nodes_from([n for n, keep in zip(list(G.nodes), inside, strict=True) if not keep])
    G.remove_nodes_from([n for n in list(G.nodes) if G.degree(n) == 0])
    return G


def _add_osm_speeds(G: nx.MultiDiGraph, speeds: Mapping[str, float] | None, *,
                    what: str) -> nx.MultiDiGraph:
    # lazy: osmnx is slow to import; only the OSM sources need it
    import osmnx as ox

    try:
        G = ox.routing.add_edge_speeds(G, hwy_speeds=dict(speeds) if speeds else None)
    except ValueError:  # no maxspeed anywhere and no fallback speeds
        raise DataError(f"{what}: no way has a maxspeed tag; give speeds by highway "
                        f"class") from None
    G = ox.routing.add_edge_travel_times(G)
    for _, _, data in G.edges(data=True):
        data.setdefault("ref", "")
        if isinstance(data.get("highway"), list):
            data["highway"] = data["highway"][0]
    G.graph.pop("created_date", None)  # a timestamp: outputs must not depend on the clock
    G.graph["crs"] = "EPSG:4326"
    return G
