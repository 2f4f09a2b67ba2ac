"""The plan editor's data: what a map page needs to recompute every figure of an edited plan.

A map page with the editor lets a reader move a municipality to another region,
make it a core, undo, redo and export the result (``editor.js``), while the
page recomputes the plan's metrics and the scenario's audit live
(``editor_metrics.js``, one JavaScript function per definition in
``docs/metrics.md`` and per family check in :mod:`regionopt.model.families`: each
family names its page's function in ``Family.page_check``, and
:func:`page_check_gaps` names any step missing for a new family).
This module prepares, once in Python, everything those scripts read: the
municipalities, the whole travel matrix (any municipality may become a core),
the adjacency, each plan, the figures Python computed for it, the scenario's
hard constraints as parameters of the family checks, the proven optimum,
commuting flows, the centrality index and the reach shares (who lives within
45/60/75 minutes of each possible core, sparse) when the problem has them, and
the labels. Same inputs, same bytes.

The travel matrix goes in as base64 of 24-bit little-endian integers, hundredths
of a minute (``0xFFFFFF``: no route): minutes are built rounded to 0.01
(:mod:`regionopt.network.travel`), so the page divides by 100 and gets the very
doubles Python uses. That is 4 characters per pair, 0.5 MB for all of Norway.
"""

from __future__ import annotations

import base64
import html
import logging
import math
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
from branca.element import Element

from regionopt.errors import DataError, ScenarioError
from regionopt.evaluate.criteria import DIVIDED, DIVIDED_NOTE, INFORMATION, REACH_BASIS
from regionopt.evaluate.metrics import PlanMetrics
from regionopt.evaluate.reach import WITHIN_COLUMNS, grid_based
from regionopt.evaluate.report import audit_to_dict, metrics_to_dict
from regionopt.evaluate.scenario_audit import audit
from regionopt.maps import i18n
from regionopt.maps.assets import Block, Call
from regionopt.maps.editor_delineation import PARAMETERS as DELINEATION
from regionopt.maps.layers import PALETTE, centre_latlon
from regionopt.model.families import FAMILIES, Family, active_families
from regionopt.model.families.base import commuting_of, strength
from regionopt.model.families.travel import long_distance_mask
from regionopt.plan import Plan
from regionopt.problem import ProblemData
from regionopt.scenario import Scenario

log = logging.getLogger(__name__)

NO_ROUTE = 0xFFFFFF
#: Largest travel time the page can hold (24 bits of hundredths of a minute).
MAX_MINUTES = (NO_ROUTE - 1) / 100

Spec = dict[str, Any]


def encode_minutes(minutes: np.ndarray) -> str:
    """Return the travel matrix as base64 of 24-bit hundredths (see the module docstring).

    Raises
    ------
    DataError
        If a travel time is negative, not on the 0.01 grid, or above :data:`MAX_MINUTES`.
    """
    flat = np.asarray(minutes, dtype="float64").ravel()
    finite = np.isfinite(flat)
    hundredths = np.full(flat.shape, NO_ROUTE, dtype="int64")
    hundredths[finite] = np.rint(flat[finite] * 100).astype("int64")
    if (flat[finite] < 0).any() or (flat[finite] > MAX_MINUTES).any():
        raise DataError(f"travel minutes: a value lies outside 0-{MAX_MINUTES:g} minutes; "
                        "the map editor cannot hold it")
    if (hundredths[finite] / 100 != flat[finite]).any():
        raise DataError("travel minutes: a value is not rounded to 0.01 minute as built")
    packed = np.empty((flat.size, 3), dtype="uint8")
    for byte in range(3):
        packed[:, byte] = (hundredths >> (8 * byte)) & 0xFF
    return base64.b64encode(packed.tobytes()).decode("ascii")


# --------------------------------------------------------------------------- scenario checks

def _exceptions(s: Scenario) -> list[str]:
    return [code for code, _ in s.constraints.exceptions]


def _count(data: ProblemData, s: Scenario) -> Spec:
    r = s.regions  # "max" and "auto" are rules of the solve, not counts a plan must have
    return {"count": r.count if isinstance(r.count, int) else None, "min_count": r.min_count,
            "max_count": r.max_count}


