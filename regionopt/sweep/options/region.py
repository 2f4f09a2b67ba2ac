"""A proof that no region around a core can take a municipality: the core's region alone.

Every plan with ``i`` in the region of core ``j`` has that region: members among ``j``'s
candidate members (the families' pruning, which the exact model also uses: travel, the
core's strength, county borders), connected in the adjacency graph when contiguity is on,
each must-link pair both in or both out, each cannot-link pair not both in, and, unless
``j`` is a named exception, at least the share α of its employed residents and of its jobs
kept (``constraints.min_self_containment``). :func:`region_possible` asks a small MIP
whether such a region exists, built by the same families as the whole model
(:data:`REGION_FAMILIES`, their ``rows`` on
:func:`~regionopt.model.build.region_parts`), so each rule is stated once; every other
region and rule is left out, so a "no" proves that no plan takes the direction, and a
"yes" proves nothing.

Nationally it proves in 0.01 s what 60 s of the whole area did not (Vennesla joining
Lillesand: every region around Lillesand that reaches Vennesla without a stronger
municipality keeps too few of its commuters), and it is only asked for a direction the
neighbourhood holds no plan for.
"""

from __future__ import annotations

import logging

import pulp

from regionopt.model.build import region_parts
from regionopt.model.candidates import candidate_sets
from regionopt.model.families import cannot_link, contiguity, must_link, self_containment
from regionopt.model.families.base import Family, exception_mask
from regionopt.model.solvers import small_mip_solver
from regionopt.problem import ProblemData
from regionopt.scenario import Scenario

log = logging.getLogger(__name__)

#: Seconds the region's MIP may take (unknown, not a proof, when it stops on the limit).
REGION_LIMIT_S = 10.0
#: The families whose rows the region of one core must meet on its own (the candidates
#: carry every family's pruning).
REGION_FAMILIES: tuple[Family, ...] = (must_link.FAMILY, cannot_link.FAMILY,
                                       self_containment.FAMILY, contiguity.FAMILY)


def region_possible(problem: ProblemData, fixed: Scenario, i: int, j: int) -> bool:
    """Whether a region with core ``j`` holding ``i`` may meet the rules above (module notes).

    ``fixed`` is the scenario with the choice fixed, its rules resolved. ``False`` only
    when the MIP proves that no such region exists.
    """
    cands = candidate_sets(problem, fixed)
    members = frozenset(cands.get(j, ()))
    if i not in members or j not in members:
        return False
    floor = (self_containment.FAMILY.active(fixed) and problem.commuting is not None
             and not exception_mask(problem, fixed)[j])
    if not floor and not contiguity.FAMILY.active(fixed):
        return True  # the links alone are not asked to prove anything
    parts = region_parts(problem, fixed, j, members)
    parts.prob += (parts.x[i, j] == 1, "municipality")
    for fam in REGION_FAMILIES:
        if fam.rows is not None and fam.active(fixed) \
                and (floor or fam is not self_containment.FAMILY):
            fam.rows(parts)
    parts.prob.solve(small_mip_solver(threads=1, time_limit_s=REGION_LIMIT_S))
    if parts.prob.status == pulp.LpStatusInfeasible:
        log.debug("options: no region of %s holds %s", problem.codes[j], problem.codes[i])
        return False
    return True


__all__ = ["REGION_FAMILIES", "REGION_LIMIT_S", "region_possible"]
