"""The regionopt command line.

Every command writes its files through :mod:`regionopt.io` (all or nothing);
every error a user can cause ends in one line on standard error and exit
code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import signal
import sys
import threading
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from regionopt import __version__, interrupts, options_args
from regionopt.errors import RegionoptError

log = logging.getLogger("regionopt")

EXIT_USAGE = 2


class _Parser(argparse.ArgumentParser):
    """ArgumentParser whose errors are one line and exit code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def _add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--data-dir", type=Path, default=None,
                   help="folder with the source files (default: $REGIONOPT_DATA_DIR, "
                        "else download into the user cache)")
    talk = p.add_mutually_exclusive_group()
    talk.add_argument("-q", "--quiet", action="store_true",
                      help="print nothing but errors (no progress, warnings or solver log)")
    talk.add_argument("-v", "--verbose", action="store_true",
                      help="also show the solver's own log")


def _add_area(p: argparse.ArgumentParser, default: str | None = "troms-finnmark") -> None:
    p.add_argument("--area", default=default,
                   help="county or municipality names as written ('nordland', 'Møre og "
                        "Romsdal', 'troms-og-finnmark', 'Tromsø'), 'norway', or county (55) "
                        "and municipality (5501) codes, comma-separated"
                        + ("" if default else "; wins over the scenario's area"))


