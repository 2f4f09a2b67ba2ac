"""Solves off the event loop: solver processes, a queue with a limit per client, cancel.

The pattern of :mod:`regionopt.sweep.pool` (spawned processes that receive the shared
problem once), kept alive between requests: a solve there takes a second where a fresh
process would spend that long importing. Each :class:`Job` is one solve; its messages
(:mod:`regionopt.server.worker`) are kept in order for the server-sent event stream, tagged
with the job's id (a message of another job is never taken for this one). A cancelled or
abandoned job's process is killed with its solver (no process left after 2 s) and replaced.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from regionopt import interrupts
from regionopt.problem import ProblemData
from regionopt.server import worker
from regionopt.server.errors import RequestError

log = logging.getLogger(__name__)

#: Jobs one client may have queued or running; the queue's length over all clients.
PER_CLIENT, QUEUE_LIMIT = 2, 32
#: Finished jobs kept for their proposals and downloads.
KEPT = 200
#: Seconds a killed solver process may take to end.
KILL_WAIT_S = 2.0


@dataclass
class Job:
    """One solve and everything it said, in order."""

    id: str
    client: str
    task: worker.Task
    context: dict[str, Any]
    events: list[tuple[str, Any]] = field(default_factory=list)
    state: str = "queued"  # queued, running, done, error, cancelled
    result: dict[str, Any] | None = None
    submitted: float = field(default_factory=time.perf_counter)
    changed: asyncio.Event = field(default_factory=asyncio.Event)
    #: Run on a solver process of its own, beside the ``--workers`` ones (the server's
    #: background optimum: a re-solve never waits behind it).
    own: bool = False

    @property
    def finished(self) -> bool:
        """Whether the job will say nothing more."""
        return self.state in ("done", "error", "cancelled")

    def add(self, kind: str, data: Any) -> None:
        """Record a message and wake the streams waiting for one."""
        self.events.append((kind, data))
        self.changed.set()


@dataclass
class Spare:
    """A solver process started before the problem is loaded: it imports meanwhile."""

    process: Any  # multiprocessing's SpawnProcess
    conn: Any  # its end of the pipe

    def close(self) -> None:
        """End it unused (the server stopped before it had a problem to give)."""
        with contextlib.suppress(OSError):
            self.conn.close()
        self.process.join(timeout=KILL_WAIT_S)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(timeout=KILL_WAIT_S)


def spare_processes(count: int) -> list[Spare]:
    """Start ``count`` solver processes now; :class:`Jobs` hands them the problem later.

    ``regionopt serve`` starts them first thing, so that their imports (seconds on a busy
    machine) overlap the loading of the area instead of following it.
    """
    ctx = multiprocessing.get_context("spawn")
    out = []
    for _ in range(count):
        conn, child = ctx.Pipe()
        process = ctx.Process(target=worker.serve, args=(child,), daemon=True,
                              name="regionopt-serve-worker")
        process.start()
        child.close()
        out.append(Spare(process, conn))
    return out


class Worker:
    """A solver process and the thread that reads its messages into the event loop."""

    def __init__(self, problem: ProblemData, deliver: Callable[[Worker, str, str, Any], None],
                 spare: Spare | None = None, *, own: bool = False) -> None:
        spare = spare or spare_processes(1)[0]
        self.process, self.conn = spare.process, spare.conn
        self.own = own  # for jobs of their own (Job.own) only
        self.ready = False
        self.job: Job | None = None
        self.deliver = deliver
        # the problem is megabytes: sent from a thread, the event loop never waits for the
        # process to finish its imports and read it
        threading.Thread(target=self._hand, args=(problem,), daemon=True).start()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _hand(self, problem: ProblemData) -> None:
        with contextlib.suppress(OSError, ValueError):  # killed before it read it
            self.conn.send(problem)

    def _read(self) -> None:
        while True:
            try:
                job_id, kind, data = self.conn.recv()
            except (EOFError, OSError):
                return
            self.deliver(self, job_id, kind, data)

    def send(self, job: Job) -> None:
        """Start ``job`` in this process."""
        self.job, job.state = job, "running"
        self.conn.send((job.id, job.task))

    def kill(self) -> None:
        """Kill the process and its solver; wait until they have ended (at most 2 s)."""
        interrupts.kill_tree(self.process.pid, timeout=KILL_WAIT_S)
        self.process.join(timeout=KILL_WAIT_S)
        with contextlib.suppress(OSError):
            self.conn.close()

    def stop(self) -> None:
        """End an idle process politely, a busy one at once."""
        if self.job is None and self.ready:
            with contextlib.suppress(OSError):
                self.conn.send(None)
            self.process.join(timeout=1.0)
        if self.process.is_alive():
            self.kill()


class Jobs:
    """The queue of solves over ``workers`` solver processes, on the running event loop."""

    def __init__(self, problem: ProblemData, *, workers: int = 2,
                 on_done: Callable[[Job], None] | None = None,
                 spares: list[Spare] | None = None) -> None:
        self.problem, self.size, self.on_done = problem, max(1, workers), on_done
        self.spares = list(spares or [])
        self.loop: asyncio.AbstractEventLoop | None = None
        self.workers: list[Worker] = []
        self.queue: deque[Job] = deque()
        self.jobs: dict[str, Job] = {}

    def start(self) -> None:
        """Give the spares their problem, or start one solver process (call from the event
        loop); :meth:`grow` starts the others."""
        self.loop = asyncio.get_running_loop()
        spares, self.spares = self.spares[:self.size], self.spares[self.size:]
        for extra in self.spares:
            extra.close()
        self.spares = []
        self.workers = [Worker(self.problem, self._deliver, spare) for spare in spares]
        if not self.workers:
            self.workers = [self._spawn()]

    def grow(self) -> None:
        """Start the ``--workers`` processes still missing (``regionopt serve`` calls it once
        the background optimum has ended: their imports would compete with the first page
        and the optimum for the cores)."""
        regular = sum(not w.own for w in self.workers)
        self.workers += [self._spawn() for _ in range(self.size - regular)]

    def _spawn(self, *, own: bool = False) -> Worker:
        return Worker(self.problem, self._deliver, own=own)

    def close(self) -> None:
        """Stop every solver process."""
        for w in self.workers:
            w.stop()
        for spare in self.spares:
            spare.close()
        self.workers, self.spares = [], []

    def _deliver(self, w: Worker, job_id: str, kind: str, data: Any) -> None:
        if self.loop is not None and not self.loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                self.loop.call_soon_threadsafe(self._message, w, job_id, kind, data)

    def _message(self, w: Worker, job_id: str, kind: str, data: Any) -> None:
        if kind == "ready":
            w.ready = True
            self._dispatch()
            return
        job = w.job
        if job is None or job.id != job_id or job.finished:
            return  # a late word of a cancelled job: never another job's
        if kind in ("done", "error"):
            job.context["ended"] = time.perf_counter()
            job.state, w.job = kind, None
            job.result = data if kind == "done" else None
            if kind == "done" and self.on_done is not None:
                self.on_done(job)
            job.add(kind, data)
            if w.own and not any(j.own for j in self.queue):
                self.workers.remove(w)  # its one job done: its process ends
                threading.Thread(target=w.stop, daemon=True).start()
            self._dispatch()
        else:
            job.add(kind, data)

    def submit(self, client: str, task: worker.Task, context: dict[str, Any], *,
               own: bool = False) -> Job:
        """Queue a solve for ``client`` (``own``: on a solver process of its own, started
        for it and ended after it, so that it never holds up the others).

        Raises
        ------
        RequestError
            429 when the client has :data:`PER_CLIENT` jobs waiting or running, or the
            queue is full: "busy, N ahead".
        """
        mine = [j for j in self.jobs.values() if j.client == client and not j.finished]
        ahead = self.ahead()
        if len(mine) >= PER_CLIENT or len(self.queue) >= QUEUE_LIMIT:
            raise RequestError(f"busy, {ahead} ahead: {len(mine)} of your solves are still "
                               "waiting or running; cancel one or wait", status=429)
        job = Job(id=uuid.uuid4().hex, client=client, task=task, context=context, own=own)
        self._forget()
        self.jobs[job.id] = job
        self.queue.append(job)
        job.add("queued", {"ahead": ahead})
        self._dispatch()
        return job

    def ahead(self) -> int:
        """Jobs waiting or running on the ``--workers`` processes, all clients (not those
        on processes of their own)."""
        return (sum(not j.own for j in self.queue)
                + sum(w.job is not None for w in self.workers if not w.own))

    def running_pid(self, job: Job) -> int | None:
        """The solver process working on ``job`` (for tests and the job's description)."""
        for w in self.workers:
            if w.job is job:
                return w.process.pid
        return None

    def _forget(self) -> None:
        """Keep at most :data:`KEPT` finished jobs (the oldest go first)."""
        done = [k for k, j in self.jobs.items() if j.finished]
        for key in done[:max(0, len(done) - KEPT)]:
            del self.jobs[key]

    def _dispatch(self) -> None:
        for job in list(self.queue):
            free = [w for w in self.workers if w.own == job.own]
            if job.own and not free:
                self.workers.append(self._spawn(own=True))  # dispatched once it is ready
                continue
            w = next((w for w in free if w.ready and w.job is None and w.process.is_alive()),
                     None)
            if w is not None:
                self.queue.remove(job)
                job.add("status", "started")
                w.send(job)

    def get(self, job_id: str) -> Job:
        """The job ``job_id``.

        Raises
        ------
        RequestError
            404 for an unknown job.
        """
        job = self.jobs.get(job_id)
        if job is None:
            raise RequestError("job: no such solve", status=404)
        return job

    async def cancel(self, job: Job) -> None:
        """Stop ``job``: dropped from the queue, or its process and solver killed (in a
        thread: the event loop never waits) and replaced."""
        if job.finished:
            return
        if job in self.queue:
            self.queue.remove(job)
        victims = [w for w in self.workers if w.job is job]
        for w in victims:
            w.job = None
            self.workers.remove(w)
            if not w.own:  # a process of its own is started again only for another such job
                self.workers.append(self._spawn())
        job.state = "cancelled"  # before the kill: nothing the dying process says counts
        job.add("cancelled", None)
        for w in victims:
            await asyncio.to_thread(w.kill)
        self._dispatch()

    def pids(self) -> list[int]:
        """The solver processes' ids (for tests)."""
        return [w.process.pid for w in self.workers if w.process.pid is not None]


__all__ = ["KILL_WAIT_S", "PER_CLIENT", "QUEUE_LIMIT", "Job", "Jobs", "Spare", "Worker",
           "spare_processes"]
