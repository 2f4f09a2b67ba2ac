"""Centres designated by rule: ``delineation.centre_max_out``, ``centre_max_flow``,
``centre_min_jobs_ratio``, by name: ``delineation.centres``, and ``centres_open``.

A municipality is a centre when it meets every rule set
(:func:`~regionopt.model.families.shares.centre_mask`: out-commuting at most a share, its
largest single flow at most a share, jobs per employed resident at least a ratio; SCB's and
Statistics Finland's centres). Only a centre may be a core, except, with
``delineation.restkommune``, a non-centre alone. With ``centres_open`` every centre is a core:
rows ``centre_<j>``, ``x[j, j] = 1``, and no core admits another centre. Pruning: cores,
members. Audit: a core that is no centre (and not alone with restkommune), a centre that is
not a core (with ``centres_open``).
"""

from __future__ import annotations

import numpy as np

from regionopt.model.families.base import Family, ModelParts, PlanView, Violation
from regionopt.model.families.shares import centre_mask
from regionopt.problem import ProblemData
from regionopt.scenario import Scenario

KEY = "delineation.centre_max_out"


def _cores(data: ProblemData, s: Scenario) -> np.ndarray:
    if s.delineation.restkommune:
        return np.ones(data.n, dtype=bool)
    return centre_mask(data, s.delineation)


def _members(data: ProblemData, s: Scenario, j: int) -> np.ndarray:
    centres = centre_mask(data, s.delineation)
    if not centres[j]:
        alone = np.zeros(data.n, dtype=bool)
        alone[j] = True
        return alone
    if s.delineation.centres_open:
        others = ~centres
        others[j] = True
        return others
    return np.ones(data.n, dtype=bool)


def _rows(m: ModelParts) -> None:
    if not m.scenario.delineation.centres_open:
        return
    centres = centre_mask(m.data, m.scenario.delineation)
    for j in (int(k) for k in np.flatnonzero(centres)):
        if (j, j) in m.x:
            m.prob += (m.x[j, j] == 1, f"centre_{m.data.codes[j]}")


def _check(view: PlanView, s: Scenario) -> list[Violation]:
    d, data, out = s.delineation, view.data, []
    centres = centre_mask(data, d)
    cores = set()
    for r, core, members in view.regions:
        cores.add(core)
        if not centres[core] and (len(members) > 1 or not d.restkommune):
            out.append(Violation(KEY, r, f"core {data.codes[core]} of region {r} is no centre "
                                         "by the rules of [delineation]"
                                 + (" and has other members" if d.restkommune else "")))
    if d.centres_open:
        for j in np.flatnonzero(centres):
            if j not in cores:
                out.append(Violation("delineation.centres_open", data.codes[j],
                                     f"centre {data.codes[j]} is not a core (its core is "
                                     f"{data.codes[view.core_of[j]]})"))
    return out


FAMILY = Family(
    name="the centres by rule",
    keys=(KEY, "delineation.centre_max_flow", "delineation.centre_min_jobs_ratio",
          "delineation.centre_min_population", "delineation.centres", "delineation.centres_open"),
    relax=((KEY, None), ("delineation.centre_max_flow", None),
           ("delineation.centre_min_jobs_ratio", None), ("delineation.centre_min_population", None),
           ("delineation.centres", [])),
    active=lambda s: s.delineation.centre_rule,
    cores=_cores,
    members=_members,
    rows=_rows,
    check=_check,
    page_check="centre_rule",
)
