"""The regionopt command line: one module of ``cli/`` per command family.

Each command module holds its commands' parsers beside their handlers, in its
``COMMANDS`` table (command → ``(add_arguments, handler)``); the shared option groups
are in :mod:`regionopt.cli.common`. :data:`COMMANDS` below maps every command to its
module and one-line help, and :func:`main` imports only the module of the command
given, so that ``regionopt --help`` does not wait for geopandas and PuLP.

Every command writes its files through :mod:`regionopt.io` (all or nothing);
every error a user can cause ends in one line on standard error and exit
code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import logging
import os
import signal
import sys
import threading
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from types import ModuleType

from regionopt import __version__, interrupts
from regionopt.cli.common import EXIT_USAGE, Parser, check_shared
from regionopt.errors import RegionoptError

log = logging.getLogger("regionopt")

#: The dispatch table: each command, the module of ``regionopt.cli`` that holds its
#: parser and handler, and its one-line help.
COMMANDS: dict[str, tuple[str, str]] = {
    "data": ("data", "source data"),
    "network": ("network", "travel-time network"),
    "solve": ("solve", "solve a scenario to proven optimality"),
    "evaluate": ("evaluate", "score a plan CSV (kommunenummer,region)"),
    "compare": ("evaluate", "two plans side by side"),
    "map": ("evaluate", "draw plan(s) as a self-contained HTML map"),
    "sweep": ("sweep", "solve every combination of varied scenario keys"),
    "calibrate": ("sweep", "which scenario's optimum agrees best with a plan"),
    "atlas": ("atlas", "every county's functional regions, and one page to open them all"),
    "options": ("options", "each direction a municipality can take, priced exactly"),
    "methods": ("methods", "every official delineation method, exact and greedy, on one table"),
    "frontier": ("frontier", "least person-minutes for every level of commuting kept, and "
                             "dominance over reference plans"),
    "serve": ("serve", "the map in the browser with the optimiser behind it: lock, re-solve, "
                       "price"),
}

#: What a command module's ``COMMANDS`` holds per command: its arguments and its handler.
Command = tuple[Callable[[argparse.ArgumentParser], None], Callable[[argparse.Namespace], int]]


def command_module(command: str) -> ModuleType:
    """The module of ``regionopt.cli`` that holds ``command``'s parser and handler."""
    return importlib.import_module(f"regionopt.cli.{COMMANDS[command][0]}")


def _command(command: str) -> Command:
    table: dict[str, Command] = command_module(command).COMMANDS
    return table[command]


def build_parser(commands: Iterable[str] | None = None) -> argparse.ArgumentParser:
    """Return the argument parser of the ``regionopt`` command.

    Parameters
    ----------
    commands
        The commands whose arguments to add (their modules are imported); default all.
        The others are listed with their help only.
    """
    chosen = set(COMMANDS if commands is None else commands)
    parser = Parser(prog="regionopt",
                    description="Functional municipal regions for Norway: travel-time network, "
                                "exact region optimisation, maps beside NIVI's proposal.")
    parser.add_argument("--version", action="version", version=f"regionopt {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    for name, (_, help_text) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text)
        if name in chosen:
            _command(name)[0](p)
    return parser


def _given_command(argv: Sequence[str]) -> list[str]:
    """The command named in ``argv`` (the first word; the top level's options take no value)."""
    for token in argv:
        if not token.startswith("-"):
            return [token] if token in COMMANDS else []
    return []


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
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser(_given_command(argv)).parse_args(argv)
    with _process_state():
        _setup_logging(getattr(args, "quiet", False))
        _absolute_paths(args)
        if getattr(args, "data_dir", None) is not None:
            os.environ["REGIONOPT_DATA_DIR"] = str(args.data_dir)
        return _run(_command(args.command)[1], args)


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


def _run(handler: Callable[[argparse.Namespace], int], args: argparse.Namespace) -> int:
    """Run the command; turn our errors and interrupts into one line and an exit code."""
    try:
        check_shared(args)  # --workers, --scheduler: before any data is loaded or file written
        return handler(args)
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


__all__ = ["COMMANDS", "build_parser", "command_module", "main"]