def _population(data: ProblemData, s: Scenario) -> Spec:
    c = s.constraints
    hard = s.objective.population_shortfall == 0
    return {"min": c.min_population, "max": c.max_population, "hard_min": hard,
            "exceptions": _exceptions(s)}


def _pairs(key: str) -> Callable[[ProblemData, Scenario], Spec]:
    def spec(data: ProblemData, s: Scenario) -> Spec:
        return {"pairs": [list(p) for p in getattr(s.constraints, key)]}
    return spec


def _fixed(data: ProblemData, s: Scenario) -> Spec:
    return {"codes": list(s.constraints.fixed_cores)}


def _nothing(data: ProblemData, s: Scenario) -> Spec:
    return {}


def _travel(data: ProblemData, s: Scenario) -> Spec:
    limit = s.constraints.max_travel_minutes
    assert limit is not None  # the family is active
    far = s.constraints.long_distance_minutes
    return {"limit": float(limit), "limit_text": f"{limit:g}", "exceptions": _exceptions(s),
            "elastic": s.objective.travel_excess > 0,
            "long": [data.codes[i] for i in np.flatnonzero(long_distance_mask(data, s))],
            "long_limit": None if far is None else float(far),
            "long_text": "" if far is None else f"{far:g}"}


def _core_population(data: ProblemData, s: Scenario) -> Spec:
    return {"floor": s.constraints.min_core_population, "exceptions": _exceptions(s)}


def _exempt(data: ProblemData, s: Scenario) -> Spec:
    return {"exceptions": _exceptions(s)}


def _strength(data: ProblemData, s: Scenario) -> Spec:
    measure = s.constraints.core_measure
    return {"measure": measure, "values": [int(v) for v in strength(data, measure)]}


def _core_minimum(data: ProblemData, s: Scenario) -> Spec:
    c, rules = s.constraints, []
    if c.min_core_jobs > 0:
        jobs = commuting_of(data, "constraints.min_core_jobs").jobs
        rules.append({"key": "constraints.min_core_jobs",
                      "wanted": f"at least {c.min_core_jobs} jobs",
                      "weak": [bool(v) for v in jobs < c.min_core_jobs]})
    if c.max_core_centrality_class is not None:
        if data.centrality is None:
            raise DataError("constraints.max_core_centrality_class needs the centrality "
                            "index, and the problem has none")
        weak = data.centrality[:, 1] > c.max_core_centrality_class
        rules.append({"key": "constraints.max_core_centrality_class",
                      "wanted": f"centrality class at most {c.max_core_centrality_class}",
                      "weak": [bool(v) for v in weak]})
    return {"rules": rules, "exceptions": _exceptions(s)}


def _self_containment(data: ProblemData, s: Scenario) -> Spec:
    alpha = s.constraints.min_self_containment
    commuting_of(data, "constraints.min_self_containment")
    return {"alpha": alpha, "alpha_text": f"{alpha:g}", "exceptions": _exceptions(s)}


def _median(data: ProblemData, s: Scenario) -> Spec:
    floor = s.constraints.min_median_self_containment
    commuting_of(data, "constraints.min_median_self_containment")
    return {"floor": floor, "floor_text": f"{floor:g}"}


def _criterion(data: ProblemData, s: Scenario) -> Spec:
    c, cr = s.constraints, s.criteria
    commuting_of(data, "constraints.min_criterion_regions")
    return {"want": c.min_criterion_regions, "limit": c.criterion_above_workers,
            "sc": cr.self_containment, "sc_large": cr.self_containment_large,
            "large": cr.large_workers}


def _kept_share(data: ProblemData, s: Scenario) -> Spec:
    eps = s.constraints.min_kept_share
    commuting_of(data, "constraints.min_kept_share")
    return {"eps": eps, "eps_text": f"{eps:g}"}


def _person_minutes(data: ProblemData, s: Scenario) -> Spec:
    return {"budget": float(s.constraints.max_person_minutes or 0.0)}


