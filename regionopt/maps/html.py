"""Maps of region plans: self-contained HTML (folium/Leaflet, offline) and PNG.

:func:`plan_map` draws one plan; :func:`compare_map` draws two side by side
with synchronised pan and zoom, the municipalities that change region
outlined, and the two plans' metrics and moves in tables below. Metrics come
from :mod:`regionopt.evaluate`; nothing is recomputed here. Every name from
the input files reaches the page as text (escaped in HTML, set with
``textContent`` in script), and the same inputs give the same bytes.

Geometry is simplified for display only (in EPSG:25833, keeping shared
borders shared) and coordinates are rounded to 5 decimals (about 1 m).
"""

from __future__ import annotations

import html
import logging
import math
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry import mapping

from regionopt.errors import DataError
from regionopt.io import atomic_write_text
from regionopt.maps import editor, i18n
from regionopt.maps.assets import Block, Call, OfflineFigure, number_ids
from regionopt.maps.layers import (
    MUNICIPALITY_TOLERANCE_M,
    centre_latlon,
    check_municipalities,
    display_geometry,
    feature_collection,
    label_points,
    matched_colours,
    outline_layers,
    region_colours,
    road_layer,
)
from regionopt.maps.png import plan_png
from regionopt.maps.services import attach_services
from regionopt.maps.tables import tables_html
from regionopt.plan import Plan
from regionopt.problem import ProblemData
from regionopt.scenario import Scenario

__all__ = ["compare_map", "plan_map", "plan_png", "region_colours", "write_compare_map",
           "write_plan_map"]

log = logging.getLogger(__name__)

#: Core names show from this zoom level on (below it they would crowd the region names).
DETAIL_ZOOM = 7


# --------------------------------------------------------------------------- page pieces

class _View:
    """Everything one pane draws for one plan, prepared once."""

    def __init__(self, plan: Plan, munis: gpd.GeoDataFrame, display: gpd.GeoSeries,
                 metrics: Any, colours: Mapping[str, str], lang: str) -> None:
        self.plan, self.colours, self.lang = plan, colours, lang
        lab = i18n.labels(lang)
        names = dict(zip(munis["kommunenummer"], munis["name"].astype(str), strict=True))
        minutes = _minutes(metrics)
        frame = munis.assign(region=[plan.assignment[c] for c in munis["kommunenummer"]])
        # Names stay out of the features (folium's elements would render them as templates):
        # the tooltips take them from their own payload, by municipality code.
        self.features, self.tips = [], {}
        for row, geom in zip(frame.itertuples(index=False), display.values, strict=True):
            code = row.kommunenummer
            self.tips[code] = {"name": names[code],
                               "population": i18n.format_number(row.population, lang),
                               "region": row.region, "core": names[plan.core_of(code)],
                               "minutes": _minutes_text(minutes.get(code), lab, lang)}
            self.features.append({"type": "Feature", "id": code, "properties": {},
                                  "geometry": mapping(geom)})
        self.region_of = dict(plan.assignment)
        self.outlines = _region_outlines(plan, frame, display)
        # label priority: region names before core names, each most populous region first
        pops = frame.groupby("region")["population"].sum()
        rank = {r: i for i, r in enumerate(sorted(plan.regions, key=lambda r: (-pops[r], r)))}
        self.labels = [{"lat": lat, "lon": lon, "text": region, "kind": "region",
                        "rank": rank[region]}
                       for region, (lat, lon) in label_points(plan, frame).items()]
        self.cores = []
        for region in plan.regions:
            code = plan.cores[region]
            i = frame.index[frame["kommunenummer"] == code][0]
            lat, lon = centre_latlon(frame.loc[i], display.loc[i])
            self.cores.append({"lat": lat, "lon": lon, "text": names[code],
                               "rank": len(rank) + rank[region]})
        self.legend_rows = _legend_rows(plan, metrics, colours, lang)
        bounds = display.total_bounds
        self.bounds = [[float(bounds[1]), float(bounds[0])], [float(bounds[3]), float(bounds[2])]]


def _minutes(metrics: Any) -> dict[str, float]:
    table = getattr(metrics, "municipalities", None)
    if table is None or "minutes_to_core" not in table.columns:
        raise DataError("metrics: municipalities table with column 'minutes_to_core' expected")
    return dict(zip(table["kommunenummer"].astype(str), table["minutes_to_core"], strict=True))


