"""What each ``regionopt`` sub-command does (the parser lives in :mod:`regionopt.cli`)."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Any

from regionopt import api
from regionopt.errors import DataError, ScenarioError, SolverError
from regionopt.plan import Plan, read_plan
from regionopt.problem import ProblemData, read_inputs

log = logging.getLogger("regionopt")


def run(args: argparse.Namespace) -> int:
    """Dispatch parsed arguments to their command; return the exit code."""
    handler = {
        "data": _data_info,
        "network": _network_build,
        "solve": _solve,
        "evaluate": _evaluate,
        "compare": _compare,
        "map": _map,
        "sweep": _sweep,
    }[args.command]
    return handler(args)


def _out(text: str) -> None:
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


def _parse_assignments(items: list[str], *, what: str) -> dict[str, str]:
    pairs = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise ScenarioError(f"{what} {item!r}: expected KEY=VALUE")
        pairs[key.strip()] = value.strip()
    return pairs


def _toml_value(text: str) -> Any:
    """Read ``--set`` values as TOML literals (``12``, ``true``, ``[\"5501\"]``), else text."""
    import tomllib

    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def _data_info(args: argparse.Namespace) -> int:
    from regionopt import sources

    _out(sources.format_data_info(sources.data_info(data_dir=args.data_dir)))
    return 0


def _network_build(args: argparse.Namespace) -> int:
    from regionopt import network

    speeds = {k: _positive_float(v, f"--speed {k}") for k, v in
              _parse_assignments(args.speed, what="--speed").items()}
    settings = network.NetworkSettings()
    if speeds:
        settings = settings.with_speeds(speeds)
    net = api.build_network(_area(args.area), settings=settings, data_dir=args.data_dir,
                            use_cache=not args.no_cache, progress=not args.quiet)
    network.write_network(net, args.out, graph_format=args.graph_format)
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


def _area(text: str | None) -> str | list[str]:
    if text is None:
        return "troms-finnmark"
    parts = [p.strip() for p in text.split(",") if p.strip()]
    return parts[0] if len(parts) == 1 and not parts[0].isdigit() else parts


def _solve(args: argparse.Namespace) -> int:
    overrides = {k: _toml_value(v) for k, v in _parse_assignments(args.set, what="--set").items()}
    scenario = api.load_scenario(args.scenario, overrides=overrides)
    net = api.network_for_scenario(scenario, data_dir=args.data_dir, progress=not args.quiet)
    problem = api.problem_from_network(net)
    if args.alternatives < 0:
        raise ScenarioError(f"--alternatives must be 0 or more, got {args.alternatives}")
    result = api.solve(problem, scenario, quiet=args.quiet, alternatives=args.alternatives)
    if result.plan is None:
        raise SolverError(
            f"scenario {scenario.name!r}: the solver stopped after {result.seconds:.0f} s "
            f"without a plan (status {result.status}); raise solver.time_limit_s"
        )
    api.write_solution(result, net, args.out, maps=not args.no_maps, png=args.png,
                       lang=args.lang)
    from regionopt.evaluate import evaluate
    from regionopt.report import format_metrics

    if not args.quiet:
        _out(format_metrics(evaluate(result.plan, problem)))
    for k, alt in enumerate(result.alternatives, start=1):
        extra = alt.objective - result.objective
        log.info("alternative %d: objective %.6g (+%.6g), %d municipalities differ: %s", k,
                 alt.objective, extra, len(alt.differs), ", ".join(alt.differs))
    gap = "n/a" if result.gap is None else f"{100 * result.gap:.4g} %"
    log.info("%s: %s, objective %.6g, gap %s, %.2f s -> %s", scenario.name, result.status,
             result.objective, gap, result.seconds, args.out)
    return 0


def _problem_for(args: argparse.Namespace, scenario: Any = None) -> tuple[ProblemData, Any]:
    """Return the problem (and the network, if one was built) the command works on."""
    if args.inputs is not None:
        return read_inputs(args.inputs), None
    area: Any = _area(args.area) if args.area else (
        api.area_of(scenario) if scenario is not None else "troms-finnmark")
    net = api.build_network(area, data_dir=args.data_dir, progress=not args.quiet)
    return api.problem_from_network(net), net


def _check_plan_spec(*specs: str | None) -> None:
    """Fail fast, before the network is built, on a plan file that does not exist."""
    for spec in specs:
        if spec is not None and spec.lower() != "nivi" and not Path(spec).is_file():
            raise DataError(f"{spec}: plan file not found (give a CSV or 'nivi')")


def _load_plan(spec: str, problem: ProblemData) -> Plan:
    if spec.lower() == "nivi":
        from regionopt.reference import nivi_2023

        return nivi_2023(problem)
    path = Path(spec)
    if not path.is_file():
        raise DataError(f"{spec}: plan file not found (give a CSV or 'nivi')")
    return read_plan(path, problem=problem)


def _evaluate(args: argparse.Namespace) -> int:
    from regionopt import audit as au
    from regionopt import evaluate as ev
    from regionopt import report

    _check_plan_spec(args.plan)
    scenario = api.load_scenario(args.scenario) if args.scenario else None
    problem, _ = _problem_for(args, scenario)
    plan = _load_plan(args.plan, problem)
    metrics = ev.evaluate(plan, problem)
    audit = None
    if scenario is not None:
        optimum = api.solve(problem, scenario, quiet=args.quiet)
        audit = au.audit(plan, problem, scenario, optimum=optimum.terms["travel"])
    if args.json:
        payload = {"metrics": report.metrics_to_dict(metrics)}
        if audit is not None:
            payload["audit"] = report.audit_to_dict(audit)
        from regionopt.outputs import to_json

        _out(to_json(payload))
    else:
        _out(report.format_metrics(metrics))
        if audit is not None:
            _out(report.format_audit(audit))
    return 0


def _compare(args: argparse.Namespace) -> int:
    from regionopt import evaluate as ev
    from regionopt import report

    _check_plan_spec(args.a, args.b)
    problem, _ = _problem_for(args)
    a, b = _load_plan(args.a, problem), _load_plan(args.b, problem)
    comparison = ev.compare(a, b, problem)
    if args.json:
        from regionopt.outputs import to_json

        _out(to_json(report.comparison_to_dict(comparison)))
    else:
        _out(report.format_comparison(comparison))
    return 0


def _map(args: argparse.Namespace) -> int:
    from regionopt import outputs

    _check_plan_spec(args.plan, args.beside)
    problem, net = _problem_for(argparse.Namespace(**{**vars(args), "inputs": None}))
    plan = _load_plan(args.plan, problem)
    beside = _load_plan(args.beside, problem) if args.beside else None
    outputs.write_map(plan, net, args.out, beside=beside, lang=args.lang, png=args.png,
                      tiles=args.tiles)
    log.info("wrote %s", args.out)
    return 0


def _sweep(args: argparse.Namespace) -> int:
    from regionopt import sweep

    scenario = api.load_scenario(args.scenario)
    varies = [sweep.parse_vary(v) for v in args.vary]
    if not varies:
        raise ScenarioError("sweep: give at least one --vary KEY=VALUES")
    net = api.network_for_scenario(scenario, data_dir=args.data_dir, progress=not args.quiet)
    problem = api.problem_from_network(net)
    table = sweep.run_sweep(scenario, varies, problem=problem, out_dir=args.out,
                            scheduler=args.scheduler, max_workers=args.workers,
                            resume=not args.no_resume, progress=not args.quiet,
                            reference=api.reference_plan(problem))
    log.info("sweep: %d scenarios -> %s", len(table), args.out)
    return 0
