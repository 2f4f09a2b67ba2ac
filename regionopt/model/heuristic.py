"""A construction heuristic: a feasible plan in seconds, to preview or to warm-start the MIP.

:func:`heuristic_plan` works on units (a must-link group, or one municipality)
and never leaves the candidate pairs of :func:`~regionopt.model.candidates.candidate_sets`,
so the rules the families enforce by pruning (travel limit, county borders,
core rules, fixed cores as members) hold by construction. It then:

1. opens a region on every unit that can hold its own core (the cheapest such
   core) and attaches the other units to adjacent regions, cheapest first;
2. merges each region below ``min_population`` with the adjacent region that
   costs least to join (smallest region first); a region around an exception,
   or one no merge can help under an elastic floor, stays as it is;
3. merges each region below ``min_self_containment`` with the adjacent region
   it shares most commuters with (worst region first);
4. merges (too many regions) or splits (too few) until the count is inside
   ``regions.count`` / ``min_count`` / ``max_count``; with ``regions.count =
   "max"`` it splits while any region can be split;
5. improves the plan by local search: moving boundary units to an adjacent
   region and moving each region's core to its best member, as long as the
   objective (:func:`~regionopt.model.objective.objective_value`) falls.

Every step keeps contiguity, the population bounds and cannot-link pairs; fixed
cores stay cores. Families this module does not know are respected through their
``check`` (a move that breaks one is refused). The final plan is audited by every
active family and what it breaks is returned. Deterministic for a ``seed``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from regionopt.budget import Budget
from regionopt.errors import whole
from regionopt.model.containment import region_flows, self_containment
from regionopt.model.contiguity import reachable
from regionopt.model.families import Candidates, PlanView, active_families, count_range
from regionopt.model.families.base import label
from regionopt.model.heuristic_state import State, UnmetError
from regionopt.model.objective import objective_value
from regionopt.plan import plan_from_labels
from regionopt.problem import ProblemData
from regionopt.scenario import Scenario

log = logging.getLogger(__name__)

MAX_PASSES = 200
KEY_CONTAINMENT = "constraints.min_self_containment"


@dataclass(frozen=True)
class HeuristicResult:
    """What :func:`heuristic_plan` found.

    Attributes
    ----------
    cores
        ``cores[i]`` = position of the core of municipality ``i``, or ``None``
        when no complete plan was built.
    objective
        The scenario's objective of the plan (``nan`` without one).
    unmet
        One sentence per scenario rule the plan does not meet (empty: feasible).
    seconds
        Wall-clock seconds.
    """
    cores: np.ndarray | None
    objective: float
    unmet: tuple[str, ...]
    seconds: float

    @property
    def feasible(self) -> bool:
        """A complete plan that meets every rule of the scenario."""
        return self.cores is not None and not self.unmet


def heuristic_plan(data: ProblemData, scenario: Scenario, cands: Candidates, *,
                   seed: int = 0, improve: bool = True,
                   budget: Budget | None = None) -> HeuristicResult:
    """Build a plan that meets every rule of ``scenario``, or say which rule it could not meet.

    Parameters
    ----------
    data
        Municipalities, minutes and adjacency.
    scenario
        The rules and the objective (``regions.count = "max"``: as many regions as it can).
    cands
        The candidate sets (:func:`~regionopt.model.candidates.candidate_sets`); not changed.
    seed
        Order in which the local search visits units; the same seed gives the same plan.
    improve
        Run the local search after the construction.
    budget
        The command's wall-clock budget (``solver.time_limit_s``): the local search
        stops when it is spent. The construction always completes (it is what gives
        a plan at all); ``None``: no limit.

    Returns
    -------
    HeuristicResult
    """
    start = time.perf_counter()
    st = State(data, scenario, {j: set(m) for j, m in cands.items()})
    rng = np.random.default_rng(seed)
    try:
        _open_units(st)
        attach(st)
        _repair_floor(st)
        _repair_containment(st)
        _fit_count(st)
    except UnmetError as exc:
        return HeuristicResult(None, float("nan"), (str(exc),), time.perf_counter() - start)
    cores = st.cores()
    if improve:
        cores = local_search(st, rng, budget=budget)
    unmet = unmet_rules(data, scenario, cores)
    value = objective_value(data, scenario, cores)
    seconds = time.perf_counter() - start
    log.info("heuristic: %d regions, objective %s, %d rules unmet, %.2f s",
             len(set(cores.tolist())), whole(value), len(unmet), seconds)
    return HeuristicResult(cores, value, unmet, seconds)


def unmet_rules(data: ProblemData, scenario: Scenario, cores: np.ndarray) -> tuple[str, ...]:
    """Return one sentence per rule of ``scenario`` that the plan ``cores`` breaks."""
    view = PlanView.of(plan_from_labels(data, cores, name="heuristic"), data)
    return tuple(f"{v.constraint}: {v.detail}" for fam in active_families(scenario)
                 if fam.check is not None for v in fam.check(view, scenario))


# -- construction ----------------------------------------------------------------------------


def _open_units(st: State) -> None:
    """A region on every unit that can hold its own core."""
    for u in sorted(st.units):
        best = st.best_core(set(st.units[u]))
        if best is not None:
            st.set_region(best[1], set(st.units[u]))


def attach(st: State) -> None:
    """Attach the units without a core to adjacent regions, cheapest first.

    Raises
    ------
    UnmetError
        If a unit can join no region within the rules, or a region ends disconnected.
    """
    waiting = {u for u in st.units if st.core_of[u] < 0}
    while waiting:
        best: tuple[float, int, int] | None = None
        for u in sorted(waiting):
            members = set(st.units[u])
            for j in st.touching(members):
                if st.allowed(st.regions[j] | members, j) and st.under_cap(
                        st.regions[j] | members):
                    delta = float(st.cost[sorted(members), j].sum())
                    if best is None or (delta, u, j) < best:
                        best = (delta, u, j)
        if best is None:
            u = min(waiting)
            if _attach_by_path(st, u):
                waiting.discard(u)
                continue
            raise UnmetError(f"{label(st.data, u)} cannot join any region within the scenario's "
                        "rules (travel limit, county borders, core rules, contiguity or cap)")
        _, u, j = best
        st.set_region(j, st.regions[j] | set(st.units[u]))
        waiting.discard(u)
    missing = [j for j in st.regions if not st.connected(st.regions[j], j)]
    if missing:
        raise UnmetError(f"region around {label(st.data, missing[0])} is not connected")


def _attach_by_path(st: State, u: int) -> bool:
    """Join ``u`` to the nearest core it may join, with a path of single-unit regions.

    The path's municipalities (regions of one unit, not fixed cores) join too; their
    regions close. Returns whether ``u`` was attached.
    """
    members = set(st.units[u])
    for j in sorted(st.regions, key=lambda c: (float(st.data.minutes[u, c]), c)):
        allowed = {k for k in st.cands.get(j, set())
                   if st.core_of[k] < 0 or (st.core_of[k] == k and k not in st.fixed
                                            and st.regions[k] == {k})}
        path = _path_to(u, st.regions[j], allowed | members, st.nbrs)
        if path is None:
            continue
        if any(len(st.units[int(st.unit_of[k])]) > 1 for k in path):
            continue
        grown = st.regions[j] | members | path
        if not st.allowed(grown, j) or not st.under_cap(grown):
            continue
        for k in path:
            st.regions.pop(k, None)
        st.set_region(j, grown)
        return True
    return False


def _path_to(u: int, goal: set[int], allowed: set[int],
             nbrs: Sequence[Sequence[int]]) -> set[int] | None:
    """Municipalities on a shortest path (in steps) from ``u`` to ``goal`` through ``allowed``."""
    parent = {u: u}
    queue = [u]
    for v in queue:
        for w in nbrs[v]:
            if w in goal:
                out = set()
                while v != u:
                    out.add(v)
                    v = parent[v]
                return out
            if w in allowed and w not in parent:
                parent[w] = v
                queue.append(w)
    return None


def _merge_option(st: State, a: int, b: int) -> tuple[float, int] | None:
    """Cost change and core of merging the regions of cores ``a`` and ``b``."""
    merged = st.regions[a] | st.regions[b]
    if not st.under_cap(merged):
        return None
    best = st.best_core(merged)
    if best is None:
        return None
    return best[0] - st.region_cost(a) - st.region_cost(b), best[1]


def _merge(st: State, a: int, b: int, core: int) -> None:
    merged = st.regions.pop(a) | st.regions.pop(b)
    st.set_region(core, merged)


def _repair_floor(st: State) -> None:
    """Merge each region below the floor with its cheapest neighbour, smallest first.

    Partners still below the floor come first, so that regions already big enough stay
    apart (as many regions as possible; :func:`_fit_count` merges down when asked). Regions
    around an exception are exempt; under an elastic floor a region that cannot join a
    neighbour stays short (its shortfall is priced in the objective).
    """
    short: set[int] = set()
    while True:
        small = sorted((st.size(m), j) for j, m in st.regions.items()
                       if st.size(m) < st.floor and j not in short and not st.exempt[j])
        if not small:
            return
        _, a = small[0]
        options = []
        for b in st.touching(st.regions[a]):
            opt = _merge_option(st, a, b)
            if opt is not None:
                options.append((st.size(st.regions[b]) >= st.floor, opt[0], b, opt[1]))
        if not options and st.elastic:
            short.add(a)
            continue
        if not options:
            raise UnmetError(f"constraints.min_population: the region around {label(st.data, a)} "
                        f"({whole(st.size(st.regions[a]))} inhabitants) cannot reach "
                        f"{st.floor} "
                        "by joining a neighbouring region")
        _, _, b, core = min(options)
        _merge(st, a, b, core)


def _containment(st: State, members: set[int]) -> float:
    """Self-containment of ``members`` (:func:`~regionopt.model.containment.self_containment`)."""
    c = st.data.commuting
    assert c is not None
    return self_containment(*region_flows(c, members))


def _repair_containment(st: State) -> None:
    """Merge each region below ``min_self_containment`` with the neighbour it shares most
    commuters with, worst region first (a merged region keeps at least the smaller of the
    two shares, so the repair never makes another region worse). Exception cores are exempt.
    """
    alpha = st.scenario.constraints.min_self_containment
    if alpha <= 0 or st.data.commuting is None:
        return
    flows = st.data.commuting.flows
    while True:
        low = sorted((_containment(st, m), j) for j, m in st.regions.items()
                     if not st.exempt[j] and _containment(st, m) < alpha)
        if not low:
            return
        _, a = low[0]
        ia = sorted(st.regions[a])
        options = []
        for b in st.touching(st.regions[a]):
            opt = _merge_option(st, a, b)
            if opt is not None:
                ib = sorted(st.regions[b])
                shared = int(flows[np.ix_(ia, ib)].sum() + flows[np.ix_(ib, ia)].sum())
                options.append((-shared, opt[0], b, opt[1]))
        if not options:
            raise UnmetError(f"{KEY_CONTAINMENT}: the region around {label(st.data, a)} "
                              f"cannot reach {alpha} by joining a neighbouring region")
        _, _, b, core = min(options)
        _merge(st, a, b, core)


def _fit_count(st: State) -> None:
    """Merge or split until the number of regions is in the scenario's range."""
    r = st.scenario.regions
    if r.count == "max":
        while _split_best(st):
            pass
        return
    lo, hi = count_range(st.data, st.scenario)
    while len(st.regions) > hi:
        options = []
        for a in sorted(st.regions):
            for b in st.touching(st.regions[a]):
                if a < b:
                    opt = _merge_option(st, a, b)
                    if opt is not None:
                        options.append((opt[0], a, b, opt[1]))
        if not options:
            raise UnmetError(f"regions: {len(st.regions)} regions cannot be merged down to {hi}")
        _, a, b, core = min(options)
        _merge(st, a, b, core)
    while len(st.regions) < lo:
        if not _split_best(st):
            raise UnmetError(f"regions: could not split the plan's {len(st.regions)} regions into "
                        f"{lo} that each meet the rules")


