"""A cache of built values keyed by the SHA-256 of their inputs.

The store knows nothing of what it holds: :func:`cache_key` turns a
description of every input into a key, :func:`load` and :func:`store` read and
write the entry (the network key is :func:`regionopt.network.key.network_key`).
The folder is ``$REGIONOPT_CACHE_DIR`` or pooch's user cache for
``regionopt`` (the same as the download cache), under ``networks/``.

Each file is a header line (``regionopt-cache <format> <sha256 of the
pickle>``) followed by the pickle. A file whose checksum does not match
(truncated, damaged on disk, written by another format) is ignored with a
warning, so the network is rebuilt; it is never unpickled.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import pickle
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from regionopt.data.sources import default_cache_dir
from regionopt.errors import DataError
from regionopt.io import atomic_write_bytes

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
