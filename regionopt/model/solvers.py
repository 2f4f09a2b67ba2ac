"""Run CBC or HiGHS on a PuLP problem and read back status, objective and bound.

PuLP's ``status == 1`` alone is not trusted: with a time limit CBC may call a
merely feasible solution "Optimal". The solution status (``sol_status``) says
whether optimality was proven, and the best bound is read from the solver
itself (CBC's log, HiGHS's ``mip_dual_bound``); where no bound is available
it is ``None``, never invented.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
import re
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulp

from regionopt.errors import SolverError, whole
from regionopt.interrupts import child_pids, deferred, kill_children, reaped_children
from regionopt.model.warmstart import load_start, read_best, stale_values, time_limit_of
from regionopt.scenario import SolverConfig

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    """What a solver run returned.

    Attributes
    ----------
    has_solution
        A feasible integer solution is loaded into the variables.
    proven
        The solver proved it optimal (within the requested gap).
    infeasible
        The solver proved that no solution exists.
    objective
        Objective of the loaded solution, or ``None``.
    bound
        Best proven lower bound, or ``None`` if unknown.
    seconds
        Wall-clock seconds in the solver.
    """

    has_solution: bool
    proven: bool
    infeasible: bool
    objective: float | None
    bound: float | None
    seconds: float

    def without_solution(self) -> Outcome:
        """Return this outcome with its solution discarded (e.g. a disconnected one)."""
        return dataclasses.replace(self, has_solution=False, proven=False, objective=None)


def run_solver(prob: pulp.LpProblem, config: SolverConfig, *, time_limit_s: float | None,
               quiet: bool, start: Mapping[pulp.LpVariable, float] | None = None) -> Outcome:
    """Solve ``prob`` with the solver named in ``config``.

    Parameters
    ----------
    prob
        The problem; its variables receive the solution.
    config
        Solver name, gap and threads.
    time_limit_s
        Seconds allowed for this run, or ``None``.
    quiet
        Hide the solver log (otherwise it goes to stderr while the solver runs).
    start
        A starting solution (see :func:`regionopt.model.warmstart.load_start`), or ``None``.

    Returns
    -------
    Outcome

    Raises
    ------
    SolverError
        If the solver is unavailable or fails without an answer.
    """
    began = time.perf_counter()
    name = "HiGHS" if config.name == "highs" else "CBC"
    limit = "no time limit" if time_limit_s is None else f"time limit {time_limit_s:.0f} s"
    log.info("%s: solving %d variables, %d constraints (%s)...", name,
             prob.numVariables(), prob.numConstraints(), limit)
    if config.name == "highs":
        out = _run_highs(prob, config, time_limit_s=time_limit_s, quiet=quiet, start=start)
    else:
        out = _run_cbc(prob, config, time_limit_s=time_limit_s, quiet=quiet, start=start)
    out = dataclasses.replace(out, seconds=time.perf_counter() - began)
    log.info("%s: %s after %.1f s", name, _describe(out), out.seconds)
    return out


def _describe(out: Outcome) -> str:
    value = "none" if out.objective is None else whole(out.objective)  # none: no objective
    if out.infeasible:
        return "no plan exists"
    if out.proven:
        return f"optimal, objective {value}"
    if out.has_solution:
        return f"stopped with a plan of objective {value}, bound {whole(out.bound)}"
    return "stopped without a plan"


def _objective(prob: pulp.LpProblem) -> float | None:
    value = pulp.value(prob.objective)
    return None if value is None else float(value)


class _Tail(threading.Thread):
    """Copy a growing log file to stderr until stopped."""

    def __init__(self, path: Path) -> None:
        super().__init__(daemon=True)
        self.path = path
        self.done = threading.Event()

    def run(self) -> None:
        while not self.path.exists() and not self.done.is_set():
            time.sleep(0.05)
        if not self.path.exists():
            return
        with self.path.open("r", errors="replace") as fh:
            while True:
                chunk = fh.read()
                if chunk:
                    sys.stderr.write(chunk)
                    sys.stderr.flush()
                elif self.done.is_set():
                    return
                else:
                    time.sleep(0.1)


_CBC_BOUND = re.compile(r"^Lower bound:\s*(\S+)", re.M)
_CBC_RESULT = re.compile(r"^Result - (.*)$", re.M)
_CBC_OBJ = re.compile(r"^Objective value:\s*(\S+)", re.M)
_CBC_INFEASIBLE = re.compile(r"^Pre-processing says infeasible", re.M)


def _run_cbc(prob: pulp.LpProblem, config: SolverConfig, *, time_limit_s: float | None,
             quiet: bool, start: Mapping[pulp.LpVariable, float] | None = None) -> Outcome:
    # CBC's model (.mps) and solution (.sol) files go to a folder of this run only, removed
    # however the run ends; an interrupt also stops the CBC process (reaped_children), and
    # a CBC that overruns its time limit by CBC_GRACE_S is stopped (_Watchdog).
    began = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="regionopt-cbc-") as tmp:
        log_path = Path(tmp) / "cbc.log"
        solver = pulp.COIN_CMD(path=cbc_path(), msg=False, logPath=str(log_path),
                               timeLimit=time_limit_s, gapRel=config.mip_gap,
                               threads=config.threads, keepFiles=False,
                               maxNodes=config.max_nodes)
        solver.tmpDir = tmp
        if start:
            load_start(solver, prob, start)
        tail = None if quiet else _Tail(log_path)
        if tail:
            tail.start()
        watchdog = _Watchdog(None if time_limit_s is None else time_limit_s + CBC_GRACE_S)
        try:
            with reaped_children(), watchdog:
                prob.solve(solver)
        except pulp.PulpSolverError as exc:
            if not watchdog.fired:
                raise SolverError(f"CBC failed: {exc}") from None
        finally:
            if tail:
                tail.done.set()
                tail.join()
        text = log_path.read_text(errors="replace") if log_path.exists() else ""
    if watchdog.fired:
        log.warning("CBC overran its time limit of %.0f s by %.0f s and was stopped",
                    time_limit_s, CBC_GRACE_S)
        return Outcome(False, False, False, None, None, 0.0)
    limited = time_limit_s is not None and (
        "Stopped on time" in text or "maximum time" in text
        or time.monotonic() - began >= time_limit_s)
    return _cbc_outcome(prob, text, config, limited=limited)


#: Seconds CBC may run past its time limit (reading the model, pre-processing, writing the
#: solution do not check the clock) before regionopt stops it.
CBC_GRACE_S = 10.0


class _Watchdog:
    """Stop the child processes started inside the block once ``seconds`` have passed."""

    def __init__(self, seconds: float | None) -> None:
        self.seconds = seconds
        self.fired = False
        self._timer: threading.Timer | None = None
        self._keep: frozenset[int] = frozenset()

    def _fire(self) -> None:
        self.fired = True
        kill_children(keep=self._keep)

    def __enter__(self) -> _Watchdog:
        if self.seconds is not None:
            self._keep = child_pids()
            self._timer = threading.Timer(self.seconds, self._fire)
            self._timer.daemon = True
            self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._timer is not None:
            self._timer.cancel()


def cbc_path() -> str:
    """Return the CBC executable: cbcbox's, PuLP's bundled one, or ``cbc`` on the PATH.

    Raises
    ------
    SolverError
        If none is found.
    """
    try:
        import cbcbox  # lazy: only PuLP >= 4 needs it, which no longer bundles CBC

        return str(cbcbox.cbc_bin_path())
    except (ImportError, AttributeError):
        pass
    from pulp.apis import coin_api  # lazy: only CBC runs need PuLP's CBC wrapper

    bundled = coin_api.COIN_CMD.executableExtension(coin_api.pulp_cbc_path)
    if os.path.isfile(bundled) and os.access(bundled, os.X_OK):
        return bundled
    found = shutil.which("cbc")
    if found:
        return found
    raise SolverError("CBC is not available: pip install cbcbox, or install the cbc program")


def _cbc_outcome(prob: pulp.LpProblem, text: str, config: SolverConfig, *,
                 limited: bool = False) -> Outcome:
    """Read CBC's answer; ``limited`` says the run stopped at (or past) its time limit."""
    sol = prob.sol_status
    result = (_CBC_RESULT.findall(text) or [""])[-1]
    # "Integer infeasible" in CBC's solution file (e.g. pre-processing proved it) gives
    # PuLP status -1 with sol_status "no solution found"; the model cannot be unbounded
    # (every variable is non-negative, every cost too), so "infeasible or unbounded" is
    # infeasible -- but only when CBC finished: pre-processing cut short by the time limit
    # also says "infeasible or unbounded" (CBC 2.10), which proves nothing.
    lp_infeasible = result.startswith("Linear relaxation infeasible")
    claims = (sol == pulp.LpSolutionInfeasible or prob.status == pulp.LpStatusInfeasible
              or _CBC_INFEASIBLE.search(text) is not None
              or result.startswith("Problem proven infeasible"))
    if lp_infeasible or (claims and not limited):
        return Outcome(False, False, True, None, None, 0.0)
    if claims:
        log.info("CBC stopped on its time limit saying infeasible; not taken as a proof")
        return Outcome(False, False, False, None, None, 0.0)
    has = sol in (pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible)
    proven = sol == pulp.LpSolutionOptimal and result.startswith("Optimal")
    bound: float | None = None
    found = _CBC_BOUND.findall(text)
    if found:
        try:
            bound = float(found[-1])
        except ValueError:
            bound = None
    objective = _objective(prob) if has else None
    if bound is None and proven and config.mip_gap == 0 and objective is not None:
        bound = objective  # CBC proved optimality at gap 0 and prints no separate bound
    if bound is None and not has:
        log.info("CBC stopped without a solution (%s)", result or "no result line")
    return Outcome(has, proven, False, objective, bound, 0.0)