def _minutes_text(value: float | None, lab: Mapping[str, str], lang: str) -> str:
    if value is None or value != value:
        return "–"
    if np.isinf(value):
        return lab["not_reachable"]
    return i18n.format_number(value, lang)


def _legend_rows(plan: Plan, metrics: Any, colours: Mapping[str, str],
                 lang: str) -> list[dict[str, str]]:
    table = getattr(metrics, "regions", None)
    if table is None or not {"region", "population", "members"} <= set(table.columns):
        raise DataError("metrics: regions table with columns region, population, members expected")
    by_region = table.set_index("region")
    rows = []
    for region in plan.regions:
        if region not in by_region.index:
            raise DataError(f"metrics: region {region!r} of plan {plan.name!r} is missing")
        rec = by_region.loc[region]
        detail = (f"{i18n.format_number(int(rec['population']), lang)} · "
                  f"{int(rec['members'])}")
        rows.append({"colour": colours[region], "name": region, "detail": detail})
    return rows


def _region_outlines(plan: Plan, frame: gpd.GeoDataFrame,
                     display: gpd.GeoSeries) -> dict[str, Any]:
    features = []
    for i, region in enumerate(plan.regions):  # numbered: a region's name is no feature id
        shape = shapely.union_all(display.values[(frame["region"] == region).to_numpy()])
        features.append({"type": "Feature", "id": f"region-{i}", "properties": {},
                         "geometry": mapping(shapely.boundary(shape))})
    return feature_collection(features)


# --------------------------------------------------------------------------- folium

def _new_map(bounds: list[list[float]], tiles: str | None) -> folium.Map:
    m = folium.Map(location=[(bounds[0][0] + bounds[1][0]) / 2, (bounds[0][1] + bounds[1][1]) / 2],
                   tiles=None, zoom_start=6, zoom_snap=0.25)
    m.default_js, m.default_css = [], []  # Leaflet is inlined by OfflineFigure; no CDN links
    if tiles:
        folium.TileLayer(tiles, control=False).add_to(m)
    return m  # fitted to its bounds, without animation, by decorate() in runtime.js


def _second_style(feature: Any) -> dict[str, Any]:
    return {"color": "#222222", "weight": 2, "dashArray": "6 4", "fill": False}


def _draw(m: folium.Map, view: _View, *, lab: Mapping[str, str], title: str,
          layers: Mapping[str, dict | None], moved: frozenset[str] = frozenset(),
          other: Mapping[str, str] | None = None, legend_slot: str | None = None,
          colour_note: str | None = None) -> folium.GeoJson:
    """Draw one plan's layers, legend and tooltips on ``m``; return the municipality layer.

    The legend goes into the page element ``legend_slot`` if given, else into
    the map's bottom-right corner; ``colour_note`` is added under it.
    """
    if layers.get("country"):
        fill = 0 if layers.get("tiles") else 1  # over background tiles: outline only
        folium.GeoJson(layers["country"], control=False, interactive=False,
                       style_function=lambda f: {"color": "#9aa5b1", "weight": 0.7,
                                                 "fillColor": "#fbfaf6", "fillOpacity": fill}
                       ).add_to(m)
    regions = folium.FeatureGroup(name=html.escape(lab["regions"])).add_to(m)
    colours = view.colours
    tips = view.tips
    if other is not None:
        tips = {code: dict(row, other=other[code]) for code, row in tips.items()}
    munis = folium.GeoJson(
        feature_collection(view.features), className="rg-muni",
        style_function=lambda f: _muni_style(colours[view.region_of[f["id"]]], f["id"] in moved),
        highlight_function=lambda f: {"weight": 3, "color": "#1b1f24", "fillOpacity": 0.9})
    munis.add_to(regions)
    fields = [[lab["municipality"], "name"], [lab["population"], "population"],
              [lab["region"], "region"], [lab["core"], "core"],
              [lab["minutes_to_core"], "minutes"], [lab["other_plan_region"], "other"]]
    munis.add_child(Call("tooltips", munis, payload={"fields": fields, "rows": tips}))
    folium.GeoJson(view.outlines, interactive=False, className="rg-outline",
                   style_function=lambda f: {"color": "#2b3138", "weight": 1.8}).add_to(regions)
    regions.add_child(Call("labels", regions, payload=view.labels))
    cores = folium.FeatureGroup(name=html.escape(lab["cores"])).add_to(m)
    cores.add_child(Call("cores", cores, payload=view.cores))
    if layers.get("roads"):
        roads = folium.FeatureGroup(name=html.escape(lab["roads"])).add_to(m)
        folium.GeoJson(layers["roads"], interactive=False, style_function=_road_style).add_to(roads)
    if layers.get("counties"):
        counties = folium.FeatureGroup(name=html.escape(lab["counties"])).add_to(m)
        folium.GeoJson(layers["counties"], interactive=False,
                       style_function=lambda f: {"color": "#5a2d82", "weight": 2.2,
                                                 "dashArray": "8 5"}).add_to(counties)
    second_layer: Any = layers.get("second")
    if second_layer:  # another plan's regions, dashed, off until chosen
        name, outlines = second_layer
        second = folium.FeatureGroup(name=html.escape(name), show=False).add_to(m)
        folium.GeoJson(outlines, interactive=False, style_function=_second_style).add_to(second)
    folium.LayerControl(collapsed=False, position="topright").add_to(m)
    m.add_child(Call("decorate", m, payload={"detailZoom": DETAIL_ZOOM, "bounds": view.bounds}))
    notes = ([lab["moved_note"]] if moved else []) + ([colour_note] if colour_note else [])
    m.add_child(Call("legend", m, payload={"title": title, "hint": lab["legend_hint"],
                                           "rows": view.legend_rows, "notes": notes,
                                           "position": "bottomright", "slot": legend_slot}))
    return munis


