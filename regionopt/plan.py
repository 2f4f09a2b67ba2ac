"""A region plan: which municipality belongs to which region, and each core.

A plan is a value: it is frozen, and metrics are pure functions of it
(:mod:`regionopt.evaluate`). Plans are read from and written to CSV files with
columns ``kommunenummer, region`` and optionally ``core`` (the kommunenummer of
the region's core, the same on every row of a region) and ``source``.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

import numpy as np
import pandas as pd

from regionopt._checker import full_code
from regionopt.errors import DataError
from regionopt.problem import ProblemData

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Plan:
    """An assignment of municipalities to named regions, each with a core.

    Attributes
    ----------
    assignment
        Kommunenummer → region name.
    cores
        Region name → kommunenummer of its core (a member of the region).
    name
        A label for the plan (``"optimum"``, ``"NIVI 2023"``, ...).
    """

    assignment: Mapping[str, str]
    cores: Mapping[str, str]
    name: str = "plan"
    _frozen: bool = field(default=False, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        assignment = MappingProxyType(dict(sorted(self.assignment.items())))
        object.__setattr__(self, "assignment", assignment)
        object.__setattr__(self, "cores", MappingProxyType(dict(sorted(self.cores.items()))))
        regions = set(self.assignment.values())
        if set(self.cores) != regions:
            missing = sorted(regions - set(self.cores))
            extra = sorted(set(self.cores) - regions)
            what = (f"region {missing[0]!r} has no core" if missing
                    else f"core given for unknown region {extra[0]!r}")
            raise DataError(f"plan {self.name!r}: {what}")
        for region, core in self.cores.items():
            if self.assignment.get(core) != region:
                raise DataError(
                    f"plan {self.name!r}: core {core} of region {region!r} is not a member of it"
                )

    def renamed(self, name: str) -> Plan:
        """Return the same plan under another ``name``."""
        return Plan(assignment=self.assignment, cores=self.cores, name=name)

    @property
    def regions(self) -> tuple[str, ...]:
        """Region names, sorted."""
        return tuple(sorted(self.cores))

    def members(self, region: str) -> tuple[str, ...]:
        """Kommunenummer of the members of ``region``, sorted."""
        return tuple(c for c, r in self.assignment.items() if r == region)

    def core_of(self, code: str) -> str:
        """Kommunenummer of the core of the region holding ``code``."""
        return self.cores[self.assignment[code]]

    def labels(self, problem: ProblemData) -> np.ndarray:
        """Return, per position in ``problem``, the position of its core.

        Raises
        ------
        DataError
            If the plan and the problem do not cover the same municipalities.
        """
        check_coverage(self, problem)
        return np.array([problem.index(self.core_of(c)) for c in problem.codes], dtype="int64")

    def to_frame(self) -> pd.DataFrame:
        """Return the plan as a table ``kommunenummer, region, core``."""
        return pd.DataFrame(
            {
                "kommunenummer": list(self.assignment),
                "region": list(self.assignment.values()),
                "core": [self.core_of(c) for c in self.assignment],
            }
        )


def check_coverage(plan: Plan, problem: ProblemData) -> None:
    """Raise :class:`DataError` unless ``plan`` covers exactly ``problem``'s municipalities."""
    have, want = set(plan.assignment), set(problem.codes)
    if have - want:
        code = sorted(have - want)[0]
        raise DataError(f"plan {plan.name!r}: municipality {code} is not in the study area")
    if want - have:
        code = sorted(want - have)[0]
        raise DataError(f"plan {plan.name!r}: municipality {code} is not assigned to a region")


def plan_from_labels(problem: ProblemData, cores: np.ndarray, *, name: str = "plan",
                     region_names: Mapping[str, str] | None = None) -> Plan:
    """Build a plan from ``cores[i]`` = position of the core of municipality ``i``.

    Regions are named after their core municipality unless ``region_names``
    (core kommunenummer → region name) says otherwise.
    """
    names = dict(region_names or {})
    core_codes = sorted({problem.codes[int(k)] for k in cores})
    label = {c: names.get(c, problem.names[problem.index(c)]) for c in core_codes}
    if len(set(label.values())) != len(label):  # two cores share a name: disambiguate by code
        label = {c: f"{label[c]} ({c})" for c in core_codes}
    assignment = {problem.codes[i]: label[problem.codes[int(k)]] for i, k in enumerate(cores)}
    return Plan(assignment=assignment, cores={label[c]: c for c in core_codes}, name=name)


def _encoding(p: Path) -> str:
    """``utf-8-sig`` for UTF-8 text (with or without a byte-order mark), else ``cp1252``.

    Norwegian Excel saves "CSV (semikolonseparert)" in Windows-1252 (æ, ø, å as
    single bytes); such a file is not valid UTF-8, and is read as Windows-1252.
    """
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise DataError(f"{p}: file not found") from None
    except IsADirectoryError:
        raise DataError(f"{p}: is a folder, not a plan CSV") from None
    try:
        raw.decode("utf-8-sig")
        return "utf-8-sig"
    except UnicodeDecodeError:
        pass
    try:
        raw.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise DataError(f"{p}: neither UTF-8 nor Windows-1252 text ({exc.reason})") from None
    log.info("%s: not UTF-8, read as Windows-1252", p)
    return "cp1252"


