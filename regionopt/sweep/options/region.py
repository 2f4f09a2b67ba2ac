"""A proof that no region around a core can take a municipality: the core's region alone.

Every plan with ``i`` in the region of core ``j`` has that region: members among ``j``'s
candidate members (the families' pruning, which the exact model also uses: travel, the
core's strength, county borders), connected in the adjacency graph when contiguity is on,
each must-link pair both in or both out, each cannot-link pair not both in, and, unless
``j`` is a named exception, at least the share α of its employed residents and of its jobs
kept (``constraints.min_self_containment``, as
:mod:`regionopt.model.families.self_containment` writes it). :func:`region_possible` asks
a small MIP whether such a region exists; every other region and rule is left out, so a
"no" proves that no plan takes the direction, and a "yes" proves nothing.

Nationally it proves in 0.01 s what 60 s of the whole area did not (Vennesla joining
Lillesand: every region around Lillesand that reaches Vennesla without a stronger
municipality keeps too few of its commuters), and it is only asked for a direction the
neighbourhood holds no plan for.
"""

from __future__ import annotations

import logging

import pulp

from regionopt.model.candidates import candidate_sets
from regionopt.model.families.base import exception_mask
from regionopt.model.solvers import small_mip_solver
from regionopt.problem import ProblemData
from regionopt.scenario import Scenario

log = logging.getLogger(__name__)

#: Seconds the region's MIP may take (unknown, not a proof, when it stops on the limit).
REGION_LIMIT_S = 10.0


def region_possible(problem: ProblemData, fixed: Scenario, i: int, j: int) -> bool:
    """Whether a region with core ``j`` holding ``i`` may meet the rules above (module notes).

    ``fixed`` is the scenario with the choice fixed, its rules resolved. ``False`` only
    when the MIP proves that no such region exists.
    """
    c = fixed.constraints
    alpha = c.min_self_containment
    flows = problem.commuting
    cands = candidate_sets(problem, fixed)
    members = sorted(cands.get(j, ()))
    if i not in members or j not in members:
        return False
    floor = alpha > 0 and flows is not None and not exception_mask(problem, fixed)[j]
    if not floor and not c.contiguity:
        return True
    prob = pulp.LpProblem("region_of_core", pulp.LpMinimize)
    y = {k: prob.add_variable(f"y_{problem.codes[k]}", 0, 1, cat=pulp.LpBinary)
         for k in members}
    prob += (y[i] == 1, "municipality")
    prob += (y[j] == 1, "core")
    _links(problem, fixed, y, prob)
    if floor and flows is not None:
        f = flows.flows
        pair = {(o, d): prob.add_variable(f"z_{o}_{d}", 0, 1) for o in members
                for d in members if o < d and f[o, d] + f[d, o] > 0}
        for (o, d), z in pair.items():
            prob += (z - y[o] <= 0, f"zo_{o}_{d}")
            prob += (z - y[d] <= 0, f"zd_{o}_{d}")
        kept = (pulp.lpSum(float(f[k, k]) * y[k] for k in members)
                + pulp.lpSum(float(f[o, d] + f[d, o]) * z for (o, d), z in pair.items()))
        for name, total in (("employed", flows.employed), ("jobs", flows.jobs)):
            prob += (kept - pulp.lpSum(alpha * float(total[k]) * y[k] for k in members) >= 0,
                     name)
    if c.contiguity:
        _connected(problem, members, j, y, prob)
    prob.solve(small_mip_solver(threads=1, time_limit_s=REGION_LIMIT_S))
    if prob.status == pulp.LpStatusInfeasible:
        log.debug("options: no region of %s holds %s", problem.codes[j], problem.codes[i])
        return False
    return True


def _links(problem: ProblemData, fixed: Scenario, y: dict[int, pulp.LpVariable],
           prob: pulp.LpProblem) -> None:
    """Must-link pairs both in or both out; cannot-link pairs not both in."""
    c = fixed.constraints
    for n, (a, b) in enumerate(c.must_link):
        ya, yb = (y.get(problem.index(x)) for x in (a, b))
        if ya is not None and yb is not None:
            prob += (ya - yb == 0, f"must_{n}")
        elif ya is not None or yb is not None:
            prob += ((ya if ya is not None else yb) == 0, f"must_{n}")
    for n, (a, b) in enumerate(c.cannot_link):
        ya, yb = (y.get(problem.index(x)) for x in (a, b))
        if ya is not None and yb is not None:
            prob += (ya + yb <= 1, f"cannot_{n}")


def _connected(problem: ProblemData, members: list[int], j: int,
               y: dict[int, pulp.LpVariable], prob: pulp.LpProblem) -> None:
    """A single-commodity flow from ``j``: one unit to every other member taken."""
    inside = set(members)
    arcs = [(a, b) for a, b, _ in problem.edges if a in inside and b in inside]
    arcs += [(b, a) for a, b in arcs]
    cap = float(len(members))
    flow = {arc: prob.add_variable(f"f_{arc[0]}_{arc[1]}", 0) for arc in arcs}
    for (a, b), v in flow.items():
        prob += (v - cap * y[b] <= 0, f"fin_{a}_{b}")
        prob += (v - cap * y[a] <= 0, f"fout_{a}_{b}")
    into: dict[int, list[pulp.LpVariable]] = {k: [] for k in members}
    out: dict[int, list[pulp.LpVariable]] = {k: [] for k in members}
    for (a, b), v in flow.items():
        out[a].append(v)
        into[b].append(v)
    for k in members:
        if k != j:
            prob += (pulp.lpSum(into[k]) - pulp.lpSum(out[k]) - y[k] == 0, f"net_{k}")


__all__ = ["REGION_LIMIT_S", "region_possible"]