def _muni_style(colour: str, moved: bool) -> dict[str, Any]:
    style = {"fillColor": colour, "fillOpacity": 0.78, "color": "#ffffff", "weight": 0.9}
    if moved:
        style.update({"color": "#111111", "weight": 3.2, "dashArray": "6 4"})
    return style


def _road_style(feature: dict[str, Any]) -> dict[str, Any]:
    if feature["properties"]["kind"] == "ferry":
        return {"color": "#1f5fa8", "weight": 1.4, "opacity": 0.8, "dashArray": "4 4"}
    return {"color": "#5b5b5b", "weight": 1.2, "opacity": 0.75}


# --------------------------------------------------------------------------- pages

def _head_html(heading: str, subtitle: str) -> str:
    return (f'<header class="rg-head"><h1>{html.escape(heading)}</h1>'
            f"<p>{html.escape(subtitle)}</p></header>")


def _subtitle(plan: Plan, metrics: Any, lab: Mapping[str, str], lang: str) -> str:
    summary = getattr(metrics, "summary", {}) or {}
    parts = [f"{len(plan.regions)} {lab['regions'].lower()}",
             f"{len(plan.assignment)} {lab['municipalities'].lower()}"]
    if "mean_minutes_per_inhabitant" in summary:
        mean = i18n.format_number(summary["mean_minutes_per_inhabitant"], lang, digits=1)
        parts.append(f"{lab['mean_minutes_per_inhabitant']}: {mean}")
    share = summary.get("inhabitants_within_60")
    if isinstance(share, float) and math.isfinite(share):  # docs/metrics.md, within reach
        pct = i18n.format_number(100 * share, lang, digits=1)
        parts.append(f"{lab['inhabitants_within_60']}: {pct} %")
    return " · ".join(parts)


def _prepare(municipalities: gpd.GeoDataFrame, plans: tuple[Plan, ...],
             ) -> tuple[gpd.GeoDataFrame, gpd.GeoSeries]:
    munis = check_municipalities(plans[0], municipalities)
    for other in plans[1:]:
        if set(other.assignment) != set(plans[0].assignment):
            raise DataError(f"plans {plans[0].name!r} and {other.name!r} cover different "
                            "municipalities")
    display = display_geometry(munis.geometry, tolerance_m=MUNICIPALITY_TOLERANCE_M,
                               coverage=True)
    return munis, display


