"""``regionopt evaluate``, ``compare`` and ``map``: any plan scored, compared or drawn."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import Any

from regionopt import api
from regionopt.cli.common import (
    add_area,
    add_common,
    add_lang,
    add_out,
    add_report_options,
    out,
)
from regionopt.cli.inputs import check_plan_spec, load_plans, problem_for
from regionopt.errors import InfeasibleError, gap_percent, whole
from regionopt.evaluate import metrics as ev
from regionopt.evaluate import report
from regionopt.evaluate import scenario_audit as au
from regionopt.evaluate.criteria import criteria_table
from regionopt.evaluate.services import (
    analyse_services,
    format_services,
    service_defaults,
    services_scenario,
    services_to_dict,
)
from regionopt.io import check_output_file
from regionopt.maps import outputs
from regionopt.maps.outputs import to_json
from regionopt.problem import ProblemData
from regionopt.scenario import Scenario

log = logging.getLogger("regionopt")

_PLAN = "plan CSV, or 'nivi', 'ba-2020', 'economic-regions'"


def add_evaluate(p: argparse.ArgumentParser) -> None:
    """The arguments of ``regionopt evaluate``."""
    p.add_argument("--plan", required=True,
                   help="plan CSV, or a reference plan: 'nivi' (NIVI 2023, Troms og Finnmark), "
                        "'ba-2020' (BA-regioner 2020) or 'economic-regions' (SSB)")
    p.add_argument("--scenario", type=Path, default=None,
                   help="also audit the plan against this scenario and its optimum")
    add_report_options(p)


def add_compare(p: argparse.ArgumentParser) -> None:
    """The arguments of ``regionopt compare``."""
    p.add_argument("a", help=_PLAN)
    p.add_argument("b", help=_PLAN)
    add_report_options(p)


def add_map(p: argparse.ArgumentParser) -> None:
    """The arguments of ``regionopt map``."""
    p.add_argument("--plan", required=True, help=_PLAN)
    p.add_argument("--beside", default=None, help="a second plan drawn beside the first")
    add_out(p, "HTML file to write")
    add_area(p, default=None)
    add_lang(p, "labels in bokmål (nb, default) or English (en)")
    p.add_argument("--png", action="store_true", help="also write a PNG beside the HTML")
    p.add_argument("--tiles", action="store_true",
                   help="add online background tiles (the map works without them)")
    add_common(p)


def handle_evaluate(args: argparse.Namespace) -> int:
    """Run ``regionopt evaluate``; return the exit code."""
    specs = check_plan_spec(args.plan)
    scenario = api.load_scenario(args.scenario) if args.scenario else None
    problem, _ = problem_for(args, specs, scenario)
    (plan,) = load_plans(specs, problem)
    metrics = ev.evaluate(plan, problem)
    audit, note = None, None
    if scenario is not None:
        optimum, best, note = _optimum(problem, scenario, quiet=not args.verbose)
        audit = au.audit(plan, problem, scenario, optimum=optimum, optimum_objective=best)
    table = criteria_table(metrics, problem, scenario or Scenario())
    service = services_scenario(scenario) if args.services else None
    if args.services and service is None:
        log.warning("note: scenario %r switches services off: no service analysis",
                    scenario.name if scenario is not None else "")
    served = None if service is None else analyse_services(plan, problem, service,
                                                           quiet=not args.verbose)
    if args.json:
        payload: dict[str, Any] = {"metrics": report.metrics_to_dict(metrics),
                                   "criteria": report.criteria_to_dict(table)}
        if served is not None:
            payload["services"] = services_to_dict(served)
        if audit is not None:
            payload["audit"] = {**report.audit_to_dict(audit), "optimum_note": note}

        out(to_json(payload))
    else:
        out(report.format_metrics(metrics))
        out(report.format_criteria(table, plan=plan.name))
        if served is not None:
            out(format_services(served))
        if audit is not None:
            out(report.format_audit(audit) + (f"optimum: {note}\n" if note else ""))
    return 0


def _optimum(problem: ProblemData, scenario: Any, *,
             quiet: bool) -> tuple[float | None, float | None, str | None]:
    """The optimum's travel term and weighted objective, or ``None`` and why there is none."""
    try:
        result = api.solve(problem, scenario, quiet=quiet)
    except InfeasibleError as exc:
        return None, None, f"none, the scenario admits no plan ({exc})"
    if result.plan is None:
        return None, None, f"none, the solver stopped without a plan (status {result.status})"
    if result.status != "optimal":
        gap = "unknown" if result.gap is None else gap_percent(result.gap)
        return None, None, (f"not proven: best plan found {whole(result.terms['travel'])} "
                            f"person-minutes, gap {gap} (time limit)")
    return float(result.terms["travel"]), float(result.objective), None


def handle_compare(args: argparse.Namespace) -> int:
    """Run ``regionopt compare``; return the exit code."""
    specs = check_plan_spec(args.a, args.b)
    problem, _ = problem_for(args, specs)
    a, b = load_plans(specs, problem)
    comparison = ev.compare(a, b, problem)
    tables = [criteria_table(m, problem, Scenario()) for m in (comparison.a, comparison.b)]
    served = [analyse_services(p, problem, service_defaults(), quiet=not args.verbose)
              for p in (a, b)] if args.services else []
    if args.json:
        payload: dict[str, Any] = {**report.comparison_to_dict(comparison),
                                   "criteria": {"a": report.criteria_to_dict(tables[0]),
                                                "b": report.criteria_to_dict(tables[1])}}
        if served:
            payload["services"] = {"a": services_to_dict(served[0]),
                                   "b": services_to_dict(served[1])}
        out(to_json(payload))
    else:
        out(report.format_comparison(comparison))
        for k, (m, table) in enumerate(zip((comparison.a, comparison.b), tables, strict=True)):
            out(report.format_criteria(table, plan=m.plan.name))
            if served:
                out(format_services(served[k]))
    return 0


def handle_map(args: argparse.Namespace) -> int:
    """Run ``regionopt map``; return the exit code."""
    specs = check_plan_spec(args.plan, args.beside)
    check_output_file(args.out)
    problem, net = problem_for(args, specs)
    plans = load_plans(specs, problem)
    plan, beside = plans[0], (plans[1] if len(plans) > 1 else None)
    outputs.write_map(plan, net, args.out, beside=beside, lang=args.lang, png=args.png,
                      tiles=args.tiles)
    log.info("wrote %s", args.out)
    return 0


COMMANDS = {"evaluate": (add_evaluate, handle_evaluate), "compare": (add_compare, handle_compare),
            "map": (add_map, handle_map)}
