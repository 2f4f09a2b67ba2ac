"""What a constraint family is: the shapes every family module fills in.

A family is one rule a scenario can switch on (the travel limit, the
population bounds, must-link pairs, ...). Everything regionopt does with a
rule lives in the family's own module and is reached through one
:class:`Family` value:

* ``keys`` and ``relax``: the scenario keys it reads, and the values that
  switch it off (used to explain infeasible scenarios);
* ``cores`` / ``members`` / ``refine``: its candidate pruning, which never
  cuts off a feasible plan (see :mod:`regionopt.model.candidates`);
* ``rows``: its named rows in the MIP, and ``separate`` for rows added lazily
  while solving (separator cuts);
* ``check``: its audit of any plan, returning :class:`Violation` values;
* ``page_check``: the map editor's live rerun of that audit, by the name of its
  function in ``regionopt/maps/editor_metrics.js`` (see :mod:`regionopt.maps.editor`);
* ``reasons``: cheap proofs that it makes a scenario infeasible.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pulp

from regionopt.errors import DataError
from regionopt.flows import Commuting
from regionopt.plan import Plan
from regionopt.problem import ProblemData
from regionopt.scenario import Scenario

Pair = tuple[int, int]
#: Core position → positions that may join it (the core included); changed in place by pruning.
Candidates = dict[int, set[int]]


@dataclass(frozen=True)
class Violation:
    """One broken scenario constraint.

    Attributes
    ----------
    constraint
        The scenario key (``"constraints.max_travel_minutes"``, ``"regions.count"``).
    where
        The region name, kommunenummer or ``"a-b"`` pair at fault; empty when
        the whole plan is at fault.
    detail
        One sentence with the numbers.
    """

    constraint: str
    where: str
    detail: str


@dataclass(eq=False)
class ModelParts:
    """The pieces of a MIP under construction that a family adds rows to.

    Attributes
    ----------
    prob
        The ``pulp.LpProblem``.
    x
        Assignment variables keyed by ``(member, core)`` positions.
    data, scenario
        What the model encodes.
    cands
        Core position → positions that may join it (the core included).
    nbrs
        Neighbour lists of the adjacency graph.
    method
        Contiguity formulation: ``"flow"``, ``"cuts"`` or ``"none"``.
    opened
        The number of open cores, ``sum(x[j, j])``.
    penalty
        Weighted objective terms of elastic (soft) constraints, added by their
        families and included by :func:`regionopt.model.objective.add_objective`.
    kept
        ``kept[o, d, j]`` (``o < d``): 1 when both ``o`` and ``d`` are in the
        region of core ``j``, created on first use by :func:`kept_flows` (``x[o, j]``
        itself when ``d`` or ``o`` is the core ``j``).
    meets
        ``meets[j]``: the binaries that say the region of core ``j`` meets the
        self-containment criterion (their sum is at most 1), created on first use by
        :func:`regionopt.model.families.criterion.criterion_vars`.
    """

    prob: pulp.LpProblem
    x: Mapping[Pair, pulp.LpVariable]
    data: ProblemData
    scenario: Scenario
    cands: Mapping[int, frozenset[int]]
    nbrs: list[list[int]]
    method: str
    opened: pulp.LpAffineExpression = field(default_factory=pulp.LpAffineExpression)
    penalty: pulp.LpAffineExpression = field(default_factory=pulp.LpAffineExpression)
    kept: dict[tuple[int, int, int], pulp.LpVariable] | None = None
    meets: dict[int, list[pulp.LpVariable]] | None = None


@dataclass(frozen=True, eq=False)
class PlanView:
    """A plan read against a problem, in positions: what audit checks need.

    Attributes
    ----------
    plan
        The plan.
    data
        The problem it covers.
    core_of
        ``core_of[i]`` is the position of the core of municipality ``i``.
    regions
        ``(name, core position, member positions)`` per region, by name.
    """

    plan: Plan
    data: ProblemData
    core_of: np.ndarray
    regions: tuple[tuple[str, int, tuple[int, ...]], ...]

    @classmethod
    def of(cls, plan: Plan, data: ProblemData) -> PlanView:
        """Return the view of ``plan`` on ``data`` (which it must cover exactly)."""
        core_of = plan.labels(data)
        regions = tuple(
            (name, data.index(plan.cores[name]),
             tuple(sorted(data.index(c) for c in plan.members(name))))
            for name in plan.regions
        )
        return cls(plan=plan, data=data, core_of=core_of, regions=regions)

    def minutes_to_core(self) -> np.ndarray:
        """Return each municipality's minutes to its core (``inf`` where unreachable)."""
        return self.data.minutes[np.arange(self.data.n), self.core_of].astype("float64")


