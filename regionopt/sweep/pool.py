"""One pool for all parallel work: tasks run serially, on local processes or on Dask.

Sweeps, calibration, the frontier, the options and the atlas all hand their tasks to a
:class:`Pool`. A task is ``fn(*shared, *args)``: ``shared`` (the travel-time problem, a
scenario, ...) goes to each worker once, through the process pool's initializer or with
``client.scatter(..., broadcast=True)`` on Dask; ``args`` are the task's own. Results come
back as the tasks finish (:meth:`Pool.results`), and more tasks may be submitted meanwhile
(the frontier's chains start each point from the plan just found; run serially, a task
submitted while a result is handled runs next).

Where the tasks run:

* ``scheduler=None, workers=1``: in this process, one after the other, in submission order;
* ``scheduler=None, workers>1``: on that many spawned local processes (spawn, not fork: the
  parent may hold threads), each with :func:`~regionopt.interrupts.install_worker_handlers`;
* ``scheduler="local"``: on a Dask ``LocalCluster`` of ``workers`` single-threaded worker
  processes started (and stopped) by the pool; ``scheduler="tcp://HOST:PORT"`` or a
  ``distributed.Client``: on that Dask scheduler.

Interrupts: a pool left by an exception (SIGINT, SIGTERM, an error, a consumer that stops)
stops at once: its worker processes and their solvers are killed, a Dask scheduler's tasks
are cancelled, a ``LocalCluster``'s processes are killed, and the executor is never waited
for (a broken process pool can hang its shutdown). A worker that dies stops the run as a
signal would (:class:`~regionopt.interrupts.Terminated`).
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import re
from collections import deque
from collections.abc import Callable, Generator, Hashable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from types import TracebackType
from typing import TYPE_CHECKING, Any

from tqdm.auto import tqdm

from regionopt import interrupts
from regionopt.errors import ScenarioError

if TYPE_CHECKING:
    # lazy: dask's distributed is heavy and only Dask runs need it
    from distributed import Client

log = logging.getLogger(__name__)

#: The ``--scheduler`` value that starts a Dask ``LocalCluster`` for the run.
LOCAL = "local"

# What a worker process received from the pool initializer: the task function and the
# shared arguments.
_WORKER: tuple[Callable[..., Any], tuple[Any, ...]] | None = None


def _init_worker(fn: Callable[..., Any], shared: tuple[Any, ...]) -> None:
    """Process-pool initializer: keep the task and what it shares; a signal ends the worker."""
    global _WORKER
    interrupts.install_worker_handlers()
    _WORKER = (fn, shared)


def _call(args: tuple[Any, ...]) -> Any:
    if _WORKER is None:  # pragma: no cover - the initializer always ran
        raise RuntimeError("pool worker started without its task")
    fn, shared = _WORKER
    return fn(*shared, *args)


def check_scheduler(scheduler: str | Client | None) -> None:
    """Refuse a ``--scheduler`` that is neither an address, ``local`` nor a Client.

    Raises
    ------
    ScenarioError
        Naming the value.
    """
    if scheduler is None or scheduler == LOCAL or not isinstance(scheduler, str):
        return
    if not re.fullmatch(r"(tcp|tls|inproc)://\S+", scheduler):
        raise ScenarioError(f"--scheduler {scheduler!r}: expected an address tcp://HOST:PORT, "
                            f"{LOCAL!r} (a Dask LocalCluster) or a dask.distributed.Client")


def dask_client(scheduler: str | Client, *, workers: int = 2) -> tuple[Client, Any, bool]:
    """Return ``(client, cluster, owned)`` for ``scheduler``.

    ``cluster`` is the ``LocalCluster`` started for ``"local"`` (else ``None``); ``owned``
    says whether the caller must close the client.

    Raises
    ------
    ScenarioError
        If the scheduler is not an address, ``local`` or a Client, or cannot be reached.
    """
    try:
        # lazy: dask's distributed is heavy and only Dask runs need it
        from distributed import Client, LocalCluster
    except ImportError:  # pragma: no cover - a declared dependency
        raise ScenarioError("--scheduler needs dask.distributed: pip install distributed") from None
    if isinstance(scheduler, Client):
        return scheduler, None, False
    if not isinstance(scheduler, str):
        raise ScenarioError(f"--scheduler {scheduler!r}: expected an address tcp://HOST:PORT "
                            "or a dask.distributed.Client")
    check_scheduler(scheduler)
    if scheduler == LOCAL:
        # loopback only; its HTTP server on a free port (8787 may be another cluster's); its
        # processes' own logs silenced below CRITICAL: a task's error reaches the command as
        # an exception, and a cluster stopped by a signal would otherwise print the workers'
        # tracebacks of their closed connections (heartbeats to the scheduler) on stderr
        cluster = LocalCluster(n_workers=max(1, workers), threads_per_worker=1, processes=True,
                               host="127.0.0.1", dashboard_address="127.0.0.1:0",
                               silence_logs=logging.CRITICAL)
        try:
            return Client(cluster), cluster, True
        except BaseException:
            cluster.close()
            raise
    try:
        return Client(scheduler, timeout=30), None, True
    except OSError as exc:
        raise ScenarioError(f"--scheduler {scheduler}: cannot connect ({exc})") from None


@contextlib.contextmanager
def _dask_log(level: int) -> Iterator[None]:
    """Dask's loggers (``distributed``) at ``level`` for the block."""
    # lazy: dask's distributed is heavy; imported first, as its import sets these levels
    import distributed  # noqa: F401

    logger = logging.getLogger("distributed")
    old = logger.level
    logger.setLevel(level)
    try:
        yield
    finally:
        logger.setLevel(old)


