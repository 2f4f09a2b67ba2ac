"""Reach shares: how much of a municipality lives within 45, 60 and 75 minutes of a centre.

``reach[k, i, j]`` is the share of municipality *i*'s inhabitants, by Statistics Norway's
population grid, whose cells reach *j*'s centre within :data:`REACH_MINUTES` ``[k]``
minutes (access leg plus the fastest route). The shares are made by
:func:`reach_from_cells` (from :func:`regionopt.network.origins.cell_minutes`, in
:mod:`regionopt.network.reach`), carried by
:class:`regionopt.problem.ProblemData` and written to a solve's ``inputs/`` as
``reach.csv``; the figures built on them are defined in ``docs/metrics.md``
(*Inhabitants within reach*). This module holds their bands, their checks and their file.

``reach.csv``: ``origin,core,within_45,within_60,within_75``, one row per pair whose share
at 75 minutes is above 0 (a missing pair has 0 in every band), shares with
:data:`REACH_DIGITS` decimals.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from regionopt.errors import DataError

REACH_CSV = "reach.csv"
#: The reach bands in minutes (Statistics Norway's old 45/60/75-minute bands).
REACH_MINUTES = (45, 60, 75)
#: Decimals a share is kept with (a millionth of a municipality's inhabitants), so that the
#: file, the page and Python hold the very same doubles.
REACH_DIGITS = 6


def check_reach(reach: np.ndarray, n: int) -> None:
    """Check the shape and the values of a reach array of ``n`` municipalities.

    Raises
    ------
    DataError
        If the shape is not ``(3, n, n)``, a share is outside 0 to 1, or a share falls
        from a shorter band to a longer one.
    """
    if reach.shape != (len(REACH_MINUTES), n, n):
        raise DataError(f"reach has shape {reach.shape}, expected ({len(REACH_MINUTES)}, {n}, "
                        f"{n})")
    if not ((reach >= 0) & (reach <= 1)).all():
        raise DataError("reach: a share is not from 0 to 1")
    if (np.diff(reach, axis=0) < 0).any():
        raise DataError("reach: a share falls from a shorter band to a longer one")


def reach_from_cells(codes: Sequence[str], cell_code: np.ndarray, cell_share: np.ndarray,
                     cell_minutes: np.ndarray) -> np.ndarray:
    """Return the reach shares of ``codes`` from their cells' times to every centre.

    ``reach[k, i, j]`` = Σ *s_c* over *i*'s cells *c* with ``cell_minutes[c, j]`` ≤
    :data:`REACH_MINUTES` ``[k]``, rounded to :data:`REACH_DIGITS` decimals (at most 1).

    Parameters
    ----------
    codes
        The municipalities, in the order of the rows and of ``cell_minutes``' columns.
    cell_code, cell_share
        Each cell's municipality and its share of the municipality's grid population
        (:func:`regionopt.data.grid.cell_shares`).
    cell_minutes
        Minutes from each cell to each centre (cells × ``codes``; ``inf`` where there is no
        route), as :func:`regionopt.network.origins.cell_minutes` gives them.

    Raises
    ------
    DataError
        If a cell's municipality is not in ``codes``.
    """
    index = {c: i for i, c in enumerate(codes)}
    unknown = sorted(set(cell_code) - set(index))
    if unknown:
        raise DataError(f"reach: cell of municipality {unknown[0]} outside the area")
    weights = np.zeros((len(codes), len(cell_code)))
    weights[[index[c] for c in cell_code], np.arange(len(cell_code))] = cell_share
    out = np.stack([weights @ (cell_minutes <= minutes).astype(float)
                    for minutes in REACH_MINUTES])
    return np.minimum(np.round(out, REACH_DIGITS), 1.0)


def reach_csv(reach: np.ndarray, codes: Sequence[str]) -> str:
    """Return the text of ``reach.csv`` for the shares ``reach`` over ``codes``."""
    origin, core = np.nonzero(reach[-1] > 0)
    frame = pd.DataFrame({"origin": [codes[int(i)] for i in origin],
                          "core": [codes[int(j)] for j in core]})
    for k, minutes in enumerate(REACH_MINUTES):
        frame[f"within_{minutes}"] = reach[k, origin, core]
    return frame.to_csv(index=False, lineterminator="\n", float_format=f"%.{REACH_DIGITS}f")


def read_reach(path: Path, codes: Sequence[str]) -> np.ndarray:
    """Read ``reach.csv`` over ``codes`` (missing pairs 0).

    Raises
    ------
    DataError
        If the file cannot be read, lacks a column, names an unknown municipality or holds
        a value that is not a share, naming the file.
    """
    columns = ["origin", "core", *(f"within_{m}" for m in REACH_MINUTES)]
    try:
        frame = pd.read_csv(path, dtype={"origin": str, "core": str})
    except (OSError, ValueError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise DataError(f"{path}: cannot read ({exc})") from None
    for col in columns:
        if col not in frame.columns:
            raise DataError(f"{path}: missing column {col!r}")
    index = {c: i for i, c in enumerate(codes)}
    for col in ("origin", "core"):
        unknown = sorted(set(frame[col]) - set(index))
        if unknown:
            raise DataError(f"{path}: {col} {unknown[0]!r} is not a municipality of the area")
    reach = np.zeros((len(REACH_MINUTES), len(codes), len(codes)))
    rows = frame["origin"].map(index).to_numpy(dtype="int64")
    cols = frame["core"].map(index).to_numpy(dtype="int64")
    for k, col in enumerate(columns[2:]):
        values = pd.to_numeric(frame[col], errors="coerce").to_numpy(dtype="float64")
        if not (np.isfinite(values) & (values >= 0) & (values <= 1)).all():
            raise DataError(f"{path}: {col}: a value is not a share from 0 to 1")
        reach[k, rows, cols] = values
    try:
        check_reach(reach, len(codes))
    except DataError as exc:
        raise DataError(f"{path}: {exc}") from None
    return reach


__all__ = ["REACH_CSV", "REACH_DIGITS", "REACH_MINUTES", "check_reach", "reach_csv",
           "reach_from_cells",
           "read_reach"]
