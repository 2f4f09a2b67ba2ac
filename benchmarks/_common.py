"""Shared pieces of the benchmark scripts.

Each script renders one Markdown section of ``docs/benchmarks.md`` and, with
``--write``, replaces only the text between that section's markers
(``<!-- NAME:start -->`` and ``<!-- NAME:end -->``), so the lead's header and
the other sections stay as they are. Importing this module also puts the
repository root on ``sys.path``, so the scripts run from anywhere without the
package being installed.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import TypeVar

REPO = Path(__file__).resolve().parent.parent
DOC = REPO / "docs" / "benchmarks.md"
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from regionopt.io import atomic_write_text  # noqa: E402  (needs REPO on sys.path)

#: Packages whose versions shape the figures, in the order they are reported.
PACKAGES = ("pulp", "highspy", "networkx", "scipy", "geopandas", "folium", "dask")

T = TypeVar("T")


# -- timing ---------------------------------------------------------------------------------


def run_times(fn: Callable[[], T], runs: int) -> tuple[list[float], T]:
    """Call ``fn`` ``runs`` times; return each call's wall time and the last result.

    Parameters
    ----------
    fn
        The work to time, called without arguments.
    runs
        How many calls; at least 1.

    Returns
    -------
    tuple
        The wall-clock seconds of each call in order, and what the last call returned.

    Raises
    ------
    ValueError
        If ``runs`` is below 1.
    """
    if runs < 1:
        raise ValueError(f"runs must be at least 1, got {runs}")
    times: list[float] = []
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return times, result


def median_time(fn: Callable[[], T], runs: int) -> tuple[float, T]:
    """:func:`run_times`, reduced to the median time (for single timings)."""
    times, result = run_times(fn, runs)
    return statistics.median(times), result


def best_time(fn: Callable[[], T], runs: int) -> tuple[float, T]:
    """:func:`run_times`, reduced to the least time.

    The best of a few runs suits throughput on a shared machine: other jobs only
    ever make a run slower.
    """
    times, result = run_times(fn, runs)
    return min(times), result


# -- the machine ----------------------------------------------------------------------------


def _proc_field(path: str, key: str) -> str | None:
    try:
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                name, _, value = line.partition(":")
                if name.strip() == key:
                    return value.strip()
    except OSError:
        pass
    return None


def _memory_gib() -> float | None:
    kib = _proc_field("/proc/meminfo", "MemTotal")  # "24684096 kB"
    return int(kib.split()[0]) / 2**20 if kib else None


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


@dataclass(frozen=True)
class Machine:
    """What the figures were measured on; take it when the benchmark starts.

    Attributes
    ----------
    cores
        ``os.cpu_count()``.
    cpu
        The model name from ``/proc/cpuinfo`` (or ``platform.processor()``).
    memory_gib
        Total memory from ``/proc/meminfo``, or None where there is none.
    python
        The Python version.
    packages
        ``(name, version)`` for each of :data:`PACKAGES`.
    load
        The one-minute load average when the benchmark started.
    """

    cores: int
    cpu: str
    memory_gib: float | None
    python: str
    packages: tuple[tuple[str, str], ...]
    load: float

    def describe(self) -> str:
        """Return one Markdown sentence naming the machine, versions and load.

        Returns
        -------
        str
            For example "Machine: 2 cores (AMD EPYC), 23.5 GiB, Python 3.11.7; pulp 3.3.2,
            ...; load average 1.0 when started (shared with other jobs: upper bounds)."
        """
        memory = "" if self.memory_gib is None else f", {self.memory_gib:.1f} GiB"
        versions = ", ".join(f"{name} {version}" for name, version in self.packages)
        return (f"Machine: {self.cores} cores ({self.cpu}){memory}, Python {self.python}; "
                f"{versions}; load average {self.load:.1f} when started (shared with other "
                "jobs, so the times are upper bounds).")


def machine() -> Machine:
    """Describe this machine now; call it first, so the load is the one at the start.

    Returns
    -------
    Machine
        Cores, CPU model, memory, Python and package versions, one-minute load average.
    """
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    cpu = _proc_field("/proc/cpuinfo", "model name") or platform.processor() or "unknown CPU"
    return Machine(cores=os.cpu_count() or 1, cpu=cpu, memory_gib=_memory_gib(),
                   python=platform.python_version(),
                   packages=tuple((p, _version(p)) for p in PACKAGES), load=load)


# -- docs/benchmarks.md -------------------------------------------------------------------------


def markers(name: str) -> tuple[str, str]:
    """Return the start and end markers of the section ``name`` (e.g. ``"solve"``)."""
    return f"<!-- {name}:start -->", f"<!-- {name}:end -->"


def replace_section(document: str, name: str, body: str) -> str:
    """Return ``document`` with the section ``name`` set to ``body``.

    Parameters
    ----------
    document
        The whole Markdown text.
    name
        The section's marker name.
    body
        The section's text, without markers.

    Returns
    -------
    str
        The text between the markers replaced (markers kept), or, if the markers are
        absent, the marked section appended at the end; always one final newline.
    """
    start, end = markers(name)
    block = f"{start}\n{body.strip()}\n{end}"
    pattern = re.compile(re.escape(start) + ".*?" + re.escape(end), re.S)
    if pattern.search(document):
        new = pattern.sub(lambda _: block, document, count=1)
    else:
        new = document.rstrip("\n") + "\n\n" + block
    return new.rstrip("\n") + "\n"


def write_section(name: str, body: str, *, path: Path = DOC) -> Path:
    """Replace the section ``name`` of ``path`` with ``body``, atomically.

    ``name`` and ``body`` are as for :func:`replace_section`; ``path`` is created with a
    "# Benchmarks" heading if missing. Returns the path written (through
    :func:`regionopt.io.atomic_write_text`: a temporary name, then a rename).
    """
    old = path.read_text(encoding="utf-8") if path.is_file() else "# Benchmarks\n"
    return atomic_write_text(path, replace_section(old, name, body))


def arg_parser(doc: str | None) -> argparse.ArgumentParser:
    """Return a parser described by the first line of ``doc``, with ``--write`` added.

    Parameters
    ----------
    doc
        The script's module docstring.

    Returns
    -------
    argparse.ArgumentParser
        Ready for the script's own options.
    """
    parser = argparse.ArgumentParser(description=(doc or "").splitlines()[0])
    parser.add_argument("--write", action="store_true",
                        help="replace this script's section of docs/benchmarks.md")
    return parser


def emit(name: str, body: str, *, write: bool) -> None:
    """Print the section ``body`` and, if ``write``, put it into docs/benchmarks.md.

    Parameters
    ----------
    name
        The section's marker name.
    body
        The section's text, without markers.
    write
        Whether to replace the section in :data:`DOC`.
    """
    sys.stdout.write(body.strip() + "\n")
    if write:
        write_section(name, body)