def _run_highs(prob: pulp.LpProblem, config: SolverConfig, *, time_limit_s: float | None,
               quiet: bool, start: Mapping[pulp.LpVariable, float] | None = None) -> Outcome:
    try:
        import highspy  # lazy: only HiGHS runs load its native library
    except ImportError:
        raise SolverError("HiGHS is not available: pip install highspy") from None
    # a node limit is HiGHS's own work, not the clock: with one thread and the same options
    # HiGHS stops at the same node on an idle and on a loaded machine
    nodes = {} if config.max_nodes is None else {"mip_max_nodes": config.max_nodes}
    solver = _InterruptibleHiGHS(msg=not quiet, timeLimit=time_limit_s, gapRel=config.mip_gap,
                                 threads=config.threads, **nodes)
    solver.start = start
    solver.began = time.perf_counter()
    if not solver.available():
        raise SolverError("HiGHS is not available through PuLP: pip install highspy")
    # HiGHS keeps one task scheduler per process, sized by the first run's thread count;
    # a later run asking for another count fails unless the scheduler is reset first.
    highspy.Highs.resetGlobalScheduler(True)
    try:
        prob.solve(solver)
        if start and stale_values(prob) and read_best(prob, solver.best):
            # HiGHS (seen with 1.16) can end a MIP with a start set by setSolution and hand
            # back the start's column values beside the better objective it found; the plan
            # it found is the last one its improving-solution callback passed
            log.info("HiGHS: the solution read back is the start; the plan read is the "
                     "last improving solution HiGHS reported, of the objective it reports")
        elif start and stale_values(prob) and not _proven(prob):
            # as above, stopped by a limit, and no improving solution matches: the plan is
            # the start, its objective the start's (read from its values), the bound HiGHS's
            log.info("HiGHS: the solution read back is the start and no improving solution "
                     "HiGHS reported matches the objective it reports (%s columns); the plan "
                     "is the start", "none" if solver.best is None else len(solver.best))
        elif start and stale_values(prob):
            # as above, proven optimal: solved again without the start
            log.info("HiGHS: the solution read back is the start, not the optimum it proved; "
                     "solving again without the start")
            solver.start = None
            highspy.Highs.resetGlobalScheduler(True)
            prob.solve(solver)
    except pulp.PulpSolverError as exc:
        raise SolverError(f"HiGHS failed: {exc}") from None
    h = prob.solverModel
    status = h.getModelStatus()
    info = h.getInfo()
    ms = highspy.HighsModelStatus
    if status in (ms.kNotset, ms.kLoadError, ms.kModelError, ms.kPresolveError,
                  ms.kSolveError, ms.kPostsolveError):
        raise SolverError(f"HiGHS failed: {h.modelStatusToString(status)}")
    if status in (ms.kInfeasible, ms.kUnboundedOrInfeasible):
        return Outcome(False, False, True, None, None, 0.0)
    has = info.primal_solution_status == 2  # kSolutionStatusFeasible
    proven = status == ms.kOptimal and has
    dual = float(info.mip_dual_bound)
    bound = dual if abs(dual) < float("inf") else None
    return Outcome(has, proven, False, _objective(prob) if has else None, bound, 0.0)