#: The page's checks (``Family.page_check``) → the parameters each reads from the scenario.
PARAMETERS: Mapping[str, Callable[[ProblemData, Scenario], Spec]] = {
    "count": _count,
    "population": _population,
    "must_link": _pairs("must_link"),
    "cannot_link": _pairs("cannot_link"),
    "fixed_cores": _fixed,
    "contiguity": _nothing,
    "travel": _travel,
    "county": _nothing,
    "core_largest": _nothing,
    "core_population": _core_population,
    "exceptions": _exempt,
    "self_containment": _self_containment,
    "median": _median,
    "core_strength": _strength,
    "core_minimum": _core_minimum,
    "criterion": _criterion,
    "kept_share": _kept_share,
    "person_minutes": _person_minutes,
    **DELINEATION,  # the [delineation] families: maps/editor_delineation.py
}

#: The family (by its first scenario key) → the page's check and its parameters, read from
#: the registry (:data:`regionopt.model.families.FAMILIES`, ``Family.page_check``).
CHECKS: Mapping[str, tuple[str, Callable[[ProblemData, Scenario], Spec]]] = {
    fam.keys[0]: (fam.page_check, PARAMETERS.get(fam.page_check, _nothing))
    for fam in FAMILIES if fam.page_check is not None
}
SCRIPT = Path(__file__).with_name("editor_metrics.js")


def page_check_gaps(families: Sequence[Family] = FAMILIES, *,
                    script: str | None = None) -> list[str]:
    """Return what is missing for the page to rerun every family's audit, one step a line.

    A family with a ``check`` needs a ``page_check`` name, that name an entry in
    :data:`PARAMETERS` and a function in ``editor_metrics.js``'s ``CHECKS`` (``script``:
    that file's text, read when ``None``). Empty when nothing is missing.
    """
    script = SCRIPT.read_text(encoding="utf-8") if script is None else script
    js = "regionopt/maps/editor_metrics.js"
    gaps, named = [], set()
    for fam in families:
        if fam.check is None:
            continue
        where = f"{fam.check.__module__.replace('.', '/')}.py"
        name = fam.page_check
        if name is None:
            gaps.append(f"{where}: FAMILY has a check but no page_check; add "
                        f"page_check=\"<name>\" to it, then that name's parameters to "
                        f"PARAMETERS in regionopt/maps/editor.py and its function to CHECKS "
                        f"in {js}")
            continue
        named.add(name)
        if name not in PARAMETERS:
            gaps.append(f"{where}: page_check {name!r} has no parameters; add "
                        f"\"{name}\": a function (data, scenario) -> dict of what the page's "
                        f"check reads (_nothing when it reads none) to PARAMETERS in "
                        "regionopt/maps/editor.py")
        if not re.search(rf"^    {re.escape(name)}: function", script, re.MULTILINE):
            gaps.append(f"{where}: page_check {name!r} has no function in the page; add "
                        f"\"    {name}: function (P, plan, ev, spec) {{ ... }}\" to CHECKS in "
                        f"{js}, returning the Violations {where} words")
    gaps += [f"regionopt/maps/editor.py: PARAMETERS[{name!r}] belongs to no family's "
             "page_check; remove it or name it in its family" for name in PARAMETERS
             if name not in named]
    return gaps


def scenario_checks(data: ProblemData, scenario: Scenario) -> list[Spec]:
    """Return the checks of ``scenario``'s active families, in the audit's order.

    Each is ``{"check": name, ...parameters}`` for ``editor_metrics.js``. A
    family the page has no check for is listed by its scenario key alone (the
    page then says it is not checked live).

    Raises
    ------
    ScenarioError
        If a constraint names a municipality that is not in ``data``.
    """
    known = set(data.codes)
    for code in [c for pair in (*scenario.constraints.must_link,
                                *scenario.constraints.cannot_link) for c in pair] + \
            list(scenario.constraints.fixed_cores) + _exceptions(scenario):
        if code not in known:
            raise ScenarioError(f"scenario {scenario.name!r}: municipality {code} is not in "
                                "the study area")
    out: list[Spec] = []
    for fam in active_families(scenario):
        if fam.check is None:
            continue
        entry = CHECKS.get(fam.keys[0])
        if entry is None:  # page_check_gaps names what to add
            log.warning("map editor: %s is not checked live in the page", fam.keys[0])
            out.append({"check": fam.keys[0]})
            continue
        name, params = entry
        out.append({"check": name, **params(data, scenario)})
    return out


