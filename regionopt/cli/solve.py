"""``regionopt solve``: a scenario solved to proven optimality, its folder written."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from regionopt import api
from regionopt.cli.common import add_area, add_common, add_force, add_lang, add_scenario, out
from regionopt.cli.inputs import load_scenario, scenario_network
from regionopt.errors import ScenarioError, SolverError, gap_percent, whole
from regionopt.evaluate.metrics import evaluate
from regionopt.evaluate.report import format_metrics
from regionopt.io import check_output_owner

log = logging.getLogger("regionopt")


def add_solve(p: argparse.ArgumentParser) -> None:
    """The arguments of ``regionopt solve``."""
    add_scenario(p, "scenario TOML (default: Troms og Finnmark, 12 regions)")
    p.add_argument("--out", type=Path, default=Path("results/troms-finnmark"),
                   help="output folder (default: results/troms-finnmark)")
    p.add_argument("--alternatives", type=int, default=0, metavar="N",
                   help="also return the N next-best distinct plans")
    add_lang(p)
    p.add_argument("--png", action="store_true", help="also write plan.png")
    add_force(p)
    p.add_argument("--no-maps", action="store_true", help="skip the HTML maps")
    add_area(p, default=None)
    add_common(p)


def handle_solve(args: argparse.Namespace) -> int:
    """Run ``regionopt solve``; return the exit code."""
    if args.alternatives < 0:
        raise ScenarioError(f"--alternatives must be 0 or more, got {args.alternatives}")
    check_output_owner(args.out, force=args.force)
    scenario = load_scenario(args)
    net, problem = scenario_network(scenario, args)
    result = api.solve(problem, scenario, quiet=not args.verbose, alternatives=args.alternatives)
    if result.plan is None:
        other = "" if scenario.solver.name == "highs" else " or try HiGHS (solver.name = \"highs\")"
        raise SolverError(
            f"scenario {scenario.name!r}: the solver stopped on the time limit after "
            f"{result.seconds:.0f} s without finding a plan; give it more time "
            f"(solver.time_limit_s){other}"
        )
    api.write_solution(result, net, args.out, maps=not args.no_maps, png=args.png,
                       lang=args.lang, force=args.force)
    if not args.quiet:
        out(format_metrics(evaluate(result.plan, problem)))
    for k, alt in enumerate(result.alternatives, start=1):
        extra = alt.objective - result.objective
        log.info("alternative %d: objective %s (+%s), %d municipalities differ: %s", k,
                 whole(alt.objective), whole(extra), len(alt.differs), ", ".join(alt.differs))
    log.info("%s: %s, objective %s, gap %s, %.1f s -> %s", scenario.name, result.status,
             whole(result.objective), gap_percent(result.gap), result.seconds, args.out)
    return 0


COMMANDS = {"solve": (add_solve, handle_solve)}