def is_parallel(scheduler: str | Client | None, workers: int) -> bool:
    """Whether several tasks run at once (then each solve should use one solver thread)."""
    return scheduler is not None or workers > 1


class Pool:
    """Run ``fn(*shared, *args)`` tasks serially, on local processes or on Dask.

    Use as a context manager; see the module notes.

    Parameters
    ----------
    fn
        The task, a module-level function (it is pickled by name).
    shared
        Arguments every task begins with, sent to each worker once.
    scheduler
        ``None`` (local), ``"local"`` (a Dask LocalCluster), a Dask scheduler address or a
        ``distributed.Client``.
    workers
        Local worker processes (``1``: in this process); the LocalCluster's size.
    size
        How many tasks at most will run (no more processes are started than that).
    what
        The run's name, for the log, Dask's task keys and the progress bar.
    progress
        Show a progress bar of ``total`` tasks (unit ``unit``).
    """

    def __init__(self, fn: Callable[..., Any], shared: Sequence[Any] = (), *,
                 scheduler: str | Client | None = None, workers: int = 1,
                 size: int | None = None, what: str = "tasks", progress: bool = False,
                 total: int | None = None, unit: str = "task") -> None:
        if workers < 1:
            raise ScenarioError(f"max_workers={workers}: need at least one worker")
        self.fn, self.shared, self.what = fn, tuple(shared), what
        self.scheduler = scheduler
        self.workers = workers if size is None else max(1, min(workers, size))
        self.mode = ("serial" if scheduler is None and self.workers == 1
                     else "processes" if scheduler is None else "dask")
        self._bar = tqdm(total=total, disable=not progress, desc=what, unit=unit)
        self._queue: deque[tuple[Hashable, tuple[Any, ...]]] = deque()
        self._pending: dict[Any, tuple[int, Hashable]] = {}
        self._count = 0
        self._handling = False
        self._before: frozenset[int] = frozenset()
        self._executor: ProcessPoolExecutor | None = None
        self._client: Any = None
        self._cluster: Any = None
        self._owned = False
        self._scattered: list[Any] = []
        # a LocalCluster's scheduler runs in this process: its log stays out of the command's
        self._quiet = contextlib.ExitStack()

    @property
    def parallel(self) -> bool:
        """Whether several tasks run at once."""
        return self.mode != "serial"

    # ------------------------------------------------------------------ life cycle

    def __enter__(self) -> Pool:
        self._before = interrupts.child_pids()
        try:
            if self.mode == "processes":
                ctx = multiprocessing.get_context("spawn")
                self._executor = ProcessPoolExecutor(
                    max_workers=self.workers, mp_context=ctx, initializer=_init_worker,
                    initargs=(self.fn, self.shared))
            elif self.mode == "dask":
                assert self.scheduler is not None
                if self.scheduler == LOCAL:
                    self._quiet.enter_context(_dask_log(logging.ERROR))
                self._client, self._cluster, self._owned = dask_client(
                    self.scheduler, workers=self.workers)
                self._scattered = [self._client.scatter(x, broadcast=True, hash=False)
                                   for x in self.shared]
        except BaseException:
            self.abort()
            raise
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if kind is None and not self._pending and not self._queue:
            self.close()
        else:
            self.abort()

    def close(self) -> None:
        """End a pool whose tasks have all finished: workers end, a LocalCluster closes."""
        self._bar.close()
        if self._executor is not None:
            self._executor.shutdown(wait=True)
            self._executor = None
        if self._client is not None:
            with contextlib.suppress(Exception):
                self._client.cancel(self._scattered)
            if self._owned:
                self._client.close()
            if self._cluster is not None:
                self._cluster.close()
            self._client = self._cluster = None
        self._quiet.close()

    def abort(self) -> None:
        """Stop now: kill the workers and their solvers, cancel Dask's tasks; never wait."""
        self._bar.close()
        if self.scheduler == LOCAL:
            # the LocalCluster's workers are about to be killed: not a word of it, to the end
            # (nor from asyncio: a nanny stopped while it started leaves a task whose error
            # asyncio logs as "never retrieved", with a traceback, when it is collected)
            self._quiet.pop_all()
            for name in ("distributed", "asyncio"):
                logging.getLogger(name).setLevel(logging.CRITICAL + 1)
        futures = list(self._pending)
        self._pending.clear()
        self._queue.clear()
        if self._client is not None and futures + self._scattered:
            # a remote scheduler's tasks are cancelled; the connection is not waited for
            with contextlib.suppress(Exception):
                self._client.cancel(futures + self._scattered, force=True)
        if self.mode != "serial":
            # the workers (a LocalCluster's too) and their solvers, at once
            interrupts.stop_pool(self._before)
        if self._executor is not None:
            # never wait on an executor whose workers were killed: its shutdown can hang
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None
        if self._client is not None:
            with contextlib.suppress(Exception):
                if self._owned:
                    self._client.close(timeout=2)
            with contextlib.suppress(Exception):
                if self._cluster is not None:
                    self._cluster.close(timeout=2)
            self._client = self._cluster = None

    # ------------------------------------------------------------------ tasks

    def submit(self, key: Hashable, *args: Any) -> None:
        """Queue the task ``fn(*shared, *args)``; its result comes back with ``key``."""
        self._count += 1
        if self.mode == "serial":
            # depth first, as the chains of the frontier were solved: a task submitted
            # while a result is handled runs next
            (self._queue.appendleft if self._handling else self._queue.append)((key, args))
        elif self.mode == "processes":
            assert self._executor is not None
            self._pending[self._executor.submit(_call, args)] = (self._count, key)
        else:
            fut = self._client.submit(self.fn, *self._scattered, *args,
                                      key=f"regionopt-{self.what}-{key}", pure=False)
            self._pending[fut] = (self._count, key)

    def results(self) -> Iterator[tuple[Hashable, Any]]:
        """Yield ``(key, result)`` as tasks finish, until none is left (see the notes)."""
        while self._queue or self._pending:
            if self.mode == "serial":
                key, args = self._queue.popleft()
                result = self.fn(*self.shared, *args)
                self._handling = True
                try:
                    yield key, result
                finally:
                    self._handling = False
                self._bar.update(1)
                continue
            for fut in sorted(self._first_done(), key=lambda f: self._pending[f][0]):
                _, key = self._pending.pop(fut)
                try:
                    result = fut.result()
                except BrokenProcessPool:
                    # a worker was killed or stopped by a signal: stop the run as if this
                    # process had been (the tasks finished so far are kept for resume)
                    log.warning("%s: a worker process ended while working on %s; stopping",
                                self.what, key)
                    raise interrupts.Terminated() from None
                yield key, result
                self._bar.update(1)

    def _first_done(self) -> set[Any]:
        if self.mode == "processes":
            return wait(list(self._pending), return_when=FIRST_COMPLETED)[0]
        # lazy: dask's distributed is heavy and only Dask runs need it
        from distributed import wait as dask_wait

        return set(dask_wait(list(self._pending), return_when="FIRST_COMPLETED").done)


def run_tasks(fn: Callable[..., Any], items: Sequence[tuple[Hashable, tuple[Any, ...]]], *,
              shared: Sequence[Any] = (), scheduler: str | Client | None = None,
              workers: int = 1, what: str = "tasks", progress: bool = False,
              unit: str = "task") -> Generator[tuple[Hashable, Any], None, None]:
    """Run every ``(key, args)`` of ``items`` on a :class:`Pool`; yield ``(key, result)``.

    Close the generator (or exhaust it) to end the pool; left early it stops at once.
    """
    with Pool(fn, shared, scheduler=scheduler, workers=workers, size=len(items), what=what,
              progress=progress, total=len(items), unit=unit) as pool:
        for key, args in items:
            pool.submit(key, *args)
        yield from pool.results()


__all__ = ["LOCAL", "Pool", "check_scheduler", "dask_client", "is_parallel", "run_tasks"]

