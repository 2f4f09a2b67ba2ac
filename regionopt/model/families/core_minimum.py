"""Core minimums: ``constraints.min_core_jobs`` and ``max_core_centrality_class``.

A core needs at least ``min_core_jobs`` jobs (employed persons working there)
and a centrality class no higher than ``max_core_centrality_class`` (1 is the
most central, 6 the least). A named exception (``constraints.exceptions``)
may be a core all the same, of a region of exceptions only. Pruning: cores
(no rows). Audit: each core's jobs and class.
"""

from __future__ import annotations

import numpy as np

from regionopt.errors import DataError
from regionopt.model.families.base import (
    Family,
    PlanView,
    Violation,
    commuting_of,
    exception_mask,
)
from regionopt.problem import ProblemData
from regionopt.scenario import Scenario


def _weak(data: ProblemData, s: Scenario) -> list[tuple[str, np.ndarray, str]]:
    """Per active rule: its key, the mask of municipalities failing it, and what it asks."""
    c, out = s.constraints, []
    if c.min_core_jobs > 0:
        jobs = commuting_of(data, "constraints.min_core_jobs").jobs
        out.append(("constraints.min_core_jobs", jobs < c.min_core_jobs,
                    f"at least {c.min_core_jobs} jobs"))
    if c.max_core_centrality_class is not None:
        if data.centrality is None:
            raise DataError("constraints.max_core_centrality_class needs the centrality "
                            "index, and the problem has none")
        out.append(("constraints.max_core_centrality_class",
                    data.centrality[:, 1] > c.max_core_centrality_class,
                    f"centrality class at most {c.max_core_centrality_class}"))
    return out


def _cores(data: ProblemData, s: Scenario) -> np.ndarray:
    ok = np.ones(data.n, dtype=bool)
    for _, weak, _ in _weak(data, s):
        ok &= ~weak
    return ok | exception_mask(data, s)


def _check(view: PlanView, s: Scenario) -> list[Violation]:
    data, out = view.data, []
    exempt = exception_mask(data, s)
    for key, weak, wanted in _weak(data, s):
        for r, core, _ in view.regions:
            if weak[core] and not exempt[core]:
                out.append(Violation(key, r, f"core {data.codes[core]} of region {r} lacks "
                                             f"{wanted}"))
    return out


FAMILY = Family(
    name="the core minimums",
    keys=("constraints.min_core_jobs", "constraints.max_core_centrality_class"),
    relax=(("constraints.min_core_jobs", 0), ("constraints.max_core_centrality_class", None)),
    active=lambda s: s.constraints.min_core_jobs > 0
    or s.constraints.max_core_centrality_class is not None,
    cores=_cores,
    check=_check,
    page_check="core_minimum",
)
