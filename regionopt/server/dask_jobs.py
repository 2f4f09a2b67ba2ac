"""Solves on a Dask scheduler (``regionopt serve --scheduler``), with the queue of :mod:`jobs`.

The problem is scattered to every worker once (as :class:`regionopt.sweep.pool.Pool` does);
each job is one Dask task (:func:`regionopt.server.dask_task.remote_task`), which solves in a
child process of its own and relays the child's messages as Dask events on
:data:`~regionopt.server.dask_task.TOPIC`: this client subscribes to them and puts each on
its job, so progress streams as on the server's own processes. Cancel sets the job's Dask
``Event``: the task kills its child and solver within :data:`~regionopt.server.dask_task.POLL_S`
seconds and the kill's two (the task is also cancelled on the scheduler). Dask keeps its own
queue, so every job goes to the scheduler at once; the per-client limit and the "busy, N
ahead" answer are the local queue's. ``--scheduler local`` starts a LocalCluster of
``--workers`` processes on loopback and stops it with the server.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from typing import Any

from regionopt.errors import RegionoptError
from regionopt.problem import ProblemData
from regionopt.server.dask_task import TOPIC, cancel_name, release, remote_task
from regionopt.server.jobs import Job, Jobs
from regionopt.sweep.pool import dask_client

log = logging.getLogger(__name__)


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
        #: This server's name on the Dask workers (their idle solver children are its own).
        self.owner = uuid.uuid4().hex

    def start(self) -> None:
        """Connect (or start the LocalCluster) and scatter the problem."""
        self.loop = asyncio.get_running_loop()
        self.client, self.cluster, self.owned = dask_client(self.scheduler, workers=self.size)
        self.shared = self.client.scatter(self.problem, broadcast=True, hash=False)
        self.client.subscribe_topic(TOPIC, self._event)

    def _event(self, event: Any) -> None:
        """A message of a task (in the Dask client's thread): onto the event loop."""
        message = event[1] if isinstance(event, tuple) else event
        if self.loop is not None and not self.loop.is_closed() and isinstance(message, dict):
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                self.loop.call_soon_threadsafe(self._said, message)

    def _said(self, message: dict[str, Any]) -> None:
        job = self.jobs.get(str(message.get("job")))
        if job is None or job.finished:
            return  # a late word of a cancelled job: never another job's
        if message.get("kind") == "pid":
            job.context["pid"] = message.get("data")
            return
        job.add(str(message.get("kind")), message.get("data"))

    def grow(self) -> None:
        """Nothing: the Dask workers are the scheduler's."""

    def close(self) -> None:
        """Cancel what runs; close the client and a LocalCluster of ours."""
        if self.client is None:
            return
        with contextlib.suppress(Exception):
            self.client.unsubscribe_topic(TOPIC)
        for job_id in list(self.futures):
            with contextlib.suppress(Exception):
                _tell_cancel(self.client, job_id)
        with contextlib.suppress(Exception):
            self.client.cancel(list(self.futures.values()), force=True)
        with contextlib.suppress(Exception):  # the idle solver children on the Dask workers
            self.client.run(release, self.owner)
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
        """The solver process of a running job, as its Dask task told (on the Dask
        worker's machine)."""
        pid = job.context.get("pid")
        return int(pid) if isinstance(pid, int) and not job.finished else None

    def _dispatch(self) -> None:
        while self.queue and self.client is not None:
            job = self.queue.popleft()
            job.state = "running"
            job.add("status", "started on the Dask scheduler")
            fut = self.client.submit(remote_task, self.shared, job.task, job.id, self.owner,
                                     pure=False, key=f"regionopt-serve-{job.id}")
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
        if result is None:  # cancelled on the worker: the job says so already
            return
        job.state, job.result = "done", result
        if self.on_done is not None:
            self.on_done(job)
        job.add("done", result)

    async def cancel(self, job: Job) -> None:
        """Stop ``job``: dropped from the local queue, or its task told to kill its solver
        (the job's Dask ``Event``) and cancelled on the scheduler."""
        if job.finished:
            return
        if job in self.queue:
            self.queue.remove(job)
        fut = self.futures.pop(job.id, None)
        job.state = "cancelled"  # before the task ends: nothing it says counts
        job.add("cancelled", None)
        if fut is not None and self.client is not None:
            client = self.client
            await asyncio.to_thread(_tell_cancel, client, job.id)
            await asyncio.to_thread(client.cancel, fut, force=True)


def _tell_cancel(client: Any, job: str) -> None:
    """Set ``job``'s cancel event: its task kills its solver."""
    from distributed import Event  # lazy: dask's distributed is heavy

    Event(cancel_name(job), client=client).set()


__all__ = ["DaskJobs"]
