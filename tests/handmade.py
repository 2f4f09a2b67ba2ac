"""Tiny hand-made problems and plans with known answers, shared by several test modules."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from regionopt.plan import Plan
from regionopt.problem import ProblemData
from regionopt.scenario import Scenario, parse_scenario
from regionopt.sweep import run as sweep

# ------------------------------------------------------------------ evaluate, audit, report

CODES = ("1001", "1002", "1003", "1004", "1005", "1006")
POP = [100, 50, 30, 200, 10, 40]

def path_problem(minutes: np.ndarray | None = None) -> ProblemData:
    """Six municipalities on a path 1001-1002-...-1006, 10 minutes per step.

    Counties: 1001-1004 in "10", 1005-1006 in "20".
    """
    pos = np.arange(6)
    mins = 10.0 * np.abs(pos[:, None] - pos[None, :]) if minutes is None else minutes
    return ProblemData(
        codes=CODES,
        names=("A", "B", "C", "D", "E", "F"),
        counties=("10", "10", "10", "10", "20", "20"),
        population=np.array(POP, dtype="int64"),
        minutes=mins,
        edges=tuple((i, i + 1, "border") for i in range(5)),
    )


def make_plan(groups: dict[str, tuple[str, list[str]]], name: str = "p") -> Plan:
    """``{region: (core, members)}`` → Plan."""
    assignment = {c: r for r, (_, members) in groups.items() for c in members}
    return Plan(assignment=assignment, cores={r: core for r, (core, _) in groups.items()},
                name=name)


PLAN_A = make_plan({"North": ("1001", ["1001", "1002", "1003"]),
                    "South": ("1004", ["1004", "1005", "1006"])}, name="A")


# ------------------------------------------------------------------ sweeps


def line_problem() -> ProblemData:
    """Six municipalities on a road 1-2-3-4-5-6, 10 minutes apart."""
    n = 6
    pos = np.arange(n, dtype="float64")
    return ProblemData(
        codes=tuple(f"99{i:02d}" for i in range(1, n + 1)),
        names=("A", "B", "C", "D", "E", "F"),
        counties=("99",) * n,
        population=np.array([1000, 200, 300, 4000, 100, 2000], dtype="int64"),
        minutes=np.abs(pos[:, None] - pos[None, :]) * 10.0,
        edges=tuple((i, i + 1, "road") for i in range(n - 1)),
    )


def tiny_scenario() -> Scenario:
    """Two regions, every other key at its default."""
    return parse_scenario({"name": "tiny", "regions": {"count": 2}}, source="test")


TINY_VARY = [("regions.count", (1, 2, 3, 4)), ("constraints.min_population", (0, 2500, 4000))]


def tiny_sweep(out: Path, **kw) -> pd.DataFrame:
    """Sweep ``TINY_VARY`` over :func:`line_problem` into ``out`` (serial unless told)."""
    kw.setdefault("max_workers", 1)
    return sweep.run_sweep(tiny_scenario(), TINY_VARY, problem=line_problem(), out_dir=out,
                           progress=False, reference=(), **kw)



# ------------------------------------------------------------------ a hard national case

def hard_scenario(*, solver: str, limit: float, threads: int) -> str:
    """The TOML of a hard case: all of Norway, a wide count range, no core rule, a long travel
    limit (CBC works on it for minutes), for the interrupt and time-limit tests."""
    return f"""name = "hard"
[area]
counties = []
municipalities = []
[regions]
min_count = 60
max_count = 120
[constraints]
core_is_largest = false
max_travel_minutes = 150
[objective]
balance = 5
[solver]
name = "{solver}"
time_limit_s = {limit}
threads = {threads}
"""