def _add_report_options(p: argparse.ArgumentParser) -> None:
    """Options shared by ``evaluate`` and ``compare``: where the graph comes from, output form."""
    _add_area(p, default=None)
    p.add_argument("--inputs", type=Path, default=None,
                   help="use a solve's inputs/ folder instead of building the network")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    _add_common(p)


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``regionopt`` command."""
    parser = _Parser(prog="regionopt",
                     description="Functional municipal regions for Norway: travel-time network, "
                                 "exact region optimisation, maps beside NIVI's proposal.")
    parser.add_argument("--version", action="version", version=f"regionopt {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    data = sub.add_parser("data", help="source data")
    data_sub = data.add_subparsers(dest="data_command", required=True, parser_class=_Parser)
    info = data_sub.add_parser("info", help="what was found where, with checksums")
    _add_common(info)

    net = sub.add_parser("network", help="travel-time network")
    net_sub = net.add_subparsers(dest="network_command", required=True, parser_class=_Parser)
    build = net_sub.add_parser("build", help="build the road graph, matrix and adjacency")
    _add_area(build)
    build.add_argument("--out", type=Path, required=True, help="output folder")
    build.add_argument("--speed", action="append", default=[], metavar="CLASS=KPH",
                       help="override a road-class speed, e.g. --speed norfv=55 (repeatable)")
    roads_from = build.add_mutually_exclusive_group()
    roads_from.add_argument("--source", choices=["travelmapping", "osm"], default="travelmapping",
                            help="roads from Travel Mapping (default, offline) or from "
                                 "OpenStreetMap downloaded with osmnx (needs internet)")
    roads_from.add_argument("--osm-xml", type=Path, default=None, metavar="FILE",
                            help="roads from this OpenStreetMap XML file (.osm, .osm.gz, .osm.bz2)")
    build.add_argument("--force", action="store_true",
                    help="write into a non-empty folder regionopt did not write (keeps its files)")
    build.add_argument("--no-cache", action="store_true", help="rebuild even if cached")
    build.add_argument("--graph-format", choices=["graphml", "gpkg"], default="graphml")
    _add_common(build)
    val = net_sub.add_parser("validate", help="check the travel times against TØI's published "
                             "drive times (BA-regioner 2020), worst pairs first")
    val.add_argument("--inputs", type=Path, default=None,
                     help="a 'network build --area norway' output (or a national solve's "
                          "inputs/) instead of building the national network")
    val.add_argument("--out", type=Path, default=None,
                     help="write the table as Markdown here (e.g. docs/travel_validation.md)")
    val.add_argument("--csv", type=Path, default=None, help="write the table as CSV here")
    _add_common(val)

    solve = sub.add_parser("solve", help="solve a scenario to proven optimality")
    solve.add_argument("--scenario", type=Path, default=None,
                       help="scenario TOML (default: Troms og Finnmark, 12 regions)")
    solve.add_argument("--out", type=Path, default=Path("results/troms-finnmark"),
                       help="output folder (default: results/troms-finnmark)")
    solve.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                       help="override a scenario key, e.g. --set regions.count=10")
    solve.add_argument("--alternatives", type=int, default=0, metavar="N",
                       help="also return the N next-best distinct plans")
    solve.add_argument("--lang", choices=["nb", "en"], default="nb", help="map language")
    solve.add_argument("--png", action="store_true", help="also write plan.png")
    solve.add_argument("--force", action="store_true",
                    help="write into a non-empty folder regionopt did not write (keeps its files)")
    solve.add_argument("--no-maps", action="store_true", help="skip the HTML maps")
    _add_area(solve, default=None)
    _add_common(solve)

    ev = sub.add_parser("evaluate", help="score a plan CSV (kommunenummer,region)")
    ev.add_argument("--plan", required=True,
                    help="plan CSV, or a reference plan: 'nivi' (NIVI 2023, Troms og Finnmark), "
                         "'ba-2020' (BA-regioner 2020) or 'economic-regions' (SSB)")
    ev.add_argument("--scenario", type=Path, default=None,
                    help="also audit the plan against this scenario and its optimum")
    _add_report_options(ev)

    cmp_ = sub.add_parser("compare", help="two plans side by side")
    cmp_.add_argument("a", help="plan CSV, or 'nivi', 'ba-2020', 'economic-regions'")
    cmp_.add_argument("b", help="plan CSV, or 'nivi', 'ba-2020', 'economic-regions'")
    _add_report_options(cmp_)

    mp = sub.add_parser("map", help="draw plan(s) as a self-contained HTML map")
    mp.add_argument("--plan", required=True,
                    help="plan CSV, or 'nivi', 'ba-2020', 'economic-regions'")
    mp.add_argument("--beside", default=None, help="a second plan drawn beside the first")
    mp.add_argument("--out", type=Path, required=True, help="HTML file to write")
    _add_area(mp, default=None)
    mp.add_argument("--lang", choices=["nb", "en"], default="nb",
                    help="labels in bokmål (nb, default) or English (en)")
    mp.add_argument("--png", action="store_true", help="also write a PNG beside the HTML")
    mp.add_argument("--tiles", action="store_true",
                    help="add online background tiles (the map works without them)")
    _add_common(mp)

    sw = sub.add_parser("sweep", help="solve every combination of varied scenario keys")
    sw.add_argument("--scenario", type=Path, default=None,
                    help="base scenario TOML (default: Troms og Finnmark, 12 regions)")
    sw.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                    help="override a key of the base scenario (repeatable)")
    sw.add_argument("--vary", action="append", default=[], metavar="KEY=VALUES",
                    help="e.g. regions.count=8..16 or constraints.max_travel_minutes=60,90 "
                         "(repeatable; every combination is solved)")
    sw.add_argument("--out", type=Path, required=True,
                    help="output folder: sweep.csv, sweep.parquet, pareto.png, pareto.html, "
                         "plans/")
    sw.add_argument("--scheduler", default=None,
                    help="Dask scheduler address tcp://HOST:PORT (default: local processes)")
    sw.add_argument("--workers", type=int, default=2, help="local worker processes")
    sw.add_argument("--force", action="store_true",
                    help="write into a non-empty folder regionopt did not write (keeps its files)")
    sw.add_argument("--no-resume", action="store_true", help="solve finished scenarios again")
    sw.add_argument("--reference", default=None, metavar="PLAN",
                    help="plan CSV or 'nivi': add each plan's agreement with it to the table "
                         "and mark it on the Pareto plot")
    _add_area(sw, default=None)
    _add_common(sw)

    cal = sub.add_parser("calibrate", help="which scenario's optimum agrees best with a plan")
    cal.add_argument("--reference", required=True, metavar="PLAN",
                     help="the plan to reproduce: a plan CSV or 'nivi'")
    cal.add_argument("--scenario", type=Path, default=None,
                     help="base scenario TOML (default: Troms og Finnmark, 12 regions)")
    cal.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                     help="override a key of the base scenario (repeatable)")
    cal.add_argument("--vary", action="append", default=[], metavar="KEY=VALUES",
                     help="as in sweep; any key but must_link, cannot_link, fixed_cores, area")
    cal.add_argument("--search", choices=["refine", "grid"], default="refine",
                     help="successive refinement around the best cases (default) or every "
                          "combination")
    cal.add_argument("--beam", type=int, default=2,
                     help="refine around this many of the best cases each round")
    cal.add_argument("--out", type=Path, required=True,
                     help="output folder: sweep.csv, agreement.png/html, best.toml, "
                          "best_vs_reference.html, calibration.json, plans/")
    cal.add_argument("--lang", choices=["nb", "en"], default="nb", help="map language")
    cal.add_argument("--scheduler", default=None,
                     help="Dask scheduler address tcp://HOST:PORT (default: local processes)")
    cal.add_argument("--workers", type=int, default=2, help="local worker processes")
    cal.add_argument("--force", action="store_true",
                     help="write into a non-empty folder regionopt did not write (keeps its files)")
    cal.add_argument("--no-resume", action="store_true", help="solve finished scenarios again")
    _add_area(cal, default=None)
    _add_common(cal)

    atl = sub.add_parser("atlas", help="every county's functional regions, and one page "
                         "to open them all")
    atl.add_argument("--out", type=Path, required=True,
                     help="output folder: index.html, atlas.csv, atlas.parquet, one folder per "
                          "county, plans/")
    atl.add_argument("--scenario", type=Path, default=None,
                     help="scenario TOML (default: data/geo/scenarios/functional.toml); its "
                          "area is replaced by each county's")
    atl.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                     help="override a key of the scenario (repeatable)")
    _add_area(atl, default=None)
    atl.add_argument("--lang", choices=["nb", "en"], default="nb", help="page language")
    atl.add_argument("--scheduler", default=None,
                     help="Dask scheduler address tcp://HOST:PORT (default: local processes)")
    atl.add_argument("--workers", type=int, default=2, help="local worker processes")
    atl.add_argument("--force", action="store_true",
                     help="write into a non-empty folder regionopt did not write (keeps its files)")
    atl.add_argument("--no-resume", action="store_true", help="solve finished counties again")
    _add_common(atl)
    options_args.add_parser(sub, _add_common)
    _add_frontier(sub)
    return parser


def _add_frontier(sub: Any) -> None:
    fr = sub.add_parser("frontier", help="least person-minutes for every level of commuting "
                                         "kept, and dominance over reference plans")
    fr.add_argument("--scenario", type=Path, default=None,
                    help="base scenario TOML (its region count is the frontier's)")
    fr.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                    help="override a key of the base scenario (repeatable)")
    fr.add_argument("--points", type=int, default=5,
                    help="points per axis, the travel optimum included (default 5)")
    fr.add_argument("--axes", default="kept",
                    help="kept (commuters kept), criterion (regions meeting the "
                         "self-containment criterion) or kept,criterion")
    fr.add_argument("--kept", default=None, metavar="SHARES",
                    help="explicit kept shares, e.g. 0.80,0.85 (instead of the even grid)")
    fr.add_argument("--criterion", default=None, metavar="COUNTS",
                    help="explicit region counts meeting the criterion (instead of the grid)")
    fr.add_argument("--reference", action="append", default=[], metavar="PLAN",
                    help="nivi, ba-2020, economic or a plan CSV: drawn on the plots, with "
                         "the frontier plan that dominates it or the proof that none can "
                         "(repeatable)")
    fr.add_argument("--out", type=Path, required=True,
                    help="output folder: frontier.csv/.parquet/.json/.html/.png, plans/")
    fr.add_argument("--scheduler", default=None,
                    help="Dask scheduler address tcp://HOST:PORT (default: local processes)")
    fr.add_argument("--workers", type=int, default=1,
                    help="local worker processes (on Dask: how many chains of points run at once)")
    fr.add_argument("--lang", choices=["nb", "en"], default="nb", help="map language")
    fr.add_argument("--no-maps", action="store_true", help="write no map per plan")
    fr.add_argument("--force", action="store_true",
                    help="write into a non-empty folder regionopt did not write (keeps its files)")
    fr.add_argument("--no-resume", action="store_true", help="solve finished points again")
    _add_common(fr)


def _show_warning(message: Warning | str, category: type[Warning], filename: str, lineno: int,
                  file: object = None, line: str | None = None) -> None:
    """Show a warning as one line ``regionopt: warning: ...`` (no source line)."""
    log.warning("regionopt: warning: %s", message)


def _setup_logging(quiet: bool) -> None:
    level = logging.ERROR if quiet else logging.INFO
    logging.basicConfig(level=level, format="%(message)s", stream=sys.stderr)
    logging.getLogger("regionopt").setLevel(level)
    warnings.showwarning = _show_warning


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    from regionopt import commands  # lazy: --help must not wait for geopandas and pulp

    with _process_state():
        _setup_logging(getattr(args, "quiet", False))
        _absolute_paths(args)
        if getattr(args, "data_dir", None) is not None:
            os.environ["REGIONOPT_DATA_DIR"] = str(args.data_dir)
        return _run(commands, args)


@contextlib.contextmanager
def _process_state() -> Iterator[None]:
    """Restore what a command changes in this process when it ends.

    The log level, how warnings are shown, the signal handlers and the data and
    cache folder variables go back to what they were, so :func:`main` can be
    called from Python (a notebook, a test) more than once.
    """
    logger = logging.getLogger("regionopt")
    level, show = logger.level, warnings.showwarning
    env = {var: os.environ.get(var) for var in ("REGIONOPT_DATA_DIR", "REGIONOPT_CACHE_DIR")}
    main_thread = threading.current_thread() is threading.main_thread()
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    if main_thread:
        interrupts.install_handlers()
    try:
        yield
    finally:
        logger.setLevel(level)
        warnings.showwarning = show
        for var, value in env.items():
            if value is None:
                os.environ.pop(var, None)
            else:
                os.environ[var] = value
        if main_thread:
            for sig, handler in handlers.items():
                signal.signal(sig, handler)


def _run(commands: Any, args: argparse.Namespace) -> int:
    """Run the command; turn our errors and interrupts into one line and an exit code."""
    try:
        return commands.run(args)
    except RegionoptError as exc:
        print(f"regionopt: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as exc:  # the file system refused: a path the user gave
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"regionopt: error: {where}{exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        interrupts.kill_children()
        print("regionopt: interrupted", file=sys.stderr)
        return interrupts.EXIT_SIGINT
    except interrupts.Terminated:
        interrupts.kill_children()
        print("regionopt: terminated", file=sys.stderr)
        return interrupts.EXIT_SIGTERM


def _absolute_paths(args: argparse.Namespace) -> None:
    """Resolve every relative path option, and the data and cache folders, once, now.

    Workers, notebook kernels and solver processes may run in other folders; they
    must see the same files.
    """
    for name, value in vars(args).items():
        if isinstance(value, Path) and not value.is_absolute():
            setattr(args, name, Path(os.path.abspath(value)))
    for var in ("REGIONOPT_DATA_DIR", "REGIONOPT_CACHE_DIR"):
        if os.environ.get(var):
            os.environ[var] = os.path.abspath(os.environ[var])


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
