"""Commuting flows: the one type, :class:`Commuting`, that every stage reads them as.

A :class:`Commuting` holds ``flows[o, d]``, the employed persons living in ``o`` and
working in ``d``, among some municipalities, with each one's totals in all of Norway:
``employed`` (living there, working anywhere) and ``jobs`` (working there, living
anywhere), so totals may exceed the flows they hold. :mod:`regionopt.data.commuting`
makes the national table (Statistics Norway's, every municipality) and the area's
(:func:`~regionopt.data.commuting.area_commuting`, which a
:class:`~regionopt.problem.ProblemData` carries); a problem's ``inputs/commuting.csv``
is read back into one by :func:`regionopt.problem.read_inputs`. A ground module: the
data stage produces it, the model, the evaluator and the maps read it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from regionopt.errors import DataError

#: The columns of a long flow table (:meth:`Commuting.to_frame`).
FRAME_COLUMNS = ("residence", "workplace", "persons")
#: Largest count a flow table may hold in one cell.
MAX_PERSONS = 10_000_000


@dataclass(frozen=True, eq=False)
class Commuting:
    """Commuting flows among municipalities, with their national totals (read-only arrays).

    Attributes
    ----------
    flows
        ``flows[o, d]``: employed persons living in ``o`` and working in ``d``,
        both among these municipalities (int64, shape ``(n, n)``).
    employed
        Employed persons living in each municipality, working anywhere in
        Norway (at least the row sums of ``flows``), shape ``(n,)``.
    jobs
        Employed persons working in each municipality, living anywhere in
        Norway (at least the column sums of ``flows``), shape ``(n,)``.
    note
        How the flows were made where it matters (a divided municipality).
    codes
        The municipalities of the rows and columns, sorted; empty where the
        holder names them (flows built by position, as in tests).
    """

    flows: np.ndarray
    employed: np.ndarray
    jobs: np.ndarray
    note: str = ""
    codes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        n = len(self.employed)
        for name, shape in (("flows", (n, n)), ("employed", (n,)), ("jobs", (n,))):
            array = np.array(getattr(self, name), dtype="int64")
            if array.shape != shape:
                raise DataError(f"commuting: {name} has shape {array.shape}, expected {shape}")
            array.setflags(write=False)
            object.__setattr__(self, name, array)
        codes = tuple(self.codes)
        if codes and (len(codes) != n or list(codes) != sorted(set(codes))):
            raise DataError(f"commuting: {len(codes)} codes for {n} municipalities, or codes "
                            "unsorted or repeated")
        object.__setattr__(self, "codes", codes)
        if (self.flows < 0).any() or (self.employed < self.flows.sum(axis=1)).any() \
                or (self.jobs < self.flows.sum(axis=0)).any():
            raise DataError("commuting: negative flows, or totals below the flows they hold")

    def subset(self, keep: Sequence[int]) -> Commuting:
        """Return the flows of the positions ``keep`` (the others become "outside")."""
        codes = tuple(self.codes[i] for i in keep) if self.codes else ()
        return Commuting(self.flows[np.ix_(keep, keep)], self.employed[keep],
                         self.jobs[keep], self.note, codes)

    def indices(self, codes: Sequence[str]) -> np.ndarray:
        """Return the positions of the municipalities ``codes`` (rows and columns of ``flows``).

        Parameters
        ----------
        codes
            Municipality numbers.

        Returns
        -------
        numpy.ndarray
            One position per code, in the order given.

        Raises
        ------
        DataError
            If a municipality is not in :attr:`codes`.
        """
        unknown = set(codes) - set(self.codes)
        if unknown:
            raise DataError(f"commuting flows: no municipality {min(unknown, key=str)!r}")
        return np.searchsorted(self.codes, codes).astype(np.intp)

    def to_frame(self) -> pd.DataFrame:
        """Non-zero flows as ``residence, workplace, persons``, sorted by the two codes."""
        res, work = np.nonzero(self.flows)
        codes = np.array(self.codes, dtype=object)
        persons = self.flows[res, work]
        return pd.DataFrame({"residence": codes[res], "workplace": codes[work], "persons": persons})

    @classmethod
    def from_frame(cls, frame: pd.DataFrame | Path, *, codes: Sequence[str]) -> Commuting:
        """Build flows from a long table such as :meth:`to_frame` returns, or a CSV file of it.

        Parameters
        ----------
        frame
            Columns ``residence``, ``workplace`` (four-digit strings) and ``persons``, or the
            path of a UTF-8 CSV file with them.
        codes
            Every municipality of the table; pairs not listed are zero.

        Returns
        -------
        Commuting
            Flows over the sorted ``codes`` whose totals are their row and column sums.

        Raises
        ------
        DataError
            If the file is unreadable or, naming file, line (data row + 1 for the header) and
            column: a missing column, an unknown code, a repeated pair, or a count that is
            empty, not a number, negative, not whole or above 10 million.
        """
        source = str(frame) if isinstance(frame, Path) else "<frame>"
        if isinstance(frame, Path):
            try:
                frame = pd.read_csv(frame, dtype=str, encoding="utf-8")
            except (OSError, UnicodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
                raise DataError(f"{source}: cannot read commuting CSV ({exc})") from exc
        ordered = tuple(sorted(set(codes)))
        persons = _validate_frame(frame, set(ordered), source)
        where = {code: i for i, code in enumerate(ordered)}
        flows = np.zeros((len(ordered), len(ordered)), dtype=np.int64)
        res, work = (frame[c].map(where).to_numpy(np.intp) for c in ("residence", "workplace"))
        flows[res, work] = persons
        return cls(flows, flows.sum(axis=1), flows.sum(axis=0), codes=ordered)


def _validate_frame(frame: pd.DataFrame, codes: set[str], source: str) -> np.ndarray:
    """Check a long flow table; raise for its first bad row, else return the counts."""
    for column in FRAME_COLUMNS:
        if column not in frame.columns:
            raise DataError(f"{source}: missing column '{column}'")
    raw = frame["persons"]
    num = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float)
    empty = raw.isna().to_numpy()
    res, work = (~frame[c].isin(codes).to_numpy() for c in ("residence", "workplace"))
    repeated = frame.duplicated(["residence", "workplace"]).to_numpy()
    with np.errstate(invalid="ignore"):
        checks = [
            ("residence", res, "is not a municipality of the table"),
            ("workplace", work, "is not a municipality of the table"),
            ("persons", empty, "is empty (NaN)"),
            ("persons", np.isnan(num) & ~empty, "is not a number"),
            ("persons", num < 0, "is negative"),
            ("persons", num > MAX_PERSONS, f"exceeds {MAX_PERSONS:_}"),
            ("persons", np.isfinite(num) & (num % 1 != 0), "is not a whole number"),
            ("workplace", repeated, "repeats a residence-workplace pair"),
        ]
    bad = np.logical_or.reduce([mask for _, mask, _ in checks])
    if bad.any():
        row = int(np.argmax(bad))
        column, _, what = next(check for check in checks if check[1][row])
        value = frame[column].iloc[row]
        raise DataError(f"{source}: line {row + 2}, column '{column}': {value!r} {what}")
    return num.astype(np.int64)


__all__ = ["FRAME_COLUMNS", "MAX_PERSONS", "Commuting"]
