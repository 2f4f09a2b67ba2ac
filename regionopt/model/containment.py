"""Self-containment of a region: the one definition, min(L/E, L/J).

With commuting flows F[o, d] (employed persons living in o, working in d, every
d in Norway), a region R has L = Σ_{o,d∈R} F[o, d] commuters who live and work
in it, E = Σ_{o∈R} Σ_d F[o, d] employed residents and J = Σ_{d∈R} Σ_o F[o, d]
jobs. Its self-containment is min(L/E, L/J) (``docs/metrics.md``).

Empty regions: a side whose total is 0 counts as 1 (nobody to keep on that
side). So a region with neither employed residents nor jobs has
self-containment 1, and one with only one of them 0 has 0 (L ≤ E and L ≤ J, so
L is 0 there). This is exactly what the linear rows ``L ≥ α·E`` and
``L ≥ α·J`` of :mod:`regionopt.model.families.self_containment` hold for every
α, so the optimiser, its audit, the heuristic and the metrics agree on every
plan.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import overload

import numpy as np

from regionopt.flows import Commuting

__all__ = ["region_flows", "self_containment"]


@overload
def self_containment(live: int | float, employed: int | float, jobs: int | float) -> float: ...


@overload
def self_containment(live: np.ndarray, employed: np.ndarray, jobs: np.ndarray) -> np.ndarray: ...


def self_containment(live: int | float | np.ndarray, employed: int | float | np.ndarray,
                     jobs: int | float | np.ndarray) -> float | np.ndarray:
    """Return min(L/E, L/J), a side whose total is 0 counting as 1.

    Parameters
    ----------
    live
        L: commuters living and working in the region (one number, or one per region).
    employed
        E: the region's employed residents, working anywhere.
    jobs
        J: persons working in the region, living anywhere.

    Returns
    -------
    float or numpy.ndarray
        A float for numbers, a float64 array (element-wise) for arrays.
    """
    ell = np.asarray(live, dtype="float64")
    e, j = np.asarray(employed, dtype="float64"), np.asarray(jobs, dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.minimum(np.where(e > 0, ell / e, 1.0), np.where(j > 0, ell / j, 1.0))
    return float(ratio) if ratio.ndim == 0 else ratio


def region_flows(commuting: Commuting, members: Iterable[int]) -> tuple[int, int, int]:
    """Return ``(L, E, J)`` of the region made of the positions ``members``."""
    idx = sorted(members)
    live = int(commuting.flows[np.ix_(idx, idx)].sum())
    return live, int(commuting.employed[idx].sum()), int(commuting.jobs[idx].sum())
