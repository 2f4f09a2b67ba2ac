"""Build the region MIP: assign every municipality to a core, with exact contiguity.

``x[i, j] = 1`` when municipality ``i`` belongs to the region whose core is
``j``; ``x[j, j] = 1`` exactly when ``j`` is a core. Variables exist only for
the candidate pairs (:mod:`regionopt.model.candidates`); the assignment rows
are built here, every other row by the constraint families
(:mod:`regionopt.model.families`) the scenario switches on, and the objective
by :mod:`regionopt.model.objective`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pulp

from regionopt.model.candidates import candidate_sets
from regionopt.model.families import Candidates, ModelParts, active_families
from regionopt.model.objective import add_objective
from regionopt.problem import ProblemData
from regionopt.scenario import Scenario

log = logging.getLogger(__name__)

Pair = tuple[int, int]
METHODS = ("flow", "cuts")


@dataclass(eq=False)
class RegionModel:
    """A built model: the PuLP problem and what is needed to read it.

    Attributes
    ----------
    parts
        The model's pieces (:class:`~regionopt.model.families.ModelParts`).
    rounds
        Rounds of lazy rows (separator cuts) added while solving.
    no_goods
        Plans forbidden so far (for alternatives).
    scale
        The factor on the solver's objective (:func:`~regionopt.model.objective.objective_scale`);
        solver objectives and bounds are divided by it.
    """

    parts: ModelParts
    rounds: int = 0
    no_goods: int = 0
    scale: float = 1.0

    @property
    def problem(self) -> pulp.LpProblem:
        """The ``pulp.LpProblem`` (inspect it, ``writeLP`` it)."""
        return self.parts.prob

    @property
    def data(self) -> ProblemData:
        """The input data."""
        return self.parts.data

    @property
    def scenario(self) -> Scenario:
        """The scenario the model encodes."""
        return self.parts.scenario

    @property
    def x(self) -> Mapping[Pair, pulp.LpVariable]:
        """Assignment variables keyed by ``(member, core)`` positions."""
        return self.parts.x

    @property
    def candidates(self) -> Mapping[int, frozenset[int]]:
        """Core position → positions that may join it (the core included)."""
        return self.parts.cands

    @property
    def method(self) -> str:
        """Contiguity formulation: ``"flow"``, ``"cuts"`` or ``"none"``."""
        return self.parts.method

    def cores_from_solution(self) -> np.ndarray | None:
        """Return ``cores[i]`` from the variable values, or ``None`` without a solution."""
        cores = np.full(self.data.n, -1, dtype="int64")
        for (i, j), var in self.x.items():
            value = var.varValue
            if value is not None and value > 0.5:
                if cores[i] >= 0:
                    return None
                cores[i] = j
        return None if (cores < 0).any() else cores

    def add_no_good(self, cores: np.ndarray) -> None:
        """Forbid exactly the plan ``cores`` (same regions and same cores)."""
        self.no_goods += 1
        ones = [self.x[i, int(j)] for i, j in enumerate(cores)]
        self.parts.prob += (pulp.lpSum(ones) <= self.data.n - 1, f"nogood_{self.no_goods}")

    def separate(self, cores: np.ndarray) -> int:
        """Add the lazy rows ``cores`` violates (one round); return how many were added."""
        added = 0
        for fam in active_families(self.scenario):
            if fam.separate is not None:
                added += fam.separate(self.parts, [int(j) for j in cores], self.rounds + 1)
        if added:
            self.rounds += 1
        return added


def _add_assignment(m: ModelParts) -> None:
    rows: dict[int, list[pulp.LpVariable]] = {i: [] for i in range(m.data.n)}
    for (i, j), var in m.x.items():
        rows[i].append(var)
        if i != j:
            m.prob += (var - m.x[j, j] <= 0, f"open_{m.data.codes[i]}_{m.data.codes[j]}")
    for i, vars_ in rows.items():
        m.prob += (pulp.lpSum(vars_) == 1, f"assign_{m.data.codes[i]}")


def build_model(data: ProblemData, scenario: Scenario, *, method: str = "flow",
                cands: Candidates | None = None) -> RegionModel:
    """Build the PuLP model of ``scenario`` on ``data``.

    Parameters
    ----------
    data
        Municipalities, minutes and adjacency.
    scenario
        What to optimise.
    method
        Contiguity formulation, ``"flow"`` or ``"cuts"`` (see
        :mod:`regionopt.model.contiguity`); ignored when contiguity is off.
    cands
        The candidate sets of ``scenario`` on ``data`` if already computed
        (:func:`~regionopt.model.candidates.candidate_sets`); not modified.

    Returns
    -------
    RegionModel

    Raises
    ------
    ValueError
        If ``method`` is unknown.
    DataError
        If the scenario names a municipality not in ``data``.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}, got {method!r}")
    if cands is None:
        cands = candidate_sets(data, scenario)
    frozen = {j: frozenset(m) for j, m in cands.items()}
    codes = data.codes
    prob = pulp.LpProblem(f"regions_{scenario.name}".replace("-", "_").replace(" ", "_"),
                          pulp.LpMinimize)
    x = {
        (i, j): prob.add_variable(f"x_{codes[i]}_{codes[j]}", 0, 1, cat=pulp.LpBinary)
        for j in sorted(frozen) for i in sorted(frozen[j])
    }
    parts = ModelParts(prob=prob, x=x, data=data, scenario=scenario, cands=frozen,
                       nbrs=data.neighbours(),
                       method=method if scenario.constraints.contiguity else "none",
                       opened=pulp.lpSum(x[j, j] for j in range(data.n) if (j, j) in x))
    _add_assignment(parts)
    for fam in active_families(scenario):
        if fam.rows is not None:
            fam.rows(parts)
    scale = add_objective(parts)
    log.info("model %s: %d assignment variables, %d constraints, contiguity %s",
             prob.name, len(x), len(prob.constraints()), parts.method)
    return RegionModel(parts=parts, scale=scale)


