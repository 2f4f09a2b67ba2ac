"""``regionopt frontier``: the exact trade-off between travel and commuting, with dominance.

The command's parser and handler (:func:`add_frontier`, :func:`handle_frontier`), and its
work once the scenario is read, the problem built and the reference plans loaded
(:func:`run_command`): check every option before anything is written
(axes, explicit ε values, the references' region counts), solve the frontier and the
dominance statements (:mod:`regionopt.sweep.frontier.solve`,
:mod:`regionopt.sweep.frontier.dominance`),
write the files (:mod:`regionopt.sweep.frontier.page`) and print one line per point and
one per reference.
"""

from __future__ import annotations

import argparse
import logging
import math
from collections.abc import Sequence
from typing import Any

import geopandas as gpd

from regionopt import api
from regionopt.cli.common import (
    add_common,
    add_lang,
    add_out,
    add_scenario,
    add_workers,
    out,
    overrides,
)
from regionopt.cli.inputs import check_plan_spec, load_plans, scenario_network
from regionopt.errors import ScenarioError
from regionopt.io import check_output_owner
from regionopt.plan import Plan
from regionopt.problem import ProblemData
from regionopt.scenario import Scenario
from regionopt.sweep.frontier.dominance import format_dominance, plan_figures, state_dominance
from regionopt.sweep.frontier.page import frontier_marks, write_frontier
from regionopt.sweep.frontier.solve import check_axes, check_values, frontier_table, run_frontier

log = logging.getLogger("regionopt")

#: Most points per axis: each is a solve of the whole area (minutes nationally), and a plot
#: of the trade-off shows no more.
MAX_POINTS = 50

#: Short names ``--reference`` also takes, and the reference plan each means.
ALIASES = {"economic": "economic-regions", "ba": "ba-2020"}


def reference_spec(spec: str) -> str:
    """The reference plan name or file ``spec`` stands for (``economic`` → ``economic-regions``)."""
    return ALIASES.get(spec.strip().lower(), spec)


