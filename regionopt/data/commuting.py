"""Commuting flows between Norway's municipalities, re-coded to the 2024 structure.

Sources: Statistics Norway table 03321 (employed persons by residence and workplace, 4th quarter
2022; "SSB, tabell 03321"), ``data_pendling2022.rds``: 356 x 356 municipalities, 2 809 789 persons,
no total, abroad or unknown rows; table 11618, ``data_kommune2022.rds``: its ``SysselArbsted`` must
equal the column sums, its ``SysselBosted`` may exceed the row sums (residents working outside the
356 municipalities, 8 385 in all). Codes (2020-2023) are mapped to 2024 codes with
``norway_locations.xlsx``; one without a 2024 municipality there (2100 Svalbard, 9999 unknown)
is a :class:`DataError`.

Split rule: 2022 flows cannot separate the parts of a split municipality (1507 Ålesund, 2024:
1508 Ålesund and 1580 Haram), so every flow touching it is divided in proportion to the parts'
population on 1 January 2024, on the residence side, then on the workplace side (its internal
flow on both: cell (a, b) gets p_a * p_b). Each division gives whole persons by largest remainder
(ties to the lower code), so the parts add up to the 2022 figure flow by flow and the national
total (2 809 789) is preserved exactly. The sheet's own ``weighting`` (0.5) is not used.
"""

from __future__ import annotations

import logging
import os
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import replace
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from regionopt._resources import geo_file
from regionopt.data import sources
from regionopt.data.municipalities import SSB_FILE, read_ssb_records
from regionopt.errors import DataError
from regionopt.flows import Commuting
from regionopt.problem import ProblemData

logger = logging.getLogger(__name__)

PENDLING_FILE = "ssb/pendling/data_pendling2022.rds"
KOMMUNE_FILE = "ssb/pendling/data_kommune2022.rds"
LOCATIONS_FILE = "csdata/norway_locations.xlsx"
CENTRALITY_TABLE = "centrality_2023.csv"
PathLike = str | os.PathLike[str]

DATA_YEAR = 2022
_Targets = list[tuple[list[int], np.ndarray]]
_LOCATION = r"^(?P<kind>[a-z]*)municip_nor(?P<code>\d{4})$"


def read_commuting(
    pendling_path: Path,
    kommune_path: Path,
    locations_path: Path,
    *,
    codes_2024: Sequence[str],
    population: Mapping[str, int],
) -> Commuting:
    """Read SSB's 2022 commuting flows and re-code them to the 2024 municipalities.

    Parameters
    ----------
    pendling_path, kommune_path, locations_path
        ``data_pendling2022.rds`` (03321), ``data_kommune2022.rds`` (11618) and
        ``norway_locations.xlsx`` (municipal code history).
    codes_2024
        The municipalities expected (2024 structure, e.g. Kartverket's 357).
    population
        Population by 2024 code, used to divide split municipalities (module docstring).

    Returns
    -------
    Commuting
        National flows over the sorted ``codes_2024`` (``codes`` set), with employed
        residents including those working outside table 03321.

    Raises
    ------
    DataError
        If a file is unreadable or malformed, a 2022 code does not map to an expected 2024
        code, a 2024 code gets no data, or tables 03321 and 11618 disagree.
    """
    codes22, flows22 = _read_pendling(pendling_path)
    extra22 = _working_outside(kommune_path, codes22, flows22)
    codes = tuple(sorted(set(codes_2024)))
    targets = _targets(locations_path, codes22, codes, population)
    flows = _remap(_remap(flows22, targets, len(codes)).T, targets, len(codes)).T
    extra = _remap(extra22[:, None], targets, len(codes))[:, 0]
    note = " ".join(
        f"{old} ({DATA_YEAR}) divided into {' and '.join(codes[i] for i in new)} in proportion "
        f"to 2024 population ({', '.join(f'{x:.2%}' for x in w)}), on residence and workplace "
        "sides independently, whole persons by largest remainder, totals preserved."
        for old, (new, w) in zip(codes22, targets, strict=True)
        if len(new) > 1
    )
    return Commuting(flows, flows.sum(axis=1) + extra, flows.sum(axis=0), note, codes)


def _read_rds(path: Path, columns: Sequence[str], only: Mapping[str, str]) -> pd.DataFrame:
    """Read the data frame of an .rds file, checking its columns, fixed values and counts."""
    try:
        import pyreadr  # lazy: only reading the .rds tables needs it
        from pyreadr.custom_errors import LibrdataError, PyreadrError
    except ImportError as exc:
        raise DataError(f"{path}: reading .rds files needs the 'pyreadr' package") from exc
    try:
        frame = next(iter(pyreadr.read_r(str(path)).values()), pd.DataFrame())
    except (OSError, LibrdataError, PyreadrError) as exc:
        raise DataError(f"{path}: cannot read .rds file ({exc})") from exc
    for column in (*columns, "value"):
        if column not in frame.columns:
            raise DataError(f"{path}: missing column '{column}'")
    frame = frame.astype(dict.fromkeys(columns, str))
    for column, expected in only.items():
        if set(frame[column]) != {expected}:
            raise DataError(f"{path}: column '{column}' holds other values than {expected!r}")
    value = pd.to_numeric(frame["value"], errors="coerce")
    if not (value >= 0).all() or (value % 1 != 0).any():
        raise DataError(f"{path}: column 'value' has a missing, negative or fractional count")
    return frame.assign(value=value.astype(np.int64))


