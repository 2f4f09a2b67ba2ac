"""Run CBC or HiGHS on a PuLP problem and read back status, objective and bound.

PuLP's ``status == 1`` alone is not trusted: with a time limit CBC may call a
merely feasible solution "Optimal". The solution status (``sol_status``) says
whether optimality was proven, and the best bound is read from the solver
itself (CBC's log, HiGHS's ``mip_dual_bound``); where no bound is available
it is ``None``, never invented.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import re
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulp

from regionopt.errors import SolverError
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
        A starting solution (see :func:`load_start`), or ``None``.

    Returns
    -------
    Outcome

    Raises
    ------
    SolverError
        If the solver is unavailable or fails without an answer.
    """
    began = time.perf_counter()
    if config.name == "highs":
        out = _run_highs(prob, config, time_limit_s=time_limit_s, quiet=quiet, start=start)
    else:
        out = _run_cbc(prob, config, time_limit_s=time_limit_s, quiet=quiet, start=start)
    return dataclasses.replace(out, seconds=time.perf_counter() - began)


def load_start(solver: Any, prob: pulp.LpProblem,
               start: Mapping[pulp.LpVariable, float]) -> None:
    """Load a starting solution into a solver: CBC's ``mipstart``, HiGHS's ``setSolution``.

    ``start`` may give only some variables (the assignment binaries); the others
    are completed first: CBC completes a partial ``mipstart`` itself, and for
    HiGHS the given values are fixed, the rest solved for, the bounds restored
    and the complete solution set (HiGHS rejects an incomplete or inconsistent
    one). A start that cannot be completed is dropped with a log line; the
    solve goes on without it.

    Parameters
    ----------
    solver
        A ``pulp.COIN_CMD`` before its solve, or the ``highspy.Highs`` of a
        problem PuLP has just built (``prob.solverModel``).
    prob
        The problem.
    start
        Variable → value.
    """
    if isinstance(solver, pulp.COIN_CMD):
        for var in prob.variables():
            var.varValue = start.get(var)  # CBC's mipstart takes every variable with a value
        solver.optionsDict["warmStart"] = True
        return
    import highspy  # lazy: only HiGHS runs load its native library

    h = solver
    cols = [var.index for var in start]
    values = [float(v) for v in start.values()]
    lp = h.getLp()
    lower, upper = list(lp.col_lower_), list(lp.col_upper_)
    limit = _time_limit(h)
    h.changeColsBounds(len(cols), cols, values, values)
    h.setOptionValue("time_limit", min(limit, 60.0))
    h.run()
    ok = (h.getModelStatus() == highspy.HighsModelStatus.kOptimal
          and h.getInfo().primal_solution_status == 2)
    full = list(h.getSolution().col_value) if ok else None
    h.changeColsBounds(len(cols), cols, [lower[c] for c in cols], [upper[c] for c in cols])
    h.clearSolver()
    h.setOptionValue("time_limit", limit)
    if full is None:
        log.info("HiGHS: the starting solution could not be completed; solving without it")
        return
    sol = highspy.HighsSolution()
    sol.col_value = full
    sol.value_valid = True
    h.setSolution(sol)


def _time_limit(h: Any) -> float:
    value = h.getOptionValue("time_limit")  # some highspy versions return (status, value)
    return float(value[-1] if isinstance(value, tuple) else value)


class _StartedHiGHS(pulp.HiGHS):
    """PuLP's HiGHS with a starting solution loaded between building and running."""

    def __init__(self, start: Mapping[pulp.LpVariable, float], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.start = start

    def callSolver(self, lp: pulp.LpProblem) -> None:  # noqa: N802 (PuLP's name)
        began = time.perf_counter()
        load_start(lp.solverModel, lp, self.start)
        limit = _time_limit(lp.solverModel)
        if limit < float("inf"):
            left = max(1.0, limit - (time.perf_counter() - began))
            lp.solverModel.setOptionValue("time_limit", left)
        lp.solverModel.run()


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
    with tempfile.TemporaryDirectory(prefix="regionopt-cbc-") as tmp:
        log_path = Path(tmp) / "cbc.log"
        solver = pulp.COIN_CMD(path=cbc_path(), msg=False, logPath=str(log_path),
                               timeLimit=time_limit_s, gapRel=config.mip_gap,
                               threads=config.threads, keepFiles=False)
        if start:
            load_start(solver, prob, start)
        tail = None if quiet else _Tail(log_path)
        if tail:
            tail.start()
        try:
            prob.solve(solver)
        except pulp.PulpSolverError as exc:
            raise SolverError(f"CBC failed: {exc}") from None
        finally:
            if tail:
                tail.done.set()
                tail.join()
        text = log_path.read_text(errors="replace") if log_path.exists() else ""
    return _cbc_outcome(prob, text, config)


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


def _cbc_outcome(prob: pulp.LpProblem, text: str, config: SolverConfig) -> Outcome:
    sol = prob.sol_status
    result = (_CBC_RESULT.findall(text) or [""])[-1]
    # "Integer infeasible" in CBC's solution file (e.g. pre-processing proved it) gives
    # PuLP status -1 with sol_status "no solution found"; the model cannot be unbounded
    # (every variable is non-negative, every cost too), so "infeasible or unbounded" is
    # infeasible.
    if (sol == pulp.LpSolutionInfeasible or prob.status == pulp.LpStatusInfeasible
            or _CBC_INFEASIBLE.search(text)
            or result.startswith(("Problem proven infeasible", "Linear relaxation infeasible"))):
        return Outcome(False, False, True, None, None, 0.0)
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
    options = {"msg": not quiet, "timeLimit": time_limit_s, "gapRel": config.mip_gap,
               "threads": config.threads}
    solver = _StartedHiGHS(start, **options) if start else pulp.HiGHS(**options)
    if not solver.available():
        raise SolverError("HiGHS is not available through PuLP: pip install highspy")
    # HiGHS keeps one task scheduler per process, sized by the first run's thread count;
    # a later run asking for another count fails unless the scheduler is reset first.
    highspy.Highs.resetGlobalScheduler(True)
    try:
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

