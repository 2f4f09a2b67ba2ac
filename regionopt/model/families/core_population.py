"""Core population floor: ``constraints.min_core_population``.

Pruning: a municipality below the floor cannot be a core (no rows), unless it
is a named exception (``constraints.exceptions``). Audit: each core's
population.
"""

from __future__ import annotations

import numpy as np

from regionopt.errors import whole
from regionopt.model.families.base import Family, PlanView, Violation, exception_mask
from regionopt.problem import ProblemData
from regionopt.scenario import Scenario


def _cores(data: ProblemData, s: Scenario) -> np.ndarray:
    floor = s.constraints.min_core_population
    return np.asarray(data.population >= floor) | exception_mask(data, s)


def _check(view: PlanView, s: Scenario) -> list[Violation]:
    floor, data, out = s.constraints.min_core_population, view.data, []
    exempt = exception_mask(data, s)
    for r, core, _ in view.regions:
        core_pop = int(data.population[core])
        if core_pop < floor and not exempt[core]:
            out.append(Violation("constraints.min_core_population", r,
                                 f"core {data.codes[core]} of region {r} has {whole(core_pop)} "
                                 f"inhabitants < {floor}"))
    return out


FAMILY = Family(
    name="min_core_population",
    keys=("constraints.min_core_population",),
    relax=(("constraints.min_core_population", 0),),
    active=lambda s: s.constraints.min_core_population > 0,
    cores=_cores,
    check=_check,
    page_check="core_population",
)
