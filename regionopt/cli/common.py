"""The option groups the commands share, each defined once, and the checks of their values.

Light on purpose: the parser of every command is built from these, and ``regionopt
--help`` must not wait for geopandas and PuLP. A check here runs before a command
loads data or writes a file, and raises :class:`~regionopt.errors.ScenarioError`
(one line, exit code 2).
"""

from __future__ import annotations

import argparse
import re
import socket
import sys
from pathlib import Path
from typing import Any

from regionopt.errors import ScenarioError
from regionopt.overrides import parse_value

EXIT_USAGE = 2
#: Dask's scheduler port when an address names none.
DASK_PORT = 8786
#: Seconds to wait for a scheduler to answer before the command gives up on it.
SCHEDULER_TIMEOUT_S = 10.0
_ADDRESS = re.compile(r"(tcp|tls|inproc)://\S+")
_FORCE = "write into a non-empty folder regionopt did not write (keeps its files)"


class Parser(argparse.ArgumentParser):
    """ArgumentParser whose errors are one line and exit code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def add_common(p: argparse.ArgumentParser) -> None:
    """``--data-dir`` and ``--quiet``/``--verbose``: every command has them."""
    p.add_argument("--data-dir", type=Path, default=None,
                   help="folder with the source files (default: $REGIONOPT_DATA_DIR, "
                        "else download into the user cache)")
    talk = p.add_mutually_exclusive_group()
    talk.add_argument("-q", "--quiet", action="store_true",
                      help="print nothing but errors (no progress, warnings or solver log)")
    talk.add_argument("-v", "--verbose", action="store_true",
                      help="also show the solver's own log")


def add_area(p: argparse.ArgumentParser, default: str | None = "troms-finnmark") -> None:
    """``--area``: counties and municipalities by name or code (see ``data.areas``)."""
    p.add_argument("--area", default=default,
                   help="county or municipality names as written ('nordland', 'Møre og "
                        "Romsdal', 'troms-og-finnmark', 'Tromsø'), 'norway', or county (55) "
                        "and municipality (5501) codes, comma-separated"
                        + ("" if default else "; wins over the scenario's area"))


def add_scenario(p: argparse.ArgumentParser, help: str, *, base: bool = False) -> None:
    """``--scenario FILE`` and ``--set KEY=VALUE`` (repeatable)."""
    p.add_argument("--scenario", type=Path, default=None, help=help)
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help=f"override a key of the {'base ' if base else ''}scenario, e.g. "
                        "--set regions.count=10 (repeatable)")


def add_out(p: argparse.ArgumentParser, help: str) -> None:
    """``--out``, the output folder or file every writing command requires."""
    p.add_argument("--out", type=Path, required=True, help=help)


def add_force(p: argparse.ArgumentParser) -> None:
    """``--force``: write into a folder regionopt did not write."""
    p.add_argument("--force", action="store_true", help=_FORCE)


def add_lang(p: argparse.ArgumentParser, help: str = "map language") -> None:
    """``--lang nb|en``."""
    p.add_argument("--lang", choices=["nb", "en"], default="nb", help=help)


def add_workers(p: argparse.ArgumentParser, *, resume: str, workers: int = 2,
                on_dask: str = "") -> None:
    """``--scheduler``, ``--workers``, ``--force`` and ``--no-resume`` of the long commands.

    Parameters
    ----------
    p
        The command's parser.
    resume
        What ``--no-resume`` does ("solve finished scenarios again").
    workers
        ``--workers``' default.
    on_dask
        What ``--workers`` means on Dask, if anything.
    """
    add_pool(p, workers=workers, on_dask=on_dask)
    add_force(p)
    p.add_argument("--no-resume", action="store_true", help=resume)


def add_pool(p: argparse.ArgumentParser, *, workers: int = 2, on_dask: str = "") -> None:
    """``--scheduler`` and ``--workers``: where the work runs (see :func:`add_workers`)."""
    p.add_argument("--scheduler", default=None,
                   help="Dask scheduler address tcp://HOST:PORT, or 'local' for a Dask "
                        "LocalCluster started for the run (default: local processes)")
    p.add_argument("--workers", type=int, default=workers,
                   help=f"local worker processes, 1 or more (default {workers}"
                        + (f"; on Dask: {on_dask})" if on_dask else ")"))


def add_report_options(p: argparse.ArgumentParser) -> None:
    """Options shared by ``evaluate`` and ``compare``: where the graph comes from, output form."""
    add_area(p, default=None)
    p.add_argument("--inputs", type=Path, default=None,
                   help="use a solve's inputs/ folder instead of building the network")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.add_argument("--services", action="store_true",
                   help="also analyse the shared services: service areas and hosting (a MIP "
                        "per rule; about a minute for all of Norway)")
    add_common(p)


def check_shared(args: argparse.Namespace) -> None:
    """Check the values of the shared options, before any data is loaded or file written.

    Raises
    ------
    ScenarioError
        On ``--workers`` below 1, or a ``--scheduler`` that is no address or does not answer.
    """
    workers = getattr(args, "workers", None)
    if workers is not None and workers < 1:
        raise ScenarioError(f"--workers must be 1 or more, got {workers}")
    scheduler = getattr(args, "scheduler", None)
    if scheduler is not None:
        check_scheduler(scheduler)


def check_scheduler(address: str, *, timeout: float = SCHEDULER_TIMEOUT_S) -> None:
    """Refuse a scheduler address that is malformed or where nothing listens (``local``,
    a LocalCluster the command starts, is always accepted).

    Checked before a command claims its output folder, so that nothing is written
    when the scheduler cannot be reached.

    Raises
    ------
    ScenarioError
        Naming the address and why.
    """
    # lazy: the sweep stage's pool is needed only when a scheduler is given
    from regionopt.sweep import pool

    if address == pool.LOCAL:  # a LocalCluster the command starts itself
        return
    if not _ADDRESS.fullmatch(address):
        raise ScenarioError(f"--scheduler {address!r}: expected an address tcp://HOST:PORT "
                            f"or {pool.LOCAL!r} (a Dask LocalCluster)")
    scheme, rest = address.split("://", 1)
    if scheme == "inproc":
        return
    host, _, port = rest.rstrip("/").rpartition(":")
    if not host:
        host, port = rest.rstrip("/"), str(DASK_PORT)
    if not port.isdigit():
        raise ScenarioError(f"--scheduler {address!r}: expected an address tcp://HOST:PORT")
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=timeout):
            pass
    except OSError as exc:
        why = exc.strerror or str(exc) or type(exc).__name__
        raise ScenarioError(f"--scheduler {address}: cannot connect ({why})") from None


def parse_assignments(items: list[str], *, what: str) -> dict[str, str]:
    """``KEY=VALUE`` items as a dict; ``what`` names the option in the error."""
    pairs = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise ScenarioError(f"{what} {item!r}: expected KEY=VALUE")
        pairs[key.strip()] = value.strip()
    return pairs


def overrides(args: argparse.Namespace) -> dict[str, Any]:
    """The ``--set`` overrides, values parsed as in the scenario file."""
    return {k: parse_value(v) for k, v in parse_assignments(args.set, what="--set").items()}


def area(text: str | None) -> str | list[str]:
    """The ``--area`` text as one name or a list of names and codes (default Troms og F.)."""
    if text is None:
        return "troms-finnmark"
    parts = [p.strip() for p in text.split(",") if p.strip()]
    return parts[0] if len(parts) == 1 and not parts[0].isdigit() else parts


def out(text: str) -> None:
    """Print a command's result on standard output, ending in one newline."""
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
