"""Fixed cores: ``constraints.fixed_cores``, municipalities that must be cores.

Pruning: a fixed core joins no other core. Rows: ``fixed_<code>``
(``x[j, j] = 1``). Audit: each is a core. Proofs of infeasibility: more fixed
cores than regions, a fixed core below the core population floor or unable
to be a core, two fixed cores joined by must-link pairs.
"""

from __future__ import annotations

import numpy as np

from regionopt.errors import whole
from regionopt.model.families.base import (
    Candidates,
    Family,
    ModelParts,
    PlanView,
    Violation,
    label,
    must_groups,
)
from regionopt.model.families.count import count_range
from regionopt.model.families.must_link import require
from regionopt.problem import ProblemData
from regionopt.scenario import Scenario


def _members(data: ProblemData, s: Scenario, j: int) -> np.ndarray:
    ok = np.ones(data.n, dtype=bool)
    ok[[data.index(k) for k in s.constraints.fixed_cores]] = False
    ok[j] = True  # a fixed core is its own member
    return ok


def _rows(m: ModelParts) -> None:
    for code in m.scenario.constraints.fixed_cores:
        j = m.data.index(code)
        if (j, j) in m.x:
            m.prob += (m.x[j, j] == 1, f"fixed_{code}")


def _check(view: PlanView, s: Scenario) -> list[Violation]:
    cores = set(view.plan.cores.values())
    out, key = [], "constraints.fixed_cores"
    for code in s.constraints.fixed_cores:
        require(code, view, key)
        if code not in cores:
            out.append(Violation(key, code, f"{code} is not a core (its core is "
                                 f"{view.plan.core_of(code)})"))
    return out


def _reasons(data: ProblemData, s: Scenario, cands: Candidates) -> list[str]:
    c = s.constraints
    _, hi = count_range(data, s)
    out = []
    if len(c.fixed_cores) > hi:
        out.append(f"{len(c.fixed_cores)} fixed cores but at most {hi} regions")
    for code in c.fixed_cores:
        j = data.index(code)
        if data.population[j] < c.min_core_population:
            out.append(f"fixed core {label(data, j)} has {whole(data.population[j])} "
                       f"inhabitants, below min_core_population {c.min_core_population}")
        elif j not in cands:
            out.append(f"fixed core {label(data, j)} cannot be a core under the other "
                       "constraints (its must-link partners cannot join it)")
    fixed = {data.index(k) for k in c.fixed_cores}
    for group in must_groups(data, s):
        both = sorted(group & fixed)
        if len(both) > 1:
            out.append(f"fixed cores {label(data, both[0])} and {label(data, both[1])} are "
                       "joined by must-link pairs, but a region has one core")
    return out


FAMILY = Family(
    name="fixed_cores",
    keys=("constraints.fixed_cores",),
    relax=(("constraints.fixed_cores", []),),
    active=lambda s: bool(s.constraints.fixed_cores),
    members=_members,
    rows=_rows,
    check=_check,
    page_check="fixed_cores",
    reasons=_reasons,
)
