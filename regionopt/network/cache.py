"""A cache of built values keyed by the SHA-256 of their inputs, in data formats only.

The store knows nothing of what it holds: :func:`cache_key` turns a
description of every input into a key, :func:`store` writes an entry as a set
of named data files (JSON, Parquet, NumPy without pickle) and :func:`load`
returns their paths after checking them (the network key is
:func:`regionopt.network.key.network_key`, its files are written and read by
:mod:`regionopt.network.stored`). The folder is ``$REGIONOPT_CACHE_DIR`` or
pooch's user cache for ``regionopt`` (the same as the download cache), under
``networks/``.

An entry is a folder ``<key>/`` holding its files and ``manifest.json``: the
cache format, the key and the SHA-256 of every file. An entry whose manifest is
missing or foreign, whose key or format differs, or whose files do not match
their checksums is ignored with a warning and rebuilt. Nothing read from the
cache is ever executed: there is no pickle, only data parsed by JSON, Parquet
and NumPy (``allow_pickle=False``) readers.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from regionopt.data.sources import default_cache_dir
from regionopt.errors import DataError
from regionopt.io import atomic_write_text

log = logging.getLogger(__name__)

#: Bump to invalidate every cache entry when the layout of its files changes.
CACHE_FORMAT = 3
MANIFEST = "manifest.json"


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


def entry_dir(key: str, *, cache_dir: str | os.PathLike[str] | None = None) -> Path:
    """Return the folder of the cache entry ``key``."""
    if not key or not all(c in "0123456789abcdef" for c in key):
        raise DataError(f"cache key {key!r}: expected a SHA-256 hex digest")
    return cache_root(cache_dir) / key


def load(key: str, names: Iterable[str], *,
         cache_dir: str | os.PathLike[str] | None = None) -> dict[str, Path] | None:
    """Return the paths of the entry's files ``names``, or None if absent, damaged or foreign.

    Every file's SHA-256 is checked against the entry's manifest, which must name
    this key, this cache format and exactly ``names``.
    """
    folder = entry_dir(key, cache_dir=cache_dir)
    for legacy in folder.parent.glob("*.pkl"):  # the old pickle format: never read, removed
        legacy.unlink(missing_ok=True)
    manifest = folder / MANIFEST
    if not manifest.is_file():
        return None
    wanted = sorted(names)
    try:
        text = manifest.read_text(encoding="utf-8")
        meta = json.loads(text)
        ok = (isinstance(meta, dict) and isinstance(meta.get("files"), dict)
              and text == _manifest_text(key, meta["files"]) and sorted(meta["files"]) == wanted
              and all(sha256_file(folder / n) == meta["files"][n] for n in wanted))
    except (OSError, ValueError, DataError) as exc:
        log.warning("ignoring unreadable cache entry %s (%s)", folder, exc)
        return None
    if not ok:
        log.warning("ignoring damaged or outdated cache entry %s (checksum, key or format "
                    "differs); rebuilding it", folder)
        return None
    log.info("loaded cached network %s", folder)
    return {n: folder / n for n in wanted}


def _manifest_text(key: str, sums: Mapping[str, Any]) -> str:
    """The manifest exactly as written: any other byte makes the entry foreign."""
    return json.dumps({"format": CACHE_FORMAT, "key": key, "files": dict(sums)}, indent=1,
                      sort_keys=True) + "\n"


def store(key: str, files: Mapping[str, Callable[[Path], object]], *,
          cache_dir: str | os.PathLike[str] | None = None) -> Path:
    """Write the entry ``key``: each writer writes its file, then the manifest; atomically.

    The entry is built in a temporary folder and renamed into place, replacing
    an older (damaged) entry of the same key.

    Returns
    -------
    pathlib.Path
        The entry's folder.
    """
    dest = entry_dir(key, cache_dir=cache_dir)
    dest.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{key[:12]}.", suffix=".tmp", dir=dest.parent))
    try:
        for name, writer in files.items():
            writer(stage / name)
        sums = {name: sha256_file(stage / name) for name in sorted(files)}
        atomic_write_text(stage / MANIFEST, _manifest_text(key, sums))
        if dest.exists():
            shutil.rmtree(dest)
        os.replace(stage, dest)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    log.info("cached network %s", dest)
    return dest