def _split_best(st: State) -> bool:
    """Split the region whose cheapest feasible split costs least; return whether one was."""
    best: tuple[float, int, int, frozenset[int]] | None = None
    for j in sorted(st.regions):
        members = st.regions[j]
        if st.size(members) < 2 * st.floor or len(members) < 2:
            continue
        base = st.region_cost(j)
        for c in sorted(members - {j}):
            part = _split_part(st, j, c)
            if part is None:
                continue
            rest = members - part
            one, two = st.best_core(rest), st.best_core(set(part))
            if one is None or two is None:
                continue
            delta = one[0] + two[0] - base
            if best is None or (delta, j, c) < best[:3]:
                best = (delta, j, c, frozenset(part))
    if best is None:
        return False
    j, chosen = best[1], best[3]
    rest = st.regions.pop(j) - chosen
    for members in (set(rest), set(chosen)):
        found = st.best_core(members)
        assert found is not None
        st.set_region(found[1], members)
    return True


def _split_part(st: State, j: int, c: int) -> set[int] | None:
    """The part of ``j``'s region nearer to ``c`` than to ``j``, if both parts are valid."""
    members = st.regions[j]
    near = {u for u in {int(st.unit_of[i]) for i in members}
            if st.cost[sorted(st.units[u]), c].sum() < st.cost[sorted(st.units[u]), j].sum()}
    part: set[int] = set()
    for u in near:
        part |= st.units[u]
    if c not in part or j in part:
        return None
    part = reachable(c, part, st.nbrs) if st.contiguous else part
    part = set().union(*(st.units[int(st.unit_of[i])] for i in part))
    rest = members - part
    if not rest or st.size(part) < st.floor or st.size(rest) < st.floor:
        return None
    if not st.connected(rest, j) or not st.connected(part, c):
        return None
    return part


