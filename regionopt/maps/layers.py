"""Geometry and colours for the region maps: display simplification, outlines, roads.

Everything here prepares data for :mod:`regionopt.maps.html` (HTML) and its PNG
export: geometry is simplified for display only (in EPSG:25833, keeping shared
borders shared) and rounded to 5 decimals (about 1 m); regions are coloured
from a colour-blind-friendly palette so that neighbours never share a colour.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Mapping
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import mapping

from regionopt.errors import DataError
from regionopt.plan import Plan

log = logging.getLogger(__name__)

#: Paul Tol's "light" scheme (colour-blind safe, dark text reads on all) without its olive
#: (too close to pear under a translucent fill) and pale grey (reads as "no data"), plus a
#: lavender of the same lightness. Eight colours: far more than planar regions need.
PALETTE = ("#77AADD", "#EE8866", "#EEDD88", "#FFAABB", "#99DDFF", "#44BB99", "#BBCC33",
           "#CCBBEE")
DISPLAY_CRS = "EPSG:25833"
MUNICIPALITY_TOLERANCE_M = 120.0
OUTLINE_TOLERANCE_M = 400.0
ROAD_TOLERANCE_M = 60.0
COORD_DECIMALS = 5
#: Regions closer than this (across a strait) count as neighbours when colouring.
NEIGHBOUR_GAP_M = 3000.0
REQUIRED_COLUMNS = ("kommunenummer", "name", "population")


# --------------------------------------------------------------------------- geometry

def display_geometry(geoms: gpd.GeoSeries, *, tolerance_m: float,
                     coverage: bool = False) -> gpd.GeoSeries:
    """Simplify ``geoms`` for display and round coordinates to 5 decimals.

    Parameters
    ----------
    geoms
        Geometries in any CRS.
    tolerance_m
        Douglas–Peucker tolerance in metres (in EPSG:25833).
    coverage
        Treat ``geoms`` as a polygon coverage (municipalities): shared borders
        stay shared, so neighbours neither gap nor overlap.

    Returns
    -------
    geopandas.GeoSeries
        In EPSG:4326, same index.
    """
    metric = geoms.to_crs(DISPLAY_CRS)
    if coverage:
        try:
            metric = metric.simplify_coverage(tolerance_m)
        except shapely.errors.GEOSException as exc:  # not a clean coverage: per polygon
            log.info("coverage simplification failed (%s); simplifying each polygon", exc)
            metric = metric.simplify(tolerance_m, preserve_topology=True)
    else:
        metric = metric.simplify(tolerance_m, preserve_topology=True)
    out = metric.to_crs(4326)
    rounded = shapely.transform(out.values, lambda xy: np.round(xy, COORD_DECIMALS))
    return gpd.GeoSeries(rounded, index=geoms.index, crs=4326)


def feature_collection(features: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": features}


def check_municipalities(plan: Plan, municipalities: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    missing = [c for c in (*REQUIRED_COLUMNS, "geometry") if c not in municipalities.columns]
    if missing:
        raise DataError(f"municipalities: missing column {missing[0]!r}")
    munis = municipalities[municipalities["kommunenummer"].isin(list(plan.assignment))]
    absent = sorted(set(plan.assignment) - set(munis["kommunenummer"]))
    if absent:
        raise DataError(f"plan {plan.name!r}: municipality {absent[0]} has no geometry")
    if munis.crs is None:
        raise DataError("municipalities: geometry has no CRS")
    return munis.sort_values("kommunenummer").reset_index(drop=True)


def centre_latlon(row: pd.Series, geom: shapely.Geometry) -> tuple[float, float]:
    """(lat, lon) of a municipality's administrative centre, else a point inside it."""
    lon, lat = row.get("centre_lon"), row.get("centre_lat")
    if lon is not None and lat is not None and np.isfinite(lon) and np.isfinite(lat):
        return round(float(lat), COORD_DECIMALS), round(float(lon), COORD_DECIMALS)
    p = geom.representative_point()
    return round(p.y, COORD_DECIMALS), round(p.x, COORD_DECIMALS)


def label_points(plan: Plan, munis: gpd.GeoDataFrame) -> dict[str, tuple[float, float]]:
    """(lat, lon) where each region's name goes: inside its largest part, far from edges."""
    metric = munis.set_geometry(munis.geometry.to_crs(DISPLAY_CRS))
    out = {}
    for region in plan.regions:
        shape = shapely.union_all(metric.geometry[metric["region"] == region].values)
        parts = list(getattr(shape, "geoms", [shape]))
        largest = max(parts, key=lambda g: g.area)
        point = shapely.ops.polylabel(largest, tolerance=500.0)
        lonlat = gpd.GeoSeries([point], crs=DISPLAY_CRS).to_crs(4326).iloc[0]
        out[region] = (round(lonlat.y, COORD_DECIMALS), round(lonlat.x, COORD_DECIMALS))
    return out


# --------------------------------------------------------------------------- colours

