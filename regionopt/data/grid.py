"""Statistics Norway's population grid (*befolkning på rutenett* 2019): where people live.

Two files of the data folder (``ssb/rutenett/``, listed in ``registry.txt`` with their
upstream addresses): 1 km cells (:data:`GRID_1KM`) and 250 m cells (:data:`GRID_250M`), each
a populated cell with its inhabitants on 1 January 2019. SSB's cell id is
``(x + 2 000 000) · 10⁷ + y`` with ``(x, y)`` the cell's south-west corner in EPSG:25833;
:func:`read_grid` returns the cell's centre (corner plus half the cell).

:func:`assign_cells` gives every cell the municipality whose polygon holds its centre
(Kartverket's 2024 boundaries, clipped to the coast); a cell whose centre lies outside every
polygon (a skerry, a quay, a coast the simplified polygons cut) goes to the nearest one.
:func:`load_grid` does both for all of Norway. The grid is from 2019 and the municipalities'
populations from 2024: only a cell's **share** of its municipality's grid total is used
(:func:`cell_shares`), never the totals; :func:`grid_validation` sets the totals beside the
2024 populations.
"""

from __future__ import annotations

import logging
import os

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from regionopt.data import sources
from regionopt.errors import DataError

log = logging.getLogger(__name__)

GRID_1KM = "ssb/rutenett/NOR1000M_POP_2019.csv"
GRID_250M = "ssb/rutenett/NOR0250M_POP_2019.csv"
#: Cell size in metres of each grid file.
CELL_M = {GRID_1KM: 1000, GRID_250M: 250}
#: Kartverket's municipality boundaries the cells are assigned with (as the network's labels).
POLYGONS = "kartverket/Kommuner-S.geojson"
#: The CRS of SSB's cell ids (ETRS89 / UTM 33N).
GRID_CRS = "EPSG:25833"
_X_OFFSET = 2_000_000
_ID_SCALE = 10_000_000


def decode_ids(ids: np.ndarray, cell_m: int) -> tuple[np.ndarray, np.ndarray]:
    """Return the centres (x, y in EPSG:25833) of SSB cell ids of cells ``cell_m`` wide.

    Raises
    ------
    DataError
        If an id does not decode to a corner on the grid of that cell size.
    """
    ids = np.asarray(ids, dtype=np.int64)
    x = ids // _ID_SCALE - _X_OFFSET
    y = ids % _ID_SCALE
    bad = (x % cell_m != 0) | (y % cell_m != 0)
    if bad.any():
        raise DataError(f"population grid: cell id {int(ids[bad][0])} is not a corner of a "
                        f"{cell_m} m grid")
    half = cell_m / 2.0
    return x.astype(float) + half, y.astype(float) + half


