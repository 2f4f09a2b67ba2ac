"""Commuting-share joins: ``delineation.join_share`` (θ) by ``delineation.join_measure``.

A municipality ``i`` that is not a core and whose share (``docs/methods.md``) to some open
core (within ``share_max_minutes``, if set) is above θ is in the region of the open core to
which its share is largest (ties to the
lower kommunenummer; with the centre rule, the open centre: only a centre takes members):
TØI's "Utpendling > 8", SCB's "the centre it sends most to". With
``delineation.travel_join``, a municipality no open core takes by the share is in the region
of the open core a travel step admits it to (``travel_admitted``) to which its
``travel_measure`` share is largest (ties as above): TØI's order of rules, step 3 choosing as
step 2 does. One list per municipality, the share's cores first, then the travel steps'; the
rows below take the first open core of it. Rows
``join_<i>_<j>`` for every pair with ``S[i, j] > θ``:
``x[i, j] + x[i, i] + Σ_{k ranked above j} x[k, k] >= x[j, j]`` (exact: ``j`` open and no
better core open and ``i`` not a core forces ``i`` into ``j``'s region); with ``centres_open``
only the first open one (the others hold, every centre being open). No pruning.
Audit: each non-core member against the best open core of the plan. Elastic
(``join_weight`` w > 0): a slack ``joinbreach_<i>_<j>`` in each row costs w; no audit.
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pulp

from regionopt.delineation import DelineationConfig
from regionopt.model.families.base import Family, ModelParts, PlanView, Violation
from regionopt.model.families.shares import (
    centre_mask,
    pair_shares,
    travel_admitted,
    within_reach,
)
from regionopt.problem import ProblemData
from regionopt.scenario import Scenario

KEY = "delineation.join_share"


@dataclass(frozen=True)
class Ranked:
    """A core the rule may join a municipality to: its share, the measure it is by, and
    whether a travel step (``travel_join``) rather than ``join_share`` ranks it."""

    core: int
    share: float
    measure: str
    travel: bool = False


def ranked(data: ProblemData, i: int, d: DelineationConfig,
           shares: Mapping[str, np.ndarray], admitted: np.ndarray | None) -> list[Ranked]:
    """The cores ``i`` may be joined to by the rule, best first.

    The cores above ``join_share`` (by ``join_measure``, within ``share_max_minutes``), by
    share, then kommunenummer; with ``travel_join`` (``admitted``: the pairs the travel steps
    admit) the other cores a travel step admits ``i`` to follow, by their ``travel_measure``
    share. With the centre rule only a centre takes members, so only centres are ranked.
    ``shares`` holds :func:`pair_shares` by measure.
    """
    centres = centre_mask(data, d)
    near = within_reach(data, d)[i]
    by = shares[d.join_measure]
    above = [k for k in range(data.n) if d.join_share > 0
             and k != i and by[i, k] > d.join_share and centres[k] and near[k]]
    out = [Ranked(k, float(by[i, k]), d.join_measure)
           for k in sorted(above, key=lambda k: (-float(by[i, k]), data.codes[k]))]
    if admitted is None:
        return out
    step = shares[d.travel_measure]
    rest = [k for k in range(data.n)
            if k != i and admitted[i, k] and centres[k] and k not in above]
    return out + [Ranked(k, float(step[i, k]), d.travel_measure, travel=True)
                  for k in sorted(rest, key=lambda k: (-float(step[i, k]), data.codes[k]))]


def _rows(m: ModelParts) -> None:
    d, data = m.scenario.delineation, m.data
    opened = {j for j in m.cands if (j, j) in m.x}
    # with centres_open every ranked core is a centre fixed open (centre_rule's rows), so
    # the rows after the first hold whatever the plan: left out (se-la: every pair ranks)
    first_only = d.centres_open and d.centre_rule
    lists = rankings(data, d)
    for i in range(data.n):
        better: list[int] = []
        for j in (r.core for r in lists[i]):
            if better and first_only:
                break
            if j in opened:
                lhs = pulp.lpSum([m.x[i, j]] if (i, j) in m.x else []) \
                    + pulp.lpSum([m.x[i, i]] if (i, i) in m.x else []) \
                    + pulp.lpSum(m.x[k, k] for k in better)
                name = f"{data.codes[i]}_{data.codes[j]}"
                if d.join_weight > 0:  # elastic: a breach costs join_weight
                    slack = m.prob.add_variable(f"joinbreach_{name}", 0, 1)
                    m.penalty += d.join_weight * slack
                    lhs += slack
                m.prob += (lhs - m.x[j, j] >= 0, f"join_{name}")
                better.append(j)


#: The rankings of the last (problem, rules) asked for: :func:`breaches` prices every plan
#: the construction heuristic tries (thousands nationally), and ranking anew each time made
#: its local search take minutes for se-la.toml. A weak reference, so no problem is kept alive.
_LAST: list[tuple[weakref.ref[ProblemData], DelineationConfig, list[list[Ranked]]]] = []


def rankings(data: ProblemData, d: DelineationConfig) -> list[list[Ranked]]:
    """:func:`ranked` for every municipality, computed once per problem and rules."""
    if _LAST and _LAST[0][0]() is data and _LAST[0][1] == d:
        return _LAST[0][2]
    measures = {d.join_measure} | ({d.travel_measure} if d.travel_join else set())
    shares = {k: pair_shares(data, k, twins=d.twin_centres) for k in sorted(measures)}
    admitted = travel_admitted(data, d) if d.travel_join else None
    out = [ranked(data, i, d, shares, admitted) for i in range(data.n)]
    _LAST[:] = [(weakref.ref(data), d, out)]
    return out


def breaches(data: ProblemData, d: DelineationConfig, cores: np.ndarray) -> int:
    """Non-core members not in the best open core the rule names (the elastic rows' slack)."""
    opened = set(int(j) for j in cores)
    lists = rankings(data, d)
    count = 0
    for i in range(data.n):
        if int(cores[i]) == i:
            continue
        best = next((r.core for r in lists[i] if r.core in opened), None)
        count += best is not None and int(cores[i]) != best
    return count


def _check(view: PlanView, s: Scenario) -> list[Violation]:
    d, data, out = s.delineation, view.data, list[Violation]()
    if d.join_weight > 0:
        return out  # elastic: a price in the objective, as the elastic travel limit
    cores = {core for _, core, _ in view.regions}
    lists = rankings(data, d)
    for i in range(data.n):
        if i in cores:
            continue
        best = next((r for r in lists[i] if r.core in cores), None)
        if best is not None and view.core_of[i] != best.core:
            out.append(Violation(KEY, data.codes[i], message(
                data.codes[i], best, data.codes[best.core], d,
                data.codes[view.core_of[i]])))
    return out


def message(code: str, best: Ranked, core: str, d: DelineationConfig, joined: str) -> str:
    """The audit's sentence (the page's twin in ``editor_delineation.js`` prints the same)."""
    why = "admitted by a travel step" if best.travel else f"above {d.join_share:g}"
    return (f"{code} sends {100 * best.share:.2f} % ({best.measure}) to core {core}, {why}, "
            f"its largest to an open core, but joins core {joined}")


FAMILY = Family(
    name="the commuting-share joins",
    keys=(KEY, "delineation.join_measure", "delineation.travel_join"),
    relax=((KEY, 0.0), ("delineation.travel_join", False)),
    active=lambda s: s.delineation.join_share > 0 or s.delineation.travel_join,
    rows=_rows,
    check=_check,
    page_check="share_join",
)