def _read_locations(path: Path) -> dict[str, set[str]]:
    """Map each municipality valid in 2022 to its 2024 codes."""
    columns = ["year_start", "year_end", "municip_code", "municip_code_end"]
    try:
        frame = pd.read_excel(path, dtype=str, usecols=columns)
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:
        raise DataError(f"{path}: cannot read municipal code history ({exc})") from exc
    code = frame["municip_code"].str.extract(_LOCATION)
    end = frame["municip_code_end"].str.extract(_LOCATION)["code"]
    start = pd.to_numeric(frame["year_start"], errors="coerce")
    stop = pd.to_numeric(frame["year_end"], errors="coerce")
    target = end.where(stop.notna(), code["code"])
    valid = code["kind"].eq("") & (start <= DATA_YEAR) & ~(stop < DATA_YEAR) & target.notna()
    mapping: dict[str, set[str]] = {}
    for old, new in zip(code.loc[valid, "code"], target[valid], strict=True):
        mapping.setdefault(old, set()).add(new)
    return mapping


def _read_pendling(path: Path) -> tuple[list[str], np.ndarray]:
    """Read table 03321 as a residence x workplace matrix over its sorted codes."""
    columns = ("Bokommuen", "ArbstedKomm", "ContentsCode", "Tid")
    frame = _read_rds(path, columns, {"Tid": str(DATA_YEAR), "ContentsCode": "Sysselsatte"})
    try:
        table = frame.pivot(index="Bokommuen", columns="ArbstedKomm", values="value")
    except ValueError as exc:
        raise DataError(f"{path}: a residence-workplace pair appears twice") from exc
    codes = sorted(set(table.index) | set(table.columns))
    return codes, table.reindex(index=codes, columns=codes).fillna(0).to_numpy(np.int64)


def _working_outside(path: Path, codes: list[str], flows: np.ndarray) -> np.ndarray:
    """Check table 11618 against 03321 and return the residents working outside 03321."""
    frame = _read_rds(path, ("Region", "ContentsCode", "Tid"), {"Tid": str(DATA_YEAR)})
    try:
        table = frame.pivot(index="Region", columns="ContentsCode", values="value")
        table = table.reindex(index=codes)[["SysselBosted", "SysselArbsted"]]
    except (KeyError, ValueError) as exc:
        raise DataError(f"{path}: no single 'SysselBosted'/'SysselArbsted' per region") from exc
    extra: np.ndarray = table["SysselBosted"].to_numpy() - flows.sum(axis=1)
    unequal = table["SysselArbsted"].to_numpy() != flows.sum(axis=0)
    for bad, what in (
        (table.isna().any(axis=1).to_numpy(), "has no SysselBosted or SysselArbsted"),
        (unequal, "has SysselArbsted unequal to its 03321 column sum"),
        (extra < 0, "has SysselBosted below its 03321 row sum"),
    ):
        if bad.any():
            raise DataError(f"{path}: municipality {codes[int(np.argmax(bad))]} {what}")
    logger.info("%s: %d employed residents work outside table 03321", path, extra.sum())
    return extra.astype(np.int64)


def _targets(path: Path, old: list[str], codes: Sequence[str], pop: Mapping[str, int]) -> _Targets:
    """Indices into ``codes`` of each 2022 code's 2024 municipalities, with population shares."""
    mapping = _read_locations(path)
    where = {code: i for i, code in enumerate(codes)}
    targets = []
    for code in old:
        new = sorted(mapping.get(code, ()))
        if not new or not set(new) <= set(where):
            detail = f"maps to {new}, not all" if new else "maps to none"
            raise DataError(f"{path}: 2022 municipality {code} {detail} of the 2024 codes expected")
        share = np.array([pop.get(c, -1) if len(new) > 1 else 1 for c in new], dtype=float)
        if not (share >= 0).all() or share.sum() <= 0:
            raise DataError(f"population: no valid population for all of {new}")
        targets.append(([where[c] for c in new], share / share.sum()))
    missing = sorted(set(codes) - {codes[i] for new, _ in targets for i in new})
    if missing:
        raise DataError(f"{path}: no 2022 municipality maps to 2024 municipality {missing[0]}")
    return targets