# -- local search ------------------------------------------------------------------------------


def local_search(st: State, rng: np.random.Generator, *,
                 budget: Budget | None = None) -> np.ndarray:
    """Boundary moves and core moves while the objective falls; return the plan's cores.

    Stops, keeping the moves made so far, when ``budget`` is spent.
    """
    cores = st.cores()
    value = objective_value(st.data, st.scenario, cores)
    units = sorted(st.units)

    def spent() -> bool:
        return budget is not None and budget.expired()

    for _ in range(MAX_PASSES):
        improved = False
        if spent():
            log.info("heuristic: local search stopped, the time limit is spent")
            break
        for u in (units[k] for k in rng.permutation(len(units))):
            if spent():
                break
            moved = _try_move(st, u, cores, value)
            if moved is not None:
                cores, value = moved
                improved = True
        for j in sorted(st.regions):
            if j in st.regions and not spent():
                moved = _try_recore(st, j, cores, value)
                if moved is not None:
                    cores, value = moved
                    improved = True
        if not improved:
            break
    return cores


def _try_move(st: State, u: int, cores: np.ndarray,
              value: float) -> tuple[np.ndarray, float] | None:
    members = set(st.units[u])
    a = int(cores[u])
    if a in members:
        return None  # the unit holds its region's core
    rest = st.regions[a] - members
    if st.size(rest) < st.floor or not st.connected(rest, a):
        return None
    best: tuple[float, int] | None = None
    for b in st.touching(members):
        grown = st.regions[b] | members
        if not st.allowed(grown, b) or not st.under_cap(grown) or not st.connected(grown, b):
            continue
        trial = cores.copy()
        trial[list(members)] = b
        new = objective_value(st.data, st.scenario, trial)
        if (new < value - 1e-9 * max(1.0, abs(value)) and (best is None or new < best[0])
                and st.unknown_ok(trial)):
            best = (new, b)
    if best is None:
        return None
    new, b = best
    st.regions[a] = rest
    st.set_region(b, st.regions[b] | members)
    out = cores.copy()
    out[list(members)] = b
    return out, new


def _try_recore(st: State, j: int, cores: np.ndarray,
                value: float) -> tuple[np.ndarray, float] | None:
    members = st.regions[j]
    if j in st.fixed:
        return None
    best: tuple[float, int] | None = None
    for c in sorted(members - {j}):
        if not st.allowed(members, c):
            continue
        trial = cores.copy()
        trial[sorted(members)] = c
        new = objective_value(st.data, st.scenario, trial)
        if (new < value - 1e-9 * max(1.0, abs(value)) and (best is None or new < best[0])
                and st.unknown_ok(trial)):
            best = (new, c)
    if best is None:
        return None
    new, c = best
    st.set_region(c, st.regions.pop(j))
    out = cores.copy()
    out[sorted(members)] = c
    return out, new