@dataclass(frozen=True)
class Family:
    """One constraint family: everything regionopt does with one scenario rule.

    Attributes
    ----------
    name
        How sentences name it (``"the travel limit"``).
    keys
        The scenario keys it reads.
    relax
        ``(key, value)`` changes that switch it off.
    active
        Whether a scenario uses it.
    cores
        Mask of the positions that may be cores (pruning), or ``None``.
    members
        ``members(data, scenario, j)``: mask of the positions that may join core ``j``.
    refine
        Pruning that depends on the other candidates, repeated to a fixpoint;
        changes the candidates in place and returns whether it dropped any.
    rows
        Adds the family's named rows to a model.
    separate
        ``separate(parts, cores, round)``: adds rows the solution ``cores``
        violates and returns how many (lazy constraints), or ``None``.
    check
        The plan's violations of this family.
    page_check
        The name of the function of ``CHECKS`` in ``regionopt/maps/editor_metrics.js``
        that reruns ``check`` in the map editor's page (its parameters:
        ``regionopt.maps.editor.PARAMETERS`` under the same name); set with ``check``.
    reasons
        Proofs that the family makes a scenario infeasible, one sentence each.
    """

    name: str
    keys: tuple[str, ...]
    relax: tuple[tuple[str, Any], ...]
    active: Callable[[Scenario], bool]
    cores: Callable[[ProblemData, Scenario], np.ndarray] | None = None
    members: Callable[[ProblemData, Scenario, int], np.ndarray] | None = None
    refine: Callable[[Candidates, ProblemData, Scenario], bool] | None = None
    rows: Callable[[ModelParts], None] | None = None
    separate: Callable[[ModelParts, Sequence[int], int], int] | None = None
    check: Callable[[PlanView, Scenario], list[Violation]] | None = None
    page_check: str | None = None
    reasons: Callable[[ProblemData, Scenario, Candidates], list[str]] | None = None


def label(data: ProblemData, i: int) -> str:
    """Return ``"Name (kommunenummer)"`` of position ``i``, as sentences name a municipality."""
    return f"{data.names[i]} ({data.codes[i]})"


