"""What a solve of ``regionopt serve --scheduler`` runs on a Dask worker.

A Dask task runs in a thread of the Dask worker, where nothing can stop it; the solve itself
therefore runs in a child process of the task (:func:`regionopt.server.worker.serve`, the
very loop of the server's own solver processes, spoken to over a socket pair). The task
relays the child's messages to the server as Dask events (``Worker.log_event`` on
:data:`TOPIC`, which the server's client subscribes to): the engine's steps and the solver's
progress stream as they do on local workers. The server cancels a job by setting the Dask
``Event`` named by :func:`cancel_name`; the task, which looks at it every
:data:`POLL_S` seconds, kills its child and the child's solver and returns ``None``.

A finished child stays with its Dask worker process, the problem loaded, for the next task
of the same server (keyed by the server's ``owner`` token), so only the first solve on each
Dask worker waits for the child's imports; the server ends them as it stops (:func:`release`).
"""

from __future__ import annotations

import contextlib
import logging
import socket
import subprocess
import sys
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from regionopt import interrupts
from regionopt.errors import RegionoptError
from regionopt.problem import ProblemData
from regionopt.server.worker import Task

log = logging.getLogger(__name__)

#: The Dask event topic of the solves' messages.
TOPIC = "regionopt-serve"
#: Seconds between two looks at the cancel event.
POLL_S = 0.2
#: Seconds a killed child may take to end.
KILL_WAIT_S = 2.0

#: Idle children of this Dask worker process, by owner (one server), problem loaded.
_IDLE: dict[str, list[Child]] = {}
_IDLE_LOCK = threading.Lock()


def cancel_name(job: str) -> str:
    """The name of the Dask ``Event`` that cancels ``job``."""
    return f"regionopt-serve-cancel-{job}"


class Child:
    """A solver process (:func:`regionopt.server.worker.serve`) of this Dask worker."""

    def __init__(self, problem: ProblemData) -> None:
        mine, theirs = socket.socketpair()
        self.process = subprocess.Popen(
            [sys.executable, "-c", "import sys; from regionopt.server.worker import serve_fd; "
             "serve_fd(int(sys.argv[1]))", str(theirs.fileno())],
            pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL)
        theirs.close()
        self.conn = Connection(mine.detach())
        self.conn.send(problem)

    def alive(self) -> bool:
        """Whether the process still runs."""
        return self.process.poll() is None

    def kill(self) -> None:
        """Kill the process and its solver; wait until they have ended (at most 2 s)."""
        interrupts.kill_tree(self.process.pid, timeout=KILL_WAIT_S)
        with contextlib.suppress(OSError):
            self.conn.close()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=KILL_WAIT_S)


def _child(owner: str, problem: ProblemData) -> Child:
    with _IDLE_LOCK:
        idle = _IDLE.get(owner, [])
        while idle:
            child = idle.pop()
            if child.alive():
                return child
    return Child(problem)


def _keep(owner: str, child: Child) -> None:
    with _IDLE_LOCK:
        _IDLE.setdefault(owner, []).append(child)


def release(owner: str) -> int:
    """End the idle children of ``owner`` in this Dask worker process (run on every worker by
    the server as it stops: ``Client.run``); how many."""
    with _IDLE_LOCK:
        idle = _IDLE.pop(owner, [])
    for child in idle:
        child.kill()
    return len(idle)


def remote_task(problem: ProblemData, task: Task, job: str, owner: str) -> dict[str, Any] | None:
    """Solve ``task`` in a child process, relaying its messages; the Dask task itself.

    Returns
    -------
    dict or None
        What :func:`regionopt.server.worker.run_task` returns; ``None`` when cancelled.

    Raises
    ------
    RegionoptError
        The solve's own error (one line), or the child ended without a word.
    """
    from distributed import Event, get_worker  # lazy: only Dask runs import distributed

    worker = get_worker()
    cancel = Event(cancel_name(job))

    def emit(kind: str, data: Any) -> None:
        worker.log_event(TOPIC, {"job": job, "kind": kind, "data": data})

    child = _child(owner, problem)
    emit("pid", child.process.pid)
    try:
        result = _run(child, task, job, emit, cancel.is_set)
    except BaseException:
        child.kill()
        raise
    if result is None:
        child.kill()
        with contextlib.suppress(Exception):
            cancel.clear()
        return None
    _keep(owner, child)
    return result


def _run(child: Child, task: Task, job: str, emit: Callable[[str, Any], None],
         cancelled: Callable[[], bool]) -> dict[str, Any] | None:
    """Send ``task`` to ``child`` and relay its messages until it answers or is cancelled."""
    if cancelled():
        return None
    child.conn.send((job, task))
    while True:
        if not child.conn.poll(POLL_S):
            if cancelled():
                return None
            if not child.alive():
                raise RegionoptError("the solver process on the Dask worker ended without "
                                     "an answer")
            continue
        try:
            said, kind, data = child.conn.recv()
        except (EOFError, OSError):
            raise RegionoptError("the solver process on the Dask worker ended without an "
                                 "answer") from None
        if said != job:
            continue  # "ready" of a fresh child, or a word of an earlier job
        if kind == "done":
            return dict(data)
        if kind == "error":
            raise RegionoptError(str(data))
        emit(kind, data)


__all__ = ["POLL_S", "TOPIC", "Child", "cancel_name", "release", "remote_task"]
