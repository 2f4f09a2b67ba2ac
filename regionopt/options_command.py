"""``regionopt options``: each municipality's choice of direction, priced exactly.

The parser is in :mod:`regionopt.options_args`; the pricing is in
:mod:`regionopt.sweep.options.price` and :mod:`regionopt.sweep.options.run`, the page in
:mod:`regionopt.maps.options`. See ``docs/options.md``.
"""

from __future__ import annotations

import argparse
import logging
import math
import sys
from typing import Any

import pandas as pd

from regionopt import api
from regionopt.errors import ScenarioError
from regionopt.evaluate.metrics import evaluate
from regionopt.io import check_output_owner
from regionopt.maps.options import options_page, options_payload
from regionopt.maps.outputs import map_layers
from regionopt.sweep.options.price import find_municipality
from regionopt.sweep.options.run import OptionsRun, run_options, write_options

log = logging.getLogger("regionopt")


def run(args: argparse.Namespace, overrides: dict[str, Any]) -> int:
    """Run ``regionopt options`` with the parsed ``args``; return the exit code."""
    if args.workers < 1:
        raise ScenarioError(f"--workers must be 1 or more, got {args.workers}")
    if not math.isfinite(args.no_plan_seconds) or args.no_plan_seconds < 0:
        raise ScenarioError(f"--no-plan-seconds must be 0 or more, got {args.no_plan_seconds}")
    check_output_owner(args.out, force=args.force)
    scenario = api.load_scenario(args.scenario, overrides=overrides)
    net = api.network_for_scenario(scenario, data_dir=args.data_dir, progress=not args.quiet)
    problem = api.problem_from_network(net, data_dir=args.data_dir)
    if args.all:
        codes = list(problem.codes)
    else:
        codes = list(dict.fromkeys(find_municipality(problem, m) for m in args.municipality))
    prune = args.all if args.prune is None else args.prune
    result = run_options(scenario, codes, problem=problem, out_dir=args.out, prune=prune,
                         whole=not args.bounds_only, no_plan_s=args.no_plan_seconds,
                         scheduler=args.scheduler, max_workers=args.workers,
                         resume=not args.no_resume, progress=not args.quiet)
    page = None if args.no_map else _page(result, net, problem, args.lang)
    write_options(result, args.out, problem=problem, html=page)
    if not args.quiet:
        _print(result.table, single=not args.all)
    failed = sorted(c for c, r in result.records.items() if "error" in r)
    if failed:
        log.warning("options: %d municipalities failed: %s", len(failed), ", ".join(failed))
    log.info("options: %d municipalities, %d directions -> %s", len(codes), len(result.table),
             args.out)
    return 0


def _page(result: OptionsRun, net: Any, problem: Any, lang: str) -> str:
    plan = result.base.plan(problem)
    metrics = evaluate(plan, problem)
    payload = options_payload(problem, plan, result.records, base_objective=result.base.objective,
                              lang=lang)
    return options_page(plan, net.municipalities, metrics=metrics, problem=problem,
                        scenario=result.scenario, payload=payload,
                        optimum=float(metrics.summary["person_minutes"]), lang=lang,
                        **map_layers(net))


def _num(value: Any, digits: int = 0) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return f"{value:,.{digits}f}".replace(",", " ")


def _print(table: pd.DataFrame, *, single: bool) -> None:
    """Each municipality's directions, ranked (with ``--all``: one line per municipality)."""
    out = []
    for code, rows in table.groupby("municipality", sort=False):
        first = rows.iloc[0]
        if not single:
            other = rows[(~rows["current"].astype(bool))
                         & rows["status"].isin(["optimal", "time_limit", "bounded"])]
            cheapest = (f"{other.iloc[0]['direction_name']} +{_num(other.iloc[0]['price'])}"
                        if len(other) else "no other direction")
            current = rows[rows["current"].astype(bool)].iloc[0]["direction_name"]
            out.append(f"{code} {first['name']}: {current}; cheapest other: {cheapest}; "
                       f"{len(rows)} directions")
            continue
        out.append(f"{first['name']} ({code}): {len(rows)} directions"
                   + (f" (released: {first['released']})" if first["released"] else ""))
        for r in rows.itertuples(index=False):
            tags = [t for t, on in (("current", r.current), ("scenario's choice",
                                                             r.scenario_choice)) if on]
            head = f"  {r.rank}. {r.direction_name}" + (f" [{', '.join(tags)}]" if tags else "")
            if r.status in ("optimal", "time_limit", "bounded"):
                gap = "" if r.status == "optimal" else f", gap {_num(100 * (r.gap or 0), 3)} %"
                out.append(f"{head}: {r.status}{gap}, objective {_num(r.objective)}, price "
                           f"+{_num(r.price)}, person-minutes {_num(r.person_minutes_change)}, "
                           f"commuters kept {_num(r.commuting_kept_share, 3)}, "
                           f"{_num(r.criteria_all_passed)}/{_num(r.regions)} regions meet "
                           "every criterion")
                if r.moved_names:
                    out.append(f"     moves: {r.moved_names.replace(';', ', ')}")
            elif r.status == "pruned":  # the reason says so: "pruned: bound X > best Y"
                out.append(f"{head}: {r.reason}")
            else:
                out.append(f"{head}: {r.status}: {r.reason}")
    sys.stdout.write("\n".join(out) + "\n")
