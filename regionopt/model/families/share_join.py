"""Commuting-share joins: ``delineation.join_share`` (θ) by ``delineation.join_measure``.

A municipality ``i`` that is not a core and whose share (``docs/methods.md``) to some open
core (within ``share_max_minutes``, if set) is above θ is in the region of the open core to
which its share is largest (ties to the
lower kommunenummer; with the centre rule, the open centre: only a centre takes members):
TØI's "Utpendling > 8", SCB's "the centre it sends most to". Rows
``join_<i>_<j>`` for every pair with ``S[i, j] > θ``:
``x[i, j] + x[i, i] + Σ_{k ranked above j} x[k, k] >= x[j, j]`` (exact: ``j`` open and no
better core open and ``i`` not a core forces ``i`` into ``j``'s region); with ``centres_open``
only the first open one (the others hold, every centre being open). No pruning.
Audit: each non-core member against the best open core of the plan. Elastic
(``join_weight`` w > 0): a slack ``joinbreach_<i>_<j>`` in each row costs w; no audit.
"""

from __future__ import annotations

import weakref

import numpy as np
import pulp

from regionopt.delineation import DelineationConfig
from regionopt.model.families.base import Family, ModelParts, PlanView, Violation
from regionopt.model.families.shares import centre_mask, pair_shares, within_reach
from regionopt.problem import ProblemData
from regionopt.scenario import Scenario

KEY = "delineation.join_share"


def ranked(data: ProblemData, shares: np.ndarray, i: int, d: DelineationConfig) -> list[int]:
    """The cores ``i`` may be joined to by the rule, best first (share, then kommunenummer).

    With the centre rule only a centre takes members, so only centres are ranked; with
    ``share_max_minutes`` only cores within those minutes.
    """
    centres = centre_mask(data, d)
    near = within_reach(data, d)[i]
    above = [k for k in range(data.n)
             if k != i and shares[i, k] > d.join_share and centres[k] and near[k]]
    return sorted(above, key=lambda k: (-float(shares[i, k]), data.codes[k]))


def _rows(m: ModelParts) -> None:
    d, data = m.scenario.delineation, m.data
    opened = {j for j in m.cands if (j, j) in m.x}
    # with centres_open every ranked core is a centre fixed open (centre_rule's rows), so
    # the rows after the first hold whatever the plan: left out (se-la: every pair ranks)
    first_only = d.centres_open and d.centre_rule
    lists = rankings(data, d)
    for i in range(data.n):
        better: list[int] = []
        for j in lists[i]:
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
_LAST: list[tuple[weakref.ref[ProblemData], DelineationConfig, list[list[int]]]] = []


def rankings(data: ProblemData, d: DelineationConfig) -> list[list[int]]:
    """:func:`ranked` for every municipality, computed once per problem and rules."""
    if _LAST and _LAST[0][0]() is data and _LAST[0][1] == d:
        return _LAST[0][2]
    shares = pair_shares(data, d.join_measure, twins=d.twin_centres)
    out = [ranked(data, shares, i, d) for i in range(data.n)]
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
        best = next((k for k in lists[i] if k in opened), None)
        count += best is not None and int(cores[i]) != best
    return count


def _check(view: PlanView, s: Scenario) -> list[Violation]:
    d, data, out = s.delineation, view.data, list[Violation]()
    if d.join_weight > 0:
        return out  # elastic: a price in the objective, as the elastic travel limit
    shares = pair_shares(data, d.join_measure, twins=d.twin_centres)
    cores = {core for _, core, _ in view.regions}
    lists = rankings(data, d)
    for i in range(data.n):
        if i in cores:
            continue
        best = next((k for k in lists[i] if k in cores), None)
        if best is not None and view.core_of[i] != best:
            out.append(Violation(KEY, data.codes[i], f"{data.codes[i]} sends "
                                 f"{100 * shares[i, best]:.2f} % ({d.join_measure}) to core "
                                 f"{data.codes[best]}, above {d.join_share:g}, its largest "
                                 f"to an open core, but joins core {data.codes[view.core_of[i]]}"))
    return out


FAMILY = Family(
    name="the commuting-share joins",
    keys=(KEY, "delineation.join_measure"),
    relax=((KEY, 0.0),),
    active=lambda s: s.delineation.join_share > 0,
    rows=_rows,
    check=_check,
    page_check="share_join",
)
