"""The arguments of ``regionopt options`` (its logic: :mod:`regionopt.options_command`).

Kept apart from the command so that ``regionopt --help`` does not import geopandas and PuLP.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


def add_parser(sub: Any, add_common: Any) -> None:
    """Register ``options`` on the sub-command parsers ``sub``."""
    op = sub.add_parser("options", help="each direction a municipality can take, priced exactly")
    op.add_argument("--scenario", type=Path, default=None,
                    help="scenario TOML (default: Troms og Finnmark, 12 regions)")
    op.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                    help="override a key of the scenario (repeatable)")
    who = op.add_mutually_exclusive_group(required=True)
    who.add_argument("--municipality", action="append", default=None, metavar="NAME_OR_CODE",
                     help="a municipality by name or kommunenummer (repeatable)")
    who.add_argument("--all", action="store_true", help="every municipality of the area")
    op.add_argument("--out", type=Path, required=True,
                    help="output folder: options.csv, options.parquet, options.json, "
                         "options.html, municipalities/")
    prune = op.add_mutually_exclusive_group()
    prune.add_argument("--prune", action="store_true", default=None,
                       help="skip directions a bound proves dearer than the cheapest other one "
                            "(default with --all)")
    prune.add_argument("--no-prune", dest="prune", action="store_false",
                       help="solve every direction (default with --municipality)")
    op.add_argument("--bounds-only", action="store_true",
                    help="prove directions by a local re-optimisation and bounds; one they "
                         "leave above the scenario's gap keeps its local plan and gap "
                         "(bounded); only one without a local plan gets more, for "
                         "--no-plan-seconds (for large areas)")
    op.add_argument("--no-plan-seconds", type=float, default=180.0, metavar="S",
                    help="with --bounds-only: seconds more for a direction without a local "
                         "plan: half of them (60 at most) a longer search of its "
                         "neighbourhood, the rest the whole area (default 180, as "
                         "sweep.options.NO_PLAN_LIMIT_S; 0: it keeps its bound only)")
    op.add_argument("--scheduler", default=None,
                    help="Dask scheduler address tcp://HOST:PORT (default: local processes)")
    op.add_argument("--workers", type=int, default=2, help="local worker processes")
    op.add_argument("--lang", choices=["nb", "en"], default="nb", help="map language")
    op.add_argument("--no-map", action="store_true", help="do not write options.html")
    op.add_argument("--force", action="store_true",
                    help="write into a non-empty folder regionopt did not write (keeps its files)")
    op.add_argument("--no-resume", action="store_true", help="price finished municipalities again")
    add_common(op)
