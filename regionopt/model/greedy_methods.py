"""Each delineation method's own greedy procedure, from its ``[delineation]`` rules.

The exact plan of a preset (``data/geo/scenarios/methods/``) is compared with the plan the
method's authors' procedure gives (``docs/methods.md``): rules applied in their order, once,
with no repair and no contiguity check.

* Centre methods (TØI, SCB, Statistics Finland, OECD): the centres (by name or rule) first;
  then each other municipality, in kommunenummer order, joins the centre it sends most to
  when that share is above ``join_share``; else the admitting centre (admission rule or travel
  step) with the largest share by ``travel_measure``; else it stands alone (``restkommune``),
  or, without restkommune, joins the centre it sends most to (SCB's "the centre it sends
  most to").
* Coombes–Bond (:func:`coombes_bond_loop`): every municipality its own area; while one is
  invalid, the least valid is dissolved and each member joins the area it has the strongest
  tie with, ``T = F_ab²/(E_a·J_b) + F_ba²/(E_b·J_a)`` (Coombes & Bond 2008; as in
  ``benchmarks/peer_ttwa.py``, written again here on whole areas, without the reserve list).
"""

from __future__ import annotations

import numpy as np

from regionopt.model.containment import self_containment
from regionopt.model.families.base import commuting_of
from regionopt.model.families.coombes_bond import demand
from regionopt.model.families.shares import (
    centre_mask,
    pair_admitted,
    pair_shares,
    within_reach,
)
from regionopt.problem import ProblemData
from regionopt.scenario import Scenario


def centre_greedy(data: ProblemData, scenario: Scenario) -> np.ndarray:
    """Return ``cores[i]`` by the centre methods' order of rules (see the module notes)."""
    d = scenario.delineation
    centres = centre_mask(data, d) if d.centre_rule else np.ones(data.n, dtype=bool)
    out = pair_shares(data, d.join_measure, twins=d.twin_centres)
    by_travel = pair_shares(data, d.travel_measure, twins=d.twin_centres)
    admitted = pair_admitted(data, d)
    near = within_reach(data, d)
    cores = np.arange(data.n)
    cols = [int(j) for j in np.flatnonzero(centres)]
    for i in range(data.n):
        if centres[i]:
            continue
        others = [j for j in cols if j != i and np.isfinite(data.minutes[i, j])]
        joined = [j for j in others if out[i, j] > d.join_share and near[i, j]] \
            if d.join_share > 0 else []
        if joined:
            cores[i] = max(joined, key=lambda j: (out[i, j], -int(data.codes[j])))
            continue
        ok = [j for j in others if admitted[i, j]] if d.admission else []
        if ok:
            cores[i] = max(ok, key=lambda j: (by_travel[i, j], -int(data.codes[j])))
        elif not d.restkommune and others:
            cores[i] = max(others, key=lambda j: (out[i, j], -int(data.codes[j])))
    return cores


def _validity(data: ProblemData, scenario: Scenario, members: list[int]) -> float:
    """SC over the stepped demand (>= 1: valid; below the minimum size: 0)."""
    c = commuting_of(data, "the Coombes-Bond loop")
    idx = np.asarray(members)
    live = float(c.flows[np.ix_(idx, idx)].sum())
    employed, jobs = float(c.employed[idx].sum()), float(c.jobs[idx].sum())
    alpha = demand(scenario.delineation, employed)
    if alpha is None:
        return 0.0
    return float(self_containment(live, employed, jobs)) / alpha


def coombes_bond_loop(data: ProblemData, scenario: Scenario) -> np.ndarray:
    """Return ``cores[i]`` by the Coombes–Bond dissolve-and-reallocate loop (module notes).

    Each area's core is its member with most jobs. Ends after at most ``n`` dissolutions
    (an area with no tie to any other stays, as Istat's stranded members).
    """
    c = commuting_of(data, "the Coombes-Bond loop")
    flows = c.flows.astype("float64")
    area = np.arange(data.n)
    stranded: set[int] = set()
    for _ in range(data.n):
        groups = {int(a): [int(i) for i in np.flatnonzero(area == a)] for a in np.unique(area)}
        scores = {a: _validity(data, scenario, m) for a, m in groups.items()
                  if a not in stranded}
        bad = [a for a, v in scores.items() if v < 1]
        if not bad:
            break
        worst = min(bad, key=lambda a: (scores[a], a))
        for i in groups[worst]:
            ties = {}
            for b, members in groups.items():
                if b == worst:
                    continue
                f_ab, f_ba = flows[i, members].sum(), flows[members, i].sum()
                e_a, j_a = float(c.employed[i]), float(c.jobs[i])
                e_b, j_b = float(c.employed[members].sum()), float(c.jobs[members].sum())
                t = (f_ab ** 2 / (e_a * j_b) if e_a * j_b else 0.0) \
                    + (f_ba ** 2 / (e_b * j_a) if e_b * j_a else 0.0)
                if t > 0:
                    ties[b] = t
            if ties:
                target = max(ties, key=lambda b: (ties[b], -b))
                area[i] = target
                groups[target].append(i)
            else:
                stranded.add(worst)
    cores = np.empty(data.n, dtype="int64")
    for a in np.unique(area):
        idx = np.flatnonzero(area == a)
        cores[idx] = idx[np.argmax(c.jobs[idx])]
    return cores


def method_greedy(data: ProblemData, scenario: Scenario) -> np.ndarray:
    """Return the greedy plan of the method ``scenario`` states (Coombes–Bond or centres)."""
    if scenario.delineation.cb_min_size > 0:
        return coombes_bond_loop(data, scenario)
    return centre_greedy(data, scenario)
