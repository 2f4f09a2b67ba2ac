"""regionopt.server.jobs: the background optimum runs on a solver process of its own.

A job submitted ``own`` (the server's unlocked optimum) gets a process started for it,
beside the ``--workers`` ones: a re-solve asked while it runs starts at once on a process
that is not the optimum's, with nothing ahead of it; the own process ends with its job.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from serving import SLOW

from regionopt import api
from regionopt.server import locks as lk
from regionopt.server.jobs import Job, Jobs
from regionopt.server.worker import Task


async def _until(check: Callable[[], bool], timeout: float = 120) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not check():
        assert loop.time() < end, "timed out"
        await asyncio.sleep(0.05)


def test_a_resolve_never_waits_behind_the_optimum(data_dir: Path) -> None:
    problem = api.problem_from_network(api.build_network(data_dir=data_dir, progress=False),
                                       data_dir=data_dir)
    scenario = api.load_scenario()
    slow = lk.apply_knobs(scenario, SLOW)

    async def run() -> tuple[Job, int | None, list[int]]:
        jobs = Jobs(problem, workers=1)
        jobs.start()
        try:
            optimum = jobs.submit("server", Task(slow, label="optimum"), {"kind": "optimum"},
                                  own=True)
            await _until(lambda: optimum.state != "queued")
            own_pid = jobs.running_pid(optimum)
            resolve = jobs.submit("client", Task(scenario, label="re-solve"),
                                  {"kind": "solve"})
            await _until(lambda: resolve.finished)
            regular = [w.process.pid for w in jobs.workers if not w.own]
            if not optimum.finished:
                await jobs.cancel(optimum)
            return resolve, own_pid, regular
        finally:
            jobs.close()

    resolve, own_pid, regular = asyncio.run(run())
    assert resolve.events[0] == ("queued", {"ahead": 0})
    assert resolve.state == "done" and resolve.result is not None
    assert own_pid is not None and own_pid not in regular
