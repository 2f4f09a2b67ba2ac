"""The atlas's front page: every county's proposal on one map, and a table of counties.

One offline page (:func:`atlas_page`): the map of :func:`regionopt.maps.html.plan_map`
drawn with the whole country's plan (each county's regions side by side, with
the editor and ``window.regionopt``), then a table with one row per county
that links the county's own page. Every text from the data is escaped.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from typing import Any

import geopandas as gpd

from regionopt.maps import i18n
from regionopt.maps.assets import Block, number_ids
from regionopt.maps.html import plan_map
from regionopt.plan import Plan
from regionopt.problem import ProblemData
from regionopt.scenario import Scenario

#: Column key, bokmål heading, English heading.
COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("county_name", "Fylke", "County"),
    ("regions", "Regioner", "Regions"),
    ("population", "Innbyggere", "Inhabitants"),
    ("commuting_kept_share", "Pendlere beholdt", "Commuters kept"),
    ("self_containment_min", "Selvforsyning (min)", "Self-containment (min)"),
    ("criteria_population_passed", "≥ 5 000", "≥ 5,000"),
    ("criteria_municipal_minimum_passed", "≥ 15 000", "≥ 15,000"),
    ("criteria_self_containment_passed", "Selvforsyning", "Self-containment"),
    ("criteria_longest_trip_passed", "Lengste reise", "Longest trip"),
    ("criteria_mean_trip_passed", "Snittreise", "Mean trip"),
    ("criteria_core_centrality_class_passed", "Sentralitet", "Centrality"),
    ("criteria_all_passed", "Alle kriterier", "All criteria"),
    ("exceptions", "Unntak", "Exceptions"),
    ("gap", "Gap til optimum", "Gap to optimum"),
)
_TEXT = {
    "nb": {"title": "Kommuneregioner i alle fylker", "table": "Fylkene",
           "note": "Tallene under kriteriene er regioner som oppfyller kriteriet. Gap: bevist "
                   "avstand til optimum for modellen.",
           "none": "ingen", "proven": "bevist optimal"},
    "en": {"title": "Municipal regions in every county", "table": "The counties",
           "note": "Counts under the criteria are the regions meeting each. Gap: proven "
                   "distance to the model's optimum.",
           "none": "none", "proven": "proven optimal"},
}


# The plan page's grid fills the window; below its map the atlas adds the table, so the page
# grows instead and the map keeps most of the window's height.
_CSS = ("body.rg-plan { height: auto; grid-template-rows: auto 82vh auto auto; } "
        ".rg-atlas { grid-column: 1 / -1; padding: 0 10px; } "
        ".rg-atlas-table td, .rg-atlas-table th { padding: 2px 6px; text-align: right; } "
        ".rg-atlas-table td:first-child, .rg-atlas-table td:nth-last-child(2) "
        "{ text-align: left; }")


def _cell(key: str, value: Any, lang: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if key == "population":
        return i18n.format_number(int(value), lang)
    if key in ("commuting_kept_share", "self_containment_min"):
        return f"{float(value):.3f}"
    if key == "gap":
        return _TEXT[lang]["proven"] if float(value) <= 1e-9 else f"{100 * float(value):.2f} %"
    if key == "exceptions":
        return ", ".join(value) if value else _TEXT[lang]["none"]
    return str(value)


def county_table_html(rows: Sequence[Mapping[str, Any]], *, lang: str = "nb") -> str:
    """The table of counties as HTML; each row's ``link`` (relative) names its page, if any."""
    text, col = _TEXT[lang], 1 if lang == "nb" else 2
    head = "".join(f"<th>{html.escape(c[col])}</th>" for c in COLUMNS)
    body = []
    for row in rows:
        cells = []
        for key, *_ in COLUMNS:
            shown = html.escape(_cell(key, row.get(key), lang))
            if key == "county_name" and row.get("link"):
                shown = f'<a href="{html.escape(str(row["link"]), quote=True)}">{shown}</a>'
            cells.append(f"<td>{shown}</td>")
        body.append(f'<tr data-county="{html.escape(str(row["county"]), quote=True)}">'
                    + "".join(cells) + "</tr>")
    return (f"<style>{_CSS}</style>"
            f'<section class="rg-atlas"><h2>{html.escape(text["table"])}</h2>'
            f'<table class="rg-table rg-atlas-table"><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table><p>{html.escape(text["note"])}</p>'
            "</section>")


def atlas_page(plan: Plan, municipalities: gpd.GeoDataFrame, *, metrics: Any,
               problem: ProblemData, scenario: Scenario | None,
               rows: Sequence[Mapping[str, Any]], counties: gpd.GeoDataFrame | None = None,
               country: gpd.GeoDataFrame | None = None, lang: str = "nb") -> str:
    """Return the atlas's front page (see the module notes).

    Parameters
    ----------
    plan
        Every county's plan in one (region names unique across counties).
    municipalities, metrics, problem, scenario, counties, country
        As in :func:`regionopt.maps.html.plan_map` (``problem``: the whole area's,
        for the editor).
    rows
        One mapping per county: ``county``, ``county_name``, ``link`` and the
        keys of :data:`COLUMNS`.
    lang
        ``"nb"`` (default) or ``"en"``.

    Returns
    -------
    str
        The page, self-contained.
    """
    m = plan_map(plan, municipalities, metrics=metrics, counties=counties, country=country,
                 lang=lang, title=_TEXT[lang]["title"], problem=problem, scenario=scenario)
    root = m.get_root()
    root.add_child(Block(county_table_html(rows, lang=lang)))
    number_ids(root)
    return str(root.render())
