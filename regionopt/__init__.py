"""regionopt: functional municipal regions for Norway.

The pipeline runs ``data`` → ``network`` → ``model`` → ``evaluate`` → ``viz``;
each step is a module of its own, and :mod:`regionopt.api` strings them
together for notebooks.
"""

from regionopt.errors import (
    ChecksumError,
    DataError,
    InfeasibleError,
    NetworkError,
    RegionoptError,
    ScenarioError,
    SolverError,
)

__version__ = "0.1.0"

__all__ = [
    "ChecksumError",
    "DataError",
    "InfeasibleError",
    "NetworkError",
    "RegionoptError",
    "ScenarioError",
    "SolverError",
    "__version__",
]
