"""Inhabitants within reach: the share of a region's people within 45/60/75 minutes of a place.

The one implementation of ``docs/metrics.md``'s *Inhabitants within reach*. With the
problem's reach shares *r* (``ProblemData.reach``: the share of municipality *i*'s
inhabitants, by Statistics Norway's population grid, whose cells reach *j*'s centre within
*t* minutes), the inhabitants of *i* within *t* minutes of *j* are *p_i* · *r_t[i, j]*: the
grid's 2019 shares scaled to the 2024 population, never the grid's totals. A group of
municipalities *G* (a region, a service area) and a target *j* (its core, its host) then has

    within_t(G, j) = Σ_{i∈G} p_i · r_t[i, j] / Σ_{i∈G} p_i

(NaN when nobody lives in *G*), the sum in kommunenummer order with numpy's pairwise
summation, which the map editor's JavaScript mirrors digit for digit.

Without reach shares (the centre-to-centre matrix, ``origins="centre"``, or inputs without
``reach.csv``) whole municipalities count: *r_t[i, j]* = 1 when ``minutes[i, j]`` ≤ *t*,
else 0 (:func:`municipal_reach`), so that a municipality whose people all live at its centre
gives the same figure either way.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from regionopt.problem import ProblemData
from regionopt.reach_shares import REACH_MINUTES

#: The columns and summary keys, one per band of :data:`REACH_MINUTES`.
WITHIN_COLUMNS = tuple(f"inhabitants_within_{m}" for m in REACH_MINUTES)


def municipal_reach(minutes: np.ndarray) -> np.ndarray:
    """Return whole-municipality reach: 1 where ``minutes[i, j]`` ≤ the band, else 0."""
    limits = np.asarray(REACH_MINUTES, dtype=float)[:, None, None]
    return (np.asarray(minutes)[None, :, :] <= limits).astype(float)


def reach_of(problem: ProblemData) -> np.ndarray:
    """Return the problem's reach shares, or whole-municipality reach when it has none."""
    return problem.reach if problem.reach is not None else municipal_reach(problem.minutes)


def grid_based(problem: ProblemData) -> bool:
    """Whether the figures count cells of the population grid (else whole municipalities)."""
    return problem.reach is not None


def within(problem: ProblemData, members: Sequence[int] | np.ndarray,
           targets: Sequence[int] | np.ndarray | int, *,
           reach: np.ndarray | None = None) -> tuple[float, ...]:
    """Return the share of the members' inhabitants within each band of their target.

    Parameters
    ----------
    problem
        Populations and reach shares.
    members
        Positions of the municipalities of the group, in kommunenummer order.
    targets
        Each member's target (its core, its host), or one target for all of them.
    reach
        :func:`reach_of` ``(problem)``, when the caller has it already.

    Returns
    -------
    tuple of float
        One share per band of :data:`REACH_MINUTES`; NaN when the members have no
        inhabitants.
    """
    r = reach_of(problem) if reach is None else reach
    rows = np.asarray(members, dtype=np.int64)
    cols = np.broadcast_to(np.asarray(targets, dtype=np.int64), rows.shape)
    pop = problem.population[rows].astype("float64")
    total = int(problem.population[rows].sum())
    if total == 0:
        return tuple(math.nan for _ in REACH_MINUTES)
    return tuple(float((pop * r[k, rows, cols]).sum()) / total
                 for k in range(len(REACH_MINUTES)))


__all__ = ["WITHIN_COLUMNS", "grid_based", "municipal_reach", "reach_of", "within"]
