"""The objective terms of the region MIP, and their values for any plan.

Objective (minimised)::

    travel * sum(pop[i] * minutes[i, j] * x[i, j])            person-minutes
  + balance * sum over regions |pop(region) - P / K|          persons
  + commuting * (border commuters inside the area)            persons
  + population_shortfall * (inhabitants missing to the floor) persons
  + travel_excess * (minutes over the travel limit)           minutes
  - criterion * (regions meeting the self-containment criterion)
  + delineation.join_weight * (breaches of an elastic join rule)
  + delineation.admit_weight * (members no rule of an elastic admission admits)

with ``P`` the total population and ``K`` the number of regions of the plan
(linearised exactly also when ``K`` is free; see ``docs/scenarios.md``).
:func:`add_objective` sets it on a model; :func:`plan_terms` computes the
unweighted terms of a plan from the data, the figures every result reports.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pulp

from regionopt.model.families import ModelParts, count_range
from regionopt.model.families.base import exception_mask, kept_flows, summed
from regionopt.model.families.criterion import count_meeting, criterion_count
from regionopt.model.families.share_join import breaches as join_breaches
from regionopt.model.families.shares import elastic, unadmitted
from regionopt.model.families.travel import excess_minutes
from regionopt.problem import ProblemData
from regionopt.scenario import Scenario


def _balance_term(m: ModelParts) -> pulp.LpAffineExpression:
    """Add ``d_j >= |pop(region j) - P/K|`` for open cores and return ``sum(d_j)``."""
    prob, x, data, cands = m.prob, m.x, m.data, m.cands
    total = float(data.population.sum())
    lo, hi = count_range(data, m.scenario)
    hi = min(hi, len(cands))
    if lo == hi:
        target = {j: (total / lo) * x[j, j] for j in cands}
    else:
        # K is free: z[K] picks the number of regions, w[j, K] = x[j, j] * z[K] (exact,
        # because w[j, K] <= z[K] and sum_K w[j, K] = x[j, j] with z binary).
        ks = range(lo, hi + 1)
        z = {k: prob.add_variable(f"nregions_{k}", 0, 1, cat=pulp.LpBinary) for k in ks}
        prob += (pulp.lpSum(z.values()) == 1, "nregions_one")
        prob += (pulp.lpSum(k * z[k] for k in ks) - m.opened == 0, "nregions_count")
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


def objective_scale(largest: float) -> float:
    """Return the power of ten that brings the largest objective coefficient below 1e5.

    Person-minutes reach 1e9 on a national model, which solvers call badly
    scaled; the model's objective is multiplied by this factor (1 when the
    coefficients are already below 1e5) and every figure a result reports is
    divided by it again, so results are in the original units.
    """
    if largest <= 1e5:
        return 1.0
    return float(10.0 ** -(math.floor(math.log10(largest)) - 4))


def add_objective(m: ModelParts) -> float:
    """Set the scenario's weighted objective on the model ``m``, scaled; return the scale.

    The model minimises ``scale * objective`` (see :func:`objective_scale`).
    """
    pop, mins = m.data.population, m.data.minutes
    travel = pulp.LpAffineExpression(
        [(var, float(pop[i] * mins[i, j])) for (i, j), var in m.x.items() if mins[i, j] != 0]
    )
    weights = m.scenario.objective
    objective = weights.travel * travel
    if weights.balance > 0:
        objective += weights.balance * _balance_term(m)
    if weights.commuting > 0:
        objective += weights.commuting * _border_term(m)
    if weights.criterion > 0:
        objective -= weights.criterion * criterion_count(m)
    objective += m.penalty
    scale = objective_scale(max((abs(c) for c in objective.values()), default=0.0))
    m.prob += objective * scale if scale != 1.0 else objective
    return scale


def _border_term(m: ModelParts) -> pulp.LpAffineExpression:
    """Border commuters inside the area, as a linear expression without a constant.

    ``Σ_{o<d} (F[o, d] + F[d, o])·(1 − Σ_j y[o, d, j])`` with ``y`` the kept-pair
    variables (exact: the term rewards ``y`` up to ``x[o, j]·x[d, j]``). The 1 is
    written as ``Σ_j x[o, j]`` (the assignment row), so the solvers' bounds,
    which leave out objective constants, stay comparable with the objective.
    """
    kept = kept_flows(m)
    flows = m.data.commuting.flows if m.data.commuting is not None else np.zeros((0, 0))
    both = np.triu(flows + flows.T, k=1)
    out = both.sum(axis=1)  # flow between o and the municipalities after it
    terms = [(var, float(out[i])) for (i, _), var in m.x.items() if out[i]]
    terms += [(y, -float(both[o, d])) for (o, d, _), y in kept.items()]
    return summed(terms)


def plan_terms(data: ProblemData, cores: Sequence[int] | np.ndarray,
               scenario: Scenario | None = None) -> dict[str, float]:
    """Return the unweighted objective terms of the plan ``cores[i]`` = core of ``i``.

    ``travel`` is the person-minutes to the core; ``balance`` is the sum over
    regions of ``|pop(region) - P/K|`` with ``P`` the total population and
    ``K`` the number of regions. With commuting flows, ``commuting`` is the
    number of border commuters inside the area. With ``scenario``,
    ``population_shortfall`` (inhabitants missing to ``constraints.min_population``,
    summed over regions whose core is not an exception) and ``travel_excess``
    (minutes over ``constraints.max_travel_minutes``, summed over members that
    are not exceptions) when the scenario makes them elastic; ``criterion`` (the
    regions meeting the self-containment criterion) when ``objective.criterion``
    rewards them.
    """
    cores = np.asarray(cores, dtype="int64")
    idx = np.arange(data.n)
    travel = float((data.population * data.minutes[idx, cores]).sum())
    sizes = np.bincount(cores, weights=data.population, minlength=data.n)[np.unique(cores)]
    target = float(data.population.sum()) / len(sizes)
    terms = {"travel": travel, "balance": float(np.abs(sizes - target).sum())}
    if data.commuting is not None:
        flows = data.commuting.flows
        terms["commuting"] = float(flows[cores[:, None] != cores[None, :]].sum())
    if scenario is not None and scenario.objective.population_shortfall > 0:
        floor = scenario.constraints.min_population
        exempt = exception_mask(data, scenario)[np.unique(cores)]
        short = np.maximum(floor - sizes, 0.0)
        terms["population_shortfall"] = float(short[~exempt].sum())
    if scenario is not None and scenario.objective.travel_excess > 0:
        terms["travel_excess"] = float(excess_minutes(data, scenario)[idx, cores].sum())
    if scenario is not None and scenario.objective.criterion > 0:
        terms["criterion"] = float(count_meeting(data, scenario.criteria, cores))
    d = scenario.delineation if scenario is not None else None
    if d is not None and d.join_share > 0 and d.join_weight > 0:
        terms["join_breaches"] = float(join_breaches(data, d, cores))
    if d is not None and elastic(d) and (d.admit_share > 0 or d.travel_steps):
        terms["admit_breaches"] = float(unadmitted(data, d, cores))
    return terms


def objective_value(data: ProblemData, scenario: Scenario, cores: np.ndarray) -> float:
    """Return the scenario's weighted objective of a plan."""
    t, w = plan_terms(data, cores, scenario), scenario.objective
    value = w.travel * t["travel"] + w.balance * t["balance"]
    for key in ("commuting", "population_shortfall", "travel_excess"):
        weight = getattr(w, key)
        if weight > 0:
            value += weight * t[key]
    if w.criterion > 0:
        value -= w.criterion * t["criterion"]
    d = scenario.delineation  # the elastic [delineation] rules, by their own weights
    return value + d.join_weight * t.get("join_breaches", 0.0) \
        + d.admit_weight * t.get("admit_breaches", 0.0)
