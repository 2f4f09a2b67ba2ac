"""Administrative centre placement from the GeoNames populated places.

Each municipality's administrative centre (a name from Statistics Norway) is
looked up among the GeoNames places by folded name (``Tromsø`` → ``tromso``,
``Årstein`` → ``arstein``), or under the GeoNames name listed for it in the
alias table ``data/geo/centre_aliases.csv`` (places GeoNames knows only by
their Sami name, e.g. Karasjok = ``Karasjohka``). The place must lie inside the
municipality's polygon; when several do, the one nearest the polygon's
representative point wins. A municipality with no such place gets its
polygon's representative point, flagged ``centre_source="representative_point"``
and reported with a :class:`CentreWarning`.

An authored table, ``data/geo/centres.csv`` (:func:`read_centre_table`), takes
precedence over both: it places the centres GeoNames' cities1000 file does not
hold (villages such as Aure, Bogen, Tingberg) and corrects a centre the
municipality list names wrongly (Ullensvang: Odda, not Kinsarvik). Those get
``centre_source="table"`` and the table's name as ``admin_centre``.
"""

from __future__ import annotations

import csv
import logging
import unicodedata
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from regionopt._resources import geo_dir
from regionopt.errors import DataError

logger = logging.getLogger(__name__)

ALIASES_FILE = "centre_aliases.csv"
ALIAS_COLUMNS = ("kommunenummer", "admin_centre", "geonames_name", "source")
CENTRES_FILE = "centres.csv"
CENTRE_COLUMNS = ("kommunenummer", "admin_centre", "lon", "lat", "source")
# Largest gap seen between a matched coastal place and its Kommuner-S polygon is
# about 300 m (Reine, Moskenes); 500 m keeps those and nothing farther.
OFFSHORE_TOLERANCE_M = 500.0
# ETRS89 / UTM 33N, the projection Norwegian mapping uses nationwide.
_TO_UTM = Transformer.from_crs("EPSG:4326", "EPSG:25833", always_xy=True)
_TO_LONLAT = Transformer.from_crs("EPSG:25833", "EPSG:4326", always_xy=True)

# Letters Unicode does not decompose into a base letter plus accents.
_FOLD_TABLE = str.maketrans(
    {
        "æ": "ae",
        "ø": "o",
        "å": "a",
        "đ": "d",
        "ŋ": "n",
        "ŧ": "t",
        "ß": "ss",
        "ł": "l",
        "ʼ": "",
        "'": "",
        "-": " ",
    }
)


class CentreWarning(UserWarning):
    """An administrative centre could not be placed on a GeoNames place."""


def fold_name(name: str) -> str:
    """Fold a place name to lower-case ASCII for matching.

    ``ø``→``o``, ``å``→``a``, ``æ``→``ae``, Sami ``đ``→``d``, ``ŋ``→``n``,
    ``ŧ``→``t``; other accents (``á``, ``č``, ``š``, ``ž``) are dropped;
    hyphens become spaces and runs of spaces collapse to one.

    Parameters
    ----------
    name
        A place name.

    Returns
    -------
    str
        The folded name.
    """
    text = unicodedata.normalize("NFKC", name).lower().translate(_FOLD_TABLE)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(text.split())


def read_aliases(path: str | Path | None = None) -> pd.DataFrame:
    """Read the centre alias table.

    Parameters
    ----------
    path
        The CSV file; default ``data/geo/centre_aliases.csv``.

    Returns
    -------
    pandas.DataFrame
        Columns ``kommunenummer``, ``admin_centre``, ``geonames_name``,
        ``source`` (all strings).

    Raises
    ------
    DataError
        If the file is missing, unreadable or lacks a column.
    """
    path = Path(path) if path is not None else geo_dir() / ALIASES_FILE
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise DataError(f"{path}: cannot read centre alias table ({exc})") from exc
    frame = pd.DataFrame(rows, columns=list(rows[0].keys()) if rows else list(ALIAS_COLUMNS))
    missing = [c for c in ALIAS_COLUMNS if c not in frame.columns]
    if missing:
        raise DataError(f"{path}: missing column {missing[0]!r}")
    return frame[list(ALIAS_COLUMNS)].astype(str)


