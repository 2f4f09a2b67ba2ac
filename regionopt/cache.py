"""Cache of built networks (graph, matrix, adjacency), keyed by their inputs.

:func:`network_key` computes the key of a network; :func:`load` and
:func:`store` read and write entries. A cache entry is a pickle named by the
SHA-256 of a canonical JSON document describing every input: the road source
and its files' checksums (Travel Mapping files, or an OSM XML file's
content), the municipalities (codes, centres, polygons), the network settings (speeds included), the
ferry table's content and the source of the code that builds it. Change any
of them, a speed for instance, and the key changes, so the network is
rebuilt. The folder is ``$REGIONOPT_CACHE_DIR`` or pooch's user cache for
``regionopt`` (the same as the download cache), under ``networks/``.

Each file is a header line (``regionopt-cache <format> <sha256 of the
pickle>``) followed by the pickle. A file whose checksum does not match
(truncated, damaged on disk, written by another format) is ignored with a
warning, so the network is rebuilt; it is never unpickled.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import logging
import os
import pickle
from collections.abc import Iterable, Mapping
from dataclasses import asdict
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, Any

from regionopt.errors import DataError
from regionopt.io import atomic_write_bytes
from regionopt.sources import default_cache_dir

if TYPE_CHECKING:
    import geopandas as gpd

    from regionopt.network import NetworkSettings

log = logging.getLogger(__name__)

#: Bump to invalidate every cache entry when the pickled layout changes.
CACHE_FORMAT = 2
_MAGIC = b"regionopt-cache"


def cache_root(cache_dir: str | os.PathLike[str] | None = None) -> Path:
    """Return the folder holding cached networks (``<cache>/networks``)."""
    return default_cache_dir(cache_dir) / "networks"


def hash_files(paths: Iterable[str | os.PathLike[str]]) -> str:
    """Return one SHA-256 over the names and contents of ``paths`` (in the given order).

    Raises
    ------
    DataError
        If a file is missing or unreadable.
    """
    digest = hashlib.sha256()
    for path in paths:
        p = Path(path)
        try:
            content = p.read_bytes()
        except FileNotFoundError:
            raise DataError(f"{p}: file not found") from None
        except OSError as exc:
            raise DataError(f"{p}: cannot read ({exc.strerror or exc})") from None
        digest.update(p.name.encode())
        digest.update(content)
    return digest.hexdigest()


def sha256_file(path: str | os.PathLike[str]) -> str:
    """Return the SHA-256 hex digest of a file's content.

    Raises
    ------
    DataError
        If the file is missing or unreadable.
    """
    p = Path(path)
    digest = hashlib.sha256()
    try:
        with p.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    except FileNotFoundError:
        raise DataError(f"{p}: file not found") from None
    except OSError as exc:
        raise DataError(f"{p}: cannot read ({exc.strerror or exc})") from None
    return digest.hexdigest()


def cache_key(inputs: Mapping[str, Any]) -> str:
    """Return the SHA-256 hex digest of ``inputs`` as canonical JSON.

    Parameters
    ----------
    inputs
        JSON-serialisable description of everything the cached value depends on.
    """
    text = json.dumps({"format": CACHE_FORMAT, **inputs}, sort_keys=True,
                      separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def load(key: str, *, cache_dir: str | os.PathLike[str] | None = None) -> Any | None:
    """Return the cached value for ``key``, or None if absent, damaged or unreadable."""
    path = cache_root(cache_dir) / f"{key}.pkl"
    if not path.is_file():
        return None
    try:
        raw = path.read_bytes()
    except OSError as exc:
        log.warning("ignoring unreadable cache file %s (%s)", path, exc)
        return None
    header, _, payload = raw.partition(b"\n")
    expected = b"%s %d %s" % (_MAGIC, CACHE_FORMAT, hashlib.sha256(payload).hexdigest().encode())
    if header != expected:
        log.warning("ignoring damaged or outdated cache file %s (checksum or format differs)",
                    path)
        return None
    try:
        value = pickle.loads(payload)
    except Exception as exc:  # intact bytes that no longer unpickle (e.g. a library upgrade)
        log.warning("ignoring unreadable cache file %s (%s: %s)", path, type(exc).__name__, exc)
        return None
    log.info("loaded cached network %s", path)
    return value


def store(key: str, value: Any, *, cache_dir: str | os.PathLike[str] | None = None) -> Path:
    """Pickle ``value`` under ``key`` atomically and return the file's path."""
    path = cache_root(cache_dir) / f"{key}.pkl"
    payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    header = b"%s %d %s\n" % (_MAGIC, CACHE_FORMAT, hashlib.sha256(payload).hexdigest().encode())
    atomic_write_bytes(path, header + payload)
    log.info("cached network %s", path)
    return path


def network_key(munis: gpd.GeoDataFrame, settings: NetworkSettings) -> str:
    """Return the cache key of the network of ``munis`` under ``settings``.

    The key covers the municipalities (codes, centres, populations, polygons),
    every setting, the ferry table, the source of the building code and the
    road source: the Travel Mapping files' checksums, the OSM XML file's
    content (SHA-256, not its path), or for ``source="osm"`` only the area,
    the settings and the osmnx version -- when OpenStreetMap was downloaded is
    not knowable, so rebuild with ``use_cache=False`` to fetch it again.

    Raises
    ------
    DataError
        If the OSM XML or ferry file cannot be read.
    """
    from regionopt import _resources, sources
    from regionopt.network import NORWAY_POLYGONS

    def used(name: str) -> bool:  # source files the build reads
        return name == NORWAY_POLYGONS or (settings.source == "travelmapping"
                                           and name.startswith("travelmapping/"))

    files = hashlib.sha256("".join(f"{k} {v}\n" for k, v in sorted(sources.registry().items())
                                   if used(k)).encode()).hexdigest()
    ferries = (hash_files([settings.ferries or _resources.geo_file("ferries.csv")])
               if settings.use_ferries else "")
    return cache_key({"settings": {**asdict(settings), "osm_xml": None},
                      "speeds": settings.speed_map, "source": _source_inputs(settings),
                      "municipalities": _munis_hash(munis), "source_files": files,
                      "ferries": ferries, "code": _code_hash()})


def _source_inputs(settings: NetworkSettings) -> dict[str, str]:
    inputs = {"name": settings.source}
    if settings.source != "travelmapping":
        inputs["osmnx"] = version("osmnx")
    if settings.osm_xml is not None:
        inputs["osm_xml_sha256"] = sha256_file(settings.osm_xml)
    return inputs


def _code_hash() -> str:
    """Return a SHA-256 over the source of the modules that build a network."""
    from regionopt import centres, data, network, roads, travel

    digest = hashlib.sha256()
    for module in (roads, travel, data, centres, network):
        digest.update(inspect.getsource(module).encode())
    return digest.hexdigest()


def _munis_hash(munis: gpd.GeoDataFrame) -> str:
    import shapely

    digest = hashlib.sha256()
    table = munis[["kommunenummer", "centre_lon", "centre_lat", "population"]]
    digest.update(table.to_csv(index=False).encode())
    for geom in munis.geometry:
        digest.update(shapely.to_wkb(geom))
    return digest.hexdigest()
