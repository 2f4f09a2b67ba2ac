"""Exception classes of regionopt.

Every error a user can cause (a bad file, an unknown municipality, an
impossible scenario) is raised as one of these, with a message that names the
file, field, key or municipality at fault. The command line turns them into a
single line and exit code 2.

Figures in messages and log lines are written as people read them, by the
helpers at the end: whole inhabitants and person-minutes with a space between
thousands (``23 729``), gaps as percentages with two decimals.
"""

from __future__ import annotations

import math
from collections.abc import Sequence


class RegionoptError(Exception):
    """Base class of every error regionopt raises on purpose."""


class DataError(RegionoptError, ValueError):
    """A source file, table or field is missing, unreadable or invalid."""


class ChecksumError(DataError):
    """A downloaded or local source file does not match its SHA-256."""


class NetworkError(RegionoptError, RuntimeError):
    """The road network cannot be built or routed as asked."""


class ScenarioError(RegionoptError, ValueError):
    """A scenario file has an unknown key, a wrong type or an impossible value."""


class SolverError(RegionoptError, RuntimeError):
    """The MIP solver is missing or failed without an answer."""


class InfeasibleError(RegionoptError, RuntimeError):
    """A scenario admits no plan.

    Parameters
    ----------
    message
        One-line summary.
    reasons
        Each reason the scenario cannot hold, one sentence each, naming the
        municipality, bound or pair at fault.
    """

    def __init__(self, message: str, reasons: Sequence[str] = ()) -> None:
        self.reasons: tuple[str, ...] = tuple(reasons)
        full = message if not self.reasons else f"{message}: {'; '.join(self.reasons)}"
        super().__init__(full)


# --------------------------------------------------------------------------- figures in messages

#: Relative gaps below this are float noise of a proven optimum, shown as 0.
_NOISE_GAP = 1e-9


def whole(value: float | None) -> str:
    """A figure read whole (inhabitants, person-minutes, objectives): ``23 729``.

    Rounded to the nearest integer, thousands separated by a space; ``None``
    gives ``n/a`` and non-finite values ``inf`` or ``nan``.
    """
    if value is None:
        return "n/a"
    if not math.isfinite(value):
        return str(float(value))
    return f"{round(value):,}".replace(",", " ")


def figure(value: float) -> str:
    """A measured value: whole (:func:`whole`) if it is a whole number or at least 100, else
    three significant digits (``0.667``, ``45``, ``23 729``)."""
    if not math.isfinite(value):
        return str(float(value))
    if float(value).is_integer() or abs(value) >= 100:
        return whole(value)
    return f"{value:.3g}"


def gap_percent(gap: float | None) -> str:
    """A relative gap (0.0123) as a percentage with two decimals: ``1.23 %``.

    A positive gap too small to show two decimals is ``< 0.01 %``; float noise
    of a proven optimum (below 1e-9) is ``0.00 %``; ``None`` is ``n/a``.
    """
    if gap is None or not math.isfinite(gap):
        return "n/a"
    pct = 100 * gap
    if abs(gap) < _NOISE_GAP:
        return "0.00 %"
    if 0 < pct < 0.005:
        return "< 0.01 %"
    return f"{pct:.2f} %"
