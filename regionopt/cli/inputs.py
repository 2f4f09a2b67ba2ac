"""What the commands read: the scenario with ``--set`` and ``--area``, the problem, the plans.

Shared by the command modules of :mod:`regionopt.cli`; plan files are checked before
the network is built, so a wrong path fails in a moment.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import Any

from regionopt import api
from regionopt.cli.common import area, overrides
from regionopt.data.areas import resolve_area, scenario_for_area
from regionopt.data.reference import (
    REFERENCE_NAMES,
    load_reference,
    reference_codes,
    reference_key,
)
from regionopt.errors import DataError, whole
from regionopt.plan import Plan, read_plan, read_plan_codes
from regionopt.problem import ProblemData, read_inputs
from regionopt.scenario import Scenario

log = logging.getLogger("regionopt")


def load_scenario(args: argparse.Namespace) -> Scenario:
    """The scenario with ``--set`` applied, on the area ``--area`` names (which wins).

    When the user narrows the area (``--area``, or ``--set area....``), rules naming a
    municipality outside it are dropped with a note instead of failing.
    """
    changes = overrides(args)
    scenario = api.load_scenario(args.scenario, overrides=changes)
    if args.area is None and not any(k.startswith("area.") for k in changes):
        return scenario
    scenario, notes = scenario_for_area(scenario, args.area, data_dir=args.data_dir)
    for note in notes:
        log.info("note: %s", note)
    return scenario


def scenario_network(scenario: Any, args: argparse.Namespace) -> tuple[Any, ProblemData]:
    """The network and problem of ``scenario``'s area."""
    net = api.network_for_scenario(scenario, data_dir=args.data_dir, progress=not args.quiet)
    problem = api.problem_from_network(net, data_dir=args.data_dir)
    log.info("scenario %s: %d municipalities, %s inhabitants", scenario.name, problem.n,
             whole(problem.population.sum()))
    return net, problem


def plan_area(specs: list[str]) -> list[str]:
    """The municipalities named by plan files or reference plans (``nivi``: Troms og Finnmark)."""
    codes: set[str] = set()
    for spec in specs:
        key = reference_key(spec)
        if key is not None:
            codes.update(reference_codes(key))
        else:
            codes.update(read_plan_codes(Path(spec)))
    return sorted(codes)


def problem_for(args: argparse.Namespace, specs: list[str],
                scenario: Any = None) -> tuple[ProblemData, Any]:
    """Return the problem (and the network, if one was built) the command works on.

    The area is, in order: a solve's ``--inputs``, ``--area``, the scenario's
    area, else the municipalities the plan files name.
    """
    if getattr(args, "inputs", None) is not None:
        problem = read_inputs(args.inputs)
        check_covers(specs, problem, area=f"the area of {args.inputs}")
        return problem, None
    if args.area:
        where: Any = area(args.area)
        label = f"the area --area {args.area!r} names"
    elif scenario is not None:
        where, label = api.area_of(scenario), f"scenario {scenario.name!r}'s area"
    else:
        where = plan_area(specs)
        label = "the area of both plans" if len(specs) > 1 else "the plan's area"
        _note_own_area(where, data_dir=args.data_dir)
    net = api.build_network(where, data_dir=args.data_dir, progress=not args.quiet)
    problem = api.problem_from_network(net, data_dir=args.data_dir)
    check_covers(specs, problem, area=label)
    return problem, net


def check_covers(specs: list[str], problem: ProblemData, *, area: str) -> None:
    """Refuse a plan that leaves municipalities of ``problem``'s area out, naming them all.

    A plan naming a municipality outside the area is left to :func:`load_plans`, which
    names it.

    Raises
    ------
    DataError
        Naming the plan, ``area`` and every municipality in no region (ten, and how many more).
    """
    inside = set(problem.codes)
    for spec in specs:
        key = reference_key(spec)
        have = set(reference_codes(key) if key is not None else read_plan_codes(Path(spec)))
        missing = [c for c in problem.codes if c not in have]
        if not missing or have - inside:
            continue
        shown = ", ".join(f"{problem.names[problem.index(c)]} ({c})" for c in missing[:10])
        more = f" and {len(missing) - 10} more" if len(missing) > 10 else ""
        raise DataError(f"{spec}: the plan does not cover {area}: {len(missing)} of its "
                        f"{problem.n} municipalities are in no region: {shown}{more}")


def _note_own_area(codes: list[str], *, data_dir: Any) -> None:
    """Say plainly that the area is the plans' own when it leaves out part of a county."""
    counties = sorted({c[:2] for c in codes})
    missing = sorted(set(resolve_area(counties, data_dir=data_dir)) - set(codes))
    if missing:
        shown = ", ".join(missing[:10]) + (f" and {len(missing) - 10} more"
                                           if len(missing) > 10 else "")
        log.warning("note: the area is the %d municipalities the plans name; %d more of the "
                    "counties they touch (%s) are in no region: %s; give --area to require "
                    "a whole area", len(codes), len(missing), ", ".join(counties), shown)


def check_plan_spec(*specs: str | None) -> list[str]:
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


def load_plans(specs: list[str], problem: ProblemData) -> list[Plan]:
    """The plans ``specs`` name (files or reference plans), on ``problem``."""
    plans = []
    for spec, name in zip(specs, _labels(specs), strict=True):
        key = reference_key(spec) if name is None else None
        plans.append(load_reference(key, problem) if key is not None
                     else read_plan(Path(spec), problem=problem, name=name))
    if len(plans) == 2 and plans[0].name == plans[1].name:  # e.g. nivi beside nivi
        plans = [plans[0].renamed(f"{plans[0].name} (a)"), plans[1].renamed(f"{plans[1].name} (b)")]
    return plans