def _remap(matrix: np.ndarray, targets: _Targets, size: int) -> np.ndarray:
    """Move rows to their 2024 positions, dividing split rows by largest remainder."""
    out = np.zeros((size, matrix.shape[1]), dtype=np.int64)
    for row, (new, w) in enumerate(targets):
        quotas = np.outer(w, matrix[row])
        parts = np.floor(quotas).astype(np.int64)
        rank = np.argsort(np.argsort(parts - quotas, axis=0, kind="stable"), axis=0, kind="stable")
        out[new] += parts + (rank < matrix[row] - parts.sum(axis=0))
    return out


@cache
def _national(paths: tuple[Path, Path, Path], codes: tuple[str, ...],
              population: tuple[int, ...]) -> Commuting:
    return read_commuting(*paths, codes_2024=codes, population=dict(zip(codes, population,
                                                                          strict=True)))


def national_commuting(codes: Sequence[str], population: Sequence[int], *,
                       data_dir: PathLike | None = None, cache_dir: PathLike | None = None,
                       base_url: str | None = None) -> Commuting:
    """Return the national flows over the 2024 municipalities ``codes`` (read once per process).

    Parameters
    ----------
    codes, population
        Every 2024 municipality of Norway and its population (to divide split municipalities).
    data_dir, cache_dir, base_url
        Where the three source files are found (see :func:`regionopt.data.sources.fetch`).

    Returns
    -------
    Commuting
        Over the sorted ``codes``.

    Raises
    ------
    DataError
        If a source file is missing, corrupt or inconsistent.
    """
    pendling, kommune, locations = (
        sources.fetch(f, data_dir=data_dir, cache_dir=cache_dir, base_url=base_url)
        for f in (PENDLING_FILE, KOMMUNE_FILE, LOCATIONS_FILE))
    return _national((pendling, kommune, locations), tuple(codes),
                     tuple(int(p) for p in population))


def area_commuting(flows: Commuting, codes: Sequence[str]) -> Commuting:
    """Return the flows among the sorted ``codes`` with their national totals (a problem's).

    Employed residents are the row sums and jobs the column sums of the national table (every
    workplace and every residence in Norway), as ``docs/metrics.md`` defines E and J.

    Raises
    ------
    DataError
        If a municipality of ``codes`` has no commuting data.
    """
    idx = flows.indices(codes)
    note = flows.note if {"1508", "1580"} & set(codes) else ""
    return Commuting(flows.flows[np.ix_(idx, idx)], flows.flows[idx].sum(axis=1),
                     flows.flows[:, idx].sum(axis=0), note, tuple(codes))


def load_centrality(codes: Sequence[str]) -> np.ndarray:
    """Return the centrality index and class of ``codes`` from ``data/geo/centrality_2023.csv``.

    Returns
    -------
    numpy.ndarray
        int64, shape ``(len(codes), 2)``: index (0 to 1000) and class (1 to 6).

    Raises
    ------
    DataError
        If the table is unreadable or lacks a municipality.
    """
    path = geo_file(CENTRALITY_TABLE)
    try:
        frame = pd.read_csv(path, dtype={"kommunenummer": str}).set_index("kommunenummer")
        missing = sorted(set(codes) - set(frame.index))
        if missing:
            raise DataError(f"{path}: municipality {missing[0]} has no centrality index")
        table = frame.loc[list(codes), ["index", "class"]].to_numpy(dtype="int64")
    except (OSError, ValueError, KeyError, pd.errors.ParserError) as exc:
        raise DataError(f"{path}: cannot read ({exc})") from None
    if ((table[:, 0] < 0) | (table[:, 0] > 1000) | (table[:, 1] < 1) | (table[:, 1] > 6)).any():
        raise DataError(f"{path}: an index outside 0-1000 or a class outside 1-6")
    return table


def with_functional_data(problem: ProblemData, flows: Commuting) -> ProblemData:
    """Return ``problem`` carrying its commuting flows and centrality index.

    Raises
    ------
    DataError
        If a municipality has no commuting data or centrality index.
    """
    return replace(problem, commuting=area_commuting(flows, problem.codes),
                   centrality=load_centrality(problem.codes))


def functional_problem(problem: ProblemData, *, data_dir: PathLike | None = None,
                       cache_dir: PathLike | None = None,
                       base_url: str | None = None) -> ProblemData:
    """Return ``problem`` with the commuting flows of its area and the centrality index.

    The national flows are read once per process from the three source files (data folder,
    cache or download, checksums verified) and re-coded to the 2024 municipalities.

    Raises
    ------
    DataError
        If a source file is missing or corrupt, or a municipality has no data.
    """
    path = sources.fetch(SSB_FILE, data_dir=data_dir, cache_dir=cache_dir, base_url=base_url)
    records = sorted(read_ssb_records(path), key=lambda r: r["id"])
    flows = national_commuting([r["id"] for r in records],
                               [int(r.get("population") or 0) for r in records],
                               data_dir=data_dir, cache_dir=cache_dir, base_url=base_url)
    return with_functional_data(problem, flows)
