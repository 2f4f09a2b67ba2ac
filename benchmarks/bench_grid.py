"""Benchmark: the population-weighted travel-time matrix of all Norway (``origins="grid"``).

Builds the national network with ``origins="grid"`` in a fresh process, cold (an empty cache
folder, the source files from the data folder), then again from the cache; reports the wall
time, the peak resident memory of the process (``os.wait4``) and the load average at each
start. Prints a Markdown section; with ``--write`` it replaces the "grid" section of
``docs/benchmarks.md``.

Usage::

    REGIONOPT_DATA_DIR=/work/shared/data python benchmarks/bench_grid.py [--write] [--runs 3]
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _common import Machine, arg_parser, emit, machine

_CHILD = """
import sys
from regionopt.network import NetworkSettings, build_network
settings = NetworkSettings(origins="grid", destinations=sys.argv[2])
net = build_network("norway", settings=settings, cache_dir=sys.argv[1], progress=False)
print(int(net.minutes.isna().to_numpy().sum()))
"""


def _run(cache: str, destinations: str) -> dict[str, Any]:
    """Build in a child process; return its wall time, peak memory and the load at its start."""
    load = os.getloadavg()[0]
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", _CHILD, cache, destinations],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    gaps = proc.stdout.read().decode().strip() if proc.stdout else ""
    if status != 0:
        raise SystemExit(f"the build failed (status {status})")
    return {"s": seconds, "rss_mib": usage.ru_maxrss / 1024, "load": load, "gaps": gaps}


def measure(runs: int, destinations: str) -> dict[str, Any]:
    """Cold and cached national builds, ``runs`` of each."""
    cold, cached = [], []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as cache:
            cold.append(_run(cache, destinations))
            cached.append(_run(cache, destinations))
    return {"cold": cold, "cached": cached, "destinations": destinations}


def render(f: dict[str, Any], host: Machine) -> str:
    """Return the Markdown section (without markers) for the figures ``f``."""
    def row(kind: str, runs: list[dict[str, Any]]) -> str:
        times = ", ".join(f"{r['s']:.1f} s (load {r['load']:.1f})" for r in runs)
        peak = max(r["rss_mib"] for r in runs)
        return f"| {kind} | {times} | {peak:.0f} MiB |"

    return f"""## Population-weighted matrix (`origins = "grid"`)

`python benchmarks/bench_grid.py --write`: the national network with `origins = "grid"`,
`destinations = "{f['destinations']}"` (the 1 km population grid, access legs on each
cell's own island), built in a fresh process from the data folder into an empty cache folder
(cold), then loaded from that cache; the process's wall time, with Python's start and the
imports, and its peak resident memory (`os.wait4`). Goal: ≤ 30 s and ≤ 1 GB cold on 2 cores.
{host.describe()}

| build | wall time per run (load average at its start) | peak memory |
| --- | --- | ---: |
{row("cold (no cache)", f["cold"])}
{row("cached", f["cached"])}

Unreachable pairs in the matrix: {f['cold'][0]['gaps']}.
"""


def main() -> None:
    host = machine()
    parser = arg_parser(__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--destinations", choices=["centre", "grid"], default="grid")  # the default
    args = parser.parse_args()
    os.environ.setdefault("REGIONOPT_DATA_DIR", str(Path("../shared/data").resolve()))
    emit("grid", render(measure(args.runs, args.destinations), host), write=args.write)


if __name__ == "__main__":
    main()
