"""One wall-clock budget shared by every solver run of a command.

``solver.time_limit_s`` bounds a whole solve: the optimum, its lazy-cut rounds,
the alternatives and the relaxation probes that explain an infeasible scenario
all draw on the same :class:`Budget`, each run given what is left (or less).
A run is never given less than :data:`MIN_RUN_S`, so a command may overrun
its limit by at most that much per run started after the budget ran low, plus
the time to build the model and write the outputs (see the README's
"What regionopt guarantees").
"""

from __future__ import annotations

import time

#: Seconds the shortest solver run is given; below this CBC and HiGHS cannot even start.
MIN_RUN_S = 1.0


class Budget:
    """Seconds left of a wall-clock limit that started when the budget was made.

    Parameters
    ----------
    seconds
        The limit, or ``None`` for no limit.
    """

    def __init__(self, seconds: float | None) -> None:
        self.seconds = seconds
        self._start = time.monotonic()

    def elapsed(self) -> float:
        """Return the seconds since the budget started."""
        return time.monotonic() - self._start

    def left(self) -> float | None:
        """Return the seconds left (never below 0), or ``None`` without a limit."""
        if self.seconds is None:
            return None
        return max(0.0, self.seconds - self.elapsed())

    def expired(self) -> bool:
        """Return whether a limit is set and spent."""
        left = self.left()
        return left is not None and left <= 0.0

    def run_limit(self, cap: float | None = None) -> float | None:
        """Return the time limit for the next solver run: what is left, at most ``cap``.

        Never below :data:`MIN_RUN_S`; ``None`` when neither a limit nor a cap is set.
        """
        left = self.left()
        limits = [x for x in (left, cap) if x is not None]
        if not limits:
            return None
        return max(MIN_RUN_S, min(limits))


__all__ = ["MIN_RUN_S", "Budget"]
