"""Service areas nested in a plan: whole regions grouped to carry each service.

For one service of the catalogue (:mod:`regionopt.catalogue`), the regions of
a plan become the units of a smaller problem, the *region graph*: two regions
are adjacent when some of their members are, and the cost of serving region
``r`` from region ``s`` is the person-minutes from every member of ``r`` to
the core of ``s`` (``minutes[r, s]`` is that sum over ``r``'s inhabitants, so
``population[r] * minutes[r, s]`` is exact; ``inf`` when a member is further
than the service's travel limit from that core). regionopt's own engine
(:func:`regionopt.model.engine.solve`) then finds the service areas: contiguous
groups of whole regions, each hosted at the core of one of them, with the
least inhabitants missing to the service's floor (weight
``services.shortfall_weight`` person-minutes per missing inhabitant) and then
the least person-minutes, under the most-inhabitants rule and the travel
limit. A region that meets the rule alone is a fixed core (it hosts its own
area and is never merged with another that does); a region that cannot meet it
in any area is named with the reason.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from regionopt.catalogue import Service
from regionopt.errors import InfeasibleError
from regionopt.model.engine import solve
from regionopt.plan import Plan
from regionopt.problem import ProblemData
from regionopt.scenario import ConstraintsConfig, ObjectiveConfig, Scenario, SolverConfig

log = logging.getLogger(__name__)
_TOL = 1e-9
_DEFAULT_SOLVER = SolverConfig()
#: Branch-and-bound nodes each service's grouping may take (the solver's ``max_nodes`` if set),
#: on one thread, the time limit a safety net: the areas are the same on an idle and on a
#: loaded machine, ties between equally good groupings broken alike (several threads are not).
AREA_NODES = 10_000
#: Seconds each service's grouping may take at least: a safety net above what the node limit
#: takes on a loaded machine (a plan's own time limit, 120 s, stopped ICT's grouping early at
#: load 4 and gave other areas than on an idle machine).
AREA_LIMIT_S = 600.0


@dataclass(frozen=True)
class ServiceArea:
    """One service area: whole regions hosted at one municipality.

    Attributes
    ----------
    regions
        Names of the plan's regions in the area, sorted.
    members
        Kommunenummer of every member, sorted.
    host
        The core of the host region (the traditional host).
    population
        Inhabitants served.
    longest_trip
        Longest trip in minutes from a member to the host (the matrix's minutes).
    person_minutes
        Inhabitants times minutes to the host, summed over the members.
    reason
        Empty when the area meets the service's rules, else why not.
    """

    regions: tuple[str, ...]
    members: tuple[str, ...]
    host: str
    population: int
    longest_trip: float
    person_minutes: float
    reason: str = ""

    @property
    def meets(self) -> bool:
        """Whether the area meets the service's scale and travel rules."""
        return not self.reason


@dataclass(frozen=True)
class ServiceAreas:
    """The service areas of one service, with the engine's status."""

    service: Service
    areas: tuple[ServiceArea, ...]
    status: str
    gap: float | None = None


@dataclass(frozen=True)
class RegionGraph:
    """The plan's regions as units: population, person-minutes and adjacency."""

    names: tuple[str, ...]
    cores: np.ndarray
    members: tuple[np.ndarray, ...]
    population: np.ndarray
    cost: np.ndarray
    longest: np.ndarray
    edges: tuple[tuple[int, int, str], ...]


def region_graph(plan: Plan, data: ProblemData) -> RegionGraph:
    """Return the region graph of ``plan``: ``cost[r, s]`` person-minutes of ``r`` to ``s``'s core.

    ``longest[r, s]`` is the longest trip from a member of ``r`` to the core of ``s``.
    """
    names = plan.regions
    labels = plan.labels(data)
    cores = np.array([data.index(plan.cores[r]) for r in names])
    members = tuple(np.flatnonzero(labels == c) for c in cores)
    pop = data.population.astype("float64")
    trips = [data.minutes[np.ix_(m, cores)] for m in members]
    cost = np.vstack([(pop[m, None] * t).sum(axis=0) for m, t in zip(members, trips, strict=True)])
    longest = np.vstack([t.max(axis=0) for t in trips])
    where = {int(c): k for k, c in enumerate(cores)}
    region_of = np.array([where[int(c)] for c in labels])
    edges: dict[tuple[int, int], str] = {}
    for i, j, kind in data.edges:
        a, b = sorted((int(region_of[i]), int(region_of[j])))
        if a != b:
            edges[(a, b)] = min(edges.get((a, b), kind), kind)
    return RegionGraph(names=names, cores=cores, members=members,
                       population=np.array([int(data.population[m].sum()) for m in members]),
                       cost=cost, longest=longest,
                       edges=tuple((a, b, k) for (a, b), k in sorted(edges.items())))


def _why_alone(g: RegionGraph, data: ProblemData, s: Service, r: int, ok: np.ndarray) -> str:
    """Why region ``r`` cannot take part in any area, or ``""``."""
    pop = int(g.population[r])
    if s.max_population is not None and pop > s.max_population:
        return (f"{pop} inhabitants, more than the most ({s.max_population}); a region is "
                "never split")
    if not ok[r].any():
        best = int(np.argmin(g.longest[r]))
        far = g.members[r][int(np.argmax(data.minutes[g.members[r], g.cores[best]]))]
        return (f"member {data.codes[far]} is {g.longest[r, best]:.0f} min from the nearest "
                f"host ({data.codes[g.cores[best]]}), over the {s.limit:.0f}-minute limit")
    return ""


def _reach(g: RegionGraph, ok: np.ndarray, inside: np.ndarray, r: int) -> int:
    """Most inhabitants any host of ``r`` could serve (contiguity ignored: an upper bound)."""
    return max(int(g.population[ok[:, h] & inside].sum()) for h in np.flatnonzero(ok[r]))


def _area(g: RegionGraph, data: ProblemData, group: list[int], host: int,
          reason: str) -> ServiceArea:
    members = np.concatenate([g.members[k] for k in group])
    trips = data.minutes[members, g.cores[host]]
    return ServiceArea(
        regions=tuple(sorted(g.names[k] for k in group)),
        members=tuple(sorted(data.codes[i] for i in members)),
        host=data.codes[g.cores[host]], population=int(g.population[group].sum()),
        longest_trip=float(trips.max()),
        person_minutes=float((data.population[members] * trips).sum()), reason=reason)


def service_areas(plan: Plan, data: ProblemData, service: Service, *,
                  solver: SolverConfig = _DEFAULT_SOLVER, shortfall_weight: float = 1000.0,
                  quiet: bool = True, graph: RegionGraph | None = None,
                  staff_minutes: float | None = None) -> ServiceAreas:
    """Group the regions of ``plan`` into the service areas of ``service``.

    Parameters
    ----------
    plan
        The regions (never split).
    data
        Population, minutes and adjacency of the municipalities.
    service
        Its ``floor``, ``max_population`` and travel ``limit``.
    solver
        Solver and time limit for the engine (``heuristic`` runs CBC); it runs on one thread
        with the solver's node limit, else :data:`AREA_NODES`, the time limit (at least
        :data:`AREA_LIMIT_S`) a safety net.
    shortfall_weight
        Person-minutes one missing inhabitant to the floor weighs.
    quiet
        Hide the solver's log.
    graph
        The plan's :func:`region_graph`, when already computed.
    staff_minutes
        For a service people do not travel to: a region may join a host only if its
        members are within these minutes of it, or no further than from their own core
        (the staff meet at the host); ``None``, no limit.

    Returns
    -------
    ServiceAreas
        ``status`` is the engine's (``"optimal"``, ``"time_limit"``, ``"not_solved"``),
        ``"infeasible"`` (no grouping meets the rules: every region alone, named), or
        ``"trivial"`` when every region that can take part meets the rule alone.
    """
    g = graph or region_graph(plan, data)
    n, s = len(g.names), service
    ok = np.isfinite(g.cost)
    if s.limit is not None:
        ok &= g.longest <= s.limit + _TOL
    elif staff_minutes is not None:
        ok &= g.longest <= np.maximum(staff_minutes, np.diag(g.longest))[:, None] + _TOL
    why = [_why_alone(g, data, s, r, ok) for r in range(n)]
    inside = np.array([not w for w in why])
    ok &= inside[None, :] & inside[:, None]
    alone = [_area(g, data, [r], r, why[r]) for r in range(n) if why[r]]
    keep = [int(r) for r in np.flatnonzero(inside)]
    sufficient = [r for r in keep if _meets_alone(g, s, r, ok)]
    short = {r: _reach(g, ok, inside, r) for r in keep if r not in sufficient}
    exempt = {r: f"at most {v} inhabitants in regions within reach of one host"
              for r, v in short.items() if v < s.floor}
    if len(sufficient) == len(keep):
        areas = [_area(g, data, [r], r, "") for r in keep]
        return ServiceAreas(s, _sorted(alone + areas), "trivial")
    sub = _subproblem(g, ok, keep)
    pos = {r: k for k, r in enumerate(keep)}
    scenario = Scenario(
        name=f"service areas: {s.key}",
        constraints=ConstraintsConfig(
            contiguity=True, min_population=s.floor, max_population=s.max_population,
            fixed_cores=tuple(sub.codes[pos[r]] for r in sufficient),
            exceptions=tuple((sub.codes[pos[r]], w) for r, w in sorted(exempt.items()))),
        objective=ObjectiveConfig(travel=1.0, population_shortfall=shortfall_weight),
        solver=SolverConfig(name="cbc" if solver.name == "heuristic" else solver.name,
                            time_limit_s=max(solver.time_limit_s or 0.0, AREA_LIMIT_S),
                            threads=1, max_nodes=solver.max_nodes or AREA_NODES))
    found, status, gap = None, "infeasible", None
    try:
        result = solve(sub, scenario, quiet=quiet)
        found, status, gap = result.plan, result.status, result.gap
    except InfeasibleError as exc:
        log.info("service %s: no grouping meets its rules (%s)", s.key, exc)
    if found is None:  # proven infeasible, or no plan within the time limit
        fallback = ("no grouping of regions meets the rules together" if status == "infeasible"
                    else "no grouping found within the time limit")
        areas = [_area(g, data, [r], r, "" if _meets_alone(g, s, r, ok) else
                       exempt.get(r, fallback)) for r in keep]
        return ServiceAreas(s, _sorted(alone + areas), status)
    cores = found.labels(sub)
    areas = []
    for c in sorted(set(cores.tolist())):
        group = [keep[k] for k in np.flatnonzero(cores == c)]
        host, total = keep[int(c)], int(g.population[group].sum())
        reason = exempt.get(host, "") or (
            f"{total} inhabitants, short of the floor ({s.floor}): no contiguous group of "
            "regions within reach of one host reaches it" if total < s.floor else "")
        areas.append(_area(g, data, group, host, reason))
    return ServiceAreas(s, _sorted(alone + areas), status, gap)


def _meets_alone(g: RegionGraph, s: Service, r: int, ok: np.ndarray) -> bool:
    """Whether region ``r`` alone meets the scale rule and its own core the travel rule."""
    hi = s.max_population if s.max_population is not None else float("inf")
    return bool(s.floor <= g.population[r] <= hi and ok[r, r])


def _subproblem(g: RegionGraph, ok: np.ndarray, keep: list[int]) -> ProblemData:
    """The region graph of the regions in ``keep`` as a :class:`ProblemData` for the engine."""
    pos = {r: k for k, r in enumerate(keep)}
    idx = np.array(keep)
    pop = g.population[idx]
    mins = np.where(ok[np.ix_(idx, idx)], g.cost[np.ix_(idx, idx)] / pop[:, None], np.inf)
    return ProblemData(
        codes=tuple(f"{k:04d}" for k in range(len(keep))),
        names=tuple(g.names[r] for r in keep), counties=("00",) * len(keep),
        population=pop.astype("int64"), minutes=mins,
        edges=tuple((pos[a], pos[b], kind) for a, b, kind in g.edges
                    if a in pos and b in pos))


def _sorted(areas: list[ServiceArea]) -> tuple[ServiceArea, ...]:
    return tuple(sorted(areas, key=lambda a: (a.host, a.regions)))