# --------------------------------------------------------------------------- payload

def _plan_entry(plan: Plan, data: ProblemData, metrics: PlanMetrics,
                colours: Mapping[str, str], outlined: frozenset[str]) -> Spec:
    return {"name": plan.name,
            "region": [plan.assignment[c] for c in data.codes],
            "cores": {r: data.index(c) for r, c in plan.cores.items()},
            "colours": dict(colours),
            "outlined": sorted(outlined),
            "figures": metrics_to_dict(metrics)["summary"]}


def _commuting(data: ProblemData) -> Spec | None:
    """Employed, jobs and the non-zero flows ``[o, d, persons]`` (integers: sums are exact)."""
    c = data.commuting
    if c is None:
        return None
    origin, dest = np.nonzero(c.flows)
    return {"employed": [int(v) for v in c.employed], "jobs": [int(v) for v in c.jobs],
            "flows": [[int(o), int(d), int(c.flows[o, d])]
                      for o, d in zip(origin, dest, strict=True)]}


def _centrality(data: ProblemData) -> Spec | None:
    if data.centrality is None:
        return None
    return {"index": [int(v) for v in data.centrality[:, 0]],
            "klass": [int(v) for v in data.centrality[:, 1]]}


def _reach(data: ProblemData) -> list[list[float]] | None:
    """Per municipality ``[core, within_45, within_60, within_75, core, ...]`` for every
    possible core it reaches at 75 minutes (shares of 6 decimals: the very doubles Python
    reads), or ``None``: the page then counts whole municipalities by the matrix."""
    if data.reach is None:
        return None
    out = []
    for i in range(data.n):
        row: list[float] = []
        for j in np.flatnonzero(data.reach[-1, i] > 0):
            row += [int(j), *(float(v) for v in data.reach[:, i, j])]
        out.append(row)
    return out


def _criteria(data: ProblemData, scenario: Scenario) -> Spec:
    """The thresholds of ``scenario.criteria`` and the notes the criteria table writes."""
    cr = scenario.criteria
    divided = data.commuting is not None and bool(data.commuting.note)
    return {"min_population": cr.min_population, "municipal_minimum": cr.municipal_minimum,
            "self_containment": cr.self_containment,
            "self_containment_large": cr.self_containment_large,
            "large_workers": cr.large_workers, "longest_trip_minutes": cr.longest_trip_minutes,
            "mean_trip_minutes": cr.mean_trip_minutes,
            "max_core_centrality_class": cr.max_core_centrality_class,
            "reasons": dict(scenario.constraints.exceptions),
            "long": [data.codes[i] for i in np.flatnonzero(long_distance_mask(data, scenario))],
            "long_note": "" if scenario.constraints.long_distance_minutes is None else
            (f" min to its core (no other possible core within "
             f"{scenario.constraints.max_travel_minutes:g} minutes; limit "
             f"{scenario.constraints.long_distance_minutes:g})"),
            "functional_limit": scenario.constraints.max_travel_minutes,
            "divided": sorted(DIVIDED) if divided else [],
            "information": list(INFORMATION),
            "reach_basis": REACH_BASIS[grid_based(data)],
            "divided_note": DIVIDED_NOTE}


def _metric_list(metrics: PlanMetrics, lab: Mapping[str, str]) -> list[Spec]:
    """The summary metrics the page shows, in Python's order, with the CLI's decimals."""
    out = []
    for name, value in metrics.summary.items():
        if name == "plan":
            continue
        whole = isinstance(value, (int, np.integer)) and not isinstance(value, bool)
        wide = name == "population_cv" or name in WITHIN_COLUMNS
        out.append({"name": name, "label": lab.get(name, name),
                    "digits": 0 if whole else (4 if wide else 2)})
    return out


