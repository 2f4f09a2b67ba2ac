"""Exception classes of regionopt.

Every error a user can cause (a bad file, an unknown municipality, an
impossible scenario) is raised as one of these, with a message that names the
file, field, key or municipality at fault. The command line turns them into a
single line and exit code 2.
"""

from __future__ import annotations

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
