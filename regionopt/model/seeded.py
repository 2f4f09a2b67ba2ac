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
from regionopt.model.heuristic import HeuristicResult, attach, local_search, unmet_rules
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
        The improved plan; the given plan with its unmet rules if it breaks any
        (then nothing is moved).
    """
    start = time.perf_counter()
    unmet = unmet_rules(data, scenario, cores)
    if not unmet:
        st = State(data, scenario, {j: set(m) for j, m in cands.items()})
        for j in sorted(set(cores.tolist())):
            st.set_region(int(j), {int(i) for i in np.flatnonzero(cores == j)})
        cores = local_search(st, np.random.default_rng(seed), budget=budget)
        unmet = unmet_rules(data, scenario, cores)
    return HeuristicResult(cores, objective_value(data, scenario, cores), unmet,
                           time.perf_counter() - start)


__all__ = ["improve_plan", "plan_around"]
