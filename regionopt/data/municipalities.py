"""The municipalities GeoDataFrame: polygons, population, administrative centres.

Joins three sources (see :mod:`regionopt.data.sources`): Kartverket's municipality
polygons (``kartverket/Kommuner-S`` or ``-M``), Statistics Norway's municipality
list (``ssb/municipalities-2025.json``: name, administrative centre, population
on 1 January 2024, area) and the GeoNames places that locate the centres
(:mod:`regionopt.data.centres`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from regionopt.data import centres, sources
from regionopt.data.areas import (  # noqa: F401 - resolve_area and its kin live beside the names
    AREA_PRESETS,
    COUNTIES_FILE,
    DEFAULT_AREA,
    SSB_FILE,
    AreaChoice,
    PathLike,
    area_choice,
    fetch_file,
    read_ssb_records,
    resolve_area,
    scenario_for_area,
    source_options,
)
from regionopt.errors import DataError

logger = logging.getLogger(__name__)

COUNTRY_FILE = "kartverket/Norge-S.geojson"
RESOLUTIONS = ("S", "M")
COLUMNS = (
    "kommunenummer",
    "name",
    "county",
    "county_name",
    "population",
    "area_km2",
    "admin_centre",
    "centre_lon",
    "centre_lat",
    "centre_source",
    "centre_place",
    "geometry",
)
# make_valid may move a self-intersecting ring's area a little; more than this
# means the repair changed the shape, not just tidied it.
_MAX_REPAIR_AREA_CHANGE = 0.02

def _ssb_frame(path: Path, codes: Iterable[str]) -> pd.DataFrame:
    """Validate and tabulate the SSB fields of the selected municipalities."""
    by_code = {r["id"]: r for r in read_ssb_records(path)}
    rows = []
    for code in codes:
        record = by_code[code]
        name = record.get("name_no") or record.get("name")
        label = f"{code} {name or ''}".strip()
        population = record.get("population")
        if isinstance(population, bool) or not isinstance(population, int) or population < 0:
            raise DataError(f"{path}: municipality {label} has no valid 'population'")
        area = record.get("area")
        if isinstance(area, bool) or not isinstance(area, int | float) or not area > 0:
            raise DataError(f"{path}: municipality {label} has no valid 'area'")
        centre = record.get("adm_center")
        if not isinstance(centre, str) or not centre.strip():
            raise DataError(f"{path}: municipality {label} has no 'adm_center'")
        if not isinstance(name, str) or not name.strip():
            raise DataError(f"{path}: municipality {code} has no 'name'")
        rows.append((code, name.strip(), population, float(area), centre.strip()))
    frame = pd.DataFrame(
        rows, columns=["kommunenummer", "name", "population", "area_km2", "admin_centre"]
    )
    return frame.astype({"population": "int64"})


def _read_geojson(path: Path, key: str) -> gpd.GeoDataFrame:
    try:
        frame = gpd.read_file(path)
    except Exception as exc:  # pyogrio raises its own error types for bad files
        raise DataError(f"{path}: cannot read GeoJSON ({type(exc).__name__}: {exc})") from None
    if key not in frame.columns:
        raise DataError(f"{path}: missing property {key!r}")
    if frame.crs is None or frame.crs.to_epsg() != 4326:
        frame = frame.set_crs(4326, allow_override=True) if frame.crs is None else frame
        frame = frame.to_crs(4326)
    return frame


def _repair(geometry: shapely.Geometry | None, label: str, path: Path) -> shapely.Geometry:
    """Return a valid (Multi)Polygon for ``geometry`` or raise DataError."""
    if geometry is None or geometry.is_empty:
        raise DataError(f"{path}: municipality {label} has no geometry")
    if geometry.geom_type not in ("Polygon", "MultiPolygon"):
        raise DataError(f"{path}: municipality {label} geometry is a {geometry.geom_type}")
    if geometry.is_valid:
        return geometry
    fixed = shapely.make_valid(geometry)
    if fixed.geom_type == "GeometryCollection":
        polys = [g for g in fixed.geoms if g.geom_type in ("Polygon", "MultiPolygon")]
        fixed = shapely.union_all(polys) if polys else shapely.Polygon()
    change = abs(fixed.area - geometry.area) / geometry.area if geometry.area > 0 else np.inf
    if (
        fixed.is_empty
        or fixed.geom_type not in ("Polygon", "MultiPolygon")
        or change > _MAX_REPAIR_AREA_CHANGE
    ):
        reason = shapely.is_valid_reason(geometry)
        raise DataError(f"{path}: municipality {label} has an invalid geometry ({reason})")
    logger.debug("repaired geometry of %s (area change %.4f)", label, change)
    return fixed


def _polygons(path: Path, codes: tuple[str, ...]) -> gpd.GeoDataFrame:
    frame = _read_geojson(path, "kommunenummer")
    frame["kommunenummer"] = frame["kommunenummer"].astype(str).str.zfill(4)
    frame = frame[frame["kommunenummer"].isin(codes)]
    missing = sorted(set(codes) - set(frame["kommunenummer"]))
    if missing:
        raise DataError(f"{path}: no polygon for municipality {missing[0]}")
    if frame["kommunenummer"].duplicated().any():
        dup = frame.loc[frame["kommunenummer"].duplicated(), "kommunenummer"].iloc[0]
        raise DataError(f"{path}: municipality {dup} appears twice")
    geoms = [
        _repair(g, k, path) for k, g in zip(frame["kommunenummer"], frame.geometry, strict=True)
    ]
    return gpd.GeoDataFrame(
        {"kommunenummer": frame["kommunenummer"].to_numpy()}, geometry=geoms, crs=4326
    )


def _county_names(path: Path) -> dict[str, str]:
    frame = _read_geojson(path, "fylkesnummer")
    name_col = "name" if "name" in frame.columns else "fylkesnavn"
    if name_col not in frame.columns:
        raise DataError(f"{path}: missing property 'name'")
    return dict(zip(frame["fylkesnummer"].astype(str).str.zfill(2), frame[name_col], strict=True))


def load_municipalities(
    area: str | Iterable[str] = DEFAULT_AREA,
    *,
    data_dir: PathLike | None = None,
    cache_dir: PathLike | None = None,
    base_url: str | None = None,
    resolution: str = "S",
) -> gpd.GeoDataFrame:
    """Load the municipalities of an area with population, centre and polygon.

    Parameters
    ----------
    area
        See :func:`resolve_area`; default Troms og Finnmark (counties 55, 56).
    data_dir, cache_dir, base_url
        Where the source files come from (see :func:`sources.fetch`).
    resolution
        ``"S"`` (simplified polygons, default) or ``"M"`` (finer).

    Returns
    -------
    geopandas.GeoDataFrame
        One row per municipality sorted by ``kommunenummer`` (RangeIndex,
        EPSG:4326) with the columns of :data:`COLUMNS`; ``name`` is the
        Norwegian short name (``Karasjok``), ``county_name`` Kartverket's short
        county name (``Troms``).

    Raises
    ------
    DataError
        For an unknown code, a missing or unreadable source file, a
        municipality without population or with an unrepairable geometry.

    Warns
    -----
    regionopt.data.centres.CentreWarning
        For a centre placed at its polygon's representative point.
    """
    if resolution not in RESOLUTIONS:
        raise DataError(f"unknown resolution {resolution!r}: use 'S' or 'M'")
    opts = source_options(data_dir, cache_dir, base_url)
    codes = resolve_area(area, **opts)
    table = _ssb_frame(fetch_file(SSB_FILE, opts), codes)
    polygons = _polygons(fetch_file(f"kartverket/Kommuner-{resolution}.geojson", opts), codes)
    county_names = _county_names(fetch_file(COUNTIES_FILE, opts))
    munis = gpd.GeoDataFrame(
        table.merge(polygons, on="kommunenummer", how="inner", validate="one_to_one"),
        geometry="geometry",
        crs=4326,
    )
    munis["county"] = munis["kommunenummer"].str[:2]
    unknown = sorted(set(munis["county"]) - set(county_names))
    if unknown:
        raise DataError(f"{fetch_file(COUNTIES_FILE, opts)}: no county {unknown[0]}")
    munis["county_name"] = munis["county"].map(county_names)
    places = centres.read_places(fetch_file(sources.GEONAMES_FILE, opts))
    table = centres.read_centre_table()
    named = munis["kommunenummer"].map(table["admin_centre"])
    munis["admin_centre"] = named.fillna(munis["admin_centre"])  # the table's name wins (Odda)
    munis = munis.join(centres.place_centres(munis, places, table=table))
    munis = munis.sort_values("kommunenummer").reset_index(drop=True)
    return gpd.GeoDataFrame(munis[list(COLUMNS)], geometry="geometry", crs=4326)


def centre_points(munis: gpd.GeoDataFrame) -> gpd.GeoSeries:
    """Return the administrative centres as a point GeoSeries (EPSG:4326).

    Parameters
    ----------
    munis
        A frame from :func:`load_municipalities`.

    Returns
    -------
    geopandas.GeoSeries
        Indexed like ``munis``.
    """
    return gpd.GeoSeries(
        gpd.points_from_xy(munis["centre_lon"], munis["centre_lat"]), index=munis.index, crs=4326
    )


def load_counties(
    counties: Iterable[str] | None = None,
    *,
    data_dir: PathLike | None = None,
    cache_dir: PathLike | None = None,
    base_url: str | None = None,
) -> gpd.GeoDataFrame:
    """Load county outlines (``kartverket/Fylker-S``) for maps.

    Parameters
    ----------
    counties
        2-digit county codes to keep; default all.
    data_dir, cache_dir, base_url
        Where the source file comes from (see :func:`sources.fetch`).

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``county``, ``county_name``, ``geometry``, sorted by county.

    Raises
    ------
    DataError
        If the file is missing or unreadable, or a county code is unknown.
    """
    path = fetch_file(COUNTIES_FILE, source_options(data_dir, cache_dir, base_url))
    frame = _read_geojson(path, "fylkesnummer")
    name_col = "name" if "name" in frame.columns else "fylkesnavn"
    out = gpd.GeoDataFrame(
        {
            "county": frame["fylkesnummer"].astype(str).str.zfill(2),
            "county_name": frame[name_col].astype(str),
        },
        geometry=[
            _repair(g, c, path) for c, g in zip(frame["fylkesnummer"], frame.geometry, strict=True)
        ],
        crs=4326,
    )
    if counties is not None:
        wanted = [str(c) for c in counties]
        unknown = sorted(set(wanted) - set(out["county"]))
        if unknown:
            raise DataError(f"unknown county code {unknown[0]!r}")
        out = out[out["county"].isin(wanted)]
    return out.sort_values("county").reset_index(drop=True)


def load_country(
    *,
    data_dir: PathLike | None = None,
    cache_dir: PathLike | None = None,
    base_url: str | None = None,
) -> gpd.GeoDataFrame:
    """Load Norway's outline (``kartverket/Norge-S``) for maps.

    Returns
    -------
    geopandas.GeoDataFrame
        One row: ``name``, ``geometry`` (EPSG:4326).

    Raises
    ------
    DataError
        If the file is missing or unreadable.
    """
    path = fetch_file(COUNTRY_FILE, source_options(data_dir, cache_dir, base_url))
    frame = _read_geojson(path, "name")
    geoms = [_repair(g, str(n), path) for n, g in zip(frame["name"], frame.geometry, strict=True)]
    return gpd.GeoDataFrame({"name": frame["name"].astype(str)}, geometry=geoms, crs=4326)