def region_parts(data: ProblemData, scenario: Scenario, core: int,
                 members: frozenset[int]) -> ModelParts:
    """Return the model of the region of ``core`` alone, for families to add their rows to.

    One binary ``x[i, core]`` per position of ``members`` (``core`` among them), the
    core's fixed at 1 (row ``core``), and no other core: no assignment rows and no
    objective. A family's ``rows`` then state its rule for this one region exactly as
    in the whole model (contiguity by the flow formulation when the scenario asks for
    it), so when no such region meets them, no plan has one either.
    """
    codes = data.codes
    prob = pulp.LpProblem("region_of_core", pulp.LpMinimize)
    x = {(i, core): prob.add_variable(f"x_{codes[i]}_{codes[core]}", 0, 1, cat=pulp.LpBinary)
         for i in sorted(members)}
    prob += (x[core, core] == 1, "core")
    return ModelParts(prob=prob, x=x, data=data, scenario=scenario, cands={core: members},
                      nbrs=data.neighbours(),
                      method="flow" if scenario.constraints.contiguity else "none",
                      opened=pulp.lpSum([x[core, core]]))


def model_size(model: RegionModel) -> dict[str, int]:
    """Return the model's ``rows``, ``columns`` and ``nonzeros`` (as the solver receives it)."""
    prob = model.problem
    return {"rows": len(prob.constraints()), "columns": len(prob.variables()),
            "nonzeros": sum(len(c) for c in prob.constraints())}


def start_values(model: RegionModel, cores: np.ndarray) -> dict[pulp.LpVariable, float]:
    """Return the assignment binaries of the plan ``cores`` as a solver start.

    Raises
    ------
    ValueError
        If the plan uses a pair the model does not hold.
    """
    chosen = {(i, int(j)) for i, j in enumerate(cores)}
    missing = chosen - set(model.x)
    if missing:
        raise ValueError(f"the start uses {len(missing)} pairs outside the model")
    return {var: float(pair in chosen) for pair, var in model.x.items()}
