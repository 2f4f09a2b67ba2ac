"""Rules a scenario leaves to the area: exceptions found, and ``regions.count = "auto"``.

**Exceptions found** (``constraints.find_exceptions = true``). A municipality
*i* is an exception when no region that holds it can meet the population floor
(``constraints.min_population``, even when elastic) under the hard rules of
place: a core that may be one (``min_core_jobs`` and the other rules on cores),
every member within ``constraints.max_travel_minutes`` of the region's core by
road or ferry and no stronger than the core under ``constraints.core_is_strongest``
(every family's rule on members), the region connected in the adjacency
(ferries included) when ``constraints.contiguity`` is on, and inside one county
under ``constraints.respect_county_borders``. For a possible core *j*, the
largest such region is the component of *j* among the municipalities that may
join *j*; any region around *j* lies inside it, and population only grows with
members, so *i* is an exception exactly when every component that holds it
has fewer inhabitants than the floor. The proof is put in words as the
exception's reason ("no core within 90 minutes by road or ferry: ...").
Exceptions the scenario names stay as named; the found ones are added. With
``constraints.long_distance_minutes`` each municipality's own limit applies
(:func:`regionopt.model.families.travel.long_distance_mask`).

**An attainable self-containment floor**
(``constraints.attainable_self_containment = true``). A union of regions keeps
at least the least share of its parts (flows inside a part stay inside the
union; employed residents and jobs add up), so when a connected part of the
area, less any set of its exceptions, keeps less than
``constraints.min_self_containment`` as a whole, no plan meets the floor in
every region (Akershus, whose residents work in Oslo). The floor is then lowered
to the most such a part keeps as a whole (the least over the parts), rounded down
to 0.001, and :func:`rule_notes` says so with the figures.

**A floor relative to the area** (``constraints.relative_self_containment`` =
r > 0): every region keeps at least r times the share the whole study area
keeps (its employed residents working in it, and its jobs filled from it, the
lesser), rounded down to 0.001 (:func:`relative_floor`). A county whose
residents work outside it (Akershus keeps 0.577) is asked for less than one
that keeps nearly all (Troms og Finnmark 0.950), as every region of it is.

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
import itertools
import logging
import math

import numpy as np

from regionopt._checker import Pair
from regionopt.errors import DataError
from regionopt.model.containment import region_flows, self_containment
from regionopt.model.contiguity import components, reachable
from regionopt.model.families import active_families
from regionopt.model.families.base import label
from regionopt.model.maxp import floor_bound
from regionopt.problem import ProblemData
from regionopt.scenario import RegionsConfig, Scenario

log = logging.getLogger(__name__)


def reach_components(data: ProblemData, scenario: Scenario) -> dict[int, set[int]]:
    """For each possible core ``j``, the largest set a region around ``j`` may span.

    A possible core meets every family's rule on cores (``min_core_jobs``, fixed cores, ...);
    the set is ``j``'s component (contiguity) among the municipalities every family lets join
    ``j`` (the travel limits, long-distance members' included; county borders; a core at
    least as strong as its members; ...): the families' own pruning, without the population
    floor, so that the proof holds under exactly the model's rules of place.
    """
    c = scenario.constraints
    families = active_families(scenario)
    core_ok = np.isfinite(np.diag(data.minutes))
    for fam in families:
        if fam.cores is not None:
            core_ok &= fam.cores(data, scenario)
    nbrs = data.neighbours()
    out: dict[int, set[int]] = {}
    for j in (int(k) for k in np.flatnonzero(core_ok)):
        ok = np.isfinite(data.minutes[:, j])
        for fam in families:
            if fam.members is not None:
                ok &= fam.members(data, scenario, j)
        allowed = {int(i) for i in np.flatnonzero(ok)} | {j}
        out[j] = reachable(j, allowed, nbrs) if c.contiguity else allowed
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
    pops = {j: int(data.population[sorted(comp)].sum()) for j, comp in reach.items()}
    where = "by road or ferry" if c.max_travel_minutes is None else \
        f"within {c.max_travel_minutes:g} minutes by road or ferry"
    if c.long_distance_minutes is not None:
        where += f" ({c.long_distance_minutes:g} for a long-distance member)"
    out = []
    for i in range(data.n):
        if data.codes[i] in named:
            continue
        holding = [j for j, comp in reach.items() if i in comp]
        best = max(holding, key=lambda j: (pops[j], -j)) if holding else i
        if holding and pops[best] >= floor:
            continue
        if holding in ([], [i]) and reach.get(i, {i}) == {i}:
            reason = (f"no core {where}: alone it has {int(data.population[i])} inhabitants, "
                      f"below the floor of {floor}")
        else:
            reason = (f"every region it can join {where} has at most {pops[best]} "
                      f"inhabitants (around {label(data, best)}), below the floor of {floor}")
        out.append((data.codes[i], reason))
    return out


def _parts(data: ProblemData, scenario: Scenario) -> list[set[int]]:
    """Connected parts no region can cross (adjacency, county borders)."""
    c = scenario.constraints
    if not c.contiguity:
        return [set(range(data.n))]
    nbrs = data.neighbours()
    if c.respect_county_borders:
        nbrs = [[k for k in ks if data.counties[k] == data.counties[i]]
                for i, ks in enumerate(nbrs)]
    return sorted(components(range(data.n), nbrs), key=min)


def _kept_share(data: ProblemData, members: list[int]) -> float:
    assert data.commuting is not None
    return self_containment(*region_flows(data.commuting, members))


def attainable_floor(data: ProblemData, scenario: Scenario) -> tuple[float, str] | None:
    """The highest self-containment floor the area can attain, when below the scenario's.

    Returns
    -------
    tuple of (float, str), or None
        The lowered floor and the sentence that proves it, or ``None`` when the
        floor may hold (or its parts hold too many exceptions to check all sets:
        more than 12).
    """
    c = scenario.constraints
    if c.min_self_containment <= 0 or data.commuting is None:
        return None
    exempt = {data.index(code) for code, _ in c.exceptions if code in data.codes}
    worst: tuple[float, list[int]] | None = None
    for part in _parts(data, scenario):
        inside = sorted(part & exempt)
        if len(inside) > 12:
            return None
        best = -1.0
        for k in range(len(inside) + 1):
            for drop in itertools.combinations(inside, k):
                members = sorted(part - set(drop))
                if members:
                    best = max(best, _kept_share(data, members))
        if best >= 0 and (worst is None or best < worst[0]):
            worst = (best, sorted(part))
    if worst is None or worst[0] >= c.min_self_containment:
        return None
    share, weakest = worst
    floor = math.floor(share * 1000) / 1000
    where = "the study area" if len(weakest) == data.n else \
        f"the part of the area holding {label(data, weakest[0])} ({len(weakest)} municipalities)"
    return floor, (f"constraints.min_self_containment lowered from "
                   f"{c.min_self_containment:g} to {floor:g}: {where} keeps at most "
                   f"{share:.3f} of its employed residents or jobs as a whole, and a union of "
                   "regions keeps at least the least share of its regions, so no plan meets "
                   f"{c.min_self_containment:g} in every region")


def relative_floor(data: ProblemData, scenario: Scenario) -> tuple[float, str] | None:
    """The floor ``constraints.relative_self_containment`` sets, and the sentence saying so.

    Returns
    -------
    tuple of (float, str), or None
        ``share × what the whole study area keeps``, rounded down to 0.001, or ``None``
        when the key is 0.
    """
    share = scenario.constraints.relative_self_containment
    if share <= 0:
        return None
    if data.commuting is None:
        raise DataError("constraints.relative_self_containment needs commuting flows, and "
                        "the problem has none")
    whole = _kept_share(data, list(range(data.n)))
    floor = math.floor(share * whole * 1000) / 1000
    return floor, (f"constraints.min_self_containment set to {floor:g}: "
                   f"constraints.relative_self_containment {share:g} × {whole:.3f}, the share "
                   "of its employed residents or jobs the whole study area keeps")


def rule_notes(data: ProblemData, scenario: Scenario) -> list[str]:
    """Sentences saying what :func:`resolve_rules` changed besides the exceptions found."""
    notes = []
    relative = relative_floor(data, scenario)
    if relative is not None:
        notes.append(relative[1])
    if scenario.constraints.attainable_self_containment:
        lowered = attainable_floor(data, resolve_rules(data, scenario, floors=False))
        if lowered is not None:
            notes.append(lowered[1])
    return notes


def rules_for_solve(data: ProblemData, scenario: Scenario) -> Scenario:
    """:func:`resolve_rules`, logging what it changed besides the exceptions (for a solve)."""
    for note in rule_notes(data, scenario):
        log.info("note: %s", note)
    return resolve_rules(data, scenario)


def auto_count(data: ProblemData, scenario: Scenario) -> int:
    """The most regions ``regions.count = "auto"`` allows (see the module notes)."""
    if scenario.constraints.min_population <= 0:
        return data.n
    hard = dataclasses.replace(scenario, objective=dataclasses.replace(
        scenario.objective, population_shortfall=0.0))
    return max(1, floor_bound(data, hard) or data.n)


def resolve_rules(data: ProblemData, scenario: Scenario, *, floors: bool = True) -> Scenario:
    """Return ``scenario`` with its exceptions found, floor made attainable and count resolved.

    Unchanged when it asks for none of them (``floors=False`` leaves the
    self-containment floor as it is). Idempotent.
    """
    c = scenario.constraints
    if c.find_exceptions:
        found = find_exceptions(data, scenario)
        if found:
            scenario = dataclasses.replace(scenario, constraints=dataclasses.replace(
                c, exceptions=tuple(sorted((*c.exceptions, *found)))))
    relative = relative_floor(data, scenario) if floors else None
    if relative is not None:
        scenario = dataclasses.replace(scenario, constraints=dataclasses.replace(
            scenario.constraints, min_self_containment=relative[0],
            relative_self_containment=0.0))
    if floors and scenario.constraints.attainable_self_containment:
        lowered = attainable_floor(data, scenario)
        if lowered is not None:
            scenario = dataclasses.replace(scenario, constraints=dataclasses.replace(
                scenario.constraints, min_self_containment=lowered[0]))
    if scenario.regions.count == "auto":
        scenario = dataclasses.replace(scenario,
                                       regions=RegionsConfig(max_count=auto_count(data, scenario)))
    return scenario