def read_grid(relpath: str = GRID_1KM, *, data_dir: str | os.PathLike[str] | None = None,
              cache_dir: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """Read one grid file: ``cell`` (SSB id), ``x``, ``y`` (centre, EPSG:25833) and ``pop``.

    Raises
    ------
    DataError
        If the file is not one of the two grid files, cannot be read, or holds a bad value.
    """
    if relpath not in CELL_M:
        raise DataError(f"population grid: unknown file {relpath!r} "
                        f"(expected {GRID_1KM} or {GRID_250M})")
    path = sources.fetch(relpath, data_dir=data_dir, cache_dir=cache_dir)
    try:
        raw = pd.read_csv(path, sep=";", usecols=[0, 1], dtype={0: np.int64, 1: np.int64},
                          encoding="utf-8")
    except (ValueError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise DataError(f"{path}: cannot read ({exc})") from None
    ids, pop = raw.iloc[:, 0].to_numpy(), raw.iloc[:, 1].to_numpy()
    if (pop < 0).any():
        raise DataError(f"{path}: negative population in cell {int(ids[pop < 0][0])}")
    x, y = decode_ids(ids, CELL_M[relpath])
    return pd.DataFrame({"cell": ids, "x": x, "y": y, "pop": pop.astype(float)})


def assign_cells(cells: pd.DataFrame, polygons: gpd.GeoDataFrame) -> np.ndarray:
    """Return the kommunenummer of each cell: the polygon holding its centre, else the nearest.

    Parameters
    ----------
    cells
        ``x``, ``y`` in EPSG:25833.
    polygons
        ``kommunenummer`` and polygons (any CRS).
    """
    polys = polygons[["kommunenummer", "geometry"]].to_crs(GRID_CRS)
    geoms = shapely.make_valid(polys.geometry.to_numpy())
    codes = polys["kommunenummer"].astype(str).to_numpy()
    points = shapely.points(cells["x"].to_numpy(), cells["y"].to_numpy())
    tree = shapely.STRtree(geoms)
    pt, poly = tree.query(points, predicate="within")
    out = np.full(len(cells), "", dtype=object)
    order = np.argsort(pt, kind="stable")  # the first polygon listed wins on a shared edge
    pt, poly = pt[order], poly[order]
    first = np.unique(pt, return_index=True)[1]
    out[pt[first]] = codes[poly[first]]
    outside = np.flatnonzero(out == "")
    if len(outside):
        near = tree.nearest(points[outside])
        out[outside] = codes[near]
    return out.astype(str)


def load_grid(relpath: str = GRID_1KM, *, data_dir: str | os.PathLike[str] | None = None,
              cache_dir: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """Return every populated cell of Norway with its municipality (``kommunenummer``).

    Columns ``cell, x, y, pop, kommunenummer``, in the file's order.

    Raises
    ------
    DataError
        If a file cannot be read.
    """
    cells = read_grid(relpath, data_dir=data_dir, cache_dir=cache_dir)
    path = sources.fetch(POLYGONS, data_dir=data_dir, cache_dir=cache_dir)
    try:
        polys = gpd.read_file(path, columns=["kommunenummer"])
    except Exception as exc:  # pyogrio raises its own error types for bad files
        raise DataError(f"{path}: cannot read GeoJSON ({type(exc).__name__}: {exc})") from None
    polys["kommunenummer"] = polys["kommunenummer"].astype(str).str.zfill(4)
    polys = polys.set_crs(4326) if polys.crs is None else polys
    cells["kommunenummer"] = assign_cells(cells, polys)
    return cells


def cell_shares(cells: pd.DataFrame) -> np.ndarray:
    """Return each cell's share of its municipality's grid population (summing to 1 each).

    Raises
    ------
    DataError
        If a municipality's cells hold nobody.
    """
    totals = cells.groupby("kommunenummer")["pop"].transform("sum").to_numpy()
    if (totals <= 0).any():
        code = cells["kommunenummer"].to_numpy()[totals <= 0][0]
        raise DataError(f"population grid: municipality {code} has no inhabitants in the grid")
    return cells["pop"].to_numpy() / totals


def grid_validation(cells: pd.DataFrame, municipalities: pd.DataFrame) -> pd.DataFrame:
    """Set the grid's 2019 totals beside the 2024 populations, one row per municipality.

    Columns ``kommunenummer, name, cells, grid_2019, population_2024, ratio``
    (``grid_2019 / population_2024``), sorted by code; a municipality without cells has 0.
    """
    grouped = cells.groupby("kommunenummer")["pop"].agg(["size", "sum"])
    table = pd.DataFrame({"kommunenummer": municipalities["kommunenummer"].astype(str),
                          "name": municipalities["name"],
                          "population_2024": municipalities["population"].astype(int)})
    table["cells"] = table["kommunenummer"].map(grouped["size"]).fillna(0).astype(int)
    table["grid_2019"] = table["kommunenummer"].map(grouped["sum"]).fillna(0).astype(int)
    table["ratio"] = table["grid_2019"] / table["population_2024"]
    cols = ["kommunenummer", "name", "cells", "grid_2019", "population_2024", "ratio"]
    return table[cols].sort_values("kommunenummer").reset_index(drop=True)


def grid_validation_markdown(table: pd.DataFrame) -> str:
    """Return :func:`grid_validation`'s table as a Markdown page, the farthest ratios first."""
    ratio = table["ratio"]
    lines = ["# Population grid 2019 beside the 2024 populations", "",
             "Written by `regionopt.data.grid.grid_validation_markdown` (see "
             "`docs/travel_validation.md`). Statistics Norway's 1 km population grid of "
             "1 January 2019 (`ssb/rutenett/NOR1000M_POP_2019.csv`), each populated cell "
             "assigned to the municipality whose 2024 polygon (Kartverket, `Kommuner-S`) holds "
             "its centre, or the nearest one; beside each municipality's population on "
             "1 January 2024 (SSB 07459). Only a cell's share of its municipality's grid total "
             "is used to weight travel times, never the totals.", "",
             f"- municipalities: {len(table)}, every one with at least {table['cells'].min()} "
             f"populated cells; grid total {int(table['grid_2019'].sum()):,}, "
             f"2024 total {int(table['population_2024'].sum()):,}",
             f"- grid / 2024: median {ratio.median():.3f}, from {ratio.min():.3f} to "
             f"{ratio.max():.3f}; {int((ratio - 1).abs().gt(0.1).sum())} municipalities "
             "more than 10 % apart (growth round Oslo and the cities, decline inland)", "",
             "| municipality | cells | grid 2019 | population 2024 | grid / 2024 |",
             "| --- | ---: | ---: | ---: | ---: |"]
    order = (table["ratio"] - 1).abs().sort_values(ascending=False, kind="stable").index
    for r in table.loc[order].itertuples(index=False):
        lines.append(f"| {r.kommunenummer} {r.name} | {r.cells} | {r.grid_2019} | "
                     f"{r.population_2024} | {r.ratio:.3f} |")
    return "\n".join(lines) + "\n"
