"""Region population bounds: ``constraints.min_population`` and ``max_population``.

Pruning: a core whose candidates together stay below the floor cannot open.
Rows: ``popmin_<core>`` and ``popmax_<core>`` (the cap only where the
candidates together could exceed it). Audit: each region's population.
Proof of infeasibility: one municipality alone above the cap.

Elastic floor: with ``objective.population_shortfall`` = w > 0 the floor is
soft: ``popmin_<core>`` gets a shortfall ``short_<core> >= 0`` (persons),
``pop(region) + short >= floor·x[j, j]``, and ``w·short`` is added to the
objective; no pruning, no audit of the floor (the criteria table reports the
shortfall). A region whose core is a named exception has no floor.
"""

from __future__ import annotations

import numpy as np
import pulp

from regionopt.errors import whole
from regionopt.model.families.base import (
    Candidates,
    Family,
    ModelParts,
    PlanView,
    Violation,
    exception_mask,
    label,
)
from regionopt.problem import ProblemData
from regionopt.scenario import Scenario


def _refine(cands: Candidates, data: ProblemData, s: Scenario) -> bool:
    floor = s.constraints.min_population
    if s.objective.population_shortfall > 0:
        return False
    exempt = exception_mask(data, s)
    small = [j for j, m in cands.items()
             if int(data.population[sorted(m)].sum()) < floor and not exempt[j]]
    for j in small:
        del cands[j]  # even all its candidates together stay below min_population
    return bool(small)


def _rows(m: ModelParts) -> None:
    c, data = m.scenario.constraints, m.data
    low, high = c.min_population, c.max_population
    weight, exempt = m.scenario.objective.population_shortfall, exception_mask(data, m.scenario)
    for j, members in sorted(m.cands.items()):
        total = pulp.lpSum(int(data.population[i]) * m.x[i, j] for i in sorted(members))
        if low > 0 and not exempt[j] and weight > 0:
            short = m.prob.add_variable(f"short_{data.codes[j]}", 0)
            m.prob += (total + short - low * m.x[j, j] >= 0, f"popmin_{data.codes[j]}")
            m.penalty += weight * short
        elif low > 0 and not exempt[j]:
            m.prob += (total - low * m.x[j, j] >= 0, f"popmin_{data.codes[j]}")
        if high is not None and int(data.population[sorted(members)].sum()) > high:
            m.prob += (total - high * m.x[j, j] <= 0, f"popmax_{data.codes[j]}")


def _check(view: PlanView, s: Scenario) -> list[Violation]:
    c, out = s.constraints, []
    hard, exempt = s.objective.population_shortfall == 0, exception_mask(view.data, s)
    for r, core, members in view.regions:
        pop = int(view.data.population[list(members)].sum())
        if c.min_population and pop < c.min_population and hard and not exempt[core]:
            out.append(Violation("constraints.min_population", r,
                                 f"region {r} has {whole(pop)} inhabitants < "
                                 f"{c.min_population}"))
        if c.max_population is not None and pop > c.max_population:
            out.append(Violation("constraints.max_population", r,
                                 f"region {r} has {whole(pop)} inhabitants > "
                                 f"{c.max_population}"))
    return out


def _reasons(data: ProblemData, s: Scenario, cands: Candidates) -> list[str]:
    cap = s.constraints.max_population
    if cap is None:
        return []
    return [f"{label(data, int(i))} alone has {whole(data.population[i])} inhabitants, "
            f"above max_population {cap}" for i in np.flatnonzero(data.population > cap)]


FAMILY = Family(
    name="the population bounds",
    keys=("constraints.min_population", "constraints.max_population"),
    relax=(("constraints.min_population", 0), ("constraints.max_population", None)),
    active=lambda s: s.constraints.min_population > 0 or s.constraints.max_population is not None,
    refine=_refine,
    rows=_rows,
    check=_check,
    page_check="population",
    reasons=_reasons,
)
