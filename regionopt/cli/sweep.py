"""``regionopt sweep`` and ``regionopt calibrate``: many scenarios solved, on processes or Dask."""

from __future__ import annotations

import argparse
import logging
from typing import Any

from regionopt import api, sweep
from regionopt.cli.common import (
    add_area,
    add_common,
    add_lang,
    add_out,
    add_scenario,
    add_workers,
    out,
)
from regionopt.cli.inputs import check_plan_spec, load_plans, load_scenario, scenario_network
from regionopt.errors import ScenarioError
from regionopt.io import check_output_owner
from regionopt.scenario import Scenario
from regionopt.sweep.calibrate import calibrate, check_keys, format_calibration

log = logging.getLogger("regionopt")

_BASE = "base scenario TOML (default: Troms og Finnmark, 12 regions)"


def add_sweep(p: argparse.ArgumentParser) -> None:
    """The arguments of ``regionopt sweep``."""
    add_scenario(p, _BASE, base=True)
    p.add_argument("--vary", action="append", default=[], metavar="KEY=VALUES",
                   help="e.g. regions.count=8..16 or constraints.max_travel_minutes=60,90 "
                        "(repeatable; every combination is solved)")
    add_out(p, "output folder: sweep.csv, sweep.parquet, pareto.png, pareto.html, plans/")
    add_workers(p, resume="solve finished scenarios again")
    p.add_argument("--reference", default=None, metavar="PLAN",
                   help="plan CSV or 'nivi': add each plan's agreement with it to the table "
                        "and mark it on the Pareto plot")
    add_area(p, default=None)
    add_common(p)


def add_calibrate(p: argparse.ArgumentParser) -> None:
    """The arguments of ``regionopt calibrate``."""
    p.add_argument("--reference", required=True, metavar="PLAN",
                   help="the plan to reproduce: a plan CSV or 'nivi'")
    add_scenario(p, _BASE, base=True)
    p.add_argument("--vary", action="append", default=[], metavar="KEY=VALUES",
                   help="as in sweep; any key but must_link, cannot_link, fixed_cores, area")
    p.add_argument("--search", choices=["refine", "grid"], default="refine",
                   help="successive refinement around the best cases (default) or every "
                        "combination")
    p.add_argument("--beam", type=int, default=2,
                   help="refine around this many of the best cases each round")
    add_out(p, "output folder: sweep.csv, agreement.png/html, best.toml, "
               "best_vs_reference.html, calibration.json, plans/")
    add_lang(p)
    add_workers(p, resume="solve finished scenarios again")
    add_area(p, default=None)
    add_common(p)


def _varied(args: argparse.Namespace, command: str) -> tuple[Scenario, list[Any]]:
    """Check the output folder and ``--reference``; return the base scenario and the varies."""
    check_output_owner(args.out, force=args.force)
    check_plan_spec(args.reference)
    scenario = load_scenario(args)
    varies = [sweep.parse_vary(v) for v in args.vary]
    if not varies:
        raise ScenarioError(f"{command}: give at least one --vary KEY=VALUES")
    if command == "calibrate":
        check_keys(varies)
    sweep.check_varies(scenario, varies)  # a rejected value stops before the network is built
    return scenario, varies


def handle_sweep(args: argparse.Namespace) -> int:
    """Run ``regionopt sweep``; return the exit code."""
    scenario, varies = _varied(args, "sweep")
    _, problem = scenario_network(scenario, args)
    agree_with = None
    if args.reference is not None:
        (agree_with,) = load_plans([args.reference], problem)
    table = sweep.run_sweep(scenario, varies, problem=problem, out_dir=args.out,
                            scheduler=args.scheduler, max_workers=args.workers,
                            resume=not args.no_resume, progress=not args.quiet,
                            reference=agree_with or api.reference_plan(problem,
                                                                       scenario.area.reference),
                            agree_with=agree_with)
    log.info("sweep: %d scenarios -> %s", len(table), args.out)
    return 0


def handle_calibrate(args: argparse.Namespace) -> int:
    """Run ``regionopt calibrate``; return the exit code."""
    scenario, varies = _varied(args, "calibrate")
    net, problem = scenario_network(scenario, args)
    (reference,) = load_plans([args.reference], problem)
    result = calibrate(scenario, varies, problem=problem, reference=reference,
                       out_dir=args.out, search=args.search, beam=args.beam,
                       municipalities=net.municipalities, lang=args.lang,
                       scheduler=args.scheduler, max_workers=args.workers,
                       resume=not args.no_resume, progress=not args.quiet)
    if not args.quiet:
        out(format_calibration(result))
    return 0


COMMANDS = {"sweep": (add_sweep, handle_sweep), "calibrate": (add_calibrate, handle_calibrate)}
