"""Commuting shares per pair and the rules of ``[delineation]`` built on them.

The measures of :mod:`regionopt.delineation` (``out``, ``in``, ``sum``), which pairs a rule
admits, and which municipalities the centre rule designates: one statement each, read by the
families ``share_join``, ``share_admit``, ``share_travel``, ``centre_rule``, ``restkommune``
and by their audits. Shares are compared strictly (``above`` the threshold, as TØI's
"Utpendling > 8"); a municipality with no employed residents has every share 0.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pulp

from regionopt.delineation import DelineationConfig
from regionopt.model.families.base import ModelParts, PlanView, Violation, commuting_of
from regionopt.problem import ProblemData

KEY = "delineation"


def _per(values: np.ndarray, totals: np.ndarray) -> np.ndarray:
    """``values[i, :] / totals[i]`` with rows of total 0 as 0."""
    safe = np.where(totals > 0, totals, 1).astype("float64")
    return np.where(totals[:, None] > 0, values / safe[:, None], 0.0)


def pair_shares(data: ProblemData, measure: str, *,
                twins: Sequence[tuple[str, str]] = ()) -> np.ndarray:
    """Return ``S[i, j]``, member ``i``'s share to core ``j`` by ``measure`` (diagonal 0).

    ``out``: ``F[i, j] / E[i]`` (the share of ``i``'s employed residents working in ``j``);
    ``in``: ``F[i, j] / J[j]`` (the share of ``j``'s jobs held by ``i``'s residents, TØI's
    "Inn-pendling", docs/methods.md); ``sum``: both added. With ``twins``
    (``delineation.twin_centres``, ``[head, twin]`` pairs in the area), a share to a head
    counts the twin too: ``out`` ``(F[i, h] + F[i, t]) / E[i]``, ``in``
    ``(F[i, h] + F[i, t]) / (J[h] + J[t])``; the twin's own shares stay its own.
    """
    c = commuting_of(data, f"{KEY}: a {measure!r} share")
    flows = c.flows.astype("float64")
    out = _per(flows, c.employed)
    jobs = c.jobs.astype("float64")
    into = _per(flows.T, c.jobs).T  # [i, j] = F[i, j] / J[j]
    at = {code: k for k, code in enumerate(data.codes)}
    for head, twin in twins:
        if head not in at or twin not in at:
            continue  # a pair outside the area measures nothing
        h, t = at[head], at[twin]
        keep = out[t, h], into[t, h]
        out[:, h] = _per((flows[:, h] + flows[:, t])[:, None], c.employed)[:, 0]
        both = jobs[h] + jobs[t]
        into[:, h] = (flows[:, h] + flows[:, t]) / both if both > 0 else 0.0
        out[t, h], into[t, h] = keep
    shares = {"out": out, "in": into, "sum": out + into}[measure]
    shares = shares.copy()
    np.fill_diagonal(shares, 0.0)
    return shares


def within_reach(data: ProblemData, d: DelineationConfig) -> np.ndarray:
    """Return the mask of pairs ``(i, j)`` where a share rule to the core may hold: every pair,
    or with ``share_max_minutes`` those with ``j`` within that many minutes of ``i``."""
    if d.share_max_minutes is None:
        return np.ones((data.n, data.n), dtype=bool)
    return np.asarray(data.minutes <= d.share_max_minutes)


def region_threshold(data: ProblemData, share: float) -> np.ndarray:
    """Return, per municipality, the fewest commuters that are *above* ``share`` of its employed
    residents: ``floor(share·E) + 1`` (flows are whole persons, so the row is exact)."""
    employed = commuting_of(data, f"{KEY}.admit_to = \"region\"").employed
    return np.floor(share * employed.astype("float64")) + 1


def pair_admitted(data: ProblemData, d: DelineationConfig) -> np.ndarray:
    """Return the mask of pairs ``(i, j)`` a pair rule admits (diagonal True).

    The union of the share rule to the core (``admit_share`` with ``admit_to = "core"``,
    within ``share_max_minutes``) and the travel steps; every pair when neither is set.
    """
    n = data.n
    if not d.admission:
        return np.ones((n, n), dtype=bool)
    ok = np.zeros((n, n), dtype=bool)
    if d.admit_share > 0 and d.admit_to == "core":
        ok |= (pair_shares(data, d.admit_measure, twins=d.twin_centres) > d.admit_share) \
            & within_reach(data, d)
    ok |= travel_admitted(data, d)
    np.fill_diagonal(ok, True)
    return ok


def travel_admitted(data: ProblemData, d: DelineationConfig) -> np.ndarray:
    """Return the mask of pairs ``(i, j)`` a travel step admits: ``j`` within a step's minutes
    and ``i``'s share to ``j`` (``travel_measure``) above the step's share (none without steps)."""
    ok = np.zeros((data.n, data.n), dtype=bool)
    if d.travel_steps:
        shares = pair_shares(data, d.travel_measure, twins=d.twin_centres)
        for minutes, share in d.travel_steps:
            ok |= (data.minutes <= minutes) & (shares > share)
    return ok


def elastic(d: DelineationConfig) -> bool:
    """Whether the pair rules are elastic (``admit_weight`` above 0; not with the region rule)."""
    return d.admit_weight > 0 and not (d.admit_share > 0 and d.admit_to == "region")


def elastic_pairs(data: ProblemData, d: DelineationConfig) -> np.ndarray:
    """The pairs an elastic admission allows: the admitted ones, and any other within the
    farthest travel step's minutes (all reachable pairs without steps)."""
    far = max((minutes for minutes, _ in d.travel_steps), default=np.inf)
    return pair_admitted(data, d) | (data.minutes <= far)


def unadmitted(data: ProblemData, d: DelineationConfig, cores: np.ndarray) -> int:
    """Members no pair rule admits to their core (what an elastic admission charges for)."""
    ok = pair_admitted(data, d)
    return int(sum(1 for i in range(data.n) if int(cores[i]) != i and not ok[i, int(cores[i])]))


def admission_penalty(m: ModelParts) -> None:
    """Add ``admit_weight·x[i, j]`` to the objective for each pair no pair rule admits."""
    d = m.scenario.delineation
    ok = pair_admitted(m.data, d)
    m.penalty += pulp.LpAffineExpression(
        [(var, d.admit_weight) for (i, j), var in sorted(m.x.items()) if not ok[i, j]])


def region_admits(data: ProblemData, d: DelineationConfig, i: int, members: tuple[int, ...]
                  ) -> bool:
    """Whether ``admit_to = "region"`` admits ``i`` to the region ``members`` (``i`` among them)."""
    c = commuting_of(data, f"{KEY}.admit_to")
    sent = int(sum(int(c.flows[i, k]) for k in members if k != i))
    return sent >= region_threshold(data, d.admit_share)[i]


def admission_violations(view: PlanView, d: DelineationConfig, key: str) -> list[Violation]:
    """Members that no admission rule (pair rules, or the region's share) admits to their core;
    with an elastic admission, those beyond what it allows (the farthest step's minutes)."""
    data, out = view.data, []
    pairs = elastic_pairs(data, d) if elastic(d) else pair_admitted(data, d)
    region_rule = d.admit_share > 0 and d.admit_to == "region"
    if region_rule and not d.travel_steps:
        pairs = np.eye(data.n, dtype=bool)
    for r, core, members in view.regions:
        for i in members:
            if pairs[i, core] or (region_rule and region_admits(data, d, i, members)):
                continue
            out.append(Violation(key, data.codes[i], f"{data.codes[i]} joins core "
                                 f"{data.codes[core]} of region {r}, and no rule of "
                                 "[delineation] admits it"))
    return out


def centre_mask(data: ProblemData, d: DelineationConfig) -> np.ndarray:
    """Return the mask of the centres by name and rule (every municipality when none is set).

    A centre is named in ``centres`` (when any is; a name outside the area is left out),
    sends at most ``centre_max_out`` of its employed residents to other municipalities
    (anywhere: ``1 − F[i, i]/E[i]``), at most ``centre_max_flow`` to any one other
    municipality of the area, and has at least ``centre_min_jobs_ratio`` jobs per
    employed resident and at least ``centre_min_population`` inhabitants (no employed
    residents: out-commuting 0, ratio infinite).
    """
    if not d.centre_rule:
        return np.ones(data.n, dtype=bool)
    c = commuting_of(data, f"{KEY}: centres by rule")
    employed = c.employed.astype("float64")
    has = employed > 0
    safe = np.where(has, employed, 1.0)
    ok = np.ones(data.n, dtype=bool)
    if d.centres:
        ok = np.array([code in d.centres for code in data.codes], dtype=bool)
    if d.centre_max_out is not None:
        out = np.where(has, 1.0 - np.diag(c.flows) / safe, 0.0)
        ok &= out <= d.centre_max_out + 1e-12
    if d.centre_max_flow is not None:
        largest = pair_shares(data, "out").max(axis=1)
        ok &= largest <= d.centre_max_flow + 1e-12
    if d.centre_min_population is not None:
        ok &= data.population >= d.centre_min_population
    if d.centre_min_jobs_ratio is not None:
        ratio = np.where(has, c.jobs / safe, np.inf)
        ok &= ratio >= d.centre_min_jobs_ratio - 1e-12
    return ok
