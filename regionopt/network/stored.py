"""The parts of a :class:`~regionopt.network.build.Network` as cache files in data formats.

:func:`store_network` writes a network's parts to the cache (:mod:`regionopt.network.cache`)
as ``municipalities.parquet`` (GeoParquet, geometry as WKB), ``minutes.npy``
(float64, saved without pickle) with ``codes.json`` (its row and column codes),
``adjacency.parquet`` and ``graph.json`` (nodes and edges with their attributes,
in the graph's order; geometries as WKB hex). :func:`load_network` reads them
back, after the cache has checked every file's SHA-256; anything unexpected in a
file is a reason to rebuild, never to run code.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from regionopt.errors import DataError
from regionopt.network import cache

log = logging.getLogger(__name__)

FILES = ("municipalities.parquet", "minutes.npy", "codes.json", "adjacency.parquet",
         "graph.json")
_WKB = "$wkb"


def _encode(value: Any) -> Any:
    """Return ``value`` as plain JSON data, or raise ``TypeError``."""
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple):
        return [_encode(v) for v in value]
    if isinstance(value, BaseGeometry):
        return {_WKB: shapely.to_wkb(value, hex=True)}
    raise TypeError(f"cannot store a {type(value).__name__} in the network cache")


def _decode(value: Any) -> Any:
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if isinstance(value, dict):
        if set(value) != {_WKB} or not isinstance(value[_WKB], str):
            raise DataError("graph.json: unexpected object in an attribute")
        return shapely.from_wkb(value[_WKB])
    return value


def _graph_json(G: nx.MultiDiGraph) -> str:
    data = {
        "graph": {k: _encode(v) for k, v in G.graph.items()},
        "nodes": [[n, {k: _encode(v) for k, v in d.items()}] for n, d in G.nodes(data=True)],
        "edges": [[u, v, k, {a: _encode(b) for a, b in d.items()}]
                  for u, v, k, d in G.edges(keys=True, data=True)],
    }
    return json.dumps(data, separators=(",", ":"), allow_nan=True)


def _graph_from_json(text: str) -> nx.MultiDiGraph:
    data = json.loads(text)
    G = nx.MultiDiGraph()
    G.graph.update({k: _decode(v) for k, v in data["graph"].items()})
    G.add_nodes_from((n, {k: _decode(v) for k, v in d.items()}) for n, d in data["nodes"])
    for u, v, k, d in data["edges"]:
        G.add_edge(u, v, key=k, **{a: _decode(b) for a, b in d.items()})
    return G


def store_network(key: str, *, municipalities: gpd.GeoDataFrame, graph: nx.MultiDiGraph,
                  minutes: pd.DataFrame, adjacency: pd.DataFrame,
                  cache_dir: str | os.PathLike[str] | None = None) -> None:
    """Write a network's parts to the cache under ``key``; one that cannot be stored is skipped.

    Only data go to disk; an attribute of a type the cache does not know is
    logged and the network is simply not cached.
    """
    try:
        graph_text = _graph_json(graph)
    except TypeError as exc:
        log.warning("network not cached: %s", exc)
        return
    codes = {"origin": [str(c) for c in minutes.index],
             "destination": [str(c) for c in minutes.columns]}

    def write_text(text: str) -> Any:
        return lambda p: Path(p).write_text(text, encoding="utf-8")

    cache.store(key, {
        "municipalities.parquet": lambda p: municipalities.to_parquet(p, index=True),
        "minutes.npy": lambda p: np.save(p, minutes.to_numpy(dtype="float64"),
                                         allow_pickle=False),
        "codes.json": write_text(json.dumps(codes)),
        "adjacency.parquet": lambda p: adjacency.to_parquet(p, index=False),
        "graph.json": write_text(graph_text),
    }, cache_dir=cache_dir)


def load_network(key: str, *,
                 cache_dir: str | os.PathLike[str] | None = None) -> dict[str, Any] | None:
    """Return the cached parts of network ``key``, or None if absent, damaged or unreadable.

    Returns
    -------
    dict or None
        ``municipalities``, ``graph``, ``minutes`` and ``adjacency``.
    """
    paths = cache.load(key, FILES, cache_dir=cache_dir)
    if paths is None:
        return None
    try:
        munis = gpd.read_parquet(paths["municipalities.parquet"])
        values = np.load(paths["minutes.npy"], allow_pickle=False)
        codes = json.loads(paths["codes.json"].read_text(encoding="utf-8"))
        minutes = pd.DataFrame(values, index=pd.Index(codes["origin"], name="origin"),
                               columns=pd.Index(codes["destination"]))
        adjacency = pd.read_parquet(paths["adjacency.parquet"])
        graph = _graph_from_json(paths["graph.json"].read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError, TypeError, DataError) as exc:
        log.warning("ignoring unreadable cache entry %s (%s: %s)", key, type(exc).__name__, exc)
        return None
    return {"municipalities": munis, "graph": graph, "minutes": minutes,
            "adjacency": adjacency}


__all__ = ["FILES", "load_network", "store_network"]
