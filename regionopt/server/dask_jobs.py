"""Solves on a Dask scheduler (``regionopt serve --scheduler``), with the queue of :mod:`jobs`.

The problem is scattered to every worker once (as :class:`regionopt.sweep.pool.Pool` does);
each job is one Dask task of :func:`regionopt.server.worker.run_task`, its result delivered
to the event loop when it ends. Dask keeps its own queue, so every job goes to the scheduler
at once; the per-client limit and the "busy, N ahead" answer are the local queue's. What Dask
cannot do: stream a solve's progress (a job says "started", then its result) or stop a task
that is running (cancel drops it from the scheduler and ignores its result; the solver runs to
its end or time limit in its worker). ``--scheduler local`` starts a LocalCluster of
``--workers`` processes on loopback and stops it with the server.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any

from regionopt.errors import RegionoptError
from regionopt.problem import ProblemData
from regionopt.server import worker
from regionopt.server.jobs import Job, Jobs
from regionopt.sweep.pool import dask_client

log = logging.getLogger(__name__)


def quiet_task(problem: ProblemData, task: worker.Task) -> dict[str, Any]:
    """:func:`~regionopt.server.worker.run_task` without progress (a Dask task)."""
    return worker.run_task(problem, task, lambda kind, data: None)


class DaskJobs(Jobs):
    """:class:`~regionopt.server.jobs.Jobs` whose solves run on ``scheduler``."""

    def __init__(self, problem: ProblemData, *, scheduler: str, workers: int = 2,
                 **kwargs: Any) -> None:
        super().__init__(problem, workers=workers, **kwargs)
        self.scheduler = scheduler
        self.client: Any = None
        self.cluster: Any = None
        self.owned = False
        self.shared: Any = None
        self.futures: dict[str, Any] = {}

    def start(self) -> None:
        """Connect (or start the LocalCluster) and scatter the problem."""
        self.loop = asyncio.get_running_loop()
        self.client, self.cluster, self.owned = dask_client(self.scheduler, workers=self.size)
        self.shared = self.client.scatter(self.problem, broadcast=True, hash=False)

    def close(self) -> None:
        """Cancel what runs; close the client and a LocalCluster of ours."""
        if self.client is None:
            return
        with contextlib.suppress(Exception):
            self.client.cancel(list(self.futures.values()), force=True)
        with contextlib.suppress(Exception):
            if self.owned:
                self.client.close(timeout=5)
        with contextlib.suppress(Exception):
            if self.cluster is not None:
                self.cluster.close(timeout=5)
        self.client = self.cluster = None

    def ahead(self) -> int:
        """Jobs on the scheduler, not finished."""
        return len(self.futures)

    def running_pid(self, job: Job) -> int | None:
        """Unknown on Dask."""
        return None

    def _dispatch(self) -> None:
        while self.queue and self.client is not None:
            job = self.queue.popleft()
            job.state = "running"
            job.add("status", "started on the Dask scheduler (no progress until it ends)")
            fut = self.client.submit(quiet_task, self.shared, job.task, pure=False,
                                     key=f"regionopt-serve-{job.id}")
            self.futures[job.id] = fut
            fut.add_done_callback(lambda f, job=job: self._ended(job, f))

    def _ended(self, job: Job, fut: Any) -> None:
        if self.loop is not None and not self.loop.is_closed():
            with contextlib.suppress(RuntimeError):
                self.loop.call_soon_threadsafe(self._result, job, fut)

    def _result(self, job: Job, fut: Any) -> None:
        self.futures.pop(job.id, None)
        if job.finished:
            return
        job.context["ended"] = time.perf_counter()
        try:
            result = fut.result()
        except Exception as exc:  # one line to the client; our errors keep theirs
            text = str(exc) if isinstance(exc, RegionoptError) else (
                f"the Dask task failed ({type(exc).__name__})")
            job.state = "error"
            job.add("error", text)
            return
        job.state, job.result = "done", result
        if self.on_done is not None:
            self.on_done(job)
        job.add("done", result)

    async def cancel(self, job: Job) -> None:
        """Drop ``job``: from the local queue, or cancelled on the scheduler."""
        if job.finished:
            return
        if job in self.queue:
            self.queue.remove(job)
        fut = self.futures.pop(job.id, None)
        if fut is not None and self.client is not None:
            await asyncio.to_thread(self.client.cancel, fut, force=True)
        job.state = "cancelled"
        job.add("cancelled", None)


__all__ = ["DaskJobs", "quiet_task"]
