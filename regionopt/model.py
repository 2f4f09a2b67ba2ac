"""The region MIP: assign every municipality to a core, with exact contiguity.

``x[i, j] = 1`` when municipality ``i`` belongs to the region whose core is
``j``; ``x[j, j] = 1`` exactly when ``j`` is a core. Pairs that no feasible plan
can use are never created (travel limit, ``core_is_largest``, county borders,
core population floor, fixed cores, must-link partners, and under contiguity
members that cannot reach the core through other candidates). Each constraint
family is one function adding named constraints; the candidate pairs come from
:mod:`regionopt.candidates`, contiguity lives in :mod:`regionopt.contiguity`,
explanations of infeasibility in :mod:`regionopt.infeasibility`, running the
solvers in :mod:`regionopt.solvers`.

Objective (minimised)::

    travel * sum(pop[i] * minutes[i, j] * x[i, j])            person-minutes
  + balance * sum over regions |pop(region) - P / K|          persons

with ``P`` the total population and ``K`` the number of regions of the plan
(linearised exactly also when ``K`` is free; see ``docs/scenarios.md``).
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np
import pulp

from regionopt import contiguity as contig
from regionopt.candidates import candidate_sets, check_codes
from regionopt.errors import InfeasibleError, SolverError
from regionopt.plan import Plan, plan_from_labels
from regionopt.problem import ProblemData
from regionopt.scenario import Scenario
from regionopt.solvers import Outcome, run_solver

log = logging.getLogger(__name__)

Pair = tuple[int, int]
METHODS = ("flow", "cuts")
MAX_CUT_ROUNDS = 500


@dataclass(frozen=True)
class Alternative:
    """A plan other than the optimum: the best one not equal to any earlier.

    Attributes
    ----------
    plan
        The plan.
    objective
        Its objective value (same weights as the optimum).
    terms
        ``travel`` (person-minutes) and ``balance`` (persons), unweighted.
    differs
        Kommunenummer whose core differs from their core in the optimum.
    status
        ``"optimal"`` when proven the best remaining plan, else ``"time_limit"``.
    """

    plan: Plan
    objective: float
    terms: Mapping[str, float]
    differs: tuple[str, ...]
    status: str


@dataclass(frozen=True)
class SolveResult:
    """The outcome of :func:`solve`.

    Attributes
    ----------
    plan
        The best plan found (regions named after their core), or ``None``
        when no plan was found within the time limit.
    status
        ``"optimal"`` (proven within ``mip_gap``), ``"time_limit"`` (a plan,
        gap above ``mip_gap``), ``"not_solved"`` (no plan within the limit).
        Infeasible scenarios raise :class:`InfeasibleError` instead.
    objective
        Objective value of ``plan`` recomputed from the data (``nan`` without plan).
    terms
        ``travel`` (person-minutes) and ``balance`` (persons), unweighted.
    bound
        Best lower bound the solver proved, or ``None`` if not available.
    gap
        ``(objective - bound) / |objective|`` (0 when both are 0), or ``None``.
    seconds
        Wall-clock seconds to build and solve (alternatives excluded).
    solver
        ``"cbc"`` or ``"highs"``.
    scenario
        The scenario solved.
    alternatives
        Further plans, best first.
    method
        Contiguity formulation used (``"flow"``, ``"cuts"`` or ``"none"``).
    """

    plan: Plan | None
    status: str
    objective: float
    terms: Mapping[str, float]
    bound: float | None
    gap: float | None
    seconds: float
    solver: str
    scenario: Scenario
    alternatives: tuple[Alternative, ...] = ()
    method: str = "flow"


@dataclass(eq=False)
class RegionModel:
    """A built model: the PuLP problem and what is needed to read it.

    Attributes
    ----------
    problem
        The ``pulp.LpProblem`` (inspect it, ``writeLP`` it).
    data
        The input data.
    scenario
        The scenario it encodes.
    x
        Assignment variables keyed by ``(member, core)`` positions.
    candidates
        Core position → positions that may join it (the core included).
    method
        Contiguity formulation: ``"flow"``, ``"cuts"`` or ``"none"``.
    """

    problem: pulp.LpProblem
    data: ProblemData
    scenario: Scenario
    x: dict[Pair, pulp.LpVariable]
    candidates: Mapping[int, frozenset[int]]
    method: str
    nbrs: list[list[int]] = field(repr=False, default_factory=list)
    rounds: int = 0
    no_goods: int = 0

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
        self.problem += (pulp.lpSum(ones) <= self.data.n - 1, f"nogood_{self.no_goods}")


def _add_assignment(prob: pulp.LpProblem, x: Mapping[Pair, pulp.LpVariable],
                    data: ProblemData) -> None:
    rows: dict[int, list[pulp.LpVariable]] = {i: [] for i in range(data.n)}
    for (i, j), var in x.items():
        rows[i].append(var)
        if i != j:
            prob += (var - x[j, j] <= 0, f"open_{data.codes[i]}_{data.codes[j]}")
    for i, vars_ in rows.items():
        prob += (pulp.lpSum(vars_) == 1, f"assign_{data.codes[i]}")


def _count_range(data: ProblemData, scenario: Scenario) -> tuple[int, int]:
    r = scenario.regions
    if r.count is not None:
        return r.count, r.count
    return r.min_count or 1, r.max_count or data.n


def _add_count(prob: pulp.LpProblem, x: Mapping[Pair, pulp.LpVariable], data: ProblemData,
               scenario: Scenario) -> pulp.LpAffineExpression:
    opened = pulp.lpSum(x[j, j] for j in range(data.n) if (j, j) in x)
    lo, hi = _count_range(data, scenario)
    if lo == hi:
        prob += (opened == lo, "core_count")
    else:
        prob += (opened >= lo, "core_count_min")
        prob += (opened <= hi, "core_count_max")
    return opened


def _add_population(prob: pulp.LpProblem, x: Mapping[Pair, pulp.LpVariable],
                    data: ProblemData, cands: Mapping[int, frozenset[int]], *,
                    low: int, high: int | None) -> None:
    for j, members in sorted(cands.items()):
        total = pulp.lpSum(int(data.population[i]) * x[i, j] for i in sorted(members))
        if low > 0:
            prob += (total - low * x[j, j] >= 0, f"popmin_{data.codes[j]}")
        if high is not None and int(data.population[sorted(members)].sum()) > high:
            prob += (total - high * x[j, j] <= 0, f"popmax_{data.codes[j]}")


def _add_links(prob: pulp.LpProblem, x: Mapping[Pair, pulp.LpVariable], data: ProblemData,
               cands: Mapping[int, frozenset[int]], scenario: Scenario) -> None:
    c = scenario.constraints
    for a_code, b_code in c.must_link:
        a, b = data.index(a_code), data.index(b_code)
        for j in sorted(cands):
            if (a, j) in x:  # pruning keeps a and b candidates of the same cores
                prob += (x[a, j] - x[b, j] == 0, f"must_{a_code}_{b_code}_{data.codes[j]}")
    for a_code, b_code in c.cannot_link:
        a, b = data.index(a_code), data.index(b_code)
        for j in sorted(cands):
            if (a, j) in x and (b, j) in x:
                prob += (x[a, j] + x[b, j] <= 1, f"cannot_{a_code}_{b_code}_{data.codes[j]}")
    for code in c.fixed_cores:
        j = data.index(code)
        if (j, j) in x:
            prob += (x[j, j] == 1, f"fixed_{code}")


def _balance_term(prob: pulp.LpProblem, x: Mapping[Pair, pulp.LpVariable], data: ProblemData,
                  cands: Mapping[int, frozenset[int]], scenario: Scenario,
                  opened: pulp.LpAffineExpression) -> pulp.LpAffineExpression:
    """Add ``d_j >= |pop(region j) - P/K|`` for open cores and return ``sum(d_j)``."""
    total = float(data.population.sum())
    lo, hi = _count_range(data, scenario)
    hi = min(hi, len(cands))
    if lo == hi:
        target = {j: (total / lo) * x[j, j] for j in cands}
    else:
        # K is free: z[K] picks the number of regions, w[j, K] = x[j, j] * z[K] (exact,
        # because w[j, K] <= z[K] and sum_K w[j, K] = x[j, j] with z binary).
        ks = range(lo, hi + 1)
        z = {k: prob.add_variable(f"nregions_{k}", 0, 1, cat=pulp.LpBinary) for k in ks}
        prob += (pulp.lpSum(z.values()) == 1, "nregions_one")
        prob += (pulp.lpSum(k * z[k] for k in ks) - opened == 0, "nregions_count")
        target = {}
        for j in sorted(cands):
            w = {k: prob.add_variable(f"w_{data.codes[j]}_{k}", 0) for k in ks}
            for k in ks:
                prob += (w[k] - z[k] <= 0, f"w_{data.codes[j]}_{k}")
            prob += (pulp.lpSum(w.values()) - x[j, j] == 0, f"wsum_{data.codes[j]}")
            target[j] = pulp.lpSum((total / k) * w[k] for k in ks)
    devs = []
    for j in sorted(cands):
        d = prob.add_variable(f"dev_{data.codes[j]}", 0)
        size = pulp.lpSum(int(data.population[i]) * x[i, j] for i in sorted(cands[j]))
        prob += (d - size + target[j] >= 0, f"devup_{data.codes[j]}")
        prob += (d + size - target[j] >= 0, f"devdown_{data.codes[j]}")
        devs.append(d)
    return pulp.lpSum(devs)


def build_model(data: ProblemData, scenario: Scenario, *, method: str = "flow") -> RegionModel:
    """Build the PuLP model of ``scenario`` on ``data``.

    Parameters
    ----------
    data
        Municipalities, minutes and adjacency.
    scenario
        What to optimise.
    method
        Contiguity formulation, ``"flow"`` or ``"cuts"`` (see
        :mod:`regionopt.contiguity`); ignored when contiguity is off.

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
    c = scenario.constraints
    check_codes(data, scenario)
    cands = {j: frozenset(m) for j, m in candidate_sets(data, scenario).items()}
    codes = data.codes
    prob = pulp.LpProblem(f"regions_{scenario.name}".replace("-", "_").replace(" ", "_"),
                          pulp.LpMinimize)
    x = {
        (i, j): prob.add_variable(f"x_{codes[i]}_{codes[j]}", 0, 1, cat=pulp.LpBinary)
        for j in sorted(cands) for i in sorted(cands[j])
    }
    nbrs = data.neighbours()
    method = method if c.contiguity else "none"
    _add_assignment(prob, x, data)
    opened = _add_count(prob, x, data, scenario)
    _add_population(prob, x, data, cands, low=c.min_population, high=c.max_population)
    _add_links(prob, x, data, cands, scenario)
    if c.contiguity:
        contig.add_neighbour_support(prob, x, codes, nbrs)
        if method == "flow":
            contig.add_flow(prob, x, {j: set(m) for j, m in cands.items()}, codes, nbrs)
    pop, mins = data.population, data.minutes
    travel = pulp.LpAffineExpression(
        [(var, float(pop[i] * mins[i, j])) for (i, j), var in x.items() if mins[i, j] != 0]
    )
    objective = scenario.objective.travel * travel
    if scenario.objective.balance > 0:
        objective += scenario.objective.balance * _balance_term(prob, x, data, cands, scenario,
                                                                opened)
    prob += objective
    log.info("model %s: %d assignment variables, %d constraints, contiguity %s",
             prob.name, len(x), len(prob.constraints()), method)
    return RegionModel(problem=prob, data=data, scenario=scenario, x=x, candidates=cands,
                       method=method, nbrs=nbrs)


