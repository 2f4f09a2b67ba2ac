"""What the switch of the matrix to ``origins = "grid"`` changed: optima and agreement.

Solves shipped scenarios twice, on the current matrix (centre to centre, default speeds) and
on the population-weighted one (the settings given), and reports per scenario: the optimum's
regions and person-minutes on each matrix, how many municipalities change region between the
two optima, and each optimum's agreement with the area's reference plan (NIVI 2023 in Troms
og Finnmark, the BA-regioner 2020 nationally: municipalities placed as it does, ARI). Prints
Markdown; ``--out FILE`` writes it there (``docs/grid_switch.md``).

Usage::

    REGIONOPT_DATA_DIR=/work/shared/data python benchmarks/grid_switch.py \\
        --speed normot=86 ... --destinations centre --out docs/grid_switch.md
"""

from __future__ import annotations

import argparse
import logging
import os
import time
from pathlib import Path

from _common import machine

#: What the switch takes, printed under the table.
SWITCH = """
## What was switched

`regionopt/network/settings.py`: `origins = "grid"` and `destinations` as `origins` by
default, the speeds fitted on TØI's pairs (`GRID_SPEEDS_KPH`) over the default speeds and
access legs at `GRID_ACCESS_SPEED_KPH` when `origins = "grid"`; `network/key.py` keys them
(the speeds through `speed_map`, the grid's files and code). `origins = "centre"` keeps the
matrix before issue 29: centre to centre, the default speeds, access legs at 40 km/h.
"""

SCENARIOS = ("troms-finnmark-12.toml", "troms-finnmark-functional.toml",
             "troms-finnmark-nivi-calibrated.toml", "norway-functional.toml",
             "norway-ba-calibrated.toml")


def main() -> None:
    import regionopt.api as ro
    from regionopt import _resources
    from regionopt.network import NetworkSettings
    from regionopt.network.settings import GRID_SPEEDS_KPH
    from regionopt.scenario import replace_key

    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--speed", action="append", default=[], metavar="CLASS=KPH")
    parser.add_argument("--access-kph", type=float, default=None,
                        help="default: the grid network's (the fitted speed)")
    parser.add_argument("--destinations", choices=["centre", "grid"], default=None)
    parser.add_argument("--scenario", action="append", default=None)
    parser.add_argument("--time-limit", type=float, default=300.0)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    os.environ.setdefault("REGIONOPT_DATA_DIR", str(Path("../shared/data").resolve()))
    logging.basicConfig(level=logging.WARNING)
    host = machine()
    speeds = {k: float(v) for k, v in (s.split("=", 1) for s in args.speed)}
    grid = NetworkSettings(origins="grid", destinations=args.destinations,
                           access_speed_kph=args.access_kph).with_speeds(speeds)
    fitted = {k: v for k, v in grid.speed_map.items() if k in GRID_SPEEDS_KPH}
    lines = ["# What the switch to population-weighted travel times changed", "",
             "`python benchmarks/grid_switch.py` (the command line below). Each shipped "
             "scenario solved on the old matrix (`origins = \"centre\"`, default speeds) "
             "and on the population-weighted default (`origins = \"grid\"`, "
             f"`destinations = \"{grid.destinations}\"`, access legs at {grid.access_kph:g} "
             "km/h, speeds " + ", ".join(f"{k} {v:g}" for k, v in sorted(fitted.items()))
             + f"), HiGHS, at most {args.time_limit:g} s "
             "each. *Moved*: municipalities whose region differs between the two optima "
             "(regions matched one to one). *Placed*: municipalities placed as the reference "
             "plan places them (NIVI 2023 in Troms og Finnmark, BA-regioner 2020 nationally).",
             "", host.describe(), "",
             "| scenario | matrix | status | regions | person-minutes | moved | reference | "
             "placed | ARI |", "| --- | --- | --- | ---: | ---: | ---: | --- | ---: | ---: |"]
    for name in args.scenario or SCENARIOS:
        scenario = ro.load_scenario(_resources.geo_dir() / "scenarios" / name)
        scenario = replace_key(replace_key(scenario, "solver.name", "highs"),
                               "solver.time_limit_s", args.time_limit)
        plans = {}
        for label, settings in (("centre", NetworkSettings(origins="centre")), ("grid", grid)):
            t0 = time.perf_counter()
            net = ro.network_for_scenario(scenario, settings=settings, progress=False)
            problem = ro.problem_from_network(net)
            result = ro.solve(problem, scenario, quiet=True)
            plans[label] = (result, problem, time.perf_counter() - t0)
        moved = ro.compare(plans["centre"][0].plan, plans["grid"][0].plan,
                           plans["grid"][1]).moves
        for label, (result, problem, _) in plans.items():
            ref = ro.reference_plan(problem)
            agree = ro.compare(result.plan, ref, problem).agreement if ref is not None else None
            metrics = ro.evaluate(result.plan, problem).summary
            placed = f"{agree.placed} of {problem.n}" if agree else ""
            ari = f"{agree.adjusted_rand:.2f}" if agree else ""
            lines.append(
                f"| `{name}` | {label} | {result.status} | {len(result.plan.regions)} | "
                f"{metrics['person_minutes']:,.0f} | "
                f"{len(moved) if label == 'grid' else ''} | {ref.name if ref else ''} | "
                f"{placed} | {ari} |")
        if len(moved):
            names = ", ".join(f"{r.name} ({r.from_region} → {r.to_region})"
                              for r in moved.itertuples(index=False))
            lines.append(f"| | moved | | | | | | | {names} |")
    lines += ["", "## Reading the table", "",
              "(Written by hand under the generated table: see `docs/grid_switch.md`; "
              "person-minutes are not comparable between the two matrices.)",
              "", SWITCH.strip()]
    text = "\n".join(lines) + "\n"
    if args.out is not None:
        args.out.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
