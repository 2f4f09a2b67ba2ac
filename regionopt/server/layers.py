"""The map's layers for the served page, kept in the cache folder between starts.

:func:`regionopt.maps.outputs.map_layers` draws the roads from the network's graph and reads
the county and country outlines: about 2.5 s for all of Norway on an idle machine (osmnx's
import, ``graph_to_gdfs`` of 27 000 edges, two GeoJSON files repaired), twice that on a busy
one. ``regionopt serve`` draws the first page as soon as the first plan is known, so these
seconds are on the way to it. The page uses only their geometries (and whether a road is a
ferry), which :func:`served_layers` keeps as GeoParquet under the cache folder
(``serve-layers/``), named by the network's key and the outline files' size and time: read
back in a fraction of a second, never executed (no pickle), rebuilt when either changes.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from regionopt.data import sources
from regionopt.data.areas import COUNTIES_FILE
from regionopt.data.municipalities import COUNTRY_FILE
from regionopt.maps.outputs import map_layers

log = logging.getLogger(__name__)

#: The layers kept, each one GeoParquet file.
NAMES = ("roads", "counties", "country")
#: Raised when what is kept changes shape.
VERSION = 1


def layers_key(network: Any) -> str:
    """The network's key and the outline files' identity (size, time), hashed."""
    parts = [f"v{VERSION}", str(network.key)]
    for name in (COUNTIES_FILE, COUNTRY_FILE):
        path = Path(sources.fetch(name))
        stat = path.stat()
        parts.append(f"{name}:{stat.st_size}:{stat.st_mtime_ns}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]


def served_layers(network: Any, *, cache_dir: str | os.PathLike[str] | None = None
                  ) -> dict[str, Any]:
    """The map's layers of ``network``: read from the cache, or drawn and kept there.

    Returns
    -------
    dict
        ``roads``, ``counties``, ``country`` as :func:`~regionopt.maps.outputs.map_layers`
        gives them, with the columns the page reads (geometry; ``ferry`` for roads).
    """
    folder = sources.default_cache_dir(cache_dir) / "serve-layers" / layers_key(network)
    if all((folder / f"{name}.parquet").is_file() for name in NAMES):
        try:
            return {name: gpd.read_parquet(folder / f"{name}.parquet") for name in NAMES}
        except (OSError, ValueError) as exc:  # a damaged file: drawn again below
            log.info("serve: cached map layers in %s unreadable (%s); drawn again", folder, exc)
            shutil.rmtree(folder, ignore_errors=True)
    layers = map_layers(network)
    if any(layers.get(name) is None for name in NAMES):
        return layers  # nothing to keep (a network without roads)
    kept = _kept(layers)
    try:
        _write(folder, kept)
    except OSError as exc:  # a read-only cache: served all the same
        log.info("serve: map layers not kept in %s (%s)", folder, exc)
    return kept


def _kept(layers: dict[str, Any]) -> dict[str, Any]:
    """The columns the page reads: roads' geometry and ferry flag, outlines' geometry."""
    roads = layers["roads"]
    ferry = (roads["ferry"].eq(True) if "ferry" in roads.columns
             else pd.Series(False, index=roads.index))
    return {"roads": gpd.GeoDataFrame({"ferry": ferry.to_numpy(dtype=bool)},
                                      geometry=roads.geometry.to_numpy(), crs=roads.crs),
            "counties": gpd.GeoDataFrame(geometry=layers["counties"].geometry.to_numpy(),
                                         crs=layers["counties"].crs),
            "country": gpd.GeoDataFrame(geometry=layers["country"].geometry.to_numpy(),
                                        crs=layers["country"].crs)}


def _write(folder: Path, layers: dict[str, Any]) -> None:
    """Write the layers into a temporary folder and rename it: all or nothing."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=".stage-", dir=folder.parent))
    try:
        for name in NAMES:
            layers[name].to_parquet(stage / f"{name}.parquet")
        os.replace(stage, folder)
    except OSError:
        shutil.rmtree(stage, ignore_errors=True)
        if not folder.is_dir():
            raise


__all__ = ["NAMES", "layers_key", "served_layers"]