def plan_map(plan: Plan, municipalities: gpd.GeoDataFrame, *, metrics: Any,
             roads: gpd.GeoDataFrame | None = None, counties: gpd.GeoDataFrame | None = None,
             country: gpd.GeoDataFrame | None = None, lang: str = i18n.DEFAULT_LANG,
             title: str | None = None, tiles: str | None = None,
             problem: ProblemData | None = None, scenario: Scenario | None = None,
             optimum: float | None = None, services: Mapping[str, Any] | None = None,
             second: tuple[str, dict[str, Any]] | None = None) -> folium.Map:
    """Draw one plan as a self-contained folium map.

    Each region is filled in its own colour (neighbours never share one), with
    municipality borders, region outlines and names, the cores marked and
    named, a legend (population and member count per region), a tooltip per
    municipality and a layer control (regions, cores, roads, county borders).

    Parameters
    ----------
    plan
        The plan to draw.
    municipalities
        GeoDataFrame of :func:`regionopt.data.load_municipalities` (at least
        ``kommunenummer``, ``name``, ``population``, ``geometry``; the
        ``centre_lon``/``centre_lat`` columns place the core markers).
    metrics
        :class:`regionopt.evaluate.PlanMetrics` of ``plan``.
    roads
        Road lines (``osmnx.graph_to_gdfs(G, nodes=False)``) for the roads layer.
    counties, country
        Outlines from :func:`regionopt.data.load_counties` and
        :func:`regionopt.data.load_country`: they place the map in Norway offline.
    lang
        ``"nb"`` or ``"en"``.
    title
        Page heading; default from the plan's name.
    tiles
        Online background tiles (a folium tile name or URL); default none.
    problem
        The problem ``metrics`` were computed on: with it the page has the plan
        editor (:mod:`regionopt.maps.editor`), which recomputes every figure of
        an edited plan in the page.
    scenario
        The scenario whose hard constraints the editor checks live.
    optimum
        The scenario's proven optimal travel term, for the editor's gap.
    services
        :func:`regionopt.maps.services.services_payload` of the plan: the page
        gets the service selector (areas and hosts) and the regions' hosting tables.
    second
        ``(layer name, GeoJSON)`` of another plan's region outlines, drawn dashed as a
        layer of the layer control that is off until chosen (the atlas's second tier).

    Returns
    -------
    folium.Map
        Its root (``m.get_root()``) renders the whole page.

    Raises
    ------
    DataError
        If a municipality of the plan has no geometry or ``metrics`` lacks a
        region or column.
    ScenarioError
        If ``lang`` is unknown.
    """
    lab = i18n.labels(lang)
    munis, display = _prepare(municipalities, (plan,))
    view = _View(plan, munis, display, metrics, region_colours(plan, munis), lang)
    borders, land = outline_layers(counties, country)
    layers: dict[str, Any] = {"country": land, "counties": borders, "roads": road_layer(roads),
                              "tiles": tiles, "second": second}
    heading = title or f"{lab['plan_title']}: {plan.name}"
    fig = OfflineFigure(page_title=heading, lang=lang,
                        body_class="rg-plan" + (" rg-has-editor" if problem is not None else ""))
    fig.add_child(Block(_head_html(heading, _subtitle(plan, metrics, lab, lang))))
    m = _new_map(view.bounds, tiles)
    fig.add_child(m)
    layer = _draw(m, view, lab=lab, title=plan.name, layers=layers)
    m.add_child(Call("register", m))
    if problem is not None:
        editor.attach_editor(fig, [(m, layer, plan, metrics, view.colours, frozenset())],
                             problem, munis, display, scenario=scenario, optimum=optimum,
                             lang=lang)
    if services is not None:
        attach_services(fig, m, layer, services, munis)
    fig.add_child(Block(f'<footer class="rg-foot">{html.escape(lab["source_note"])}</footer>'))
    number_ids(fig)
    return m


