"""Ferries and centre access legs: the edges added to a road graph before routing.

:func:`load_ferries` reads and checks the ferry table (``data/geo/ferries.csv``
or a file of the same shape), :func:`add_ferries` joins each crossing's
terminals to the road graph, :func:`attach_centres` adds a node per
administrative centre joined to its nearest road node by an access leg.
"""

from __future__ import annotations

import csv
import logging
import os
from collections.abc import Hashable, Iterable, Mapping
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from regionopt import _resources
from regionopt.errors import DataError
from regionopt.network import roads
from regionopt.network.settings import FERRY_COLUMNS, FERRY_SNAP_KM, NetworkSettings

log = logging.getLogger(__name__)


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
    add_ferries_inplace(H, ferries, snap_km=snap_km)
    return H


def add_ferries_inplace(H: nx.MultiDiGraph, ferries: pd.DataFrame, *, snap_km: float) -> None:
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
    attach_centres_inplace(H, municipalities, settings=settings)
    return H


def attach_centres_inplace(H: nx.MultiDiGraph, municipalities: pd.DataFrame, *,
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
        seconds = length / (settings.access_kph / 3.6)
        for s, t in ((centre, node), (node, centre)):
            H.add_edge(s, t, length=round(length, 3), highway="access", ref="", access=True,
                       speed_kph=settings.access_kph, travel_time=round(seconds, 3))
        if d > 10_000:
            log.info("centre of %s is %.1f km from the nearest road node", code, d / 1000)
