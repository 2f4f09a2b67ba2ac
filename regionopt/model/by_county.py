"""A starting plan united from one solve per county: ``solver.start = "counties"``.

The construction heuristic (:mod:`regionopt.model.heuristic`) does not know every rule (the
Coombes–Bond validity curve, :mod:`regionopt.model.families.coombes_bond`, it leaves unmet),
and a MIP of all of Norway may spend its limit at the root without finding a plan. A county is
a small problem: each is solved on its own municipalities, with the same rules and objective
(:meth:`regionopt.problem.ProblemData.subset` keeps each municipality's employed residents and
jobs over all of Norway, and the flows and edges between the county's municipalities), and
the regions of the county plans together make a plan of the whole area. Every rule a region
states on its own holds for it in the whole area as in its county (size, self-containment,
travel to its core, the core's strength, contiguity by the county's edges, which the whole
area also has); rules on the whole plan (a region count, a kept-commuter floor) may not, so
the united plan is checked against every rule of the scenario before it is used
(:func:`regionopt.model.heuristic.unmet_rules`, in :mod:`regionopt.model.engine`).

Counties that no plan covers on their own (Oslo keeps too few of its jobs) are solved again
together with the other such counties they border, or, bordering none, with every county they
border (:data:`ROUNDS` rounds); a part still without a plan leaves the solve without this
start.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import numpy as np

from regionopt.problem import ProblemData

log = logging.getLogger(__name__)

#: ``solve_part(part)``: ``cores[i]`` (positions in ``part``) of a plan of ``part``, or ``None``.
PartSolver = Callable[[ProblemData], "np.ndarray | None"]


def county_plan(data: ProblemData, solve_part: PartSolver) -> np.ndarray | None:
    """Return ``cores[i]`` of the plan united from one solve per county, or ``None``.

    Parameters
    ----------
    data
        The whole area; ``None`` is returned when it lies in one county.
    solve_part
        Solves the scenario on a part of ``data`` (:meth:`~regionopt.problem.ProblemData.subset`)
        and returns its plan's cores in the part's positions, or ``None`` when it finds none.

    Returns
    -------
    numpy.ndarray or None
        Core positions in ``data``; ``None`` when some part still has no plan after
        :data:`ROUNDS` rounds of merging.
    """
    counties = sorted(set(data.counties))
    if len(counties) < 2:
        return None
    cores = np.full(data.n, -1, dtype="int64")
    blocks = [frozenset([c]) for c in counties]
    failed = [b for b in blocks if not _place(data, b, solve_part, cores)]
    for _ in range(ROUNDS):
        if not failed:
            return cores
        blocks, grown = _merge(data, blocks, failed)
        if set(grown) == set(failed):  # nothing borders them: no larger part to try
            break
        failed = [b for b in grown if not _place(data, b, solve_part, cores)]
    log.info("counties: %s still without a plan; no county start",
             "; ".join(", ".join(sorted(b)) for b in failed))
    return None


#: Rounds of merging a part without a plan with its neighbours before giving up.
ROUNDS = 2


def _place(data: ProblemData, block: frozenset[str], solve_part: PartSolver,
           cores: np.ndarray) -> bool:
    """Solve the counties of ``block`` together and write their plan into ``cores``."""
    keep = [i for i in range(data.n) if data.counties[i] in block]
    got = solve_part(data.subset([data.codes[i] for i in keep]))
    if got is None:
        log.info("counties: no plan of %s on its own", ", ".join(sorted(block)))
        return False
    where = np.asarray(keep)
    cores[where] = where[np.asarray(got, dtype="int64")]
    return True


def _merge(data: ProblemData, blocks: list[frozenset[str]], failed: list[frozenset[str]]
           ) -> tuple[list[frozenset[str]], list[frozenset[str]]]:
    """Merge each failed block with the failed blocks it borders; one bordering none
    with every block it borders. Return the blocks and the merged ones (to solve again)."""
    of = {c: b for b in blocks for c in b}
    touching: dict[frozenset[str], set[frozenset[str]]] = {b: set() for b in blocks}
    for i, nbrs in enumerate(data.neighbours()):
        for k in nbrs:
            a, b = of[data.counties[i]], of[data.counties[k]]
            if a != b:
                touching[a].add(b)
    parent = {b: b for b in blocks}

    def find(b: frozenset[str]) -> frozenset[str]:
        while parent[b] != b:
            b = parent[b]
        return b

    bad = set(failed)
    for b in failed:
        partners = touching[b] & bad or touching[b]
        for other in partners:
            if find(other) != find(b):
                parent[find(other)] = find(b)
    groups: dict[frozenset[str], set[str]] = {}
    for b in blocks:
        groups.setdefault(find(b), set()).update(b)
    merged = [frozenset(g) for g in groups.values()]
    grown = [g for g in merged if g & frozenset().union(*failed)]
    return sorted(merged, key=sorted), sorted(grown, key=sorted)


__all__ = ["ROUNDS", "PartSolver", "county_plan"]
