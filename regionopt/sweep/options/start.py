"""Warm starts of ``regionopt options``: the base optimum with a municipality moved, repaired.

A direction's solve starts from the unrestricted optimum with ``i`` moved to core ``j``
(its own members along when ``i`` is a core). That plan often breaks contiguity: ``i`` does
not border ``j``'s region, or its old region falls apart. The engine then starts from its
own heuristic, and proving the optimum takes many times longer than from a good plan (on
Troms og Finnmark, Nordkapp to Alta: 8 s against 0.2 s from the optimum itself).

:func:`start_plan` therefore also tries a repaired plan: the municipalities on the
quickest path from ``i`` to ``j`` (the adjacency graph, weighted by minutes) move into
``j``'s region with ``i`` (a region whose core is on the path joins whole), and every piece
that the moves cut off from its own core follows them when it borders ``j``'s region. Of
the plans that meet every rule (:func:`~regionopt.model.heuristic.unmet_rules`), the
cheapest is the start; the engine improves it by its local search and keeps its own
heuristic's plan when that is better. A start only changes how fast the optimum is proven,
never the optimum.
"""

from __future__ import annotations

import functools

import networkx as nx
import numpy as np

from regionopt.model.heuristic import unmet_rules
from regionopt.model.objective import objective_value
from regionopt.problem import ProblemData
from regionopt.scenario import Scenario


def moved(problem: ProblemData, cores: np.ndarray, i: int, j: int) -> np.ndarray:
    """``cores`` with ``i`` moved to core ``j`` (its own members along, if a core)."""
    out = np.array(cores, dtype="int64")
    if out[i] == i and j != i:
        out[out == i] = j
    out[i] = j
    out[j] = j  # the core of its own region (it may have been a member of another)
    return out


@functools.lru_cache(maxsize=2)
def _graph(problem: ProblemData) -> nx.Graph:
    """The adjacency graph weighted by minutes, built once per problem (read-only)."""
    g = nx.Graph()
    g.add_nodes_from(range(problem.n))
    for a, b, _ in problem.edges:
        w = problem.minutes[a, b]
        g.add_edge(a, b, weight=float(w) if np.isfinite(w) else 1e9)
    return g


def quickest_path(problem: ProblemData, i: int, j: int) -> list[int]:
    """Positions on the quickest adjacency path from ``i`` to ``j`` (empty when none)."""
    try:
        return [int(k) for k in nx.shortest_path(_graph(problem), i, j, weight="weight")]
    except nx.NetworkXNoPath:
        return []


def repaired(problem: ProblemData, cores: np.ndarray, i: int, j: int) -> np.ndarray | None:
    """``cores`` with ``i`` moved to ``j`` along the quickest path, cut-off pieces following.

    A region whose core lies on the path joins whole. ``None`` when there is no path.
    """
    out = moved(problem, cores, i, j)
    g = _graph(problem)
    path = quickest_path(problem, i, j)
    if not path:
        return None
    for k in path:
        if out[k] == k and k != j:
            out[out == k] = j  # a core on the way: its region joins too
        out[k] = j
    for _ in range(problem.n):
        changed = False
        ours = set(np.flatnonzero(out == j).tolist())
        for c in sorted(set(out.tolist()) - {j}):
            members = np.flatnonzero(out == c).tolist()
            for piece in nx.connected_components(g.subgraph(members)):
                if c in piece or not any(nb in ours for k in piece for nb in g[k]):
                    continue
                out[sorted(piece)] = j
                changed = True
        if not changed:
            break
    return out


def start_plan(problem: ProblemData, scenario: Scenario, cores: np.ndarray, i: int,
               j: int) -> np.ndarray:
    """The start of direction ``(i, j)`` from the base optimum ``cores`` (module notes).

    The cheapest of the moved and the repaired plan that meets every rule of ``scenario``
    (the scenario with the choice fixed); the moved plan when neither does.
    """
    plain = moved(problem, cores, i, j)
    good = []
    for plan in (plain, repaired(problem, cores, i, j)):
        if plan is not None and not unmet_rules(problem, scenario, plan):
            good.append((objective_value(problem, scenario, plan), plan.tolist()))
    return np.asarray(min(good)[1], dtype="int64") if good else plain


__all__ = ["moved", "quickest_path", "repaired", "start_plan"]
