"""The optimisation input: municipalities, travel minutes and adjacency.

:class:`ProblemData` is what the model, the evaluator and the maps share. It
is built from a :class:`regionopt.network.Network` or read back from the three
CSV files a solve writes to ``inputs/`` (so that anyone can rebuild and check
an optimum from those files alone).

File formats (UTF-8, comma-separated, ``\\n`` line ends):

``municipalities.csv``
    ``kommunenummer`` (4-digit string), ``name``, ``county`` (2-digit string),
    ``population`` (integer), and any further columns (ignored here).
``travel_time_minutes.csv``
    First column ``origin`` (kommunenummer), then one column per destination
    kommunenummer, in the same order as the rows; minutes from the origin's
    centre to the destination's centre. An empty cell means unreachable.
``adjacency.csv``
    ``a,b,kind`` with ``a < b`` and ``kind`` one of ``border``, ``road``,
    ``ferry``.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from regionopt.errors import DataError

ADJACENCY_KINDS = ("border", "road", "ferry")
MUNICIPALITIES_CSV = "municipalities.csv"
#: Largest population a municipality may have in the inputs (Norway has 5.6 million people).
MAX_POPULATION = 10_000_000
#: Longest travel time in the inputs, in minutes (about a week); longer is a mistake.
MAX_MINUTES = 10_000.0
MINUTES_CSV = "travel_time_minutes.csv"
ADJACENCY_CSV = "adjacency.csv"


@dataclass(frozen=True, eq=False)
class ProblemData:
    """Municipalities with population, travel minutes and adjacency.

    Attributes
    ----------
    codes
        Kommunenummer of each municipality, sorted; position ``i`` in every
        array below refers to ``codes[i]``.
    names
        Municipality names.
    counties
        Two-digit county codes.
    population
        Inhabitants (int64, shape ``(n,)``).
    minutes
        Travel minutes (float64, shape ``(n, n)``): ``minutes[i, j]`` from the
        centre of ``i`` to the centre of ``j``; ``inf`` where unreachable.
    edges
        Adjacent pairs ``(i, j, kind)`` with ``i < j``.
    """

    codes: tuple[str, ...]
    names: tuple[str, ...]
    counties: tuple[str, ...]
    population: np.ndarray
    minutes: np.ndarray
    edges: tuple[tuple[int, int, str], ...]
    _index: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        n = len(self.codes)
        if not (len(self.names) == len(self.counties) == n):
            raise DataError("codes, names and counties differ in length")
        if self.population.shape != (n,):
            raise DataError(f"population has shape {self.population.shape}, expected ({n},)")
        if self.minutes.shape != (n, n):
            raise DataError(f"minutes has shape {self.minutes.shape}, expected ({n}, {n})")
        object.__setattr__(self, "_index", {c: i for i, c in enumerate(self.codes)})
        self.population.setflags(write=False)
        self.minutes.setflags(write=False)

    @property
    def n(self) -> int:
        """Number of municipalities."""
        return len(self.codes)

    def index(self, code: str) -> int:
        """Return the position of kommunenummer ``code``.

        Raises
        ------
        DataError
            If ``code`` is not in the problem.
        """
        try:
            return self._index[code]
        except KeyError:
            raise DataError(f"municipality {code!r} is not in the study area") from None

    def neighbours(self) -> list[list[int]]:
        """Return, for each municipality, the sorted positions of its neighbours."""
        nbrs: list[list[int]] = [[] for _ in range(self.n)]
        for i, j, _ in self.edges:
            nbrs[i].append(j)
            nbrs[j].append(i)
        return [sorted(v) for v in nbrs]

    def subset(self, codes: Sequence[str]) -> ProblemData:
        """Return the problem restricted to ``codes`` (kept in sorted order)."""
        keep = sorted(self.index(c) for c in set(codes))
        pos = {old: new for new, old in enumerate(keep)}
        return ProblemData(
            codes=tuple(self.codes[i] for i in keep),
            names=tuple(self.names[i] for i in keep),
            counties=tuple(self.counties[i] for i in keep),
            population=self.population[keep].copy(),
            minutes=self.minutes[np.ix_(keep, keep)].copy(),
            edges=tuple(
                (pos[i], pos[j], k) for i, j, k in self.edges if i in pos and j in pos
            ),
        )

    def to_frames(self) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
        """Return ``(municipalities, minutes, adjacency)`` as DataFrames.

        ``minutes`` is indexed by origin code with destination columns;
        ``adjacency`` has columns ``a, b, kind``.
        """
        muni = pd.DataFrame(
            {
                "kommunenummer": list(self.codes),
                "name": list(self.names),
                "county": list(self.counties),
                "population": self.population.astype("int64"),
            }
        )
        mins = pd.DataFrame(self.minutes, index=pd.Index(self.codes, name="origin"),
                            columns=list(self.codes))
        adj = pd.DataFrame(
            [(self.codes[i], self.codes[j], k) for i, j, k in self.edges],
            columns=["a", "b", "kind"],
        )
        return muni, mins, adj


def _check_municipalities(municipalities: pd.DataFrame) -> tuple[pd.DataFrame, tuple[str, ...]]:
    for col in ("kommunenummer", "name", "county", "population"):
        if col not in municipalities.columns:
            raise DataError(f"{MUNICIPALITIES_CSV}: missing column {col!r}")
    muni = municipalities.sort_values("kommunenummer")
    codes = tuple(str(c) for c in muni["kommunenummer"])
    if len(set(codes)) != len(codes):
        dup = sorted({c for c in codes if codes.count(c) > 1})
        raise DataError(f"{MUNICIPALITIES_CSV}: duplicate kommunenummer {', '.join(dup)}")
    raw = list(muni["population"])
    pop = pd.to_numeric(muni["population"], errors="coerce")
    for code, given, value in zip(codes, raw, pop, strict=True):
        if not (np.isfinite(value) and 0 <= value <= MAX_POPULATION and value == int(value)):
            raise DataError(f"{MUNICIPALITIES_CSV}: row {code}, column population: '{given}' "
                            f"is not a whole number from 0 to {MAX_POPULATION}")
    return muni, codes


def _minutes_array(minutes: pd.DataFrame, codes: tuple[str, ...]) -> np.ndarray:
    rows = [str(c) for c in minutes.index]
    cols = [str(c) for c in minutes.columns]
    for what, got in (("origin rows", rows), ("destination columns", cols)):
        missing = sorted(set(codes) - set(got))
        extra = sorted(set(got) - set(codes))
        if missing:
            raise DataError(f"{MINUTES_CSV}: {what} lack municipality {missing[0]}")
        if extra:
            raise DataError(f"{MINUTES_CSV}: {what} name unknown municipality {extra[0]}")
    mat = minutes.copy()
    mat.index = rows
    mat.columns = cols
    given = mat.loc[list(codes), list(codes)]
    values = given.apply(pd.to_numeric, errors="coerce")
    arr = values.to_numpy(dtype="float64")
    blank = given.isna().to_numpy()  # an empty cell: unreachable
    bad = (np.isnan(arr) & ~blank) | (arr < 0) | (np.isfinite(arr) & (arr > MAX_MINUTES))
    if bad.any():
        i, j = np.argwhere(bad)[0]
        raise DataError(f"{MINUTES_CSV}: row {codes[i]}, column {codes[j]}: "
                        f"'{given.iat[i, j]}' is not a travel time from 0 to {MAX_MINUTES:g} "
                        "minutes (leave the cell empty or write inf for unreachable)")
    return np.where(np.isnan(arr), np.inf, arr)


def _edges(adjacency: pd.DataFrame, index: dict[str, int]) -> tuple[tuple[int, int, str], ...]:
    for col in ("a", "b", "kind"):
        if col not in adjacency.columns:
            raise DataError(f"{ADJACENCY_CSV}: missing column {col!r}")
    edges: set[tuple[int, int, str]] = set()
    for a, b, kind in adjacency[["a", "b", "kind"]].itertuples(index=False):
        a, b = str(a), str(b)
        for code in (a, b):
            if code not in index:
                raise DataError(f"{ADJACENCY_CSV}: unknown municipality {code}")
        if kind not in ADJACENCY_KINDS:
            raise DataError(f"{ADJACENCY_CSV}: pair {a}-{b} has kind {kind!r}, "
                            f"expected one of {', '.join(ADJACENCY_KINDS)}")
        if a == b:
            raise DataError(f"{ADJACENCY_CSV}: municipality {a} is paired with itself")
        i, j = sorted((index[a], index[b]))
        edges.add((i, j, str(kind)))
    return tuple(sorted(edges))


def problem_from_frames(
    municipalities: pd.DataFrame, minutes: pd.DataFrame, adjacency: pd.DataFrame
) -> ProblemData:
    """Build :class:`ProblemData` from the three tables.

    Parameters
    ----------
    municipalities
        Needs columns ``kommunenummer``, ``name``, ``county``, ``population``.
    minutes
        Square table indexed by origin kommunenummer, one column per
        destination kommunenummer.
    adjacency
        Columns ``a``, ``b``, ``kind``.

    Returns
    -------
    ProblemData

    Raises
    ------
    DataError
        Naming the table, field or municipality that is missing or invalid.
    """
    muni, codes = _check_municipalities(municipalities)
    index = {c: i for i, c in enumerate(codes)}
    return ProblemData(
        codes=codes,
        names=tuple(str(x) for x in muni["name"]),
        counties=tuple(str(x).zfill(2) for x in muni["county"]),
        population=pd.to_numeric(muni["population"]).to_numpy(dtype="int64"),
        minutes=_minutes_array(minutes, codes),
        edges=_edges(adjacency, index),
    )


def problem_from_network(network: Any) -> ProblemData:
    """Build :class:`ProblemData` from a :class:`regionopt.network.Network`.

    Uses exactly the network's ``municipalities``, ``minutes`` and
    ``adjacency`` tables, i.e. what a solve writes to ``inputs/``.
    """
    return problem_from_frames(network.municipalities, network.minutes, network.adjacency)


def read_inputs(directory: str | os.PathLike[str]) -> ProblemData:
    """Read ``municipalities.csv``, ``travel_time_minutes.csv`` and ``adjacency.csv``.

    Parameters
    ----------
    directory
        Folder holding the three files (e.g. a solve's ``inputs/``).

    Returns
    -------
    ProblemData

    A travel time is unreachable only where its cell is empty or ``inf``; any
    other text, a negative time or one above :data:`MAX_MINUTES` is an error,
    as is a population that is not a whole number from 0 to :data:`MAX_POPULATION`.

    Raises
    ------
    DataError
        If a file is missing or unreadable, or a value is out of range, naming
        the file, row and column.
    """
    folder = Path(directory)
    frames = []
    for name, kwargs in (
        (MUNICIPALITIES_CSV, {"dtype": {"kommunenummer": str, "county": str}}),
        (MINUTES_CSV, {"dtype": {"origin": str}, "index_col": "origin"}),
        (ADJACENCY_CSV, {"dtype": {"a": str, "b": str, "kind": str}}),
    ):
        path = folder / name
        try:  # only an empty cell is missing: "NA", "null" or "abc" are errors, not blanks
            frames.append(pd.read_csv(path, keep_default_na=False, na_values=[""], **kwargs))
        except FileNotFoundError:
            raise DataError(f"{path}: file not found") from None
        except (ValueError, pd.errors.ParserError, UnicodeDecodeError) as exc:
            raise DataError(f"{path}: cannot read ({exc})") from None
    try:
        return problem_from_frames(*frames)
    except DataError as exc:  # name the folder too: "inputs/municipalities.csv: ..."
        raise DataError(f"{folder}{os.sep}{exc}") from None
