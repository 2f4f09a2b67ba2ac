"""Rules a scenario leaves to the area: exceptions found, and ``regions.count = "auto"``.

**Exceptions found** (``constraints.find_exceptions = true``). A municipality
*i* is an exception when no region that holds it can meet the population floor
(``constraints.min_population``, even when elastic) under the hard rules of
place: every member within ``constraints.max_travel_minutes`` of the region's
core by road or ferry, the region connected in the adjacency (ferries
included) when ``constraints.contiguity`` is on, and inside one county under
``constraints.respect_county_borders``. For a core *j*, the largest such
region is the component of *j* among the municipalities within the limit of
*j*; any region around *j* lies inside it, and population only grows with
members, so *i* is an exception exactly when every component that holds it
has fewer inhabitants than the floor. The proof is put in words as the
exception's reason ("no core within 90 minutes by road or ferry: ...").
Exceptions the scenario names stay as named; the found ones are added.

**``regions.count = "auto"``**: at most as many regions as the area can fill to
the floor, :func:`regionopt.model.maxp.floor_bound` of the scenario with a hard
floor (each exception and each municipality at the floor alone, and each
connected group of the others ``⌊population / floor⌋``); with no floor, any
number.

:func:`resolve_rules` returns the scenario with both written out, as every
solve and audit sees it (``scenario.toml`` of a solve records the result).
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from regionopt._checker import Pair
from regionopt.model.contiguity import reachable
from regionopt.model.families.base import label
from regionopt.model.maxp import floor_bound
from regionopt.problem import ProblemData
from regionopt.scenario import RegionsConfig, Scenario


def reach_components(data: ProblemData, scenario: Scenario) -> list[set[int]]:
    """For each core ``j``, the largest set a region around ``j`` may span (see module notes)."""
    c = scenario.constraints
    limit = math.inf if c.max_travel_minutes is None else c.max_travel_minutes
    near = np.isfinite(data.minutes) & (data.minutes <= limit)  # near[i, j]: i may join j
    nbrs = data.neighbours()
    if c.respect_county_borders:
        nbrs = [[k for k in ks if data.counties[k] == data.counties[i]]
                for i, ks in enumerate(nbrs)]
    out = []
    for j in range(data.n):
        allowed = {i for i in np.flatnonzero(near[:, j]).tolist()
                   if not c.respect_county_borders or data.counties[i] == data.counties[j]}
        allowed.add(j)
        out.append(reachable(j, allowed, nbrs) if c.contiguity else allowed)
    return out


def find_exceptions(data: ProblemData, scenario: Scenario) -> list[Pair]:
    """Return ``(kommunenummer, reason)`` of the municipalities no region at the floor can hold.

    Municipalities the scenario already names as exceptions are left out.

    Returns
    -------
    list of (str, str)
        Sorted by kommunenummer; empty without a floor.
    """
    c = scenario.constraints
    floor = c.min_population
    if floor <= 0:
        return []
    named = {code for code, _ in c.exceptions}
    reach = reach_components(data, scenario)
    pops = [int(data.population[sorted(comp)].sum()) for comp in reach]
    where = "by road or ferry" if c.max_travel_minutes is None else \
        f"within {c.max_travel_minutes:g} minutes by road or ferry"
    out = []
    for i in range(data.n):
        if data.codes[i] in named:
            continue
        holding = [j for j in range(data.n) if i in reach[j]]
        best = max(holding, key=lambda j: (pops[j], -j))
        if pops[best] >= floor:
            continue
        if holding == [i] and reach[i] == {i}:
            reason = (f"no core {where}: alone it has {int(data.population[i])} inhabitants, "
                      f"below the floor of {floor}")
        else:
            reason = (f"every region it can join {where} has at most {pops[best]} "
                      f"inhabitants (around {label(data, best)}), below the floor of {floor}")
        out.append((data.codes[i], reason))
    return out


def auto_count(data: ProblemData, scenario: Scenario) -> int:
    """The most regions ``regions.count = "auto"`` allows (see the module notes)."""
    if scenario.constraints.min_population <= 0:
        return data.n
    hard = dataclasses.replace(scenario, objective=dataclasses.replace(
        scenario.objective, population_shortfall=0.0))
    return max(1, floor_bound(data, hard) or data.n)


def resolve_rules(data: ProblemData, scenario: Scenario) -> Scenario:
    """Return ``scenario`` with its exceptions found and ``regions.count = "auto"`` resolved.

    Unchanged when it asks for neither. Idempotent.
    """
    c = scenario.constraints
    if c.find_exceptions:
        found = find_exceptions(data, scenario)
        if found:
            scenario = dataclasses.replace(scenario, constraints=dataclasses.replace(
                c, exceptions=tuple(sorted((*c.exceptions, *found)))))
    if scenario.regions.count == "auto":
        scenario = dataclasses.replace(scenario,
                                       regions=RegionsConfig(max_count=auto_count(data, scenario)))
    return scenario