def plan_terms(data: ProblemData, cores: Sequence[int] | np.ndarray) -> dict[str, float]:
    """Return the unweighted objective terms of the plan ``cores[i]`` = core of ``i``.

    ``travel`` is the person-minutes to the core; ``balance`` is the sum over
    regions of ``|pop(region) - P/K|`` with ``P`` the total population and
    ``K`` the number of regions.
    """
    cores = np.asarray(cores, dtype="int64")
    idx = np.arange(data.n)
    travel = float((data.population * data.minutes[idx, cores]).sum())
    sizes = np.bincount(cores, weights=data.population, minlength=data.n)[np.unique(cores)]
    target = float(data.population.sum()) / len(sizes)
    return {"travel": travel, "balance": float(np.abs(sizes - target).sum())}


def objective_value(data: ProblemData, scenario: Scenario, cores: np.ndarray) -> float:
    """Return the scenario's weighted objective of a plan."""
    t = plan_terms(data, cores)
    return scenario.objective.travel * t["travel"] + scenario.objective.balance * t["balance"]


def _optimise(model: RegionModel, *, quiet: bool) -> tuple[Outcome, np.ndarray | None]:
    """Solve, adding separator cuts until every region is connected (method ``cuts``)."""
    s = model.scenario.solver
    deadline = None if s.time_limit_s is None else time.monotonic() + s.time_limit_s
    while True:
        left = None if deadline is None else max(1.0, deadline - time.monotonic())
        outcome = run_solver(model.problem, s, time_limit_s=left, quiet=quiet)
        cores = model.cores_from_solution() if outcome.has_solution else None
        if model.method != "cuts" or cores is None:
            return outcome, cores
        cuts = contig.separator_cuts(cores, model.candidates, model.nbrs)
        if not cuts:
            return outcome, cores
        model.rounds += 1
        log.info("contiguity round %d: %d separator cuts", model.rounds, len(cuts))
        contig.add_cuts(model.problem, model.x, cuts, model.data.codes, model.rounds)
        if model.rounds >= MAX_CUT_ROUNDS or (deadline and time.monotonic() >= deadline):
            return outcome.without_solution(), None