def _values(text: str | None, what: str) -> list[float] | None:
    if text is None:
        return None
    try:
        out = [float(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise ScenarioError(f"--{what} {text!r}: expected comma-separated numbers") from None
    if not out or not all(math.isfinite(v) for v in out):
        raise ScenarioError(f"--{what} {text!r}: expected comma-separated numbers")
    return out


def _format_point(row: Any) -> str:
    gap = "n/a" if row.gap is None or row.gap != row.gap else f"{100 * row.gap:.3f} %"
    if row.plan_path is None or row.plan_path != row.plan_path:
        return f"{row.id}: {row.status} ({row.reason})"
    return (f"{row.id}: {row.status}, gap {gap}, person-minutes {row.person_minutes:,.0f}, "
            f"kept {row.commuting_kept_share:.4f}, criterion "
            f"{row.criteria_self_containment_passed}, longest {row.max_minutes:.1f} min, "
            f"not connected {row.regions_not_connected}, {row.regions} regions")


def _summary_lines(table: Any, axes: Sequence[str]) -> list[str]:
    """The frontier's points, then the points not on it (named, with why), then the
    dominance solves: a repeated or dominated point is never listed as a frontier point."""
    marks = frontier_marks(table, axes)
    rows = list(table.itertuples(index=False))
    lines = [_format_point(r) for r, m in zip(rows, marks, strict=True)
             if m in ("frontier", "no plan")]
    off = [f"{r.id} ({m})" for r, m in zip(rows, marks, strict=True)
           if m.startswith(("repeats", "dominated"))]
    if off:
        lines.append(f"not on the frontier: {', '.join(off)}")
    lines += [f"dominance solve {_format_point(r)}" for r, m in zip(rows, marks, strict=True)
              if m == "dominance solve"]
    return lines


def check_options(args: argparse.Namespace) -> tuple[list[str], dict[str, list[float]]]:
    """Check ``--axes``, ``--points`` and the explicit values before any work is done.

    Returns
    -------
    tuple
        The axes and the explicit values per axis.

    Raises
    ------
    ScenarioError
        Naming the option at fault.
    """
    axes = [a.strip() for a in args.axes.split(",") if a.strip()]
    check_axes(axes, None, points=args.points)
    if args.points > MAX_POINTS:
        raise ScenarioError(f"--points {args.points}: at most {MAX_POINTS} per axis (each point "
                            "is a solve of the whole area)")
    values = {}
    for axis in ("kept", "criterion"):
        given = _values(getattr(args, axis), axis)
        if given is not None:
            if axis not in axes:
                raise ScenarioError(f"--{axis} given, but --axes does not include {axis}")
            values[axis] = given
    if "kept" in values:
        bad = [v for v in values["kept"] if not 0 < v <= 1]
        if bad:
            raise ScenarioError(f"--kept {bad[0]:g}: a kept share must be above 0 and at most 1")
    return axes, values


def run_command(args: argparse.Namespace, *, scenario: Scenario, problem: ProblemData,
                references: Sequence[Plan],
                municipalities: gpd.GeoDataFrame | None) -> tuple[str, list[dict[str, Any]]]:
    """Run ``regionopt frontier`` on a loaded scenario, problem and references.

    Returns
    -------
    tuple
        The text to print (one line per point, one per reference) and the dominance
        statements.

    Raises
    ------
    ScenarioError
        On bad axes, points or ε values (before anything is written).
    """
    axes, given = check_options(args)
    check_axes(axes, problem, points=args.points)
    values = {axis: check_values(axis, v, problem, scenario) for axis, v in given.items()}
    figures = [(plan.name, plan_figures(plan, problem, scenario)) for plan in references]
    runner = run_frontier(scenario, problem=problem, out_dir=args.out, points=args.points,
                          axes=axes, values=values or None, scheduler=args.scheduler,
                          max_workers=args.workers, resume=not args.no_resume,
                          progress=not args.quiet)
    base = runner.cases[0].case.scenario
    statements = [state_dominance(runner, base, name, fig) for name, fig in figures]
    write_frontier(runner, statements, scenario=scenario, axes=axes, references=figures,
                   municipalities=None if args.no_maps else municipalities, lang=args.lang)
    table = frontier_table(runner)
    lines = _summary_lines(table, axes)
    if statements:
        lines.append(format_dominance(statements))
    return "\n".join(lines), statements


def add_frontier(p: argparse.ArgumentParser) -> None:
    """The arguments of ``regionopt frontier``."""
    add_scenario(p, "base scenario TOML (its region count is the frontier's)", base=True)
    p.add_argument("--points", type=int, default=5,
                   help=f"points per axis, the travel optimum included (2 to {MAX_POINTS}, "
                        "default 5)")
    p.add_argument("--axes", default="kept",
                   help="kept (commuters kept), criterion (regions meeting the "
                        "self-containment criterion) or kept,criterion")
    p.add_argument("--kept", default=None, metavar="SHARES",
                   help="explicit kept shares, e.g. 0.80,0.85 (instead of the even grid)")
    p.add_argument("--criterion", default=None, metavar="COUNTS",
                   help="explicit region counts meeting the criterion (instead of the grid)")
    p.add_argument("--reference", action="append", default=[], metavar="PLAN",
                   help="nivi, ba-2020, economic or a plan CSV: drawn on the plots, with "
                        "the frontier plan that dominates it or the proof that none can "
                        "(repeatable)")
    add_out(p, "output folder: frontier.csv/.parquet/.json/.html/.png, plans/")
    add_workers(p, resume="solve finished points again", workers=1,
                on_dask="how many chains of points run at once")
    add_lang(p)
    p.add_argument("--no-maps", action="store_true", help="write no map per plan")
    add_common(p)


def handle_frontier(args: argparse.Namespace) -> int:
    """Run ``regionopt frontier``; return the exit code."""
    check_output_owner(args.out, force=args.force)
    check_options(args)
    specs = check_plan_spec(*(reference_spec(r) for r in args.reference))
    scenario = api.load_scenario(args.scenario, overrides=overrides(args))
    net, problem = scenario_network(scenario, args)
    references = load_plans(specs, problem) if specs else []
    text, _ = run_command(args, scenario=scenario, problem=problem, references=references,
                          municipalities=net.municipalities)
    if not args.quiet:
        out(text)
    return 0


COMMANDS = {"frontier": (add_frontier, handle_frontier)}

__all__ = ["ALIASES", "COMMANDS", "check_options", "reference_spec", "run_command"]
