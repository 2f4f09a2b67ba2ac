"""``regionopt data info``: what source files were found where, with checksums."""

from __future__ import annotations

import argparse

from regionopt.cli.common import Parser, add_common, out
from regionopt.data import info
from regionopt.errors import DataError


def add_data(p: argparse.ArgumentParser) -> None:
    """The arguments of ``regionopt data``."""
    sub = p.add_subparsers(dest="data_command", required=True, parser_class=Parser)
    info = sub.add_parser("info", help="what was found where, with checksums")
    add_common(info)


def handle_data(args: argparse.Namespace) -> int:
    """Run ``regionopt data info``; exit code 1 when a file is missing or differs."""
    if args.data_dir is not None and not args.data_dir.is_dir():
        raise DataError(f"{args.data_dir}: data folder not found")
    rows = info.data_info(data_dir=args.data_dir)
    out(info.format_data_info(rows))
    return 0 if all(row.ok for row in rows) else 1


COMMANDS = {"data": (add_data, handle_data)}
