"""regionopt: functional municipal regions for Norway.

The pipeline runs ``data`` → ``network`` → ``model`` → ``evaluate`` → ``maps`` → ``sweep``;
each step is a subpackage of its own, and :mod:`regionopt.api` strings them
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