def _proven(prob: pulp.LpProblem) -> bool:
    import highspy  # lazy: only HiGHS runs load its native library

    return bool(prob.solverModel.getModelStatus() == highspy.HighsModelStatus.kOptimal)


class _InterruptibleHiGHS(pulp.HiGHS):
    """PuLP's HiGHS, run in a thread so that Ctrl-C and SIGTERM cancel it at once.

    HiGHS runs in this process; run directly, it would hold the main thread until its time
    limit, and signals would wait for it. Without ``msg`` its start-up banner is hidden too.
    A starting solution in ``start`` is loaded between building and running. The time limit
    counts from ``began`` (set when the run starts, before PuLP hands the model to HiGHS):
    passing a national model row by row, and completing the start, take tens of seconds that
    HiGHS's own clock would not see.
    """

    start: Mapping[pulp.LpVariable, float] | None = None
    began: float | None = None
    #: With a start: the columns of the last improving solution HiGHS reported.
    best: list[float] | None = None

    def createAndConfigureSolver(self, lp: pulp.LpProblem) -> None:  # noqa: N802 - PuLP name
        if self.msg:
            super().createAndConfigureSolver(lp)
            return
        with _stdout_silenced():
            super().createAndConfigureSolver(lp)

    def findSolutionValues(self, lp: pulp.LpProblem) -> tuple[int, int]:  # noqa: N802
        import highspy  # lazy: only HiGHS runs load its native library

        h = lp.solverModel
        if h.getModelStatus() != highspy.HighsModelStatus.kSolutionLimit:
            return super().findSolutionValues(lp)
        # PuLP (3.3) knows no "solution limit", the status HiGHS ends a run with at
        # mip_max_nodes: its values are read as at a time limit (the status is read again
        # from HiGHS itself in _run_highs)
        lp.solverModel = _AtTimeLimit(h)
        try:
            return super().findSolutionValues(lp)
        finally:
            lp.solverModel = h

    def _keep_best(self, event: Any) -> None:
        self.best = [float(v) for v in event.data_out.mip_solution]

    def callSolver(self, lp: pulp.LpProblem) -> None:  # noqa: N802 - PuLP name
        h = lp.solverModel
        began = time.perf_counter() if self.began is None else self.began
        self.best = None
        if self.start:
            load_start(h, lp, self.start)
            h.cbMipImprovingSolution.subscribe(self._keep_best)
        limit = time_limit_of(h)
        if limit < float("inf"):
            h.setOptionValue("time_limit", max(1.0, limit - (time.perf_counter() - began)))
        h.HandleUserInterrupt = True
        # A signal while HiGHS runs only cancels it (deferred): raised inside startSolve or
        # the wait, it would leave HiGHS's threads running while the process exits, and
        # their destructors abort it ("terminate called without an active exception").
        with deferred(h.cancelSolve):
            thread = h.startSolve()
            try:
                while thread.is_alive():
                    thread.join(0.1)
            except BaseException:
                h.cancelSolve()
                thread.join()
                raise