def editor_payload(data: ProblemData, panes: Sequence[tuple[Plan, PlanMetrics, Mapping[str, str],
                                                             frozenset[str]]], *,
                   centres: Sequence[tuple[float, float]], scenario: Scenario | None = None,
                   optimum: float | None = None, lang: str = i18n.DEFAULT_LANG) -> Spec:
    """Return the JSON-able data of the editor of one page.

    Parameters
    ----------
    data
        The problem the plans were evaluated on.
    panes
        Per map pane, left to right: the plan, its metrics, its region colours
        and the municipalities outlined as moved against the other pane.
    centres
        ``(lat, lon)`` of each municipality's centre, in ``data``'s order (core markers).
    scenario
        The scenario whose hard constraints the page checks; ``None``: no audit.
    optimum
        The scenario's proven optimal travel term (person-minutes), for the gap.
    lang
        ``"nb"`` or ``"en"``.

    Returns
    -------
    dict
        ``codes, names, counties, population, minutes, edges, centres, plans,
        metrics, checks, audits, optimum, commuting, centrality, reach, labels, lang``.

    Raises
    ------
    DataError
        If the travel matrix cannot be encoded, or a plan does not cover ``data``.
    ScenarioError
        If the scenario names a municipality outside ``data``.
    """
    lab = i18n.labels(lang)
    checks = scenario_checks(data, scenario) if scenario is not None else None
    audits = None
    if scenario is not None:
        audits = [audit_to_dict(audit(plan, data, scenario, optimum=optimum))
                  for plan, *_ in panes]
    if optimum is not None and not math.isfinite(optimum):
        optimum = None
    return {
        "codes": list(data.codes), "names": list(data.names), "counties": list(data.counties),
        "population": [int(p) for p in data.population],
        "minutes": encode_minutes(data.minutes),
        "edges": sorted({(min(i, j), max(i, j)) for i, j, _ in data.edges}),
        "centres": [list(c) for c in centres],
        "plans": [_plan_entry(p, data, m, col, out) for p, m, col, out in panes],
        "metrics": _metric_list(panes[0][1], lab),
        "checks": checks, "audits": audits, "optimum": optimum,
        "scenario": None if scenario is None else str(scenario.name),
        "commuting": _commuting(data), "centrality": _centrality(data), "reach": _reach(data),
        "criteria": None if scenario is None else _criteria(data, scenario),
        "palette": list(PALETTE),
        "labels": {k: v for k, v in lab.items() if k.startswith(("ed_", "crit_")) or k in _SHARED},
        "lang": lang,
    }


def centres_of(data: ProblemData, munis: gpd.GeoDataFrame,
               display: gpd.GeoSeries) -> list[tuple[float, float]]:
    """Return ``(lat, lon)`` of each municipality's centre in ``data``'s order."""
    at = {row["kommunenummer"]: centre_latlon(row, geom)
          for (_, row), geom in zip(munis.iterrows(), display.values, strict=True)}
    return [at[c] for c in data.codes]


def attach_editor(fig: Element, panes: Sequence[tuple[Any, ...]], data: ProblemData,
                  munis: gpd.GeoDataFrame, display: gpd.GeoSeries, *,
                  scenario: Scenario | None = None, optimum: float | None = None,
                  lang: str = i18n.DEFAULT_LANG) -> None:
    """Add the editor's panel to the page ``fig`` and its start to the page script.

    Parameters
    ----------
    fig
        The page (:class:`~regionopt.maps.assets.OfflineFigure`).
    panes
        Per pane, left to right: ``(map, municipality layer, plan, metrics,
        region colours, municipalities outlined as moved)``.
    data
        The problem the metrics were computed on.
    munis, display
        The municipalities drawn and their display geometry (core markers).
    scenario, optimum, lang
        As in :func:`editor_payload`.
    """
    payload = editor_payload(data, [p[2:] for p in panes],
                             centres=centres_of(data, munis, display), scenario=scenario,
                             optimum=optimum, lang=lang)
    label = i18n.labels(lang)["ed_title"]
    fig.add_child(Block(f'<section class="rg-editor" id="rg-editor" '
                        f'aria-label="{html.escape(label)}"></section>'))
    targets = [part for pane in panes for part in pane[:2]]
    panes[-1][0].add_child(Call("editor", *targets, payload=payload))


_SHARED = ("region", "municipality", "population", "core", "difference", "metric",
           "not_reachable")

__all__ = ["CHECKS", "MAX_MINUTES", "PARAMETERS", "attach_editor", "centres_of",
           "editor_payload", "encode_minutes", "page_check_gaps", "scenario_checks"]
