"""The state of :mod:`regionopt.model.heuristic`: regions as core → members, and its rules.

:class:`State` holds the plan being built (each core's member set), the candidate pairs and
the rules every move of the construction and the local search must keep: contiguity,
the population bounds, cannot-link pairs, fixed cores, and the families the heuristic does
not know, through their audit (``check``). :class:`UnmetError` is a rule the construction
could not meet.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from regionopt.model.contiguity import reachable
from regionopt.model.families import Candidates, PlanView, active_families
from regionopt.model.families.base import exception_mask, must_groups
from regionopt.plan import plan_from_labels
from regionopt.problem import ProblemData
from regionopt.scenario import Scenario

#: Families whose rules the moves below keep by construction (candidate pairs or own checks).
KNOWN = frozenset({"the number of regions", "the population bounds", "must_link", "cannot_link",
                   "fixed_cores", "contiguity", "the travel limit", "the county borders",
                   "core_is_largest", "min_core_population"})


class UnmetError(Exception):
    """A rule the construction could not meet (one sentence)."""

class State:
    """Regions as core → member set, with the rules the moves must keep."""

    def __init__(self, data: ProblemData, scenario: Scenario, cands: Candidates) -> None:
        c = scenario.constraints
        self.data, self.scenario, self.cands = data, scenario, cands
        self.pop = data.population.astype("int64")
        self.cost = data.population[:, None] * data.minutes  # person-minutes i -> core j
        self.contiguous = c.contiguity
        self.nbrs = data.neighbours()
        self.floor, self.cap = c.min_population, c.max_population
        # an elastic floor (objective.population_shortfall) or an exception core lets a
        # region that no merge brings to the floor stay below it
        self.elastic = scenario.objective.population_shortfall > 0
        self.exempt = exception_mask(data, scenario)
        self.fixed = frozenset(data.index(k) for k in c.fixed_cores)
        self.unit_of = np.arange(data.n)
        for group in must_groups(data, scenario):
            first = min(group)
            for i in group:
                self.unit_of[i] = first
        self.units: dict[int, frozenset[int]] = {}
        for i in range(data.n):
            self.units.setdefault(int(self.unit_of[i]), frozenset())
            self.units[int(self.unit_of[i])] |= {i}
        self.apart: dict[int, set[int]] = {i: set() for i in range(data.n)}
        for a, b in c.cannot_link:
            ia, ib = data.index(a), data.index(b)
            self.apart[ia].add(ib)
            self.apart[ib].add(ia)
        self.regions: dict[int, set[int]] = {}
        self.core_of = np.full(data.n, -1, dtype="int64")
        self.unknown = [f for f in active_families(scenario)
                        if f.name not in KNOWN and f.check is not None]

    # -- rules -------------------------------------------------------------------------
    def connected(self, members: set[int], core: int) -> bool:
        return not self.contiguous or len(reachable(core, members, self.nbrs)) == len(members)

    def allowed(self, members: Iterable[int], core: int) -> bool:
        """Every member may join ``core`` and no cannot-link pair is inside."""
        cand = self.cands.get(core)
        if cand is None:
            return False
        members = set(members)
        if not members <= cand or len(members & self.fixed - {core}) > 0:
            return False
        return all(not (self.apart[i] & members) for i in members)

    def under_cap(self, members: Iterable[int]) -> bool:
        return self.cap is None or int(self.pop[list(members)].sum()) <= self.cap

    def size(self, members: Iterable[int]) -> int:
        return int(self.pop[list(members)].sum())

    def best_core(self, members: set[int]) -> tuple[float, int] | None:
        """Cheapest core (travel) of ``members`` that keeps every member a candidate."""
        pinned = members & self.fixed
        if len(pinned) > 1:
            return None
        idx = sorted(members)
        options = sorted(pinned) if pinned else [c for c in idx if c in self.cands]
        options = [c for c in options if self.allowed(members, c)]
        if not options:
            return None
        costs = self.cost[np.ix_(idx, options)].sum(axis=0)
        k = int(np.argmin(costs))
        return float(costs[k]), options[k]

    def region_cost(self, core: int) -> float:
        return float(self.cost[sorted(self.regions[core]), core].sum())

    def touching(self, members: set[int]) -> list[int]:
        """Cores of the regions adjacent to ``members`` (all others without contiguity)."""
        if not self.contiguous:
            return sorted(j for j in self.regions if not (self.regions[j] & members))
        near = {self.core_of[k] for i in members for k in self.nbrs[i] if k not in members}
        return sorted(int(j) for j in near if j >= 0)

    # -- plan ----------------------------------------------------------------------------
    def set_region(self, core: int, members: set[int]) -> None:
        self.regions[core] = members
        for i in members:
            self.core_of[i] = core

    def cores(self) -> np.ndarray:
        return self.core_of.copy()

    def unknown_ok(self, cores: np.ndarray) -> bool:
        if not self.unknown:
            return True
        view = PlanView.of(plan_from_labels(self.data, cores, name="heuristic"), self.data)
        return not any(f.check(view, self.scenario) for f in self.unknown if f.check)
