"""Benchmark: ``regionopt evaluate --plan ba-2020 --area norway``, as a user runs it.

Times the command in a fresh process (the network comes from the cache, as on a second
run; a first run builds it and is not timed), best of ``--runs`` runs: by default it prints
the plan's metrics and criteria only; with ``--services`` it also runs the services
analysis (service areas and hosting MIPs), which every ``evaluate`` ran before it became
an option (issue 34: over a minute nationally; the target is at most 10 s on 2 cores).
Prints a Markdown section; with ``--write`` it replaces the "evaluate" section of
``docs/benchmarks.md``. Run it with ``nice``: the machine is shared.

Usage::

    nice python benchmarks/bench_evaluate.py [--write] [--runs 3] [--with-services]
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

from _common import REPO, Machine, arg_parser, emit, machine

COMMAND = ["evaluate", "--plan", "ba-2020", "--area", "norway", "--quiet"]


def _run(extra: list[str]) -> float:
    """Seconds of one ``python -m regionopt evaluate ...`` run; fails loudly if it fails."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(REPO), os.environ.get("PYTHONPATH", "")])}
    began = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "regionopt", *COMMAND, *extra], cwd=REPO,
                          env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - began
    if done.returncode != 0:
        raise SystemExit(f"regionopt {' '.join(COMMAND + extra)} failed:\n{done.stderr}")
    return seconds


def section(rows: list[tuple[str, list[float]]], host: Machine) -> str:
    """The Markdown section: one row per variant, best and every run."""
    lines = [
        "`nice python benchmarks/bench_evaluate.py --write`: wall-clock seconds of "
        "`regionopt evaluate --plan ba-2020 --area norway` in a fresh process (import, the "
        "national network read from the cache, the plan's metrics and criteria), best of "
        f"the runs. {host.describe()}",
        "",
        "Before issue 34 every `evaluate` ran the services analysis: the `--services` row is "
        "that command (its output is the old one, byte for byte).",
        "",
        "| command | best (s) | runs (s) |",
        "| --- | ---: | --- |",
    ]
    for label, times in rows:
        lines.append(f"| `{label}` | {min(times):.1f} | "
                     + ", ".join(f"{t:.1f}" for t in times) + " |")
    return "\n".join(lines)


def main() -> None:
    host = machine()
    parser = arg_parser(__doc__)
    parser.add_argument("--runs", type=int, default=3, help="timed runs per variant")
    parser.add_argument("--with-services", action="store_true",
                        help="also time the command with --services (one run: about a minute)")
    args = parser.parse_args()
    _run([])  # warm the network cache: the first run of a new checkout builds it
    rows = [(" ".join(["regionopt", *COMMAND[:-1]]), [_run([]) for _ in range(args.runs)])]
    if args.with_services:
        rows.append((" ".join(["regionopt", *COMMAND[:-1], "--services"]), [_run(["--services"])]))
    emit("evaluate", section(rows, host), write=args.write)


if __name__ == "__main__":
    main()
