"""regionopt.server.dask_jobs: ``regionopt serve --scheduler local`` solves on a LocalCluster.

The acceptance locks give the same proven plan as on the server's own processes; a cancelled
job is dropped; the cluster's processes end with the server.
"""

from __future__ import annotations

from pathlib import Path

import psutil
from serving import SLOW, Served, wait_gone

from regionopt.server.dask_jobs import quiet_task

# Lyngen goes with Tromsø in the optimum on the population-weighted matrix (issue 29): the lock
# that moves the plan (and so has a price) sends it to Nordreisa
ACCEPTANCE = {"locks": [{"kind": "municipality", "code": "5546", "other": "5601"},
                        {"kind": "municipality", "code": "5536", "other": "5544"}]}


def test_serve_on_a_local_cluster(tmp_path: Path, data_dir: Path) -> None:
    served = Served(tmp_path / "w", ["--scheduler", "local"], workers=1)
    try:
        tree = [p.pid for p in psutil.Process(served.proc.pid).children(recursive=True)]
        job = served.solve(ACCEPTANCE)
        assert job["status"] == "optimal"
        assert job["plan"]["5536"] == job["plan"]["5544"]
        assert job["price"]["objective"] > 0
        status, answer = served.json("POST", "/api/solve", {"knobs": SLOW})
        assert status == 202
        status, info = served.json("POST", f"/api/jobs/{answer['job']}/cancel")
        assert info["state"] == "cancelled"
    finally:
        served.stop()
    assert not wait_gone(tree, 10)
    assert callable(quiet_task)
