"""regionopt.server.worker: the solver's log becomes progress, only during the model's run."""

from __future__ import annotations

from typing import Any

import pytest

from regionopt.server import worker

CBC = ("Cbc0010I After 100 nodes, 5 on tree, 3438126 best solution, best possible 3400000 "
       "(1.25 seconds)")
HIGHS = (" H       0       0         0   0.00%   3405374.19      3570769.52         4.63%"
         "        0      0      0         0     0.1s")


@pytest.mark.parametrize(("line", "gap", "seconds"), [
    (CBC, (3438126 - 3400000) / 3438126, 1.25),
    (HIGHS, 0.0463, 0.1),
])
def test_solver_lines_are_progress_during_the_run(line: str, gap: float, seconds: float) -> None:
    said: list[tuple[str, Any]] = []
    phase = worker._Phase()
    lines = worker._Lines(lambda kind, data: said.append((kind, data)), phase)
    lines.write(line + "\n")
    assert said == []  # a sub-problem's log before the model's run
    phase.solving = True
    lines.write(line[:10])
    lines.write(line[10:] + "\n")
    ((kind, data),) = said
    assert kind == "progress"
    assert data["gap"] == pytest.approx(gap) and data["solver_seconds"] == seconds


def test_the_engine_log_marks_the_run() -> None:
    import logging

    phase = worker._Phase()
    said: list[tuple[str, Any]] = []
    handler = worker._Forward(lambda kind, data: said.append((kind, data)), phase)
    record = logging.LogRecord("regionopt", logging.INFO, "", 0, "%s: solving %d variables",
                               ("HiGHS", 10), None)
    handler.emit(record)
    assert phase.solving and said == [("status", "HiGHS: solving 10 variables")]
    handler.emit(logging.LogRecord("regionopt", logging.INFO, "", 0,
                                   "HiGHS: optimal, objective 1 after 0.1 s", (), None))
    assert not phase.solving