def region_adjacency(plan: Plan, municipalities: gpd.GeoDataFrame, *,
                     gap_m: float = NEIGHBOUR_GAP_M) -> dict[str, set[str]]:
    """Regions whose members touch or lie within ``gap_m`` of each other.

    Returns
    -------
    dict
        Region → set of neighbouring regions (every region is a key).
    """
    munis = check_municipalities(plan, municipalities)
    geoms = munis.geometry.to_crs(DISPLAY_CRS).values
    regions = [plan.assignment[c] for c in munis["kommunenummer"]]
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="dwithin", distance=gap_m)
    adj: dict[str, set[str]] = {r: set() for r in plan.regions}
    for i, j in zip(left, right, strict=True):
        if regions[i] != regions[j]:
            adj[regions[i]].add(regions[j])
    return adj


def region_colours(plan: Plan, municipalities: gpd.GeoDataFrame, *,
                   prefer: Mapping[str, str] | None = None) -> dict[str, str]:
    """Give each region a colour of :data:`PALETTE`, neighbours never sharing one.

    Greedy colouring in a fixed order (most neighbours first, then by name):
    each region takes its preferred colour if no neighbour has it yet, else
    the least-used allowed colour (ties to palette order).

    Parameters
    ----------
    plan
        The plan.
    municipalities
        Geometry of its municipalities.
    prefer
        Region → wished colour (to keep colours alike across two plans).

    Returns
    -------
    dict
        Region → hex colour, sorted by region.
    """
    adj = region_adjacency(plan, municipalities)
    order = sorted(plan.regions, key=lambda r: (-len(adj[r]), r))
    colour: dict[str, str] = {}
    used: Counter[str] = Counter()
    for region in order:
        banned = {colour[n] for n in adj[region] if n in colour}
        allowed = [c for c in PALETTE if c not in banned]
        if not allowed:
            log.warning("region %r: more neighbours than colours; a colour repeats", region)
            allowed = list(PALETTE)
        wish = (prefer or {}).get(region)
        pick = wish if wish in allowed else min(allowed, key=lambda c: (used[c], PALETTE.index(c)))
        colour[region] = pick
        used[pick] += 1
    return dict(sorted(colour.items()))


def matched_colours(a: Plan, b: Plan, munis: gpd.GeoDataFrame,
                     colours_b: Mapping[str, str]) -> dict[str, str]:
    """For each region of ``a``, the colour of the ``b`` region holding most of its people."""
    pop = dict(zip(munis["kommunenummer"], munis["population"], strict=True))
    shared: Counter[tuple[str, str]] = Counter()
    for code, ra in a.assignment.items():
        shared[(ra, b.assignment[code])] += int(pop[code])
    best: dict[str, str] = {}
    for (ra, rb), _ in sorted(shared.items(), key=lambda kv: (-kv[1], kv[0])):
        best.setdefault(ra, colours_b[rb])
    return best


def county_borders(counties: gpd.GeoDataFrame) -> shapely.Geometry:
    """Borders between counties (shared edges only, no coastline), simplified, EPSG:4326.

    Returns
    -------
    shapely.Geometry
        A (Multi)LineString.
    """
    geoms = display_geometry(counties.geometry.reset_index(drop=True),
                             tolerance_m=OUTLINE_TOLERANCE_M, coverage=True).values
    left, right = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    lines = [shapely.intersection(shapely.boundary(geoms[i]), shapely.boundary(geoms[j]))
             for i, j in zip(left, right, strict=True) if i < j]
    return shapely.line_merge(shapely.union_all(
        [g for line in lines for g in shapely.get_parts(line) if g.geom_type == "LineString"]
    ))


def outline_layers(counties: gpd.GeoDataFrame | None,
                   country: gpd.GeoDataFrame | None) -> tuple[dict | None, dict | None]:
    """Prepare county borders (shared edges only, no coastline) and the land outline.

    Returns
    -------
    tuple
        ``(county_borders, country)`` as GeoJSON dicts, each ``None`` if not given.
    """
    borders = land = None
    if counties is not None and len(counties):
        borders = feature_collection([{"type": "Feature", "id": "counties", "properties": {},
                                        "geometry": mapping(county_borders(counties))}])
    if country is not None and len(country):
        shape = shapely.union_all(display_geometry(
            country.geometry, tolerance_m=OUTLINE_TOLERANCE_M).values)
        land = feature_collection([{"type": "Feature", "id": "country", "properties": {},
                                     "geometry": mapping(shape)}])
    return borders, land


def road_layer(roads: gpd.GeoDataFrame | None) -> dict | None:
    """Merge road (and ferry) lines into two features for display; ``None`` if no roads.

    Access legs (``access`` true: straight links from a centre to the road)
    are left out.
    """
    if roads is None or not len(roads):
        return None
    frame = roads
    if "access" in frame.columns:
        frame = frame[~frame["access"].eq(True)]  # NaN (not an access leg) stays
    ferry = (frame["ferry"].eq(True) if "ferry" in frame.columns
             else pd.Series(False, index=frame.index))
    features = []
    for kind, mask in (("road", ~ferry), ("ferry", ferry)):
        if mask.any():
            lines = display_geometry(frame.geometry[mask], tolerance_m=ROAD_TOLERANCE_M)
            merged = shapely.line_merge(shapely.union_all(lines.values))
            features.append({"type": "Feature", "id": kind, "properties": {"kind": kind},
                             "geometry": mapping(merged)})
    return feature_collection(features)
