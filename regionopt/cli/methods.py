"""``regionopt methods``: every official delineation method, exact and greedy, on one table.

Solves each preset of ``data/geo/scenarios/methods/`` (``docs/methods.md``) on ``--area``
(default all of Norway) on the sweep's machinery, runs each method's own greedy procedure
beside it, and writes ``methods.csv`` and ``methods.html`` (:mod:`regionopt.sweep.methods`)
with ``plans/`` (each exact solve, resumed on a re-run).
"""

from __future__ import annotations

import argparse
import logging

from regionopt import api
from regionopt.cli.common import add_area, add_common, add_out, add_workers
from regionopt.io import check_output_owner, owned_files
from regionopt.network.matrices import matrix_settings
from regionopt.sweep.methods import (
    FILES,
    drawn_maps,
    method_cases,
    solve_methods,
    write_methods,
)
from regionopt.sweep.store import claim_folder

log = logging.getLogger("regionopt")


def handle_methods(args: argparse.Namespace) -> int:
    """Run ``regionopt methods``; return the exit code."""
    out = check_output_owner(args.out, force=args.force)
    cases = method_cases(args.area, data_dir=args.data_dir)  # an unknown area fails here
    pinned = sorted({c.scenario.area.travel_times or "" for c in cases} - {""})
    nets = {name: api.build_network("norway", settings=matrix_settings(name),
                                    data_dir=args.data_dir, progress=not args.quiet)
            for name in pinned}
    if not all(c.scenario.area.travel_times for c in cases):  # a preset on the defaults
        nets[""] = api.build_network("norway", data_dir=args.data_dir, progress=not args.quiet)
    problems = {name: api.problem_from_network(net, data_dir=args.data_dir)
                for name, net in nets.items()}
    problem = problems[""] if "" in problems else problems[pinned[0]]
    out.mkdir(parents=True, exist_ok=True)
    if owned_files(out) is None:  # claim the folder now, so that an interrupted run resumes
        claim_folder(out, [])
    table = solve_methods(args.area, problem=problem, out_dir=out, scheduler=args.scheduler,
                          max_workers=args.workers, resume=not args.no_resume,
                          progress=not args.quiet, data_dir=args.data_dir, problems=problems,
                          municipalities=next(iter(nets.values())).municipalities)
    write_methods(table, out, area=args.area)
    claim_folder(out, [c.id for c in cases], extra=(*FILES, *drawn_maps(out)))
    for _, row in table.iterrows():
        log.info("%s %s: %s regions, %s rules broken, %s not connected", row["method"],
                 row["plan"], row["regions"], row["rules_broken"], row["regions_not_connected"])
    log.info("methods: %d presets -> %s", len(cases), out / "methods.html")
    return 0


def add_methods(p: argparse.ArgumentParser) -> None:
    """The arguments of ``regionopt methods``."""
    add_out(p, "output folder: methods.csv, methods.html, plans/")
    add_area(p, default=None)
    add_workers(p, resume="solve finished presets again")
    add_common(p)


COMMANDS = {"methods": (add_methods, handle_methods)}


__all__ = ["COMMANDS", "add_methods", "handle_methods"]
