"""Stop cleanly on Ctrl-C and SIGTERM: no solver process or temporary file outlives a run.

:func:`install_handlers` makes SIGTERM raise :class:`Terminated` (SIGINT already
raises ``KeyboardInterrupt``), so every ``finally`` block and context manager
runs: staged output folders and solver temp folders are removed, the previous
output folder is left untouched. :func:`reaped_children` kills the child
processes a block started (CBC, Dask workers) when the block is left by an
exception, and :func:`kill_children` kills every remaining child of this
process, which the command line does before it exits on a signal.

Only the first signal raises; later ones are ignored so the clean-up runs to its
end, and for ``python -m regionopt`` :data:`DEADLINE_S` after it the process ends whatever
happens meanwhile. While native work runs in a thread of this process (a HiGHS solve), the
signal is held (:func:`deferred`): the work is cancelled and the exception raised once it has
stopped, so no native thread outlives the interpreter. ``python -m regionopt`` ends a stopped
command with :func:`exit_now` once it has cleaned up. A pool's workers
(:func:`install_worker_handlers`) stop their solvers and exit on a signal, passing it on to the
parent, which then stops every other worker (:func:`stop_pool`): a signal to any process of a
run ends all of it.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from types import FrameType, TracebackType
from typing import NoReturn

import psutil

log = logging.getLogger(__name__)

#: Exit codes of a command stopped by SIGINT (Ctrl-C) and SIGTERM, as a shell reports them.
EXIT_SIGINT = 130
EXIT_SIGTERM = 143


class Terminated(BaseException):
    """Raised in the main thread when the process receives SIGTERM."""


# Inside :func:`deferred` blocks (main thread only): what cancels the native work now
# running, and the signal that arrived meanwhile.
_cancels: list[Callable[[], object]] = []
_pending: list[int] = []
# The signals received since the handlers were installed.
_received: list[int] = []


def received() -> int | None:
    """The first signal received since :func:`install_handlers`, or ``None``.

    A library may turn the exception a signal raised into one of its own (Dask's cluster
    start-up does); the command line then still ends as interrupted.
    """
    return _received[0] if _received else None


def _raise_for(signum: int) -> NoReturn:
    if signum == signal.SIGINT:
        raise KeyboardInterrupt
    raise Terminated()


def _on_signal(signum: int, frame: FrameType | None) -> None:
    # Once stopping, further signals are ignored: a sweep's workers pass theirs on, and a
    # second exception raised inside the clean-up would cut it short and orphan processes.
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, signal.SIG_IGN)
    _received.append(signum)
    _arm_deadline(signum)
    if _cancels:
        # native code (a HiGHS solve) runs in another thread of this process: an exception
        # now would leave it running while the process exits, and its threads' destructors
        # abort ("terminate called without an active exception"). Ask it to stop; the
        # block raises once it has.
        _pending.append(signum)
        for cancel in _cancels:
            cancel()
        return
    _raise_for(signum)


#: Seconds after the first signal by which the process ends, cleaned up or not.
DEADLINE_S = 8.0
# Only a process that is the command line (python -m regionopt) ends by itself; a notebook
# or a test calling the command line in its own process must not.
_deadline: list[bool] = [False]


def enable_deadline() -> None:
    """End this process :data:`DEADLINE_S` after the first signal (the command line's own).

    Also keeps the signal's own exception quiet where Python cannot pass it on (raised
    inside a C callback or a finaliser, it is "ignored" with a traceback on stderr, see
    :func:`quiet_unraisable`; printed by a C extension that clears it, pyreadr's parser of
    the commuting ``.rds``, see :func:`quiet_excepthook`): the command still ends by the
    signal, on its exit code and within the deadline.
    """
    _deadline[0] = True
    sys.unraisablehook = quiet_unraisable
    sys.excepthook = quiet_excepthook


def quiet_unraisable(unraisable: sys.UnraisableHookArgs) -> None:
    """Drop the signal's own exception when Python could not raise it; print any other."""
    if isinstance(unraisable.exc_value, KeyboardInterrupt | Terminated):
        return
    sys.__unraisablehook__(unraisable)


def quiet_excepthook(kind: type[BaseException], value: BaseException,
                     tb: TracebackType | None) -> None:
    """Drop the signal's own exception once a signal was received; print any other.

    A C extension that prints an exception and clears it (``PyErr_Print``) goes through
    ``sys.excepthook``; before any signal, or for any other exception, Python's own hook
    prints it as always.
    """
    if received() is not None and isinstance(value, KeyboardInterrupt | Terminated):
        return
    sys.__excepthook__(kind, value, tb)


