"""What runs inside a solver process of ``regionopt serve``: one solve at a time, told as it goes.

A worker process (spawned by :mod:`regionopt.server.jobs`) receives the problem once, then
:class:`Task` after :class:`Task` through its pipe, and answers each with messages
``(job, kind, data)``: ``"status"`` lines (the engine's log), ``"progress"`` (incumbent,
bound, gap and seconds read from the CBC log as it is written), then ``"done"`` with the
plan and its figures, or ``"error"`` with one line. The web server's event loop never
solves; a cancelled solve is stopped by killing this process and its solver.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import signal
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

import numpy as np

from regionopt.errors import InfeasibleError, RegionoptError
from regionopt.model.candidates import candidate_sets
from regionopt.model.engine import solve
from regionopt.model.heuristic import heuristic_plan
from regionopt.model.objective import plan_terms
from regionopt.model.rules import rules_for_solve
from regionopt.plan import plan_from_labels
from regionopt.problem import ProblemData
from regionopt.scenario import Scenario
from regionopt.server.figures import plan_figures
from regionopt.server.start import locked_start

Emit = Callable[[str, Any], None]

#: CBC's progress lines: a node report and a new incumbent.
_NODES = re.compile(r"Cbc0010I After (\d+) nodes, \d+ on tree, (\S+) best solution, "
                    r"best possible (\S+) \(([\d.]+) seconds\)")
_FOUND = re.compile(r"Cbc00(?:04|12)I Integer solution of (\S+) found.*\(([\d.]+) seconds\)")
#: HiGHS' MIP log line: best bound, best solution, gap, ..., time.
_HIGHS = re.compile(r"\s(\S+)\s+(\S+)\s+(\S+?)%?\s+\d+\s+\d+\s+\d+\s+\d+\s+([\d.]+)s\s*$")


@dataclass(frozen=True)
class Task:
    """One solve: ``scenario`` from the plan ``start`` (``cores[i]``), or from scratch.

    ``unlocked``: the same scenario without the locks, solved first when its optimum (the
    price's reference) is not known yet. ``explain``: when the solver proves that no plan
    meets the scenario, probe which rule is to blame (tens of seconds on a re-solve; the
    server's own start-up solves explain, a re-solve answers at once that none exists).
    ``construction``: the construction heuristic's plan alone, without its local search
    (the first plan shown: about 2 s for all of Norway instead of 5; it meets every rule,
    and the optimum solved next starts its own search from the same construction).
    """

    scenario: Scenario
    start: tuple[int, ...] | None = None
    label: str = "solve"
    unlocked: Scenario | None = None
    explain: bool = True
    construction: bool = False


def run_task(problem: ProblemData, task: Task, emit: Emit) -> dict[str, Any]:
    """Solve ``task`` on ``problem``; return the plan (``cores``), its status and figures.

    With ``task.unlocked``, ``"optimum"`` holds the same of the unlocked scenario.

    Raises
    ------
    InfeasibleError, SolverError, ScenarioError
        As :func:`regionopt.model.solve`; a solve without a plan raises ``InfeasibleError``.
    """
    if task.construction:
        return constructed(problem, task.scenario, emit, task.label)
    optimum = None
    if task.unlocked is not None:
        emit("status", "the optimum without locks (once per scenario, for the price)")
        optimum = solved(problem, task.unlocked, None, emit, "optimum without locks")
    out = solved(problem, task.scenario, task.start, emit, task.label, explain=task.explain)
    out["optimum"] = optimum
    return out


def solved(problem: ProblemData, scenario: Scenario, start: tuple[int, ...] | None,
           emit: Emit, label: str, *, explain: bool = True) -> dict[str, Any]:
    """One solve's plan, status and figures (see :func:`run_task`).

    ``start`` (the plan on screen) is first repaired to meet the locks
    (:func:`~regionopt.server.start.locked_start`), so that the engine can prune by bound.
    """
    emit("status", f"{label}: solving {scenario.name}")
    began = time.perf_counter()
    first = None
    if start is not None:
        first = locked_start(problem, scenario, np.asarray(start, dtype="int64"))
        emit("status", f"{label}: " + ("no start meeting the locks; the engine's heuristic "
                                       "builds one" if first is None else
                                       f"started from the plan on screen, locks met "
                                       f"({time.perf_counter() - began:.2f} s)"))
    try:
        result = solve(problem, scenario, quiet=False, start_plan=first, explain=explain)
    except InfeasibleError as exc:
        if explain:
            raise
        raise InfeasibleError(f"{label}: no plan meets these locks and knobs together with the "
                              "scenario's rules (proven by the solver); remove a lock or "
                              "change a knob") from exc
    if result.plan is None:
        raise InfeasibleError(f"{label}: no plan found within the time limit",
                              [f"the solver stopped with status {result.status}"])
    cores = [int(k) for k in result.plan.labels(problem)]
    seconds = time.perf_counter() - began
    emit("status", f"{label}: {result.status} after {seconds:.2f} s")
    return {"cores": cores, "objective": float(result.objective), "status": result.status,
            "bound": result.bound, "gap": result.gap, "seconds": seconds,
            "travel": float(result.terms["travel"]),
            "figures": plan_figures(problem, scenario, result.plan, result.objective)}


def constructed(problem: ProblemData, scenario: Scenario, emit: Emit, label: str
                ) -> dict[str, Any]:
    """The construction heuristic's plan (no local search, no bound), as :func:`solved`.

    Raises
    ------
    InfeasibleError
        When the construction meets not every rule (the server then solves the optimum).
    """
    emit("status", f"{label}: the construction heuristic on {scenario.name}")
    began = time.perf_counter()
    rules = rules_for_solve(problem, scenario)
    made = heuristic_plan(problem, rules, candidate_sets(problem, rules), improve=False)
    if made.cores is None or made.unmet:
        raise InfeasibleError(f"{label}: the construction heuristic found no plan",
                              list(made.unmet))
    seconds = time.perf_counter() - began
    emit("status", f"{label}: a plan after {seconds:.2f} s")
    plan = plan_from_labels(problem, made.cores, name="heuristic")
    return {"cores": [int(k) for k in made.cores], "objective": float(made.objective),
            "status": "heuristic", "bound": None, "gap": None, "seconds": seconds,
            "travel": float(plan_terms(problem, made.cores, scenario)["travel"]),
            "figures": plan_figures(problem, scenario, plan, made.objective)}


class _Lines:
    """A text stream that turns the solver's log into progress messages (replaces stderr)."""

    def __init__(self, emit: Emit, phase: _Phase) -> None:
        self.emit, self.buffer, self.phase = emit, "", phase

    def write(self, text: str) -> int:
        """Take ``text``; each whole line is read at once."""
        self.buffer += text
        *lines, self.buffer = self.buffer.split("\n")
        for line in lines:
            self.line(line)
        return len(text)

    def flush(self) -> None:
        """Nothing is held beyond the current line."""

    def line(self, line: str) -> None:
        """One line of the solver's log: progress while the model's run is under way."""
        if not self.phase.solving:  # a sub-problem's log (pruning, rules), not the plan's
            return
        nodes = _NODES.search(line)
        if nodes:
            best, bound = _number(nodes.group(2)), _number(nodes.group(3))
            self.emit("progress", {"nodes": int(nodes.group(1)), "incumbent_solver": best,
                                   "bound_solver": bound, "gap": _gap(best, bound),
                                   "solver_seconds": float(nodes.group(4))})
            return
        found = _FOUND.search(line)
        if found:
            self.emit("progress", {"incumbent_solver": _number(found.group(1)),
                                   "solver_seconds": float(found.group(2))})
            return
        highs = _HIGHS.search(line)
        if highs and _number(highs.group(1)) is not None:
            gap = _number(highs.group(3))
            self.emit("progress", {"bound_solver": _number(highs.group(1)),
                                   "incumbent_solver": _number(highs.group(2)),
                                   "gap": None if gap is None or gap == float("inf")
                                   else gap / 100, "solver_seconds": float(highs.group(4))})


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _gap(best: float | None, bound: float | None) -> float | None:
    if best is None or bound is None or best >= 1e49 or abs(best) < 1e-9:
        return None
    return max(0.0, (best - bound) / abs(best))


class _Phase:
    """Whether the model's own solver run is under way (its log is the plan's progress)."""

    def __init__(self) -> None:
        self.solving = False


_RUN = re.compile(r"^(CBC|HiGHS): solving ")
_RAN = re.compile(r"^(CBC|HiGHS): .* after [\d.]+ s$")


class _Forward(logging.Handler):
    """The engine's log lines as ``status`` messages; they mark the solver runs' start and end
    (``model.solvers.run_solver`` logs both)."""

    def __init__(self, emit: Emit, phase: _Phase) -> None:
        super().__init__(logging.INFO)
        self.emit_message, self.phase = emit, phase

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = record.getMessage()
            if _RUN.match(text):
                self.phase.solving = True
            elif _RAN.match(text):
                self.phase.solving = False
            self.emit_message("status", text)
        except Exception:  # a log line must never stop a solve
            self.handleError(record)


def _capture_stdout(into: _Lines) -> None:
    """Read what native code (HiGHS) prints on file descriptor 1 into ``into``.

    The worker shares the server's standard output, which carries only the URL.
    """
    read, write = os.pipe()
    os.dup2(write, 1)
    os.close(write)

    def pump() -> None:
        with os.fdopen(read, "r", errors="replace") as fh:
            for line in fh:
                into.line(line.rstrip("\n"))

    threading.Thread(target=pump, daemon=True).start()


def serve(conn: Any) -> None:
    """The worker process' loop: the problem, ready, then each task's messages until ``None``.

    The process is started before the server has loaded the problem (its imports overlap
    the loading); the problem is the first message. SIGINT is ignored (a Ctrl-C in the
    terminal reaches the whole process group; the server stops its workers itself).
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        problem: ProblemData | None = conn.recv()
    except (EOFError, OSError):  # the server ended before it had a problem to give
        return
    if problem is None:
        return
    lock = threading.Lock()
    job = [""]

    def emit(kind: str, data: Any) -> None:
        # the server gone, the loop ends at its next receive
        with lock, contextlib.suppress(OSError):
            conn.send((job[0], kind, data))

    logger = logging.getLogger("regionopt")
    logger.setLevel(logging.INFO)
    phase = _Phase()
    logger.addHandler(_Forward(emit, phase))
    logger.propagate = False
    sys.stderr = _Lines(emit, phase)
    _capture_stdout(_Lines(emit, phase))
    emit("ready", None)
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):  # the server is gone: so is this process
            return
        if message is None:
            return
        job[0], task = message
        try:
            emit("done", run_task(problem, task, emit))
        except RegionoptError as exc:
            emit("error", str(exc))
        except Exception as exc:  # one line to the client, the cause in the log
            logging.getLogger(__name__).exception("worker: task failed")
            emit("error", f"internal error in the solver process ({type(exc).__name__})")


def serve_fd(fd: int) -> None:
    """:func:`serve` over the socket inherited as file descriptor ``fd`` (the child process
    of a Dask task, :mod:`regionopt.server.dask_task`)."""
    serve(Connection(fd))


__all__ = ["Task", "constructed", "run_task", "serve", "serve_fd", "solved"]