def read_centre_table(path: str | Path | None = None) -> pd.DataFrame:
    """Read the authored table of administrative centres (``data/geo/centres.csv``).

    Parameters
    ----------
    path
        The CSV file; default the shipped table.

    Returns
    -------
    pandas.DataFrame
        Columns ``kommunenummer``, ``admin_centre``, ``source`` (strings), ``lon``, ``lat``
        (floats), indexed by ``kommunenummer``.

    Raises
    ------
    DataError
        If the file is unreadable, lacks a column, repeats a municipality, has a row without a
        source or a coordinate that is not a number inside Norway's extent.
    """
    path = Path(path) if path is not None else geo_dir() / CENTRES_FILE
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise DataError(f"{path}: cannot read centre table ({exc})") from exc
    missing = [c for c in CENTRE_COLUMNS if c not in frame.columns]
    if missing:
        raise DataError(f"{path}: missing column {missing[0]!r}")
    frame = frame[list(CENTRE_COLUMNS)].copy()
    frame["kommunenummer"] = frame["kommunenummer"].str.strip().str.zfill(4)
    dup = frame["kommunenummer"].duplicated()
    if dup.any():
        raise DataError(f"{path}: municipality {frame.loc[dup, 'kommunenummer'].iloc[0]} twice")
    unsourced = frame["source"].str.strip() == ""
    if unsourced.any():
        raise DataError(f"{path}: municipality {frame.loc[unsourced, 'kommunenummer'].iloc[0]}"
                        ": no source")
    for col, (low, high) in (("lon", (-10.0, 35.0)), ("lat", (55.0, 82.0))):
        values = pd.to_numeric(frame[col], errors="coerce")
        bad = ~values.between(low, high)
        if bad.any():
            code = frame.loc[bad, "kommunenummer"].iloc[0]
            raise DataError(f"{path}: municipality {code}: {col} is not a coordinate in Norway")
        frame[col] = values.astype(float)
    return frame.set_index("kommunenummer", drop=False)


def read_places(path: str | Path) -> pd.DataFrame:
    """Read a GeoNames places CSV (``lat,lon,name,admin1,admin2,cc``).

    Returns
    -------
    pandas.DataFrame
        Columns ``name``, ``lon``, ``lat`` and ``key`` (the folded name).

    Raises
    ------
    DataError
        If the file cannot be read or lacks ``lat``, ``lon`` or ``name``.
    """
    path = Path(path)
    try:
        frame = pd.read_csv(path, dtype={"name": str}, keep_default_na=False, encoding="utf-8")
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise DataError(f"{path}: cannot read GeoNames places ({exc})") from exc
    for column in ("lat", "lon", "name"):
        if column not in frame.columns:
            raise DataError(f"{path}: missing column {column!r}")
    try:
        lon = frame["lon"].astype(float)
        lat = frame["lat"].astype(float)
    except ValueError as exc:
        raise DataError(f"{path}: non-numeric lat/lon ({exc})") from exc
    return pd.DataFrame(
        {"name": frame["name"], "lon": lon, "lat": lat, "key": frame["name"].map(fold_name)}
    )


def _candidate_names(kommunenummer: str, admin_centre: str, aliases: pd.DataFrame) -> set[str]:
    keys = {fold_name(admin_centre)}
    hit = aliases[
        (aliases["kommunenummer"] == kommunenummer)
        & (aliases["admin_centre"].map(fold_name) == fold_name(admin_centre))
    ]
    keys.update(fold_name(name) for name in hit["geonames_name"])
    return keys


def _to_metres(geom: shapely.Geometry) -> shapely.Geometry:
    return shapely.transform(
        geom, lambda xy: np.column_stack(_TO_UTM.transform(xy[:, 0], xy[:, 1]))
    )


def _to_degrees(geom: shapely.Geometry) -> shapely.Geometry:
    return shapely.transform(
        geom, lambda xy: np.column_stack(_TO_LONLAT.transform(xy[:, 0], xy[:, 1]))
    )