def _arm_deadline(signum: int) -> None:
    """End the process :data:`DEADLINE_S` after the signal whatever happens meanwhile.

    The exception raised by the signal normally ends the command within a second; but a
    library may swallow it (a bare ``except:`` around an import, an exception ignored in a
    callback) or the clean-up may wait on something that never comes. A daemon timer then
    kills the children and ends the process with 130 or 143.
    """
    if not _deadline[0]:
        return
    timer = threading.Timer(DEADLINE_S, _past_deadline, args=(signum,))
    timer.daemon = True
    timer.start()


def _past_deadline(signum: int) -> None:
    with contextlib.suppress(Exception):
        for p in _children():
            with contextlib.suppress(psutil.Error):
                p.kill()
    with contextlib.suppress(Exception):
        sys.stderr.write("regionopt: stopped\n")
        sys.stderr.flush()
    os._exit(EXIT_SIGINT if signum == signal.SIGINT else EXIT_SIGTERM)


@contextlib.contextmanager
def deferred(cancel: Callable[[], object]) -> Iterator[None]:
    """Hold the first signal's exception until the block ends; call ``cancel`` at once.

    For native work run in a thread of this process (a HiGHS solve): on SIGINT or SIGTERM
    ``cancel`` is called (it must only set a flag), the block waits for the work to stop,
    and ``KeyboardInterrupt`` or :class:`Terminated` is raised when it ends. Outside the main
    thread, or with :func:`install_handlers` not in force, the block runs unchanged.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    _cancels.append(cancel)
    try:
        if _pending:  # the signal came before the block: stop before starting
            cancel()
        yield
    finally:
        _cancels.remove(cancel)
    if _pending and not _cancels:
        _raise_for(_pending.pop())


def catch(signum: int, handler: Callable[[int, FrameType | None], object]) -> None:
    """Handle ``signum`` with ``handler``, unless this process was started ignoring it.

    A program started with SIGINT ignored (in the background of a shell without job
    control, under ``nohup``-like launchers) keeps ignoring it, as Python itself and every
    Unix tool do: catching it would only make it work after the first tens of
    milliseconds, a window in which the signal is lost while the command runs on.
    A handler already in place is replaced; only ``SIG_IGN`` is kept.
    """
    if signal.getsignal(signum) is not signal.SIG_IGN:
        signal.signal(signum, handler)


def install_handlers() -> None:
    """Make SIGTERM raise :class:`Terminated` and SIGINT raise ``KeyboardInterrupt``.

    Only the first signal raises: from then on SIGTERM and SIGINT are ignored, so that
    the clean-up (stopping solvers and workers, removing temporary files) runs to its end.
    The command line restores the previous handlers when the command returns. A signal
    the process was started ignoring stays ignored (:func:`catch`).
    """
    _pending.clear()
    _received.clear()
    catch(signal.SIGTERM, _on_signal)
    catch(signal.SIGINT, _on_signal)


def exit_now(code: int) -> NoReturn:
    """End the process with ``code`` at once, once a stopped command has cleaned up.

    Used by ``python -m regionopt`` after an interrupt: every ``finally`` block has run and
    every child process is stopped (:func:`kill_children`), but the interpreter's own exit
    could still wait on a thread of a pool whose workers were killed. The streams are
    flushed and the logging handlers closed first.
    """
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(code)


def _exit_at_once(signum: int, frame: FrameType | None) -> None:
    os._exit(EXIT_SIGINT if signum == signal.SIGINT else EXIT_SIGTERM)


def exit_on_signal() -> None:
    """From now on, SIGINT or SIGTERM ends the process at once (130 or 143), nothing raised.

    For the moments after a command has finished and cleaned up, while the interpreter exits:
    an exception there would print a traceback from an exit handler.
    """
    catch(signal.SIGTERM, _exit_at_once)
    catch(signal.SIGINT, _exit_at_once)


def _children() -> list[psutil.Process]:
    """This process's children (recursively), except multiprocessing's resource tracker.

    The tracker ignores SIGTERM, ends by itself when this process does, and killed early
    it prints tracebacks about the semaphores it could not release.
    """
    try:
        kids = psutil.Process(os.getpid()).children(recursive=True)
    except psutil.Error:
        return []
    return [p for p in kids if not _is_resource_tracker(p)]


def _is_resource_tracker(proc: psutil.Process) -> bool:
    try:
        return any("multiprocessing.resource_tracker" in part for part in proc.cmdline())
    except psutil.Error:
        return False


def _running(proc: psutil.Process) -> bool:
    try:
        return proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def _wait_ended(procs: list[psutil.Process], timeout: float) -> list[psutil.Process]:
    """Wait up to ``timeout`` s for ``procs`` to end; return those still running.

    An ended child of this process is left to its owner to reap (a zombie until then), never
    reaped here: ``multiprocessing`` learns that a pool worker ended only from its own
    ``waitpid``, and a worker reaped by anyone else looks alive to it for ever (the
    process pool's manager thread would then spin at the interpreter's exit, which waits
    for it: a test session that aborted a pool never ended).
    """
    deadline = time.monotonic() + timeout
    alive = [p for p in procs if _running(p)]
    while alive and time.monotonic() < deadline:
        time.sleep(0.05)
        alive = [p for p in alive if _running(p)]
    return alive


def kill_tree(pid: int, *, timeout: float) -> None:
    """Kill process ``pid`` and its descendants now (SIGKILL); wait up to ``timeout`` s.

    The processes are not reaped (:func:`_wait_ended`): the owner of ``pid`` (a
    ``multiprocessing.Process``, a ``subprocess.Popen``) reaps it with its own ``join`` or
    ``wait``, which then returns at once.
    """
    procs: list[psutil.Process] = []
    with contextlib.suppress(psutil.Error):
        me = psutil.Process(pid)
        procs = [*me.children(recursive=True), me]
    for p in procs:
        with contextlib.suppress(psutil.Error):
            p.kill()
    _wait_ended(procs, timeout)


def kill_children(*, keep: frozenset[int] = frozenset(), timeout: float = 5.0) -> list[int]:
    """Kill this process's child processes (recursively), except the pids in ``keep``.

    Each is sent SIGTERM, then SIGKILL if it has not ended after ``timeout`` seconds.

    Returns
    -------
    list of int
        The pids that were signalled.
    """
    procs = [p for p in _children() if p.pid not in keep]
    for p in procs:
        with contextlib.suppress(psutil.Error):
            p.terminate()
    alive = _wait_ended(procs, timeout)
    for p in alive:
        with contextlib.suppress(psutil.Error):
            p.kill()
    _wait_ended(alive, timeout)
    if procs:
        log.info("stopped %d child process(es): %s", len(procs),
                 ", ".join(str(p.pid) for p in procs))
    return [p.pid for p in procs]


@contextlib.contextmanager
def reaped_children() -> Iterator[None]:
    """Kill the child processes started inside the block if it is left by an exception."""
    before = child_pids()
    try:
        yield
    except BaseException:
        kill_children(keep=before)
        raise


def _worker_exit(signum: int, frame: FrameType | None) -> None:
    # A pool worker has nothing to save (the parent writes every file): stop its solvers
    # (CBC children), pass the signal on to the parent (the sweep), which stops the other
    # workers, and end at once, HiGHS threads included. No logging here: a signal handler
    # must not wait for a lock the interrupted code may hold.
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, signal.SIG_IGN)
    procs = _children()
    for p in procs:
        with contextlib.suppress(psutil.Error):
            p.terminate()
    alive = _wait_ended(procs, 2.0)
    for p in alive:
        with contextlib.suppress(psutil.Error):
            p.kill()
    with contextlib.suppress(OSError):
        os.kill(os.getppid(), signum)
    os._exit(EXIT_SIGTERM if signum == signal.SIGTERM else EXIT_SIGINT)


def install_worker_handlers() -> None:
    """In a pool worker process: on SIGTERM or SIGINT, kill its children and exit at once.

    The signal is passed on to the parent, so a signal to any process of a sweep stops
    the whole sweep (see :func:`stop_pool`).
    """
    catch(signal.SIGTERM, _worker_exit)
    catch(signal.SIGINT, _worker_exit)


def stop_pool(keep: frozenset[int]) -> None:
    """Stop the pool workers (children not in ``keep``) and their solvers, now.

    SIGTERM and SIGINT are ignored meanwhile (in the main thread): the workers pass
    the signal they get on to this process, which is already stopping.
    """
    main = threading.current_thread() is threading.main_thread()
    old = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)} if main else {}
    for sig in old:
        signal.signal(sig, signal.SIG_IGN)
    try:
        kill_children(keep=keep, timeout=3.0)
    finally:
        for sig, handler in old.items():
            signal.signal(sig, handler)


def child_pids() -> frozenset[int]:
    """Return the pids of this process's children (recursively)."""
    return frozenset(p.pid for p in _children())


__all__ = ["DEADLINE_S", "EXIT_SIGINT", "EXIT_SIGTERM", "Terminated", "catch", "child_pids",
           "deferred", "enable_deadline", "exit_now", "exit_on_signal", "install_handlers",
           "install_worker_handlers", "kill_children", "kill_tree", "quiet_excepthook",
           "quiet_unraisable", "reaped_children", "received", "stop_pool"]
