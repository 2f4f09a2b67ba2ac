"""Atomic writes and staged output folders: all files or none."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from regionopt.errors import DataError
from regionopt.io import (
    atomic_write_text,
    atomic_write_with,
    check_output_dir,
    check_output_file,
    staged_output_dir,
)


def test_atomic_write_replaces_whole_file_with_umask_mode(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "a.txt"
    atomic_write_text(target, "first\n")
    atomic_write_text(target, "second\n")
    assert target.read_text() == "second\n"
    mask = os.umask(0)
    os.umask(mask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~mask
    assert sorted(p.name for p in target.parent.iterdir()) == ["a.txt"]


def test_failed_writer_leaves_old_file_and_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "plan.png"
    target.write_text("old")

    def broken(path: Path) -> None:
        path.write_text("half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        atomic_write_with(target, broken)
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["plan.png"]


def test_writer_sees_the_destination_suffix(tmp_path: Path) -> None:
    seen: list[str] = []
    atomic_write_with(tmp_path / "g.graphml", lambda p: (seen.append(p.suffix), p.write_text("x")))
    assert seen == [".graphml"]


def test_staged_folder_moves_files_in_only_on_success(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with staged_output_dir(out) as stage:
        atomic_write_text(stage / "a.csv", "a\n")
        atomic_write_text(stage / "inputs" / "b.csv", "b\n")
    assert (out / "a.csv").read_text() == "a\n"
    assert (out / "inputs" / "b.csv").read_text() == "b\n"
    with pytest.raises(ValueError, match="bad"), staged_output_dir(out) as stage:
        atomic_write_text(stage / "a.csv", "changed\n")
        raise ValueError("bad")
    assert (out / "a.csv").read_text() == "a\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_failed_first_run_creates_no_folder(tmp_path: Path) -> None:
    out = tmp_path / "never"
    with pytest.raises(KeyError), staged_output_dir(out) as stage:
        atomic_write_text(stage / "a.csv", "a\n")
        raise KeyError("x")
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_output_checks_name_what_is_in_the_way(tmp_path: Path) -> None:
    blocker = tmp_path / "afile"
    blocker.write_text("x")
    with pytest.raises(DataError, match="afile is a file"):
        check_output_dir(blocker / "sub")
    with pytest.raises(DataError, match="afile is a file"):
        check_output_dir(blocker)
    with pytest.raises(DataError, match="it is a folder"):
        check_output_file(tmp_path)
    with pytest.raises(DataError, match="afile is a file"):
        check_output_file(blocker / "m.html")
    assert check_output_dir(tmp_path / "new" / "deep") == tmp_path / "new" / "deep"
    assert check_output_file(tmp_path / "new" / "m.html") == tmp_path / "new" / "m.html"
