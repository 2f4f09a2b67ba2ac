"""What each ``regionopt`` sub-command does (the parser lives in :mod:`regionopt.cli`)."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Any

from regionopt import api, atlas_command, frontier_command, network, options_command, sweep
from regionopt.data import info
from regionopt.data.areas import scenario_for_area
from regionopt.data.reference import (
    REFERENCE_NAMES,
    load_reference,
    reference_codes,
    reference_key,
)
from regionopt.errors import (
    DataError,
    InfeasibleError,
    ScenarioError,
    SolverError,
    gap_percent,
    whole,
)
from regionopt.evaluate import metrics as ev
from regionopt.evaluate import report
from regionopt.evaluate import scenario_audit as au
from regionopt.evaluate.criteria import criteria_table
from regionopt.evaluate.metrics import evaluate
from regionopt.evaluate.report import format_metrics
from regionopt.evaluate.services import (
    analyse_services,
    format_services,
    service_defaults,
    services_scenario,
    services_to_dict,
)
from regionopt.io import (
    atomic_write_text,
    check_output_file,
    check_output_owner,
)
from regionopt.maps import outputs
from regionopt.maps.outputs import to_json
from regionopt.overrides import parse_value
from regionopt.plan import Plan, read_plan, read_plan_codes
from regionopt.problem import ProblemData, read_inputs
from regionopt.scenario import Scenario
from regionopt.sweep.calibrate import calibrate, check_keys, format_calibration

log = logging.getLogger("regionopt")


def run(args: argparse.Namespace) -> int:
    """Dispatch parsed arguments to their command; return the exit code."""
    handler = {
        "data": _data_info,
        "network": _network,
        "solve": _solve,
        "evaluate": _evaluate,
        "compare": _compare,
        "map": _map,
        "sweep": _sweep,
        "calibrate": _calibrate,
        "atlas": lambda a: atlas_command.run(a, overrides=_overrides(a)),
        "options": lambda a: options_command.run(a, _overrides(a)),
        "frontier": _frontier,
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


def _data_info(args: argparse.Namespace) -> int:
    if args.data_dir is not None and not args.data_dir.is_dir():
        raise DataError(f"{args.data_dir}: data folder not found")
    rows = info.data_info(data_dir=args.data_dir)
    _out(info.format_data_info(rows))
    return 0 if all(row.ok for row in rows) else 1


def _network(args: argparse.Namespace) -> int:
    return _network_validate(args) if args.network_command == "validate" else _network_build(args)


def _network_validate(args: argparse.Namespace) -> int:
    # lazy: only this command reads the validation table
    from regionopt.network import validation

    for path in (args.out, args.csv):
        if path is not None:
            check_output_file(path)
    if args.inputs is not None:
        minutes, what = read_inputs(args.inputs).to_frames()[1], f"`{args.inputs}`"
    else:
        net = api.build_network("norway", data_dir=args.data_dir, progress=not args.quiet)
        minutes, what = net.minutes, f"network of all Norway, cache key `{net.key[:12]}`"
    result = validation.validate(minutes)
    if args.out is not None:
        atomic_write_text(args.out, validation.validation_markdown(
            result, network=f"Network validated: {what}."))
    if args.csv is not None:
        atomic_write_text(args.csv, result.table.to_csv(index=False, float_format="%.2f",
                                                        lineterminator="\n"))
    if not args.quiet:
        _out("\n".join(validation.summary_lines(result)))
    return 0


def _network_build(args: argparse.Namespace) -> int:
    check_output_owner(args.out, force=args.force)
    speeds = {k: _positive_float(v, f"--speed {k}") for k, v in
              _parse_assignments(args.speed, what="--speed").items()}
    source = "osm-xml" if args.osm_xml is not None else args.source
    osm_xml = str(args.osm_xml) if args.osm_xml is not None else None
    settings = network.NetworkSettings(source=source, osm_xml=osm_xml)
    if speeds:
        settings = settings.with_speeds(speeds)
    net = api.build_network(_area(args.area), settings=settings, data_dir=args.data_dir,
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


def _area(text: str | None) -> str | list[str]:
    if text is None:
        return "troms-finnmark"
    parts = [p.strip() for p in text.split(",") if p.strip()]
    return parts[0] if len(parts) == 1 and not parts[0].isdigit() else parts


def _overrides(args: argparse.Namespace) -> dict[str, Any]:
    return {k: parse_value(v) for k, v in _parse_assignments(args.set, what="--set").items()}


def _load_scenario(args: argparse.Namespace) -> Scenario:
    """The scenario with ``--set`` applied, on the area ``--area`` names (which wins).

    When the user narrows the area (``--area``, or ``--set area....``), rules naming a
    municipality outside it are dropped with a note instead of failing.
    """
    overrides = _overrides(args)
    scenario = api.load_scenario(args.scenario, overrides=overrides)
    if args.area is None and not any(k.startswith("area.") for k in overrides):
        return scenario
    scenario, notes = scenario_for_area(scenario, args.area, data_dir=args.data_dir)
    for note in notes:
        log.info("note: %s", note)
    return scenario


def _scenario_network(scenario: Any, args: argparse.Namespace) -> tuple[Any, ProblemData]:
    net = api.network_for_scenario(scenario, data_dir=args.data_dir, progress=not args.quiet)
    problem = api.problem_from_network(net, data_dir=args.data_dir)
    log.info("scenario %s: %d municipalities, %s inhabitants", scenario.name, problem.n,
             whole(problem.population.sum()))
    return net, problem


def _solve(args: argparse.Namespace) -> int:
    if args.alternatives < 0:
        raise ScenarioError(f"--alternatives must be 0 or more, got {args.alternatives}")
    check_output_owner(args.out, force=args.force)
    scenario = _load_scenario(args)
    net, problem = _scenario_network(scenario, args)
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
        _out(format_metrics(evaluate(result.plan, problem)))
    for k, alt in enumerate(result.alternatives, start=1):
        extra = alt.objective - result.objective
        log.info("alternative %d: objective %s (+%s), %d municipalities differ: %s", k,
                 whole(alt.objective), whole(extra), len(alt.differs), ", ".join(alt.differs))
    log.info("%s: %s, objective %s, gap %s, %.1f s -> %s", scenario.name, result.status,
             whole(result.objective), gap_percent(result.gap), result.seconds, args.out)
    return 0


def _plan_area(specs: list[str]) -> list[str]:
    """The municipalities named by plan files or reference plans (``nivi``: Troms og Finnmark)."""
    codes: set[str] = set()
    for spec in specs:
        key = reference_key(spec)
        if key is not None:
            codes.update(reference_codes(key))
        else:
            codes.update(read_plan_codes(Path(spec)))
    return sorted(codes)


def _problem_for(args: argparse.Namespace, specs: list[str],
                 scenario: Any = None) -> tuple[ProblemData, Any]:
    """Return the problem (and the network, if one was built) the command works on.

    The area is, in order: a solve's ``--inputs``, ``--area``, the scenario's
    area, else the municipalities the plan files name.
    """
    if getattr(args, "inputs", None) is not None:
        return read_inputs(args.inputs), None
    if args.area:
        area: Any = _area(args.area)
    elif scenario is not None:
        area = api.area_of(scenario)
    else:
        area = _plan_area(specs)
    net = api.build_network(area, data_dir=args.data_dir, progress=not args.quiet)
    return api.problem_from_network(net, data_dir=args.data_dir), net


def _check_plan_spec(*specs: str | None) -> list[str]:
    """Fail fast, before the network is built, on a plan file that cannot be read."""
    given = [s for s in specs if s is not None]
    for spec in given:
        path = Path(spec)
        if reference_key(spec) is not None:
            continue
        if path.is_dir():
            raise DataError(f"{spec}: is a folder, not a plan CSV")
        if not path.is_file():
            raise DataError(f"{spec}: plan file not found (give a CSV, or a reference plan: "
                            f"{REFERENCE_NAMES})")
    return given


def _labels(specs: list[str]) -> list[str | None]:
    """Names for the plans: the file stem, or more of the path where stems collide."""
    def label(spec: str, depth: int) -> str | None:
        if reference_key(spec) is not None:
            return None
        parts = Path(spec).with_suffix("").parts
        return "/".join(parts[-depth:])

    for depth in (1, 2, 3):
        names = [label(s, depth) for s in specs]
        shown = [n for n in names if n is not None]
        if len(set(shown)) == len(shown):
            return names
    return [None if n is None else f"{n} ({'ab'[k]})" for k, n in enumerate(names)]


def _load_plans(specs: list[str], problem: ProblemData) -> list[Plan]:
    plans = []
    for spec, name in zip(specs, _labels(specs), strict=True):
        key = reference_key(spec) if name is None else None
        plans.append(load_reference(key, problem) if key is not None
                     else read_plan(Path(spec), problem=problem, name=name))
    if len(plans) == 2 and plans[0].name == plans[1].name:  # e.g. nivi beside nivi
        plans = [plans[0].renamed(f"{plans[0].name} (a)"), plans[1].renamed(f"{plans[1].name} (b)")]
    return plans


def _evaluate(args: argparse.Namespace) -> int:
    specs = _check_plan_spec(args.plan)
    scenario = api.load_scenario(args.scenario) if args.scenario else None
    problem, _ = _problem_for(args, specs, scenario)
    (plan,) = _load_plans(specs, problem)
    metrics = ev.evaluate(plan, problem)
    audit, note = None, None
    if scenario is not None:
        optimum, best, note = _optimum(problem, scenario, quiet=not args.verbose)
        audit = au.audit(plan, problem, scenario, optimum=optimum, optimum_objective=best)
    table = criteria_table(metrics, problem, scenario or Scenario())
    service = services_scenario(scenario)
    served = None if service is None else analyse_services(plan, problem, service,
                                                           quiet=not args.verbose)
    if args.json:
        payload: dict[str, Any] = {"metrics": report.metrics_to_dict(metrics),
                                   "criteria": report.criteria_to_dict(table)}
        if served is not None:
            payload["services"] = services_to_dict(served)
        if audit is not None:
            payload["audit"] = {**report.audit_to_dict(audit), "optimum_note": note}

        _out(to_json(payload))
    else:
        _out(report.format_metrics(metrics))
        _out(report.format_criteria(table, plan=plan.name))
        if served is not None:
            _out(format_services(served))
        if audit is not None:
            _out(report.format_audit(audit) + (f"optimum: {note}\n" if note else ""))
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


def _compare(args: argparse.Namespace) -> int:
    specs = _check_plan_spec(args.a, args.b)
    problem, _ = _problem_for(args, specs)
    a, b = _load_plans(specs, problem)
    comparison = ev.compare(a, b, problem)
    tables = [criteria_table(m, problem, Scenario()) for m in (comparison.a, comparison.b)]
    served = [analyse_services(p, problem, service_defaults(),
                               quiet=not args.verbose) for p in (a, b)]
    if args.json:
        _out(to_json({**report.comparison_to_dict(comparison),
                      "criteria": {"a": report.criteria_to_dict(tables[0]),
                                   "b": report.criteria_to_dict(tables[1])},
                      "services": {"a": services_to_dict(served[0]),
                                   "b": services_to_dict(served[1])}}))
    else:
        _out(report.format_comparison(comparison))
        for m, table, sv in zip((comparison.a, comparison.b), tables, served, strict=True):
            _out(report.format_criteria(table, plan=m.plan.name))
            _out(format_services(sv))
    return 0


def _map(args: argparse.Namespace) -> int:
    specs = _check_plan_spec(args.plan, args.beside)
    check_output_file(args.out)
    problem, net = _problem_for(args, specs)
    plans = _load_plans(specs, problem)
    plan, beside = plans[0], (plans[1] if len(plans) > 1 else None)
    outputs.write_map(plan, net, args.out, beside=beside, lang=args.lang, png=args.png,
                      tiles=args.tiles)
    log.info("wrote %s", args.out)
    return 0


def _varied(args: argparse.Namespace, command: str) -> tuple[Scenario, list[Any]]:
    """Check the output folder and ``--reference``; return the base scenario and the varies."""
    check_output_owner(args.out, force=args.force)
    _check_plan_spec(args.reference)
    scenario = _load_scenario(args)
    varies = [sweep.parse_vary(v) for v in args.vary]
    if not varies:
        raise ScenarioError(f"{command}: give at least one --vary KEY=VALUES")
    if command == "calibrate":
        check_keys(varies)
    sweep.check_varies(scenario, varies)  # a rejected value stops before the network is built
    return scenario, varies


def _sweep(args: argparse.Namespace) -> int:
    scenario, varies = _varied(args, "sweep")
    _, problem = _scenario_network(scenario, args)
    agree_with = None
    if args.reference is not None:
        (agree_with,) = _load_plans([args.reference], problem)
    table = sweep.run_sweep(scenario, varies, problem=problem, out_dir=args.out,
                            scheduler=args.scheduler, max_workers=args.workers,
                            resume=not args.no_resume, progress=not args.quiet,
                            reference=agree_with or api.reference_plan(problem,
                                                                       scenario.area.reference),
                            agree_with=agree_with)
    log.info("sweep: %d scenarios -> %s", len(table), args.out)
    return 0


def _calibrate(args: argparse.Namespace) -> int:
    scenario, varies = _varied(args, "calibrate")
    net, problem = _scenario_network(scenario, args)
    (reference,) = _load_plans([args.reference], problem)
    result = calibrate(scenario, varies, problem=problem, reference=reference,
                       out_dir=args.out, search=args.search, beam=args.beam,
                       municipalities=net.municipalities, lang=args.lang,
                       scheduler=args.scheduler, max_workers=args.workers,
                       resume=not args.no_resume, progress=not args.quiet)
    if not args.quiet:
        _out(format_calibration(result))
    return 0


def _frontier(args: argparse.Namespace) -> int:
    check_output_owner(args.out, force=args.force)
    frontier_command.check_options(args)
    specs = _check_plan_spec(*(frontier_command.reference_spec(r) for r in args.reference))
    scenario = api.load_scenario(args.scenario, overrides=_overrides(args))
    net, problem = _scenario_network(scenario, args)
    references = _load_plans(specs, problem) if specs else []
    text, _ = frontier_command.run_command(args, scenario=scenario, problem=problem,
                                           references=references,
                                           municipalities=net.municipalities)
    if not args.quiet:
        _out(text)
    return 0
