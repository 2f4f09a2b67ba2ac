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
``commuting.csv`` (optional)
    ``residence,workplace,persons``: employed persons living in ``residence``
    and working in ``workplace``, one row per pair with persons; either code
    may be ``outside`` (the rest of Norway), so that each municipality's
    employed residents (row sum) and jobs (column sum) are national totals.
    An optional first line ``# note`` says how the flows were made.
``centrality.csv`` (optional)
    ``kommunenummer,index,class``: Statistics Norway's centrality index (0 to
    1000) and class (1 to 6).
``reach.csv`` (optional)
    ``origin,core,within_45,within_60,within_75``: the share of the origin's
    inhabitants (by Statistics Norway's population grid) living within 45, 60
    and 75 minutes of the core's centre, one row per pair with a share above 0
    at 75 minutes; a missing pair has 0 (``docs/metrics.md``, *Inhabitants
    within reach*).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol

import numpy as np
import pandas as pd

from regionopt.errors import DataError
from regionopt.flows import Commuting
from regionopt.reach_shares import REACH_CSV, check_reach, read_reach

ADJACENCY_KINDS = ("border", "road", "ferry")
MUNICIPALITIES_CSV = "municipalities.csv"
#: Largest population a municipality may have in the inputs (Norway has 5.6 million people).
MAX_POPULATION = 10_000_000
#: Longest travel time in the inputs, in minutes (about a week); longer is a mistake.
MAX_MINUTES = 10_000.0
MINUTES_CSV = "travel_time_minutes.csv"
ADJACENCY_CSV = "adjacency.csv"
COMMUTING_CSV = "commuting.csv"
CENTRALITY_CSV = "centrality.csv"
OUTSIDE = "outside"
_MAX_PERSONS = 10_000_000


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
    commuting
        Commuting flows and national totals (:class:`regionopt.flows.Commuting`,
        over ``codes``), or ``None``.
    centrality
        Centrality index and class per municipality (int64, shape ``(n, 2)``),
        or ``None``.
    reach
        ``reach[k, i, j]``: the share of ``i``'s inhabitants (by the population
        grid) within :data:`regionopt.reach_shares.REACH_MINUTES` ``[k]`` minutes
        of ``j``'s centre (float64, shape ``(3, n, n)``), or ``None`` (then whole
        municipalities count, :mod:`regionopt.evaluate.reach`).
    """

    codes: tuple[str, ...]
    names: tuple[str, ...]
    counties: tuple[str, ...]
    population: np.ndarray
    minutes: np.ndarray
    edges: tuple[tuple[int, int, str], ...]
    commuting: Commuting | None = None
    centrality: np.ndarray | None = None
    reach: np.ndarray | None = None
    _index: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        n = len(self.codes)
        if not (len(self.names) == len(self.counties) == n):
            raise DataError("codes, names and counties differ in length")
        if self.population.shape != (n,):
            raise DataError(f"population has shape {self.population.shape}, expected ({n},)")
        if self.minutes.shape != (n, n):
            raise DataError(f"minutes has shape {self.minutes.shape}, expected ({n}, {n})")
        if self.commuting is not None and self.commuting.employed.shape != (n,):
            raise DataError(f"commuting covers {len(self.commuting.employed)} municipalities, "
                            f"expected {n}")
        if self.commuting is not None and self.commuting.codes not in ((), tuple(self.codes)):
            raise DataError("commuting flows are over other municipalities than the problem's")
        if self.centrality is not None and self.centrality.shape != (n, 2):
            raise DataError(f"centrality has shape {self.centrality.shape}, expected ({n}, 2)")
        if self.reach is not None:
            check_reach(self.reach, n)
        object.__setattr__(self, "_index", {c: i for i, c in enumerate(self.codes)})
        self.population.setflags(write=False)
        self.minutes.setflags(write=False)
        if self.centrality is not None:
            self.centrality.setflags(write=False)
        if self.reach is not None:
            self.reach.setflags(write=False)

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
            commuting=None if self.commuting is None else self.commuting.subset(keep),
            centrality=None if self.centrality is None else self.centrality[keep].copy(),
            reach=None if self.reach is None else self.reach[:, keep][:, :, keep].copy(),
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


class NetworkTables(Protocol):
    """The tables of a :class:`regionopt.network.Network` that :func:`problem_from_network`
    reads (a protocol: the ground does not import the network stage)."""

    @property
    def municipalities(self) -> pd.DataFrame: ...
    @property
    def minutes(self) -> pd.DataFrame: ...
    @property
    def adjacency(self) -> pd.DataFrame: ...


def problem_from_network(network: NetworkTables) -> ProblemData:
    """Build :class:`ProblemData` from a :class:`regionopt.network.Network`.

    Uses exactly the network's ``municipalities``, ``minutes`` and
    ``adjacency`` tables, i.e. what a solve writes to ``inputs/`` (without commuting
    and centrality, which :func:`regionopt.api.problem_from_network` adds).
    """
    return problem_from_frames(network.municipalities, network.minutes, network.adjacency)


def commuting_csv(data: ProblemData) -> str:
    """Return the text of ``commuting.csv`` for ``data`` (which must carry commuting).

    Raises
    ------
    DataError
        If ``data`` has no commuting flows.
    """
    if data.commuting is None:
        raise DataError("the problem carries no commuting flows")
    c, codes = data.commuting, data.codes
    rows = [(codes[o], codes[d], int(c.flows[o, d])) for o, d in zip(*np.nonzero(c.flows),
                                                                       strict=True)]
    rows += [(codes[o], OUTSIDE, int(v)) for o, v in
             enumerate(c.employed - c.flows.sum(axis=1)) if v]
    rows += [(OUTSIDE, codes[d], int(v)) for d, v in enumerate(c.jobs - c.flows.sum(axis=0)) if v]
    frame = pd.DataFrame(sorted(rows), columns=["residence", "workplace", "persons"])
    head = "".join(f"# {line}\n" for line in c.note.splitlines() if line.strip())
    return head + frame.to_csv(index=False, lineterminator="\n")


def centrality_csv(data: ProblemData) -> str:
    """Return the text of ``centrality.csv`` for ``data`` (which must carry centrality).

    Raises
    ------
    DataError
        If ``data`` has no centrality index.
    """
    if data.centrality is None:
        raise DataError("the problem carries no centrality index")
    frame = pd.DataFrame({"kommunenummer": list(data.codes), "index": data.centrality[:, 0],
                          "class": data.centrality[:, 1]})
    return frame.to_csv(index=False, lineterminator="\n")


def _whole(frame: pd.DataFrame, column: str, path: Path, key: str, *, low: int,
           high: int) -> np.ndarray:
    """The column as int64, or a one-line error naming the file, row key and column."""
    values = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype="float64")
    with np.errstate(invalid="ignore"):
        bad = ~np.isfinite(values) | (values % 1 != 0) | (values < low) | (values > high)
    if bad.any():
        row = int(np.argmax(bad))
        raise DataError(f"{path}: {key} {frame[key].iloc[row]}: {column} "
                        f"{frame[column].iloc[row]!r} is not a whole number from {low} to {high}")
    return values.astype("int64")


def _read_commuting(path: Path, codes: tuple[str, ...]) -> Commuting:
    try:
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        note = "\n".join(ln[2:] for ln in lines if ln.startswith("# "))
        frame = pd.read_csv(path, dtype=str, comment="#", keep_default_na=False)
    except (OSError, ValueError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise DataError(f"{path}: cannot read ({exc})") from None
    for col in ("residence", "workplace", "persons"):
        if col not in frame.columns:
            raise DataError(f"{path}: missing column {col!r}")
    index = {c: i for i, c in enumerate(codes)}
    for col in ("residence", "workplace"):
        unknown = sorted(set(frame[col]) - set(index) - {OUTSIDE})
        if unknown:
            raise DataError(f"{path}: {col} {unknown[0]!r} is not a municipality of the area")
    if frame.duplicated(["residence", "workplace"]).any():
        row = frame[frame.duplicated(["residence", "workplace"])].iloc[0]
        raise DataError(f"{path}: pair {row['residence']}-{row['workplace']} appears twice")
    persons = _whole(frame, "persons", path, "residence", low=0, high=_MAX_PERSONS)
    n = len(codes)
    full = np.zeros((n + 1, n + 1), dtype="int64")  # last row and column: outside
    res = frame["residence"].map(lambda c: index.get(c, n)).to_numpy(dtype="int64")
    work = frame["workplace"].map(lambda c: index.get(c, n)).to_numpy(dtype="int64")
    np.add.at(full, (res, work), persons)
    missing = [codes[i] for i in range(n) if full[i].sum() == 0 and full[:, i].sum() == 0]
    if missing:
        raise DataError(f"{path}: municipality {missing[0]} has no commuting data")
    return Commuting(full[:n, :n], full[:n].sum(axis=1), full[:, :n].sum(axis=0), note, codes)


def _read_centrality(path: Path, codes: tuple[str, ...]) -> np.ndarray:
    try:
        frame = pd.read_csv(path, dtype={"kommunenummer": str})
    except (OSError, ValueError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise DataError(f"{path}: cannot read ({exc})") from None
    for col in ("kommunenummer", "index", "class"):
        if col not in frame.columns:
            raise DataError(f"{path}: missing column {col!r}")
    missing = sorted(set(codes) - set(frame["kommunenummer"]))
    if missing:
        raise DataError(f"{path}: municipality {missing[0]} has no centrality index")
    frame = frame[frame["kommunenummer"].isin(codes)].drop_duplicates("kommunenummer")
    frame = frame.set_index("kommunenummer").loc[list(codes)].reset_index()
    return np.column_stack([
        _whole(frame, "index", path, "kommunenummer", low=0, high=1000),
        _whole(frame, "class", path, "kommunenummer", low=1, high=6),
    ])


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

    Notes
    -----
    ``commuting.csv``, ``centrality.csv`` and ``reach.csv`` are read when
    present (a solve writes them when the problem carries commuting,
    centrality and reach shares).
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
        data = problem_from_frames(*frames)
    except DataError as exc:  # name the folder too: "inputs/municipalities.csv: ..."
        raise DataError(f"{folder}{os.sep}{exc}") from None
    commuting = (_read_commuting(folder / COMMUTING_CSV, data.codes)
                 if (folder / COMMUTING_CSV).is_file() else None)
    centrality = (_read_centrality(folder / CENTRALITY_CSV, data.codes)
                  if (folder / CENTRALITY_CSV).is_file() else None)
    reach = (read_reach(folder / REACH_CSV, data.codes)
             if (folder / REACH_CSV).is_file() else None)
    return replace(data, commuting=commuting, centrality=centrality, reach=reach)
