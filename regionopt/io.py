"""Safe file output: nothing half-written is ever left behind.

Every file regionopt writes goes first to a temporary name in the same folder
and is renamed into place only when complete; a folder of outputs is built in a
temporary sibling folder and its files are moved in only when all succeeded.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import tempfile
import threading
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


#: The file in an output folder that lists the files regionopt wrote there (one per line).
MANIFEST = ".regionopt-files"


def owned_files(folder: str | os.PathLike[str]) -> list[str] | None:
    """Return the files regionopt wrote in ``folder`` last time, or ``None`` if it did not.

    The list is read from the folder's :data:`MANIFEST`; paths are relative, with ``/``.
    """
    manifest = Path(folder) / MANIFEST
    if not manifest.is_file():
        return None
    lines = manifest.read_text(encoding="utf-8").splitlines()
    return [ln for ln in lines if ln and not ln.startswith(("/", "..")) and "/../" not in ln]


def check_output_owner(path: str | os.PathLike[str], *, force: bool = False) -> Path:
    """Refuse, before any work, an existing non-empty folder that regionopt did not write.

    Raises
    ------
    DataError
        If ``path`` holds files but no :data:`MANIFEST` and ``force`` is false.
    """
    dest = check_output_dir(path)
    if force or not dest.is_dir() or owned_files(dest) is not None:
        return dest
    if any(dest.iterdir()):
        raise DataError(f"{dest}: folder holds files regionopt did not write; choose a new or "
                        "empty folder, or pass --force to write beside them")
    return dest


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Hold SIGINT and SIGTERM until the block ends (main thread only), so it is not cut short."""
    held = {signal.SIGINT, signal.SIGTERM}
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


@contextlib.contextmanager
def staged_output_dir(out_dir: str | os.PathLike[str], *, force: bool = False) -> Iterator[Path]:
    """Yield a temporary folder that becomes the contents of ``out_dir`` on success.

    ``out_dir`` then holds exactly this run's files: the files the previous run of
    regionopt wrote there (listed in its :data:`MANIFEST`) are removed, the new ones
    moved in and listed in a new manifest; files regionopt did not write are never
    touched. The swap runs with SIGINT and SIGTERM held, so an interrupt cannot leave
    a mix. If the block raises, the temporary folder is removed and ``out_dir`` is left
    exactly as it was.

    Parameters
    ----------
    out_dir
        The output folder (created if missing).
    force
        Write into a non-empty folder that regionopt did not write (its files stay).

    Yields
    ------
    pathlib.Path
        The staging folder to write into.

    Raises
    ------
    DataError
        If ``out_dir`` holds files regionopt did not write and ``force`` is false.
    """
    dest = check_output_owner(out_dir, force=force)
    dest.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent))
    try:
        yield stage
        new = sorted(p.relative_to(stage).as_posix() for p in stage.rglob("*") if p.is_file())
        atomic_write_text(stage / MANIFEST, "".join(f"{name}\n" for name in new))
        with _signals_held():
            _swap_in(stage, dest, new)
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def _swap_in(stage: Path, dest: Path, new: list[str]) -> None:
    """Replace the files regionopt owns in ``dest`` by the files staged (``new``)."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in sorted(set(owned_files(dest) or []) - set(new)):
        old = dest / name
        if old.is_file() or old.is_symlink():
            old.unlink()
        for parent in old.parents:  # drop folders the removal left empty
            if parent == dest or not parent.is_dir() or any(parent.iterdir()):
                break
            parent.rmdir()
    for name in [*new, MANIFEST]:
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(stage / name, target)