class _AtTimeLimit:
    """A ``highspy.Highs`` seen as stopped at its time limit (for PuLP's status table)."""

    def __init__(self, h: Any) -> None:
        self._h = h

    def __getattr__(self, name: str) -> Any:
        return getattr(self._h, name)

    def getModelStatus(self) -> Any:  # noqa: N802 - highspy's name
        import highspy  # lazy: only HiGHS runs load its native library

        return highspy.HighsModelStatus.kTimeLimit


@contextlib.contextmanager
def _stdout_silenced() -> Iterator[None]:
    """Send file descriptor 1 to the null device for the block (HiGHS prints from C++)."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 1)
            yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def lp_solver(*, threads: int, time_limit_s: float | None = None) -> pulp.LpSolver:
    """Return HiGHS set up for a linear relaxation: silent (no banner) and interruptible.

    The thread count may differ from the last run's, so HiGHS's scheduler is reset (as
    before every MIP run).
    """
    import highspy  # lazy: only HiGHS runs load its native library

    highspy.Highs.resetGlobalScheduler(True)
    solver = _InterruptibleHiGHS(mip=False, msg=False, threads=threads, timeLimit=time_limit_s)
    solver.began = time.perf_counter()
    return solver


def small_mip_solver(*, threads: int, time_limit_s: float | None = None) -> pulp.LpSolver:
    """Return HiGHS set up for a small side MIP: silent (no banner) and interruptible."""
    import highspy  # lazy: only HiGHS runs load its native library

    highspy.Highs.resetGlobalScheduler(True)
    solver = _InterruptibleHiGHS(mip=True, msg=False, threads=threads, timeLimit=time_limit_s)
    solver.began = time.perf_counter()
    return solver


def solver_names() -> list[str]:
    """Return the solvers usable here, of ``cbc`` and ``highs``."""
    names = []
    try:
        cbc_path()
        names.append("cbc")
    except SolverError:
        pass
    if pulp.HiGHS(msg=False).available():
        names.append("highs")
    return names