def _gap(objective: float, bound: float | None) -> float | None:
    if bound is None:
        return None
    if abs(objective) < 1e-9:
        return 0.0 if abs(bound) < 1e-6 else None
    return max(0.0, (objective - bound) / abs(objective))


def _status(outcome: Outcome, gap: float | None, mip_gap: float) -> str:
    if outcome.proven and (gap is None or gap <= mip_gap + 1e-6):
        return "optimal"
    return "time_limit"


def solve(data: ProblemData, scenario: Scenario, *, quiet: bool = False, alternatives: int = 0,
          method: str = "flow") -> SolveResult:
    """Find the best plan for ``scenario``, and optionally the next best ones.

    Parameters
    ----------
    data
        Municipalities, minutes and adjacency.
    scenario
        What to optimise (solver, time limit and gap from ``scenario.solver``;
        the time limit applies to each solve: the optimum and each alternative).
    quiet
        Hide the solver's log (otherwise written to stderr as it runs).
    alternatives
        How many further plans to find, each the best plan not equal to any
        earlier one (equal = same regions with the same cores).
    method
        Contiguity formulation, ``"flow"`` or ``"cuts"``.

    Returns
    -------
    SolveResult

    Raises
    ------
    InfeasibleError
        If no plan meets the scenario, with the reasons found.
    SolverError
        If the solver is missing or fails.
    """
    from regionopt.infeasibility import diagnose, explain_infeasible

    start = time.perf_counter()
    reasons = diagnose(data, scenario)
    if reasons:
        raise InfeasibleError(f"scenario {scenario.name!r} is infeasible", reasons)
    model = build_model(data, scenario, method=method)
    outcome, cores = _optimise(model, quiet=quiet)
    seconds = time.perf_counter() - start
    if outcome.infeasible:
        raise InfeasibleError(f"scenario {scenario.name!r} is infeasible",
                              explain_infeasible(data, scenario, method=method))
    if cores is None:
        return SolveResult(plan=None, status="not_solved", objective=float("nan"),
                           terms=MappingProxyType({}), bound=outcome.bound, gap=None,
                           seconds=seconds, solver=scenario.solver.name, scenario=scenario,
                           method=model.method)
    best = objective_value(data, scenario, cores)
    _check_objective(best, outcome)
    gap = _gap(best, outcome.bound)
    result = SolveResult(
        plan=plan_from_labels(data, cores, name="optimum"),
        status=_status(outcome, gap, scenario.solver.mip_gap),
        objective=best, terms=MappingProxyType(plan_terms(data, cores)),
        bound=outcome.bound, gap=gap, seconds=seconds, solver=scenario.solver.name,
        scenario=scenario, method=model.method,
    )
    alts = _alternatives(model, cores, alternatives, quiet=quiet) if alternatives else ()
    log.info("solved %s: %s, objective %.6g, bound %s, %.2f s", scenario.name, result.status,
             best, outcome.bound, seconds)
    return dataclasses.replace(result, alternatives=alts)


def _check_objective(value: float, outcome: Outcome) -> None:
    """Guard against reading a solution that does not match the solver's objective."""
    if outcome.objective is not None and abs(value - outcome.objective) > 1e-6 * max(1, value):
        raise SolverError(f"solver objective {outcome.objective} differs from the plan's {value}")


def _alternatives(model: RegionModel, best: np.ndarray, count: int, *,
                  quiet: bool) -> tuple[Alternative, ...]:
    data, scenario = model.data, model.scenario
    model.add_no_good(best)
    out = []
    for k in range(count):
        outcome, cores = _optimise(model, quiet=quiet)
        if cores is None:
            why = "no further plan exists" if outcome.infeasible else "none found in time"
            log.info("alternative %d: %s", k + 1, why)
            break
        value = objective_value(data, scenario, cores)
        gap = _gap(value, outcome.bound)
        differs = tuple(data.codes[i] for i in range(data.n) if cores[i] != best[i])
        out.append(Alternative(
            plan=plan_from_labels(data, cores, name=f"alternative {k + 1}"), objective=value,
            terms=MappingProxyType(plan_terms(data, cores)), differs=differs,
            status=_status(outcome, gap, scenario.solver.mip_gap),
        ))
        model.add_no_good(cores)
    return tuple(out)
