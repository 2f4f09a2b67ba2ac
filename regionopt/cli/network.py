"""``regionopt network build`` and ``regionopt network validate``: the travel-time network."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from regionopt import api, network
from regionopt.cli.common import (
    Parser,
    add_area,
    add_common,
    add_force,
    add_out,
    area,
    out,
    parse_assignments,
)
from regionopt.errors import ScenarioError
from regionopt.io import atomic_write_text, check_output_file, check_output_owner
from regionopt.problem import read_inputs

log = logging.getLogger("regionopt")


def add_network(p: argparse.ArgumentParser) -> None:
    """The arguments of ``regionopt network build`` and ``regionopt network validate``."""
    sub = p.add_subparsers(dest="network_command", required=True, parser_class=Parser)
    build = sub.add_parser("build", help="build the road graph, matrix and adjacency")
    add_area(build)
    add_out(build, "output folder")
    build.add_argument("--speed", action="append", default=[], metavar="CLASS=KPH",
                       help="override a road-class speed, e.g. --speed norfv=55 (repeatable)")
    roads_from = build.add_mutually_exclusive_group()
    roads_from.add_argument("--source", choices=["travelmapping", "osm"], default="travelmapping",
                            help="roads from Travel Mapping (default, offline) or from "
                                 "OpenStreetMap downloaded with osmnx (needs internet)")
    roads_from.add_argument("--osm-xml", type=Path, default=None, metavar="FILE",
                            help="roads from this OpenStreetMap XML file (.osm, .osm.gz, .osm.bz2)")
    _add_origins(build)
    add_force(build)
    build.add_argument("--no-cache", action="store_true", help="rebuild even if cached")
    build.add_argument("--graph-format", choices=["graphml", "gpkg"], default="graphml")
    add_common(build)
    val = sub.add_parser("validate", help="check the travel times against TØI's published "
                         "drive times (BA-regioner 2020), worst pairs first")
    val.add_argument("--inputs", type=Path, default=None,
                     help="a 'network build --area norway' output (or a national solve's "
                          "inputs/) instead of building the national network")
    val.add_argument("--out", type=Path, default=None,
                     help="write the table as Markdown here (e.g. docs/travel_validation.md)")
    val.add_argument("--csv", type=Path, default=None, help="write the table as CSV here")
    _add_origins(val)
    add_common(val)


def _add_origins(p: argparse.ArgumentParser) -> None:
    p.add_argument("--origins", choices=list(network.ORIGINS), default="grid",
                   help="where trips start: the population-weighted mean over Statistics "
                        "Norway's 1 km grid, with the fitted speeds (default), or the "
                        "administrative centre, with the speeds before issue 29")
    p.add_argument("--destinations", choices=list(network.ORIGINS), default=None,
                   help="where trips end: the destination's most populous places, weighted "
                        "(needs --origins grid), or its administrative centre; default: as "
                        "--origins")


def handle_network(args: argparse.Namespace) -> int:
    """Run ``regionopt network build`` or ``validate``; return the exit code."""
    return _validate(args) if args.network_command == "validate" else _build(args)


def _validate(args: argparse.Namespace) -> int:
    # lazy: only this command reads the validation table
    from regionopt.network import validation

    for path in (args.out, args.csv):
        if path is not None:
            check_output_file(path)
    if args.inputs is not None:
        minutes, what = read_inputs(args.inputs).to_frames()[1], f"`{args.inputs}`"
    else:
        settings = network.NetworkSettings(origins=args.origins,
                                           destinations=args.destinations)
        net = api.build_network("norway", settings=settings, data_dir=args.data_dir,
                                progress=not args.quiet)
        minutes, what = net.minutes, (f"network of all Norway, origins `{args.origins}`, "
                                      f"destinations `{settings.destinations}`, "
                                      f"cache key `{net.key[:12]}`")
    result = validation.validate(minutes)
    if args.out is not None:
        atomic_write_text(args.out, validation.validation_markdown(
            result, network=f"Network validated: {what}."))
    if args.csv is not None:
        atomic_write_text(args.csv, result.table.to_csv(index=False, float_format="%.2f",
                                                        lineterminator="\n"))
    if not args.quiet:
        out("\n".join(validation.summary_lines(result)))
    return 0


def _build(args: argparse.Namespace) -> int:
    check_output_owner(args.out, force=args.force)
    speeds = {k: _positive_float(v, f"--speed {k}") for k, v in
              parse_assignments(args.speed, what="--speed").items()}
    source = "osm-xml" if args.osm_xml is not None else args.source
    osm_xml = str(args.osm_xml) if args.osm_xml is not None else None
    settings = network.NetworkSettings(source=source, osm_xml=osm_xml, origins=args.origins,
                                       destinations=args.destinations)
    if speeds:
        settings = settings.with_speeds(speeds)
    net = api.build_network(area(args.area), settings=settings, data_dir=args.data_dir,
                            use_cache=not args.no_cache, progress=not args.quiet)
    network.write_network(net, args.out, graph_format=args.graph_format, force=args.force)
    log.info("wrote %s (%d municipalities, %d adjacent pairs)", args.out,
             len(net.municipalities), len(net.adjacency))
    return 0


def _positive_float(text: str, what: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ScenarioError(f"{what}: expected a number, got {text!r}") from None
    if not value > 0:
        raise ScenarioError(f"{what}: must be positive, got {text}")
    return value


COMMANDS = {"network": (add_network, handle_network)}
