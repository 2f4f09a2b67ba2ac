"""Safe file output: nothing half-written is ever left behind.

Every file regionopt writes goes first to a temporary name in the same folder
and is renamed into place only when complete; a folder of outputs is built in a
temporary sibling folder and its files are moved in only when all succeeded.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from regionopt.errors import DataError


def _file_mode() -> int:
    """Mode for new files: what ``open()`` would give under the current umask."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


_FILE_MODE = _file_mode()


def _existing_ancestor_problem(path: Path) -> str | None:
    """Why folders cannot be created up to ``path``, or ``None`` if they can."""
    for parent in [path, *path.parents]:
        if parent.exists():
            if not parent.is_dir():
                return f"{parent} is a file, not a folder"
            if not os.access(parent, os.W_OK | os.X_OK):
                return f"{parent} is not writable"
            return None
    return None


def check_output_dir(path: str | os.PathLike[str]) -> Path:
    """Check, before any work is done, that ``path`` can become an output folder.

    Raises
    ------
    DataError
        If ``path`` or one of its parents is a file, or the nearest existing
        folder is not writable.
    """
    dest = Path(path)
    problem = _existing_ancestor_problem(dest)
    if problem:
        raise DataError(f"cannot write output folder {dest}: {problem}")
    return dest


def check_output_file(path: str | os.PathLike[str]) -> Path:
    """Check, before any work is done, that a file can be written at ``path``.

    Raises
    ------
    DataError
        If ``path`` is a folder, a parent is a file, or the folder is not writable.
    """
    dest = Path(path)
    if dest.is_dir():
        raise DataError(f"cannot write {dest}: it is a folder; give a file name")
    problem = _existing_ancestor_problem(dest.parent)
    if problem:
        raise DataError(f"cannot write {dest}: {problem}")
    return dest


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file and a rename.

    Parameters
    ----------
    path
        Destination file; its folder is created if missing.
    data
        The full content.

    Returns
    -------
    pathlib.Path
        The destination path.
    """
    return atomic_write_with(path, lambda tmp: tmp.write_bytes(data))


def atomic_write_text(path: str | os.PathLike[str], text: str) -> Path:
    """Write UTF-8 ``text`` (with ``\\n`` line ends) to ``path`` atomically.

    Returns
    -------
    pathlib.Path
        The destination path.
    """
    return atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_with(path: str | os.PathLike[str], writer: Callable[[Path], object]) -> Path:
    """Let ``writer`` write a temporary file, then rename it to ``path``.

    For libraries that insist on writing to a path themselves (GeoPandas,
    NetworkX, Matplotlib). The temporary name keeps the destination's suffix so
    that format detection by extension still works.

    Returns
    -------
    pathlib.Path
        The destination path.
    """
    dest = Path(path)
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{dest.stem}.", suffix=f".tmp{dest.suffix}",
                               dir=dest.parent)
    os.close(fd)
    os.unlink(tmp)
    try:
        writer(Path(tmp))
        os.chmod(tmp, _FILE_MODE)
        os.replace(tmp, dest)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return dest


@contextlib.contextmanager
def staged_output_dir(out_dir: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary folder whose files move into ``out_dir`` on success.

    If the block raises, the temporary folder is removed and ``out_dir`` is
    left exactly as it was (files already there are not touched).

    Yields
    ------
    pathlib.Path
        The staging folder to write into.
    """
    dest = Path(out_dir)
    dest.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent))
    try:
        yield stage
        dest.mkdir(parents=True, exist_ok=True)
        for src in sorted(stage.rglob("*")):
            target = dest / src.relative_to(stage)
            if src.is_dir():
                target.mkdir(parents=True, exist_ok=True)
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(src, target)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
