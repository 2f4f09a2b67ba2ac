"""Region population bounds: ``constraints.min_population`` and ``max_population``.

Pruning: a core whose candidates together stay below the floor cannot open.
Rows: ``popmin_<core>`` and ``popmax_<core>`` (the cap only where the
candidates together could exceed it). Audit: each region's population.
Proof of infeasibility: one municipality alone above the cap.
"""

from __future__ import annotations

import numpy as np
import pulp

from regionopt.model.families.base import (
    Candidates,
    Family,
    ModelParts,
    PlanView,
    Violation,
    label,
)
from regionopt.problem import ProblemData
from regionopt.scenario import Scenario


def _refine(cands: Candidates, data: ProblemData, s: Scenario) -> bool:
    floor = s.constraints.min_population
    small = [j for j, m in cands.items() if int(data.population[sorted(m)].sum()) < floor]
    for j in small:
        del cands[j]  # even all its candidates together stay below min_population
    return bool(small)


def _rows(m: ModelParts) -> None:
    c, data = m.scenario.constraints, m.data
    low, high = c.min_population, c.max_population
    for j, members in sorted(m.cands.items()):
        total = pulp.lpSum(int(data.population[i]) * m.x[i, j] for i in sorted(members))
        if low > 0:
            m.prob += (total - low * m.x[j, j] >= 0, f"popmin_{data.codes[j]}")
        if high is not None and int(data.population[sorted(members)].sum()) > high:
            m.prob += (total - high * m.x[j, j] <= 0, f"popmax_{data.codes[j]}")


def _check(view: PlanView, s: Scenario) -> list[Violation]:
    c, out = s.constraints, []
    for r, _, members in view.regions:
        pop = int(view.data.population[list(members)].sum())
        if c.min_population and pop < c.min_population:
            out.append(Violation("constraints.min_population", r,
                                 f"region {r} has {pop} inhabitants < {c.min_population}"))
        if c.max_population is not None and pop > c.max_population:
            out.append(Violation("constraints.max_population", r,
                                 f"region {r} has {pop} inhabitants > {c.max_population}"))
    return out


def _reasons(data: ProblemData, s: Scenario, cands: Candidates) -> list[str]:
    cap = s.constraints.max_population
    if cap is None:
        return []
    return [f"{label(data, int(i))} alone has {int(data.population[i])} inhabitants, above "
            f"max_population {cap}" for i in np.flatnonzero(data.population > cap)]


FAMILY = Family(
    name="the population bounds",
    keys=("constraints.min_population", "constraints.max_population"),
    relax=(("constraints.min_population", 0), ("constraints.max_population", None)),
    active=lambda s: s.constraints.min_population > 0 or s.constraints.max_population is not None,
    refine=_refine,
    rows=_rows,
    check=_check,
    reasons=_reasons,
)