def _separator(p: Path, encoding: str) -> str:
    """``;`` for a CSV saved by a Norwegian spreadsheet, else ``,``."""
    with p.open(encoding=encoding) as fh:
        header = fh.readline()
    return ";" if header.count(";") > header.count(",") else ","


def _read_plan_table(p: Path) -> pd.DataFrame:
    """Read and check the columns and codes of a plan CSV.

    Accepts ``,`` or ``;`` as separator, UTF-8 (with or without a byte-order
    mark) or Windows-1252 text (Norwegian Excel), and
    restores the leading zeros a spreadsheet strips from codes, in the
    ``kommunenummer`` and ``core`` columns (``301`` → ``0301``).
    """
    if p.is_dir():
        raise DataError(f"{p}: is a folder, not a plan CSV")
    encoding = _encoding(p)
    try:
        df = pd.read_csv(p, dtype=str, keep_default_na=False, sep=_separator(p, encoding),
                         encoding=encoding)
    except FileNotFoundError:
        raise DataError(f"{p}: file not found") from None
    except pd.errors.EmptyDataError:
        raise DataError(f"{p}: the file is empty") from None
    except (ValueError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise DataError(f"{p}: cannot read ({exc})") from None
    df.columns = [str(c).strip() for c in df.columns]
    for col in ("kommunenummer", "region"):
        if col not in df.columns:
            raise DataError(f"{p}: missing column {col!r} (columns: {', '.join(df.columns)})")
    df["kommunenummer"] = df["kommunenummer"].map(full_code)
    if "core" in df.columns:
        df["core"] = df["core"].map(full_code)
    df["region"] = df["region"].str.strip()
    bad = df.loc[~df["kommunenummer"].str.fullmatch(r"\d{4}"), "kommunenummer"]
    if len(bad):
        raise DataError(f"{p}: kommunenummer {bad.iloc[0]!r} is not a 4-digit code")
    dup = df.loc[df["kommunenummer"].duplicated(), "kommunenummer"]
    if len(dup):
        raise DataError(f"{p}: municipality {dup.iloc[0]} appears more than once")
    empty = df.loc[df["region"] == "", "kommunenummer"]
    if len(empty):
        raise DataError(f"{p}: municipality {empty.iloc[0]} has no region")
    return df


def _named_cores(p: Path, df: pd.DataFrame) -> dict[str, str]:
    """Cores named in the optional ``core`` column, one per region."""
    cores: dict[str, str] = {}
    if "core" not in df.columns:
        return cores
    for region, group in df.groupby("region", sort=True):
        named = {c.strip() for c in group["core"] if c.strip()}
        if len(named) > 1:
            raise DataError(
                f"{p}: region {region!r} names more than one core: {', '.join(sorted(named))}"
            )
        if named:
            cores[str(region)] = named.pop()
    return cores


def largest_member(members: list[str], problem: ProblemData) -> str:
    """The most populous of ``members`` (ties to the lower kommunenummer)."""
    return max(members, key=lambda c: (problem.population[problem.index(c)], -int(c)))


def read_plan(path: str | os.PathLike[str], *, problem: ProblemData | None = None,
              name: str | None = None) -> Plan:
    """Read a plan CSV (``kommunenummer, region[, core]``).

    Where no ``core`` is given for a region, its core is its most populous
    member (ties to the lower kommunenummer), which needs ``problem``.

    Raises
    ------
    DataError
        Naming the file and the row, column or municipality at fault.
    """
    p = Path(path)
    df = _read_plan_table(p)
    assignment = dict(zip(df["kommunenummer"], df["region"], strict=True))
    cores = _named_cores(p, df)
    missing = sorted(set(assignment.values()) - set(cores))
    if missing and problem is None:
        raise DataError(f"{p}: region {missing[0]!r} names no core and no population is at hand")
    for region in missing:
        assert problem is not None
        members = [c for c, r in assignment.items() if r == region]
        try:
            cores[region] = largest_member(members, problem)
        except DataError as exc:
            raise DataError(f"{p}: {exc}") from None
    plan = Plan(assignment=assignment, cores=cores, name=name or p.stem)
    if problem is not None:
        try:
            check_coverage(plan, problem)
        except DataError as exc:
            raise DataError(f"{p}: {exc}") from None
    return plan


def read_plan_codes(path: str | os.PathLike[str]) -> tuple[str, ...]:
    """Return the kommunenummer a plan CSV lists, sorted (checked as :func:`read_plan` does).

    Raises
    ------
    DataError
        Naming the file and what is wrong with it.
    """
    return tuple(sorted(_read_plan_table(Path(path))["kommunenummer"]))