def compare_map(a: Plan, b: Plan, municipalities: gpd.GeoDataFrame, *, metrics_a: Any,
                metrics_b: Any, comparison: Any, roads: gpd.GeoDataFrame | None = None,
                counties: gpd.GeoDataFrame | None = None,
                country: gpd.GeoDataFrame | None = None, lang: str = i18n.DEFAULT_LANG,
                title: str | None = None, tiles: str | None = None,
                problem: ProblemData | None = None, scenario: Scenario | None = None,
                optimum: float | None = None) -> OfflineFigure:
    """Draw plans ``a`` and ``b`` side by side, with their metrics and moves below.

    The two panes pan and zoom together. Municipalities listed in
    ``comparison.moves`` get a thick dashed outline in both panes, and their
    tooltip names their region in the other plan. Colours follow the regions:
    a region of ``a`` takes, where neighbours allow, the colour of the region
    of ``b`` holding most of its inhabitants (so they may differ from
    :func:`plan_map` of ``a``; ``a``'s legend says so).

    Parameters
    ----------
    a, b
        The plans (say the optimum and NIVI's), over the same municipalities.
    municipalities
        As in :func:`plan_map`.
    metrics_a, metrics_b
        :class:`regionopt.evaluate.PlanMetrics` of each plan.
    comparison
        :class:`regionopt.evaluate.Comparison` of ``a`` and ``b`` (``table``
        with columns ``metric, a, b, difference``; ``moves`` with
        ``kommunenummer, name, from_region, to_region``).
    roads, counties, country, lang, title, tiles, problem, scenario, optimum
        As in :func:`plan_map`; the editor acts on ``a`` unless the reader
        chooses to edit ``b``.

    Returns
    -------
    OfflineFigure
        A branca figure; ``.render()`` gives the page.

    Raises
    ------
    DataError
        As :func:`plan_map`, or if the plans cover different municipalities.
    ScenarioError
        If ``lang`` is unknown.
    """
    lab = i18n.labels(lang)
    munis, display = _prepare(municipalities, (a, b))
    colours_b = region_colours(b, munis)
    colours_a = region_colours(a, munis, prefer=matched_colours(a, b, munis, colours_b))
    view_a = _View(a, munis, display, metrics_a, colours_a, lang)
    view_b = _View(b, munis, display, metrics_b, colours_b, lang)
    borders, land = outline_layers(counties, country)
    layers: dict[str, Any] = {"country": land, "counties": borders, "roads": road_layer(roads),
                              "tiles": tiles}
    moved = frozenset(str(c) for c in comparison.moves["kommunenummer"])
    heading = title or f"{lab['compare_title']}: {a.name} – {b.name}"
    fig = OfflineFigure(page_title=heading, lang=lang, body_class="rg-compare")
    fig.add_child(Block(_head_html(heading, lab["sync_note"])))
    fig.add_child(Block("".join(f'<h2 class="rg-pane-title">{html.escape(p.name)}</h2>'
                                for p in (a, b))))
    maps: list[folium.Map] = []
    layers_drawn: list[folium.GeoJson] = []
    matched_note = lab["colours_matched_note"].format(other=b.name)
    for view, plan, other in ((view_a, a, b), (view_b, b, a)):
        m = _new_map(view_a.bounds, tiles)
        fig.add_child(m)
        others = {c: (other.assignment[c] if c in moved else "") for c in plan.assignment}
        layers_drawn.append(_draw(m, view, lab=lab, title=plan.name, layers=layers, moved=moved,
                                  other=others, legend_slot=f"rg-legend-{len(maps)}",
                                  colour_note=matched_note if plan is a else None))
        maps.append(m)
    fig.add_child(Block('<div class="rg-legend-slot" id="rg-legend-0"></div>'
                        '<div class="rg-legend-slot" id="rg-legend-1"></div>'))
    maps[1].add_child(Call("sync", maps[0], maps[1]))
    if problem is not None:
        panes = [(maps[0], layers_drawn[0], a, metrics_a, colours_a, moved),
                 (maps[1], layers_drawn[1], b, metrics_b, colours_b, moved)]
        editor.attach_editor(fig, panes, problem, munis, display, scenario=scenario,
                             optimum=optimum, lang=lang)
    fig.add_child(Block(tables_html(a, b, comparison, lab, lang)))
    fig.add_child(Block(f'<footer class="rg-foot">{html.escape(lab["source_note"])}</footer>'))
    number_ids(fig)
    return fig


def _render(element: Any) -> str:
    root = element.get_root()
    number_ids(root)
    return root.render()


def write_plan_map(plan: Plan, municipalities: gpd.GeoDataFrame, *,
                   path: str | os.PathLike[str], **options: Any) -> Path:
    """Write :func:`plan_map` as one self-contained HTML file (atomically).

    Parameters
    ----------
    plan, municipalities
        As in :func:`plan_map`.
    path
        Destination file.
    **options
        Keyword options of :func:`plan_map` (``metrics`` is required).

    Returns
    -------
    pathlib.Path
        The file written.
    """
    return atomic_write_text(path, _render(plan_map(plan, municipalities, **options)))


def write_compare_map(a: Plan, b: Plan, municipalities: gpd.GeoDataFrame, *,
                      path: str | os.PathLike[str], **options: Any) -> Path:
    """Write :func:`compare_map` as one self-contained HTML file (atomically).

    Parameters
    ----------
    a, b, municipalities
        As in :func:`compare_map`.
    path
        Destination file.
    **options
        Keyword options of :func:`compare_map` (``metrics_a``, ``metrics_b``,
        ``comparison`` are required).

    Returns
    -------
    pathlib.Path
        The file written.
    """
    return atomic_write_text(path, _render(compare_map(a, b, municipalities, **options)))
