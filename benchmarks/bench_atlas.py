"""The whole atlas: every county solved and drawn, on local processes and on Dask.

Runs ``regionopt atlas`` (the 15 counties, ``data/geo/scenarios/functional.toml``) from
scratch twice, each in a fresh folder and a child process, under ``nice``: once on a local
process pool (``--workers 2``) and once on a Dask ``LocalCluster`` (2 single-threaded
workers, started here before the timed run, passed as ``--scheduler``). Reports the wall
time, the peak resident memory of the command and of its largest worker, each county's
status and gap, the front page's size, and whether both engines give the same table;
with ``--write`` it replaces the "atlas" section of ``docs/benchmarks.md``. The national
network must be in the cache (``regionopt network build --area norway`` or any national
solve); its loading is part of the time.

Usage::

    python benchmarks/bench_atlas.py [--write] [--area COUNTIES]
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
from _common import REPO, Machine, arg_parser, emit, machine

COMPARE = ["county", "status", "regions", "objective"]


def _run(out: Path, extra: list[str], area: str | None) -> tuple[float, pd.DataFrame, float]:
    """Run the atlas into ``out``; return wall seconds, the table and the load after."""
    cmd = ["nice", sys.executable, "-m", "regionopt", "atlas", "--out", str(out), "-q", *extra]
    if area:
        cmd += ["--area", area]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO),
                                                        os.environ.get("PYTHONPATH", "")])}
    start = time.perf_counter()
    subprocess.run(cmd, check=True, env=env)
    wall = time.perf_counter() - start
    return wall, pd.read_csv(out / "atlas.csv", dtype={"county": str}), os.getloadavg()[0]


def measure(area: str | None) -> dict[str, object]:
    """Both runs (see the module notes)."""
    from distributed import Client, LocalCluster

    with tempfile.TemporaryDirectory() as tmp:
        t_proc, procs, load_proc = _run(Path(tmp, "proc"), ["--workers", "2"], area)
        rss_proc = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        size = Path(tmp, "proc", "index.html").stat().st_size
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                          dashboard_address=None) as cluster, Client(cluster) as client:
            t_dask, dask, load_dask = _run(Path(tmp, "dask"),
                                           ["--scheduler", cluster.scheduler_address], area)
            worker_mb = max(w["metrics"]["memory"] for w in
                            client.scheduler_info()["workers"].values()) / 2**20
    return {"proc_s": t_proc, "dask_s": t_dask, "table": procs, "size": size,
            "rss_mb": rss_proc, "worker_mb": worker_mb, "load": (load_proc, load_dask),
            "same": procs[COMPARE].equals(dask[COMPARE])}


def markdown(r: dict, host: Machine) -> str:
    """Render the results as the "Atlas" section of docs/benchmarks.md (without markers)."""
    table: pd.DataFrame = r["table"]  # type: ignore[assignment]
    gaps = table["gap"].fillna(0)
    rows = [f"| {c.county_name} | {c.municipalities} | {c.regions} | {c.status} | "
            f"{100 * (c.gap if c.gap == c.gap else 0):.3f} % | {c.seconds:.1f} |"
            for c in table.itertuples()]
    return "\n".join([
        "## Atlas",
        "",
        f"`python benchmarks/bench_atlas.py --write`: `regionopt atlas` on {len(table)} "
        "counties with `functional.toml`, from scratch, under `nice`.",
        host.describe(),
        "",
        "| engine | wall time (s) | load average after |",
        "| --- | ---: | ---: |",
        f"| local processes (`--workers 2`) | {r['proc_s']:.1f} | {r['load'][0]:.1f} |",
        f"| Dask LocalCluster (2 workers × 1 thread, started before) | {r['dask_s']:.1f} | "
        f"{r['load'][1]:.1f} |",
        "",
        f"Peak resident memory: {r['rss_mb']:.0f} MB (the largest process of the local run: "
        f"the command itself, with the national network and the pages); a Dask worker "
        f"held {r['worker_mb']:.0f} MB at the end. `index.html`: {r['size'] / 1e6:.1f} MB. "
        f"Every county optimal or within 0.5 %: {'yes' if (gaps <= 0.005).all() else 'NO'}; "
        f"both engines give the same table: {'yes' if r['same'] else 'NO'}.",
        "",
        "| county | municipalities | regions | status | gap | solve (s) |",
        "| --- | ---: | ---: | --- | ---: | ---: |",
        *rows,
    ])


def main() -> int:
    host = machine()
    ap = arg_parser(__doc__)
    ap.add_argument("--area", default=None, help="counties to draw (default: all 15)")
    args = ap.parse_args()
    result = measure(args.area)
    emit("atlas", markdown(result, host), write=args.write)
    return 0 if result["same"] else 1


if __name__ == "__main__":
    sys.exit(main())
