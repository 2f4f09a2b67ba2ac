"""The map editor's parameters for the ``[delineation]`` families (``editor_delineation.js``).

Each function gives what the page's check of one family reads, computed once here from the
same helpers as the family's audit (:mod:`regionopt.model.families.shares`), so the page
only looks them up: the cores each member may be joined to, best first, with the share as
the audit prints it; the pairs a rule admits; the centres; the steps of the Coombes–Bond
curve. :data:`PARAMETERS` joins :data:`regionopt.maps.editor.PARAMETERS`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from regionopt.model.families.base import commuting_of
from regionopt.model.families.coombes_bond import steps
from regionopt.model.families.restkommune import admits
from regionopt.model.families.share_join import rankings
from regionopt.model.families.shares import (
    centre_mask,
    elastic,
    elastic_pairs,
    pair_admitted,
    region_threshold,
)
from regionopt.model.families.twin_centres import twin_pairs
from regionopt.problem import ProblemData
from regionopt.scenario import Scenario

Spec = dict[str, Any]


def _rows(mask: np.ndarray) -> list[list[int]]:
    return [[int(j) for j in np.flatnonzero(row)] for row in mask]


def _join(data: ProblemData, s: Scenario) -> Spec:
    d = s.delineation
    return {"key": "delineation.join_share", "elastic": d.join_weight > 0,
            "theta": f"{d.join_share:g}",
            "ranked": [[[r.core, f"{100 * r.share:.2f}", r.measure, r.travel]
                        for r in row] for row in rankings(data, d)]}


def _admission(key: str) -> Callable[[ProblemData, Scenario], Spec]:
    def spec(data: ProblemData, s: Scenario) -> Spec:
        d = s.delineation
        region = d.admit_share > 0 and d.admit_to == "region"
        pairs = pair_admitted(data, d) if d.travel_steps or not region \
            else np.eye(data.n, dtype=bool)
        if elastic(d):
            pairs = elastic_pairs(data, d)
        silent = key == "delineation.travel_steps" and d.admit_share > 0
        out: Spec = {"key": key, "silent": silent, "admitted": _rows(pairs), "need": None}
        if region:
            flows = commuting_of(data, "delineation.admit_to").flows
            out["need"] = [float(v) for v in region_threshold(data, d.admit_share)]
            out["sends"] = [[[int(k), int(row[k])] for k in np.flatnonzero(row)] for row in flows]
        return out
    return spec


def _centres(data: ProblemData, s: Scenario) -> Spec:
    d = s.delineation
    return {"key": "delineation.centre_max_out", "rest": d.restkommune, "open": d.centres_open,
            "centres": [bool(v) for v in centre_mask(data, d)]}


def _rest(data: ProblemData, s: Scenario) -> Spec:
    return {"key": "delineation.restkommune", "admits": _rows(admits(data, s))}


def _twins(data: ProblemData, s: Scenario) -> Spec:
    return {"key": "delineation.twin_centres", "pairs": [[h, t] for h, t in twin_pairs(data, s)]}


def _coombes_bond(data: ProblemData, s: Scenario) -> Spec:
    d = s.delineation
    commuting_of(data, "delineation.cb_min_size")
    return {"key": "delineation.cb_min_size", "min_size": f"{d.cb_min_size:g}",
            "steps": [[e, a] for e, a in steps(d)]}


#: The page's checks of the ``[delineation]`` families → the parameters each reads.
PARAMETERS: Mapping[str, Callable[[ProblemData, Scenario], Spec]] = {
    "share_join": _join,
    "share_admit": _admission("delineation.admit_share"),
    "share_travel": _admission("delineation.travel_steps"),
    "centre_rule": _centres,
    "restkommune": _rest,
    "twin_centres": _twins,
    "coombes_bond": _coombes_bond,
}
