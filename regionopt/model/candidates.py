"""Candidate pairs of the region MIP: which municipality may join which core.

A pair ``(i, j)`` is kept only if some feasible plan could put ``i`` in the
region of core ``j``. Each constraint family contributes its own pruning
(:mod:`regionopt.model.families`): which positions may be cores, which may
join a core, and rules that depend on the other candidates (must-link
partners kept together, members that reach the core through candidates,
cores whose candidates cannot reach the population floor), repeated until
nothing changes. Every rule only drops pairs no feasible plan uses, so
pruning never cuts off a feasible plan; the model creates variables for these
pairs only, and the diagnosis reads them to explain an infeasible scenario.
A core needs a finite ``minutes[j, j]``.
"""

from __future__ import annotations

import numpy as np

from regionopt.errors import DataError
from regionopt.model.families import Candidates, active_families, rank_order
from regionopt.problem import ProblemData
from regionopt.scenario import Scenario

__all__ = ["candidate_sets", "check_codes", "rank_order", "refine_to_fixpoint"]


def check_codes(data: ProblemData, scenario: Scenario) -> None:
    """Check that every code named by the constraints of ``scenario`` is in ``data``.

    Raises
    ------
    DataError
        Naming the scenario key and the first code outside the study area.
    """
    c = scenario.constraints
    keyed = [("fixed_cores", code) for code in c.fixed_cores]
    keyed += [(key, code) for key, pairs in (("must_link", c.must_link),
                                             ("cannot_link", c.cannot_link))
              for pair in pairs for code in pair]
    keyed += [("exceptions", code) for code, _ in c.exceptions]
    for key, code in keyed:
        if code not in data.codes:
            raise DataError(f"scenario {scenario.name!r}: constraints.{key} names municipality "
                            f"{code}, which is not in the study area")


def candidate_sets(data: ProblemData, scenario: Scenario) -> Candidates:
    """Return, per possible core ``j``, the municipalities that may join it (``j`` included).

    Only pairs some feasible plan could use are kept, so pruning never cuts
    off a feasible plan.

    Raises
    ------
    DataError
        If the scenario names a municipality not in ``data`` (see :func:`check_codes`).
    """
    check_codes(data, scenario)
    families = active_families(scenario)
    mins = data.minutes
    core_ok = np.isfinite(np.diag(mins))
    for fam in families:
        if fam.cores is not None:
            core_ok &= fam.cores(data, scenario)
    cands: Candidates = {}
    for j in (int(k) for k in np.flatnonzero(core_ok)):
        ok = np.isfinite(mins[:, j])
        for fam in families:
            if fam.members is not None:
                ok &= fam.members(data, scenario, j)
        cands[j] = {int(i) for i in np.flatnonzero(ok)} | {j}
    refine_to_fixpoint(cands, data, scenario)
    return cands


def refine_to_fixpoint(cands: Candidates, data: ProblemData, scenario: Scenario) -> None:
    """Apply the families' pruning that depends on the other candidates until nothing changes.

    Changes ``cands`` in place; a core whose own pair was pruned is dropped with its set.
    """
    refiners = [f.refine for f in active_families(scenario) if f.refine is not None]
    changed = True
    while changed:
        changed = False
        for refine in refiners:
            changed |= refine(cands, data, scenario)
        lost = [j for j, m in cands.items() if j not in m]
        for j in lost:
            del cands[j]  # a core's partners were pruned and took it along
        changed |= bool(lost)