def _snap_inside(polygon: shapely.Geometry, lon: float, lat: float, tolerance_m: float):
    """Return ``(point, metres)``: the place moved just inside ``polygon``, or None.

    Simplified coastlines cut coastal towns' GeoNames points off their
    municipality by up to a few hundred metres; such a place is kept when it
    lies within ``tolerance_m`` of the polygon and is moved to a point of the
    polygon next to it.
    """
    poly_m = _to_metres(polygon)
    point_m = _to_metres(shapely.Point(lon, lat))
    gap = float(poly_m.distance(point_m))
    if gap > tolerance_m:
        return None
    near = poly_m.intersection(point_m.buffer(gap + 50.0))
    return _to_degrees(near.representative_point()), gap


def _pick_place(
    polygon: shapely.Geometry, keys: set[str], places: pd.DataFrame, tolerance_m: float
) -> tuple[str, float, float] | None:
    rows = places[places["key"].isin(keys)]
    if rows.empty:
        return None
    points = shapely.points(rows["lon"].to_numpy(), rows["lat"].to_numpy())
    inside = shapely.covers(polygon, points)
    if inside.any():
        dist = shapely.distance(polygon.representative_point(), points[inside])
        row = rows[inside].iloc[int(np.argmin(dist))]
        return str(row["name"]), float(row["lon"]), float(row["lat"])
    snapped = [
        (hit[1], str(name), hit[0])
        for name, lon, lat in zip(rows["name"], rows["lon"], rows["lat"], strict=True)
        if (hit := _snap_inside(polygon, lon, lat, tolerance_m)) is not None
    ]
    if not snapped:
        return None
    gap, name, point = min(snapped, key=lambda item: item[0])
    logger.debug("GeoNames place %s lies %.0f m outside its municipality; moved inside", name, gap)
    return name, point.x, point.y


def place_centres(
    munis: gpd.GeoDataFrame,
    places: pd.DataFrame,
    *,
    aliases: pd.DataFrame | None = None,
    tolerance_m: float = OFFSHORE_TOLERANCE_M,
    table: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Place each municipality's administrative centre.

    Parameters
    ----------
    munis
        Municipalities with ``kommunenummer``, ``name``, ``admin_centre`` and
        polygon geometry in EPSG:4326.
    places
        GeoNames places as returned by :func:`read_places`.
    aliases
        Alias table as returned by :func:`read_aliases`; default the shipped
        table.
    tolerance_m
        A matching place up to this far outside the polygon (a coastal town
        cut off by the simplified coastline) is accepted and moved just
        inside; ``centre_place`` still names it.
    table
        Authored centres as returned by :func:`read_centre_table`, used before
        GeoNames; default the shipped table.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``munis``: ``centre_lon``, ``centre_lat``,
        ``centre_source`` (``"table"``, ``"geonames"`` or
        ``"representative_point"``) and ``centre_place`` (the table's or
        GeoNames' name, or ``""``).

    Raises
    ------
    DataError
        If a centre of the table lies outside its municipality.

    Warns
    -----
    CentreWarning
        For each municipality placed at its representative point.
    """
    if aliases is None:
        aliases = read_aliases()
    if table is None:
        table = read_centre_table()
    records = []
    for kommune, name, centre, polygon in zip(
        munis["kommunenummer"], munis["name"], munis["admin_centre"], munis.geometry, strict=True
    ):
        if kommune in table.index:
            row = table.loc[kommune]
            if not shapely.covers(polygon, shapely.Point(row["lon"], row["lat"])):
                raise DataError(f"{CENTRES_FILE}: municipality {kommune} {name}: "
                                f"{row['admin_centre']} lies outside the municipality")
            records.append((float(row["lon"]), float(row["lat"]), "table", row["admin_centre"]))
            continue
        keys = _candidate_names(kommune, centre, aliases)
        place = _pick_place(polygon, keys, places, tolerance_m)
        if place is not None:
            records.append((place[1], place[2], "geonames", place[0]))
            continue
        point = polygon.representative_point()
        message = (
            f"municipality {kommune} {name}: administrative centre {centre!r} not found among "
            "GeoNames places inside it; using the polygon's representative point"
        )
        warnings.warn(message, CentreWarning, stacklevel=2)
        records.append((point.x, point.y, "representative_point", ""))
    return pd.DataFrame(
        records,
        index=munis.index,
        columns=["centre_lon", "centre_lat", "centre_source", "centre_place"],
    )
