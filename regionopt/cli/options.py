"""``regionopt options``: each municipality's choice of direction, priced exactly.

The parser and the handler; the pricing is in :mod:`regionopt.sweep.options` and
:mod:`regionopt.sweep.options.run`, the page in :mod:`regionopt.maps.options`. See
``docs/options.md``.
"""

from __future__ import annotations

import argparse
import logging
import math
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from regionopt import api
from regionopt.cli.common import add_common, add_lang, add_out, add_scenario, add_workers, overrides
from regionopt.data.areas import area_choice
from regionopt.errors import DataError, ScenarioError
from regionopt.evaluate.metrics import evaluate
from regionopt.io import check_output_owner
from regionopt.maps.options import options_page, options_payload
from regionopt.maps.outputs import map_layers
from regionopt.scenario import Scenario
from regionopt.sweep.options.price import NO_PLAN_LIMIT_S
from regionopt.sweep.options.run import OptionsRun, run_options, write_options

log = logging.getLogger("regionopt")


def add_options(p: argparse.ArgumentParser) -> None:
    """The arguments of ``regionopt options``."""
    add_scenario(p, "scenario TOML (default: Troms og Finnmark, 12 regions)")
    who = p.add_mutually_exclusive_group(required=True)
    who.add_argument("--municipality", action="append", default=None, metavar="NAME_OR_CODE",
                     help="a municipality by name or kommunenummer (repeatable)")
    who.add_argument("--all", action="store_true", help="every municipality of the area")
    add_out(p, "output folder: options.csv, options.parquet, options.json, options.html, "
               "municipalities/")
    prune = p.add_mutually_exclusive_group()
    prune.add_argument("--prune", action="store_true", default=None,
                       help="skip directions a bound proves dearer than the cheapest other one "
                            "(default with --all)")
    prune.add_argument("--no-prune", dest="prune", action="store_false",
                       help="solve every direction (default with --municipality)")
    p.add_argument("--bounds-only", action="store_true",
                   help="prove directions by a local re-optimisation and bounds; one they "
                        "leave above the scenario's gap keeps its local plan and gap "
                        "(bounded); only one without a local plan gets more, for "
                        "--no-plan-seconds (for large areas)")
    p.add_argument("--no-plan-seconds", type=float, default=NO_PLAN_LIMIT_S, metavar="S",
                   help="with --bounds-only: seconds more for a direction without a local "
                        "plan: half of them (60 at most) a longer search of its "
                        f"neighbourhood, the rest the whole area (default {NO_PLAN_LIMIT_S:g}, "
                        "as sweep.options.NO_PLAN_LIMIT_S; 0: it keeps its bound only)")
    add_workers(p, resume="price finished municipalities again")
    add_lang(p)
    p.add_argument("--no-map", action="store_true", help="do not write options.html")
    add_common(p)


def handle_options(args: argparse.Namespace) -> int:
    """Run ``regionopt options`` with the parsed ``args``; return the exit code."""
    if not math.isfinite(args.no_plan_seconds) or args.no_plan_seconds < 0:
        raise ScenarioError(f"--no-plan-seconds must be 0 or more, got {args.no_plan_seconds}")
    check_output_owner(args.out, force=args.force)
    scenario = api.load_scenario(args.scenario, overrides=overrides(args))
    named = None if args.all else named_municipalities(args.municipality, scenario,
                                                       data_dir=args.data_dir)
    net = api.network_for_scenario(scenario, data_dir=args.data_dir, progress=not args.quiet)
    problem = api.problem_from_network(net, data_dir=args.data_dir)
    codes = list(problem.codes) if named is None else named
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


def named_municipalities(names: Sequence[str], scenario: Scenario, *,
                         data_dir: Path | None = None) -> list[str]:
    """The kommunenummer ``--municipality`` names, resolved as ``--area`` resolves a name.

    Codes, names in any case, without diacritics (``Tromso``) or in Sami (``Romsa``), all
    before any data of the area is loaded.

    Raises
    ------
    ScenarioError
        For a name no municipality of the scenario's area has (with the close names), one
        that names more than one municipality, or one outside the area.
    """
    area = area_choice(api.area_of(scenario), data_dir=data_dir)
    codes = []
    for text in names:
        try:
            choice = area_choice(text, data_dir=data_dir, prefer="municipality")
        except DataError as exc:
            if "ambiguous" in str(exc):  # Herøy: both listed, with their codes
                raise ScenarioError(f"--municipality {text!r}: {exc}") from None
            # the close names area_choice lists, municipalities only ("Tromsø (5501, Troms)")
            close = re.findall(r"[^,(]+ \(\d{4}, [^)]*\)", str(exc).partition("(close: ")[2])
            hint = f" (close: {', '.join(c.strip() for c in close)})" if close else ""
            raise ScenarioError(f"--municipality {text!r}: no municipality of the scenario's "
                                f"area has that name or kommunenummer{hint}") from None
        found = choice.municipalities or (choice.codes if len(choice.codes) == 1 else ())
        if len(found) != 1:
            raise ScenarioError(f"--municipality {text!r}: names {choice.label} "
                                f"({len(choice.codes)} municipalities); give one municipality")
        if found[0] not in area.codes:
            raise ScenarioError(f"--municipality {text!r}: no municipality of the scenario's "
                                f"area ({area.label}) has that name or kommunenummer "
                                f"({choice.label}, {found[0]}, is outside it)")
        codes.append(found[0])
    return list(dict.fromkeys(codes))


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


def _change(r: Any) -> str:
    """The current direction's plan figures as they are; another's as changes from them.

    ``person_minutes`` is the total of the direction's whole plan; ``person_minutes_change``
    its change from the current direction's plan.
    """
    if r.current:
        return f"plan person-minutes {_num(r.person_minutes)} (current)"
    change = r.person_minutes_change
    sign = "+" if change is None or change != change or change >= 0 else "-"
    return (f"price +{_num(r.price)}, Δ person-minutes {sign}{_num(abs(change))} "
            f"(plan {_num(r.person_minutes)})")


def _print(table: pd.DataFrame, *, single: bool) -> None:
    """Each municipality's directions, ranked (with ``--all``: one line per municipality)."""
    out = []
    for code, rows in table.groupby("municipality", sort=False):
        first = rows.iloc[0]
        if not single:
            other = rows[(~rows["current"].astype(bool))
                         & rows["status"].isin(["optimal", "time_limit", "bounded"])]
            cheapest = (f"{other.iloc[0]['direction_name']}, price "
                        f"+{_num(other.iloc[0]['price'])}"
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
                out.append(f"{head}: {r.status}{gap}, objective {_num(r.objective)}, "
                           f"{_change(r)}, "
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


COMMANDS = {"options": (add_options, handle_options)}
