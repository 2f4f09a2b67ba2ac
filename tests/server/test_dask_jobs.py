"""regionopt.server.dask_jobs and dask_task: ``regionopt serve --scheduler local``.

The acceptance locks give the same proven plan as on the server's own processes, with the
solver's progress streamed from the Dask worker; a cancelled job's solver process (the child
of its Dask task) is gone within 2 s; the cluster's processes end with the server.
"""

from __future__ import annotations

import time
from pathlib import Path

import psutil
from serving import SLOW, Served, wait_gone

# Lyngen goes with Tromsø in the optimum on the population-weighted matrix (issue 29): the lock
# that moves the plan (and so has a price) sends it to Nordreisa
ACCEPTANCE = {"locks": [{"kind": "municipality", "code": "5546", "other": "5601"},
                        {"kind": "municipality", "code": "5536", "other": "5544"}]}


def test_serve_on_a_local_cluster(tmp_path: Path, data_dir: Path) -> None:
    served = Served(tmp_path / "w", ["--scheduler", "local"], workers=1)
    try:
        tree = [p.pid for p in psutil.Process(served.proc.pid).children(recursive=True)]
        status, answer = served.json("POST", "/api/solve", ACCEPTANCE)
        assert status == 202, answer
        kinds = [kind for kind, _ in served.events(answer["job"])]
        assert kinds[-1] == "done"
        assert "progress" in kinds  # the solver's own lines, relayed from the Dask worker
        _, job = served.json("GET", f"/api/jobs/{answer['job']}")
        assert job["status"] == "optimal"
        assert job["plan"]["5536"] == job["plan"]["5544"]
        assert job["price"]["objective"] > 0
        # cancel: the task's solver process is killed
        status, answer = served.json("POST", "/api/solve", {"knobs": SLOW})
        assert status == 202
        pid = _solver(served, answer["job"])
        solver = [pid] + [p.pid for p in psutil.Process(pid).children(recursive=True)]
        began = time.monotonic()
        status, info = served.json("POST", f"/api/jobs/{answer['job']}/cancel")
        assert info["state"] == "cancelled"
        assert not wait_gone(solver, 2.0 - (time.monotonic() - began))
        # the worker solves on after a cancel
        again = served.solve(ACCEPTANCE)
        assert again["status"] == "optimal" and again["objective"] == job["objective"]
        # the cluster, its workers and their idle solver children
        tree += [p.pid for p in psutil.Process(served.proc.pid).children(recursive=True)]
    finally:
        served.stop()
    assert not wait_gone(tree, 10)


def _solver(served: Served, job: str) -> int:
    """The pid of the job's solver process, once it has streamed progress."""
    end = time.monotonic() + 120
    while time.monotonic() < end:
        _status, info = served.json("GET", f"/api/jobs/{job}")
        if "worker_pid" in info:
            time.sleep(1.0)  # the solve under way
            return int(info["worker_pid"])
        time.sleep(0.1)
    raise AssertionError("the job never started")
