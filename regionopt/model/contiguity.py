"""Exact contiguity for the region model: pruning, flow constraints, separator cuts.

A region is the set of municipalities assigned to one core ``j``; it must be
connected in the adjacency graph. Two exact formulations are offered:

``flow`` (default)
    A single-commodity flow per candidate core (after Shirabe 2005, 2009):
    every member ``i`` of core ``j``'s region sends one unit of commodity
    ``j`` towards ``j`` along adjacency edges, and commodity ``j`` may only
    enter municipalities assigned to ``j``. A region is connected iff such a
    flow exists, so the model's optimum is the best connected plan.
``cuts``
    Separator inequalities added in rounds: solve without contiguity, find
    every region component ``C`` that does not hold its core ``j``, add
    ``x[i, j] <= sum(x[k, j] for k in S)`` for each ``i`` in ``C`` with ``S``
    the neighbours of ``C`` that can still reach ``j`` outside ``C``, and
    solve again until every region is connected. Each cut is valid for every
    connected plan (a path from ``i`` to ``j`` leaves ``C`` the last time
    through ``S``), so the final solution is the best connected plan.

Both also get the valid inequality ``x[i, j] <= sum(x[k, j] for k in N(i))``
(a member other than the core has a neighbour in its region).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping, Sequence

import pulp

Pair = tuple[int, int]


def reachable(start: int, allowed: set[int], nbrs: Sequence[Sequence[int]]) -> set[int]:
    """Return the members of ``allowed`` connected to ``start`` inside ``allowed``."""
    if start not in allowed:
        return set()
    seen = {start}
    queue = deque([start])
    while queue:
        u = queue.popleft()
        for v in nbrs[u]:
            if v in allowed and v not in seen:
                seen.add(v)
                queue.append(v)
    return seen


def components(nodes: Iterable[int], nbrs: Sequence[Sequence[int]]) -> list[set[int]]:
    """Return the connected components of the subgraph induced by ``nodes``."""
    left = set(nodes)
    out = []
    while left:
        comp = reachable(min(left), left, nbrs)
        out.append(comp)
        left -= comp
    return out


def is_connected(members: Sequence[int], neighbours: Sequence[Sequence[int]]) -> bool:
    """Return whether positions ``members`` induce a connected subgraph.

    Parameters
    ----------
    members
        Positions in the problem (non-empty).
    neighbours
        ``problem.neighbours()``.

    Returns
    -------
    bool
        ``True`` for a single member.
    """
    return len(reachable(members[0], set(members), neighbours)) == len(set(members))


def prune_unreachable(cands: dict[int, set[int]], nbrs: Sequence[Sequence[int]]) -> bool:
    """Drop, for each core ``j``, candidates that cannot reach ``j`` within ``cands[j]``.

    Every member of ``j``'s region is a candidate of ``j``, so in a connected
    region a member reaches ``j`` through candidates only. Changes ``cands``
    in place and returns whether anything was dropped.
    """
    changed = False
    for j, members in cands.items():
        keep = reachable(j, members, nbrs)
        if keep != members:
            changed = True
            members.intersection_update(keep)
    return changed


def add_neighbour_support(prob: pulp.LpProblem, x: Mapping[Pair, pulp.LpVariable],
                          codes: Sequence[str], nbrs: Sequence[Sequence[int]]) -> None:
    """Add ``x[i, j] <= sum(x[k, j] for k in N(i))`` for every non-core pair."""
    for (i, j), var in x.items():
        if i == j:
            continue
        support = [x[k, j] for k in nbrs[i] if (k, j) in x]
        prob += (pulp.lpSum(support) - var >= 0, f"nbr_{codes[i]}_{codes[j]}")


def add_flow(prob: pulp.LpProblem, x: Mapping[Pair, pulp.LpVariable],
             cands: Mapping[int, set[int]], codes: Sequence[str],
             nbrs: Sequence[Sequence[int]]) -> int:
    """Add single-commodity flow contiguity constraints, one commodity per core.

    Returns
    -------
    int
        The number of flow variables added.
    """
    count = 0
    for j, members in sorted(cands.items()):
        if len(members) < 2:
            continue
        cap = len(members) - 2  # inflow to a member: at most every other non-core member
        arcs = [(u, v) for u in sorted(members) if u != j for v in nbrs[u] if v in members]
        f = {
            (u, v): prob.add_variable(f"f_{codes[j]}_{codes[u]}_{codes[v]}", 0)
            for u, v in arcs
        }
        count += len(f)
        inflow: dict[int, list[pulp.LpVariable]] = {u: [] for u in members}
        outflow: dict[int, list[pulp.LpVariable]] = {u: [] for u in members}
        for (u, v), var in f.items():
            outflow[u].append(var)
            inflow[v].append(var)
        for i in sorted(members - {j}):
            prob += (
                pulp.lpSum(outflow[i]) - pulp.lpSum(inflow[i]) - x[i, j] == 0,
                f"flow_{codes[j]}_{codes[i]}",
            )
            if inflow[i]:
                prob += (pulp.lpSum(inflow[i]) - cap * x[i, j] <= 0,
                         f"cap_{codes[j]}_{codes[i]}")
    return count


def separator_cuts(cores: Sequence[int], cands: Mapping[int, set[int]],
                   nbrs: Sequence[Sequence[int]]) -> list[tuple[int, int, tuple[int, ...]]]:
    """Find the separator cuts that the assignment ``cores`` violates.

    Parameters
    ----------
    cores
        ``cores[i]`` is the position of the core ``i`` is assigned to.
    cands
        Candidate members of each core (after pruning).
    nbrs
        Neighbour lists of the adjacency graph.

    Returns
    -------
    list of (i, j, S)
        One cut ``x[i, j] <= sum(x[k, j] for k in S)`` per member ``i`` of a
        region component without its core ``j``; empty when every region is
        connected.
    """
    regions: dict[int, set[int]] = {}
    for i, j in enumerate(cores):
        regions.setdefault(int(j), set()).add(i)
    cuts: list[tuple[int, int, tuple[int, ...]]] = []
    for j, members in sorted(regions.items()):
        for comp in components(members, nbrs):
            if j in comp:
                continue
            border = {k for u in comp for k in nbrs[u] if k not in comp}
            outside = cands[j] - comp
            to_core = reachable(j, outside, nbrs)
            sep = tuple(sorted(border & to_core))
            cuts.extend((i, j, sep) for i in sorted(comp))
    return cuts


def add_cuts(prob: pulp.LpProblem, x: Mapping[Pair, pulp.LpVariable],
             cuts: Sequence[tuple[int, int, tuple[int, ...]]], codes: Sequence[str],
             round_no: int) -> None:
    """Add separator cuts found by :func:`separator_cuts` as named constraints."""
    for i, j, sep in cuts:
        prob += (
            pulp.lpSum(x[k, j] for k in sep if (k, j) in x) - x[i, j] >= 0,
            f"cut{round_no}_{codes[i]}_{codes[j]}",
        )
