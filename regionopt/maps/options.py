"""The options page: each municipality's directions on the plan editor's map.

:func:`options_page` draws the unrestricted optimum with the plan editor
(:func:`regionopt.maps.html.plan_map`) and adds ``options.js``: clicking a municipality
lists its directions with their prices (from ``regionopt options``); choosing one loads
that direction's exact optimal plan into the editor (as one edit, so undo, the live figures,
the audit and the export work on it); a layer colours each municipality by the price of
its cheapest other direction (the swing municipalities, cheap to move, against the firmly
placed ones). Each direction's plan is embedded as its difference from the page's plan.
The page API adds ``optionsOf(code)``, ``loadOption(code, core)`` and
``swing(code)`` to ``window.regionopt`` (``docs/options.md``).
"""

from __future__ import annotations

import functools
import html
from collections.abc import Mapping, Sequence
from importlib import resources
from typing import Any

import geopandas as gpd
import numpy as np

from regionopt.errors import DataError
from regionopt.maps.assets import Block, Call, OfflineFigure, number_ids
from regionopt.maps.html import plan_map
from regionopt.plan import Plan, plan_from_labels
from regionopt.problem import ProblemData
from regionopt.scenario import Scenario

_LABELS: dict[str, dict[str, str]] = {
    "nb": {
        "title": "Retningsvalg", "hint": "Klikk en kommune for å se retningene den kan velge.",
        "direction": "Retning", "status": "Status", "price": "Pris (objektiv)",
        "moved": "Andre som flyttes", "load": "Last inn", "current": "dagens optimum",
        "own": "egen region", "swing": "Fargelegg etter pris for billigste andre retning",
        "firm": "ingen annen retning", "reason": "Merknad", "loaded": "Lastet inn: {name}",
        "scenario_choice": "scenarioets valg",
    },
    "en": {
        "title": "Choice of direction", "hint": "Click a municipality to see its directions.",
        "direction": "Direction", "status": "Status", "price": "Price (objective)",
        "moved": "Others who move", "load": "Load", "current": "the optimum",
        "own": "own region", "swing": "Colour by the price of the cheapest other direction",
        "firm": "no other direction", "reason": "Note", "loaded": "Loaded: {name}",
        "scenario_choice": "the scenario's choice",
    },
}
_DIRECTION_KEYS = ("direction", "direction_name", "kind", "status", "current", "scenario_choice",
                   "objective", "price", "bound", "gap", "person_minutes_change",
                   "commuting_kept_share", "moved_names", "regions_changed", "reason", "rank")
_SOLVED = ("optimal", "time_limit", "bounded")
#: The directions panel floats over the map's lower left corner (the page's layout is the
#: plan page's, untouched).
_PANEL_STYLE = ("position:fixed;left:12px;bottom:34px;width:min(640px,60vw);max-height:46vh;"
                "overflow:auto;z-index:1000;background:#ffffff;padding:6px 10px;"
                "box-shadow:0 1px 6px rgba(0,0,0,0.35);border-radius:4px;font-size:13px")


@functools.lru_cache(maxsize=1)
def options_js() -> str:
    """Return ``options.js`` (shipped in the package), to inline after the editor's scripts.

    Raises
    ------
    DataError
        If the script contains ``</script``.
    """
    text = (resources.files("regionopt.maps") / "options.js").read_text(encoding="utf-8")
    if "</script" in text.lower():
        raise DataError("options.js contains '</script'")
    return text


def _plan_diff(problem: ProblemData, page: Plan, cores: Sequence[int]) -> dict[str, Any]:
    """The plan of ``cores`` as its difference from ``page`` (region names as the page's)."""
    plan = plan_from_labels(problem, np.asarray(cores, dtype="int64"))
    diff = [[i, plan.assignment[c]] for i, c in enumerate(problem.codes)
            if plan.assignment[c] != page.assignment[c]]
    changed = {r: problem.index(core) for r, core in plan.cores.items()
               if page.cores.get(r) != core}
    drop = sorted(set(page.cores) - set(plan.cores))
    return {"diff": diff, "cores": changed, "drop": drop}


def options_payload(problem: ProblemData, page: Plan, records: Mapping[str, Mapping[str, Any]],
                    *, base_objective: float, lang: str = "nb") -> dict[str, Any]:
    """Return the JSON-able data of ``options.js``.

    Parameters
    ----------
    problem
        The problem of the page.
    page
        The plan the page draws (the scenario's unrestricted optimum).
    records
        Per kommunenummer: ``rows`` (the options table's rows) and ``plans`` (core code ->
        ``cores[i]`` list), as :func:`regionopt.sweep.options.run.run_options` keeps them.
    base_objective
        The page plan's objective (swing prices are relative to each municipality's own base).
    lang
        ``"nb"`` or ``"en"``.
    """
    plans: list[dict[str, Any]] = []
    munis: dict[str, Any] = {}
    for code in sorted(records):
        rec = records[code]
        dirs = []
        for row in rec.get("rows", []):
            entry = {k: row.get(k) for k in _DIRECTION_KEYS}
            cores = rec.get("plans", {}).get(row["direction"])
            entry["plan"] = None
            if cores is not None and row.get("status") in _SOLVED:
                entry["plan"] = len(plans)
                plans.append(_plan_diff(problem, page, cores))
            dirs.append(entry)
        others = [d["price"] for d in dirs
                  if not d["current"] and d["status"] in _SOLVED and d["price"] is not None]
        munis[code] = {"swing": min(others) if others else None, "directions": dirs}
    return {"munis": munis, "plans": plans, "base_objective": base_objective,
            "labels": _LABELS.get(lang, _LABELS["nb"]), "lang": lang}


def options_page(plan: Plan, municipalities: gpd.GeoDataFrame, *, metrics: Any,
                 problem: ProblemData, scenario: Scenario, payload: Mapping[str, Any],
                 optimum: float | None = None, lang: str = "nb", title: str | None = None,
                 **layers: Any) -> str:
    """Return the options page as one self-contained HTML text.

    Parameters
    ----------
    plan, municipalities, metrics, problem, scenario, optimum, lang, title
        As in :func:`regionopt.maps.html.plan_map` (``plan``: the unrestricted optimum).
    payload
        From :func:`options_payload`.
    **layers
        ``roads``, ``counties``, ``country`` as in :func:`~regionopt.maps.html.plan_map`.
    """
    lab = _LABELS.get(lang, _LABELS["nb"])
    m = plan_map(plan, municipalities, metrics=metrics, problem=problem, scenario=scenario,
                 optimum=optimum, lang=lang, title=title or f"{lab['title']}: {scenario.name}",
                 **layers)
    fig = m.get_root()
    if not isinstance(fig, OfflineFigure):  # pragma: no cover - plan_map always makes one
        raise TypeError("plan_map did not draw an offline page")
    fig.runtime_js = fig.runtime_js + options_js()
    fig.add_child(Block(f'<section class="rg-options" id="rg-options" style="{_PANEL_STYLE}" '
                        f'aria-label="{html.escape(lab["title"])}"></section>'))
    m.add_child(Call("options", m, payload=dict(payload)))
    number_ids(fig)
    return str(fig.render())


__all__ = ["options_js", "options_page", "options_payload"]
