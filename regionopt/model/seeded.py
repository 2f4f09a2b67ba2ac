"""Plans from given regions: grown by the heuristic's construction, improved by its local search.

``regions.count = "max"`` builds a plan on the sets its packing chose
(:mod:`regionopt.model.packing`) and starts the travel stage from it. Both steps
use the construction heuristic's own pieces (:mod:`regionopt.model.heuristic`):
each given region gets the cheapest core the rules allow
(:meth:`~regionopt.model.heuristic_state.State.best_core`), the other
municipalities attach as the construction attaches them
(:func:`~regionopt.model.heuristic.attach`), and the local search
(:func:`~regionopt.model.heuristic.local_search`) moves boundaries and cores
while the objective falls.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

import numpy as np

from regionopt.budget import Budget
from regionopt.model.families import Candidates
from regionopt.model.heuristic import (
    HeuristicResult,
    attach,
    local_search,
    repair,
    unmet_rules,
)
from regionopt.model.heuristic_state import State, UnmetError
from regionopt.model.objective import objective_value
from regionopt.problem import ProblemData
from regionopt.scenario import Scenario


def plan_around(data: ProblemData, scenario: Scenario, cands: Candidates,
                regions: Iterable[frozenset[int]]) -> np.ndarray | None:
    """Return ``cores[i]`` of a plan with the given regions grown to cover every municipality.

    Parameters
    ----------
    data, scenario, cands
        As for :func:`~regionopt.model.heuristic.heuristic_plan`.
    regions
        Disjoint sets of positions, each to be a region.

    Returns
    -------
    numpy.ndarray or None
        ``None`` when a region has no core the rules allow, or a municipality
        can join no region. The plan is not audited: the caller checks it
        (:func:`~regionopt.model.heuristic.unmet_rules`).
    """
    st = State(data, scenario, {j: set(m) for j, m in cands.items()})
    for members in regions:
        best = st.best_core(set(members))
        if best is None:
            return None
        st.set_region(best[1], set(members))
    try:
        attach(st)
    except UnmetError:
        return None
    cores = st.cores()
    return cores if (cores >= 0).all() else None


def improve_plan(data: ProblemData, scenario: Scenario, cands: Candidates, cores: np.ndarray, *,
                 seed: int = 0, budget: Budget | None = None) -> HeuristicResult:
    """Run the local search from a given plan (for example the max-p packing's).

    Parameters
    ----------
    data, scenario, cands
        As for :func:`~regionopt.model.heuristic.heuristic_plan`.
    cores
        ``cores[i]`` of the plan to start from.
    seed, budget
        As for :func:`~regionopt.model.heuristic.heuristic_plan`.

    Returns
    -------
    HeuristicResult
        The improved plan. A given plan that breaks a floor (population,
        self-containment, region count) is first repaired by the construction's own
        steps (:func:`~regionopt.model.heuristic.repair`); when that does not
        help, the given plan with its unmet rules (then nothing is moved).
    """
    start = time.perf_counter()
    unmet = unmet_rules(data, scenario, cores)
    if unmet:
        cores, unmet = _repaired(data, scenario, cands, cores, unmet)
    if not unmet:
        st = _state(data, scenario, cands, cores)
        cores = local_search(st, np.random.default_rng(seed), budget=budget)
        unmet = unmet_rules(data, scenario, cores)
    return HeuristicResult(cores, objective_value(data, scenario, cores), unmet,
                           time.perf_counter() - start)


def _state(data: ProblemData, scenario: Scenario, cands: Candidates,
           cores: np.ndarray) -> State:
    st = State(data, scenario, {j: set(m) for j, m in cands.items()})
    for j in sorted(set(cores.tolist())):
        st.set_region(int(j), {int(i) for i in np.flatnonzero(cores == j)})
    return st


def _repaired(data: ProblemData, scenario: Scenario, cands: Candidates, cores: np.ndarray,
              unmet: tuple[str, ...]) -> tuple[np.ndarray, tuple[str, ...]]:
    """A plan that breaks a floor, repaired by the construction's own steps
    (:func:`~regionopt.model.heuristic.repair`: weak regions merged with the neighbour
    they share most commuters with, then split back to the region count), a few times at
    most; the given plan and its unmet rules when that does not help. Only plans whose
    every region has a core the candidates allow are repaired."""
    if any(int(i) not in cands.get(int(j), ()) for i, j in enumerate(cores)):
        return cores, unmet
    for _ in range(REPAIR_ROUNDS):
        st = _state(data, scenario, cands, cores)
        try:
            repair(st)
        except UnmetError:
            return cores, unmet
        fixed = st.cores()
        if (fixed < 0).any():
            return cores, unmet
        again = unmet_rules(data, scenario, fixed)
        if not again:
            return fixed, again
        cores = fixed
    return cores, unmet


#: Repairs tried on a start that breaks a floor (each split may leave a region short again).
REPAIR_ROUNDS = 4


__all__ = ["REPAIR_ROUNDS", "improve_plan", "plan_around"]