def must_groups(data: ProblemData, scenario: Scenario) -> list[set[int]]:
    """Return the must-link groups (transitive closure), each with at least two members."""
    parent = list(range(data.n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a, b in scenario.constraints.must_link:
        parent[find(data.index(a))] = find(data.index(b))
    groups: dict[int, set[int]] = {}
    for i in range(data.n):
        groups.setdefault(find(i), set()).add(i)
    return [g for g in groups.values() if len(g) > 1]


def exception_mask(data: ProblemData, scenario: Scenario) -> np.ndarray:
    """Return the mask of the municipalities named in ``constraints.exceptions``.

    Raises
    ------
    DataError
        If an exception names a municipality outside the study area.
    """
    mask = np.zeros(data.n, dtype=bool)
    for code, _ in scenario.constraints.exceptions:
        if code not in data.codes:
            raise DataError(f"scenario {scenario.name!r}: constraints.exceptions names "
                            f"municipality {code}, which is not in the study area")
        mask[data.index(code)] = True
    return mask


def commuting_of(data: ProblemData, key: str) -> Commuting:
    """Return the problem's commuting flows, or raise naming the scenario ``key`` that needs them.

    Raises
    ------
    DataError
        If the problem carries no commuting flows.
    """
    if data.commuting is None:
        raise DataError(f"{key} needs commuting flows, and the problem has none "
                        "(build it with regionopt.data.commuting.functional_problem)")
    return data.commuting


def kept_flows(m: ModelParts) -> dict[tuple[int, int, int], pulp.LpVariable]:
    """Return (creating once) the kept-pair variables ``y[o, d, j]`` with their rows.

    For every pair ``o < d`` with flow either way (``F[o, d] + F[d, o] > 0``, at least
    ``delineation.kept_min_flow``) and every core ``j`` both may join: ``y <= x[o, j]`` and
    ``y <= x[d, j]``,
    so ``y <= x[o, j] * x[d, j]``. Only rows that reward ``y`` use it (the
    commuting term, the self-containment floor), so raising it to the product
    is always allowed: the linearisation is exact.

    A pair with the core as one end (``d = j`` or ``o = j``) needs no variable: the product
    is ``x[o, j]·x[j, j] = x[o, j]``, since a member joins only an open core
    (``x[o, j] <= x[j, j]``, the model's ``open`` rows; a one-region model fixes
    ``x[j, j] = 1``), so the pair's entry is ``x[o, j]`` itself: exact, with the same LP
    bound (``min(x[o, j], x[j, j]) = x[o, j]``) and one column and two rows fewer per pair.
    """
    if m.kept is not None:
        return m.kept
    flows = commuting_of(m.data, "the commuting term").flows
    both = flows + flows.T
    codes, kept = m.data.codes, {}
    # delineation.kept_min_flow: smaller flows count as crossing a border (conservative)
    least = max(1, m.scenario.delineation.kept_min_flow)
    pairs = [(int(o), int(d)) for o, d in zip(*np.nonzero(both >= least), strict=True) if o < d]
    for j in sorted(m.cands):
        members = m.cands[j]
        for o, d in pairs:
            if o in members and d in members:
                if j in (o, d):
                    kept[o, d, j] = m.x[d if j == o else o, j]
                    continue
                y = m.prob.add_variable(f"kept_{codes[o]}_{codes[d]}_{codes[j]}", 0, 1)
                m.prob += (y - m.x[o, j] <= 0, f"keptres_{codes[o]}_{codes[d]}_{codes[j]}")
                m.prob += (y - m.x[d, j] <= 0, f"keptwork_{codes[o]}_{codes[d]}_{codes[j]}")
                kept[o, d, j] = y
    m.kept = kept
    return kept


def kept_in_region(m: ModelParts) -> dict[int, pulp.LpAffineExpression]:
    """Return, per core ``j``, the commuters its region keeps, ``L(R)``, as a model expression.

    ``L = Σ_o F[o, o]·x[o, j] + Σ_{o<d} (F[o, d] + F[d, o])·y[o, d, j]`` over the
    kept-pair variables of :func:`kept_flows` (``docs/metrics.md``): the one statement
    of ``L`` in the model, used by the self-containment floor, the median-region floor and
    the criterion.
    """
    c = commuting_of(m.data, "the commuters a region keeps")
    both = c.flows + c.flows.T
    pairs: dict[int, list[tuple[pulp.LpVariable, float]]] = {j: [] for j in m.cands}
    for (o, d, j), y in kept_flows(m).items():
        pairs[j].append((y, float(both[o, d])))
    return {j: summed(
                [(m.x[i, j], float(c.flows[i, i])) for i in sorted(members) if c.flows[i, i]]
                + pairs[j])
            for j, members in sorted(m.cands.items())}


def summed(terms: Sequence[tuple[pulp.LpVariable, float]]) -> pulp.LpAffineExpression:
    """Return ``Σ coefficient·variable`` over ``terms``, adding a variable's repeated terms.

    ``pulp.LpAffineExpression(terms)`` keeps only the last coefficient of a repeated
    variable; the kept-pair entries of :func:`kept_flows` repeat ``x[o, j]`` (a pair with
    its core), so every sum over them goes through here.
    """
    out = pulp.LpAffineExpression()
    for var, coef in terms:
        out.addterm(var, coef)
    return out


def strength(data: ProblemData, measure: str) -> np.ndarray:
    """Return each municipality's strength under ``constraints.core_measure``.

    ``population``; ``jobs`` (employed persons working there, from anywhere);
    ``centrality`` (Statistics Norway's index).

    Raises
    ------
    DataError
        If the measure needs data the problem lacks.
    """
    if measure == "jobs":
        return commuting_of(data, "constraints.core_measure = \"jobs\"").jobs.astype("int64")
    if measure == "centrality":
        if data.centrality is None:
            raise DataError("constraints.core_measure = \"centrality\" needs the centrality "
                            "index, and the problem has none")
        return data.centrality[:, 0].astype("int64")
    return data.population.astype("int64")


def rank_by(values: np.ndarray, codes: Sequence[str]) -> np.ndarray:
    """Return each municipality's rank by ``values``, ties to the lower kommunenummer.

    ``rank[i] > rank[j]`` means ``i`` counts as stronger than ``j``; of equal
    values the lower kommunenummer ranks as stronger (as in :func:`regionopt.plan.read_plan`).
    The pruning of ``core_is_largest`` and ``core_is_strongest``: a core admits
    only members ranked below it.
    """
    order = sorted(range(len(codes)), key=lambda i: (int(values[i]), -int(codes[i])))
    rank = np.empty(len(codes), dtype="int64")
    rank[order] = np.arange(len(codes))
    return rank


def stronger_members(view: PlanView, values: np.ndarray) -> list[tuple[str, int, int]]:
    """Return ``(region, core, member)`` for each region with a member stronger than its core.

    "Stronger" is a strictly larger value (a tie with the core is allowed: a
    reference plan may name either as core); ``member`` is the strongest such
    member, ties to the lower kommunenummer. The audit of ``core_is_largest``
    and ``core_is_strongest``.
    """
    codes, out = view.data.codes, []
    for r, core, members in view.regions:
        stronger = [i for i in members if values[i] > values[core]]
        if stronger:
            out.append((r, core, min(stronger, key=lambda i: (-int(values[i]), codes[i]))))
    return out
