"""What switching the matrix to ``origins = "grid"`` would change: optima and agreement.

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
## How to switch the default

1. `regionopt/network/settings.py`: `origins: str = "grid"` (and `destinations`, and the
   fitted speeds and access speed of `docs/travel_validation.md` as the defaults of
   `speeds`/`access_speed_kph` for the grid, or in `roads.DEFAULT_SPEEDS_KPH` if the centre
   matrix may change too). `network/key.py` then keys every network with the grid's files
   and code.
2. Re-run every figure that rests on the matrix: the README's tables, `docs/benchmarks.md`
   (`bench_grid.py`, `bench_matrix.py`, the solves), `docs/calibration.md` (the calibrated
   scenarios were calibrated on the centre matrix: re-calibrate), the frontier's dominance
   statements, `regionopt network validate --origins grid --out docs/travel_validation.md`
   then `python benchmarks/fit_speeds.py render --write`.
3. Tests that pin figures of the centre matrix (`tests/network/test_validation.py`'s 15 %
   bound holds a fortiori; the solve tests that pin person-minutes and plans) need their
   figures updated; the matrix diagonal is no longer 0 (`docs/metrics.md`).
4. Before or with the switch, fix the network faults of `docs/travel_validation.md` (ferry
   table, centres): they change both matrices.
"""

SCENARIOS = ("troms-finnmark-12.toml", "troms-finnmark-functional.toml",
             "troms-finnmark-nivi-calibrated.toml", "norway-functional.toml",
             "norway-ba-calibrated.toml")


def main() -> None:
    import regionopt.api as ro
    from regionopt import _resources
    from regionopt.network import NetworkSettings
    from regionopt.scenario import replace_key

    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--speed", action="append", default=[], metavar="CLASS=KPH")
    parser.add_argument("--access-kph", type=float, default=40.0)
    parser.add_argument("--destinations", choices=["centre", "grid"], default="centre")
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
    lines = ["# What switching to population-weighted travel times would change", "",
             "`python benchmarks/grid_switch.py` (the command line below). Each shipped "
             "scenario solved on the current matrix (`origins = \"centre\"`, default speeds) "
             "and on the population-weighted one (`origins = \"grid\"`, "
             f"`destinations = \"{args.destinations}\"`, access legs at {args.access_kph:g} "
             "km/h, speeds " + (", ".join(f"{k} {v:g}" for k, v in sorted(speeds.items()))
                                or "default") + f"), HiGHS, at most {args.time_limit:g} s "
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
        for label, settings in (("centre", NetworkSettings()), ("grid", grid)):
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
