"""What ``regionopt data info`` reports: where each source file is, and whether it checks out.

:func:`data_info` looks for every file of the registry
(:mod:`regionopt.data.sources`) in the data folder and the download cache;
:func:`format_data_info` renders the rows, with the expected and actual
SHA-256 of every file that does not match.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from regionopt.data.sources import (
    UPSTREAMS,
    cached_hash,
    default_cache_dir,
    env_data_dir,
    licence,
    registry,
    upstream_url,
)
from regionopt.errors import DataError


@dataclass(frozen=True)
class SourceStatus:
    """Where one source file (or group of files) was found and whether it checks out.

    Attributes
    ----------
    relpath
        Path inside the data folder; a Travel Mapping group is a folder path
        ending in ``/``.
    where
        The file or folder found, or None when absent.
    sha256
        Expected SHA-256; for a group, the SHA-256 of its registry lines.
    ok
        True when every file is present and matches its SHA-256.
    url
        Upstream address (a folder address for a group).
    licence
        Licence of the source.
    n_files
        Number of files the row stands for.
    n_ok
        How many of them are present and match.
    mismatches
        ``(file found, expected SHA-256, actual SHA-256)`` of each file present
        that does not match.
    """

    relpath: str
    where: Path | None
    sha256: str
    ok: bool
    url: str
    licence: str
    n_files: int = 1
    n_ok: int = 0
    mismatches: tuple[tuple[str, str, str], ...] = ()


def _group_of(relpath: str) -> str:
    """Group Travel Mapping files by system folder; other files stand alone."""
    if not relpath.startswith("travelmapping/"):
        return relpath
    parts = relpath.split("/")
    if len(parts) >= 4 and parts[1] == "hwy_data":
        return "/".join(parts[: 4 if parts[2] == "NOR" else 3]) + "/"
    return relpath


def _status_one(relpath: str, folders: list[Path]
                ) -> tuple[Path | None, bool, tuple[str, str, str] | None]:
    """Return (folder holding the file, whether it matches, its mismatch); a match wins."""
    expected = registry()[relpath]
    first: Path | None = None
    bad: tuple[str, str, str] | None = None
    for folder in folders:
        path = folder / relpath
        if not path.is_file():
            continue
        first = first or folder
        try:
            got = cached_hash(path)
        except DataError:
            got = "unreadable"
        if got == expected:
            return folder, True, None
        bad = bad or (str(path), expected, got)
    return first, False, bad


def data_info(
    *,
    data_dir: str | os.PathLike[str] | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
) -> list[SourceStatus]:
    """Report where each source file is found and whether its SHA-256 matches.

    Looks in the data folder (argument, else ``$REGIONOPT_DATA_DIR``) and then
    the download cache. Travel Mapping files are summarised one row per
    system folder (``travelmapping/hwy_data/NOR/eure/``) plus the system lists.

    Returns
    -------
    list of SourceStatus
        One row per main file or Travel Mapping group, in registry order.
    """
    folders = [Path(data_dir)] if data_dir is not None else []
    if data_dir is None and (env := env_data_dir()) is not None:
        folders.append(env)
    folders.append(default_cache_dir(cache_dir))
    groups: dict[str, list[str]] = {}
    for relpath in registry():
        groups.setdefault(_group_of(relpath), []).append(relpath)
    rows = []
    for key, members in groups.items():
        found = [_status_one(m, folders) for m in members]
        n_ok = sum(ok for _, ok, _ in found)
        roots = [root for root, _, _ in found if root is not None]
        bad = tuple(b for _, _, b in found if b is not None)
        where = roots[0] / key if roots else None
        if not key.endswith("/"):
            sha, url = registry()[key], upstream_url(key)
        else:
            lines = "".join(f"{m} {registry()[m]}\n" for m in members)
            sha = hashlib.sha256(lines.encode()).hexdigest()
            url = f"{UPSTREAMS['travelmapping'].base}/{key.removeprefix('travelmapping/')}"
        rows.append(
            SourceStatus(
                key, where, sha, n_ok == len(members), url, licence(key), len(members), n_ok,
                bad,
            )
        )
    return rows


def format_data_info(rows: Iterable[SourceStatus]) -> str:
    """Render :func:`data_info` rows as a plain-text table for ``regionopt data info``.

    One line per row: status (``ok``, ``BAD`` for a checksum mismatch,
    ``missing``), files matching / files, path inside the data folder, where it
    was found, the first 16 hex digits of the expected SHA-256; then, for
    each file that does not match, its expected and actual SHA-256; then the
    upstream addresses and licences.

    Returns
    -------
    str
        The table, lines ending in ``\\n``.
    """
    rows = list(rows)
    width = max((len(r.relpath) for r in rows), default=10)
    lines = [f"{'status':<7} {'files':>7}  {'source':<{width}}  {'sha256':<16}  found at"]
    for row in rows:
        status = "ok" if row.ok else ("BAD" if row.where is not None else "missing")
        found = str(row.where) if row.where is not None else "-"
        count = f"{row.n_ok}/{row.n_files}"
        lines.append(f"{status:<7} {count:>7}  {row.relpath:<{width}}  {row.sha256[:16]}  {found}")
    bad = [b for row in rows for b in row.mismatches]
    if bad:
        lines.append("")
        lines.append("checksum mismatches (SHA-256):")
        for path, expected, got in bad:
            lines.append(f"  {path}: expected {expected}, actual {got}")
    lines.append("")
    lines.append("upstream and licence:")
    lines.extend(f"  {row.relpath}: {row.url} ({row.licence})" for row in rows)
    n_ok = sum(r.n_ok for r in rows)
    n_all = sum(r.n_files for r in rows)
    lines.append(f"{n_ok} of {n_all} source files present with matching SHA-256")
    return "\n".join(lines) + "\n"
