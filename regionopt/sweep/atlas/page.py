"""The atlas's front page: every county's proposal on one map, and a table of counties.

One offline page (:func:`atlas_page`): the map of :func:`regionopt.maps.html.plan_map`
drawn with the whole country's plan (each county's regions side by side, with
the editor and ``window.regionopt``) and, with two tiers, the second tier's regions
as a layer of dashed outlines; then a table with one row per county that links
the county's own page (and the second tier's). Every text from the data is escaped.
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

import geopandas as gpd

from regionopt.maps import i18n
from regionopt.maps.assets import Block, number_ids
from regionopt.maps.html import plan_map
from regionopt.maps.layers import OUTLINE_TOLERANCE_M, display_geometry
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
#: The second tier's columns (keys of its own table, shown as ``second_<key>``).
SECOND_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("regions", "Regioner, arbeidsmarked", "Regions, labour market"),
    ("commuting_kept_share", "Pendlere beholdt, arbeidsmarked",
     "Commuters kept, labour market"),
    ("self_containment_min", "Selvforsyning (min), arbeidsmarked",
     "Self-containment (min), labour market"),
)
_TIERS = {
    "nb": "Kartet og de første kolonnene viser {first}: kommuneregioner, brede faste "
          "samarbeidsregioner rundt sterke sentre der alle kommuner er med. De siste kolonnene "
          "og lenkene «arbeidsmarked» viser {second} (mappen {folder}/): arbeidsmarkedsregioner "
          "som holder på pendlerne innen en reisegrense, et finere nivå.",
    "en": "The map and the first columns show {first}: kommuneregioner, broad fixed "
          "collaboration regions around strong centres that every municipality joins. The last "
          "columns and the 'labour market' links show {second} (folder {folder}/): "
          "labour-market regions that keep their commuters within a travel limit, a finer tier.",
}
_LINK = {"nb": "arbeidsmarked", "en": "labour market"}
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


def county_table_html(rows: Sequence[Mapping[str, Any]], *, lang: str = "nb",
                      tiers: tuple[str, str, str] | None = None, second: Plan | None = None) -> str:
    """The table of counties as HTML; each row's ``link`` (relative) names its page, if any.

    With ``tiers`` (the first and second tier's scenario names and the second's folder) the
    second tier's columns follow, its ``second_link`` is linked, and a note says which
    tier is which.
    """
    text, col = _TEXT[lang], 1 if lang == "nb" else 2
    columns = COLUMNS if tiers is None else (
        *COLUMNS, *((f"second_{k}", *names) for k, *names in SECOND_COLUMNS))
    head = "".join(f"<th>{html.escape(c[col])}</th>" for c in columns)
    body = []
    for row in rows:
        cells = []
        for key, *_ in columns:
            shown = html.escape(_cell(key.removeprefix("second_"), row.get(key), lang))
            if key == "county_name" and row.get("link"):
                shown = f'<a href="{html.escape(str(row["link"]), quote=True)}">{shown}</a>'
            if key == "second_regions" and row.get("second_link"):
                shown = (f'{shown} (<a href="{html.escape(str(row["second_link"]), quote=True)}">'
                         f"{html.escape(_LINK[lang])}</a>)")
            cells.append(f"<td>{shown}</td>")
        body.append(f'<tr data-county="{html.escape(str(row["county"]), quote=True)}">'
                    + "".join(cells) + "</tr>")
    intro = ""
    if tiers is not None:
        said = _TIERS[lang].format(first=tiers[0], second=tiers[1], folder=tiers[2])
        intro = f'<p class="rg-tiers">{html.escape(said)}</p>'
    return (f"<style>{_CSS}</style>"
            f'<section class="rg-atlas"><h2>{html.escape(text["table"])}</h2>{intro}'
            f'<table class="rg-table rg-atlas-table"><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table><p>{html.escape(text["note"])}</p>'
            "</section>")


def _outlines(plan: Plan, municipalities: gpd.GeoDataFrame) -> dict[str, Any]:
    """The regions of ``plan`` as simplified GeoJSON outlines (the second tier's layer)."""
    frame = municipalities[municipalities["kommunenummer"].isin(list(plan.assignment))]
    frame = frame[["kommunenummer", "geometry"]].assign(
        region=lambda f: f["kommunenummer"].map(plan.assignment))
    regions = frame.drop(columns="kommunenummer").dissolve(by="region", sort=True).reset_index()
    regions["geometry"] = display_geometry(regions.geometry, tolerance_m=OUTLINE_TOLERANCE_M)
    outlines: dict[str, Any] = json.loads(regions.to_json())
    return outlines


def atlas_page(plan: Plan, municipalities: gpd.GeoDataFrame, *, metrics: Any,
               problem: ProblemData, scenario: Scenario | None,
               rows: Sequence[Mapping[str, Any]], counties: gpd.GeoDataFrame | None = None,
               country: gpd.GeoDataFrame | None = None, lang: str = "nb",
               tiers: tuple[str, str, str] | None = None, second: Plan | None = None) -> str:
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
    tiers
        The tiers' scenario names and the second's folder (:func:`county_table_html`).
    second
        The second tier's plan of every county, drawn as a second layer of dashed region
        outlines (off until chosen in the layer control); only with ``tiers``.

    Returns
    -------
    str
        The page, self-contained.
    """
    layer = None if second is None or tiers is None else (
        f"{_LINK[lang]} ({tiers[1]})", _outlines(second, municipalities))
    m = plan_map(plan, municipalities, metrics=metrics, counties=counties, country=country,
                 lang=lang, title=_TEXT[lang]["title"], problem=problem, scenario=scenario,
                 second=layer)
    root = m.get_root()
    root.add_child(Block(county_table_html(rows, lang=lang, tiers=tiers)))
    number_ids(root)
    return str(root.render())
