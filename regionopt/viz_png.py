"""Static export of a plan as a PNG (matplotlib, Agg), for reports and papers.

The same colours as the HTML map (:func:`regionopt.viz_layers.region_colours`),
drawn in EPSG:25833; the file carries no timestamp or software tag, so the same
inputs give the same bytes.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import geopandas as gpd
import shapely

from regionopt import i18n
from regionopt.io import atomic_write_with
from regionopt.plan import Plan
from regionopt.viz_layers import (
    DISPLAY_CRS,
    check_municipalities,
    county_borders,
    label_points,
    region_colours,
)

_HALO = {"linewidth": 2.5, "foreground": "white"}


def _legend_entries(plan: Plan, munis: gpd.GeoDataFrame, metrics: Any,
                    lang: str) -> dict[str, str]:
    """Region → ``"name — population · members"``; from ``metrics`` when given."""
    if metrics is not None:
        table = metrics.regions.set_index("region")
        pops = {r: int(table.loc[r, "population"]) for r in plan.regions}
        counts = {r: int(table.loc[r, "members"]) for r in plan.regions}
    else:
        region = munis["kommunenummer"].map(plan.assignment)
        pops = {r: int(v) for r, v in munis.groupby(region)["population"].sum().items()}
        counts = {r: int(v) for r, v in region.value_counts().items()}
    return {r: f"{r} — {i18n.format_number(pops[r], lang)} · {counts[r]}" for r in plan.regions}


def _no_math(text: str) -> str:
    """Keep a name literal in matplotlib (``$`` would start mathtext)."""
    return text.replace("$", r"\$")


def plan_png(plan: Plan, municipalities: gpd.GeoDataFrame, *, path: str | os.PathLike[str],
             metrics: Any = None, counties: gpd.GeoDataFrame | None = None,
             country: gpd.GeoDataFrame | None = None, lang: str = i18n.DEFAULT_LANG,
             title: str | None = None, dpi: int = 150) -> Path:
    """Draw ``plan`` as a PNG: regions in colour, cores, names, legend.

    Parameters
    ----------
    plan
        The plan.
    municipalities
        As in :func:`regionopt.viz.plan_map`.
    path
        Destination ``.png`` file (written atomically).
    metrics
        :class:`regionopt.evaluate.PlanMetrics` for the legend's population and
        member counts; without it they are summed from ``municipalities``.
    counties, country
        Outlines for context (county borders, land).
    lang
        ``"nb"`` or ``"en"``.
    title
        Figure title; default the plan's name.
    dpi
        Resolution.

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    DataError
        If a municipality of the plan has no geometry.
    ScenarioError
        If ``lang`` is unknown.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch
    from matplotlib.patheffects import withStroke

    lab = i18n.labels(lang)
    munis = check_municipalities(plan, municipalities)
    colours = region_colours(plan, munis)
    regions = munis["kommunenummer"].map(plan.assignment)
    metric = munis.to_crs(DISPLAY_CRS)
    fig = Figure(figsize=(11, 8.5))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.set_facecolor("#dfe5ea")
    xmin, ymin, xmax, ymax = metric.total_bounds
    pad = 0.04 * max(xmax - xmin, ymax - ymin)
    if country is not None and len(country):
        country.to_crs(DISPLAY_CRS).plot(ax=ax, color="#fbfaf6", edgecolor="#9aa5b1",
                                         linewidth=0.5)
    metric.plot(ax=ax, color=[colours[r] for r in regions], edgecolor="white", linewidth=0.5)
    outlines = [shapely.union_all(metric.geometry[(regions == r).to_numpy()].values).boundary
                for r in plan.regions]
    gpd.GeoSeries(outlines, crs=DISPLAY_CRS).plot(ax=ax, color="#2b3138", linewidth=1.1)
    if counties is not None and len(counties):
        gpd.GeoSeries([county_borders(counties)], crs=4326).to_crs(DISPLAY_CRS).plot(
            ax=ax, color="#5a2d82", linewidth=1.2, linestyle=(0, (6, 4)))
    halo = [withStroke(**_HALO)]
    names = dict(zip(munis["kommunenummer"], munis["name"].astype(str), strict=True))
    cores = [plan.cores[r] for r in plan.regions]
    core_rows = munis.set_index("kommunenummer").loc[cores]
    if "centre_lon" in core_rows.columns:
        pts = gpd.GeoSeries(gpd.points_from_xy(core_rows["centre_lon"], core_rows["centre_lat"]),
                            crs=4326).to_crs(DISPLAY_CRS)
    else:
        pts = metric.set_index("kommunenummer").loc[cores].representative_point()
    ax.scatter(pts.x, pts.y, s=22, color="white", edgecolors="#1b1f24", linewidths=1.2, zorder=4)
    for code, p in zip(cores, pts, strict=True):
        ax.annotate(names[code], (p.x, p.y), xytext=(5, 2), textcoords="offset points",
                    fontsize=7, style="italic", path_effects=halo, zorder=5, parse_math=False)
    where = label_points(plan, munis.assign(region=regions))
    label_pts = gpd.GeoSeries(gpd.points_from_xy([where[r][1] for r in plan.regions],
                                                 [where[r][0] for r in plan.regions]),
                              crs=4326).to_crs(DISPLAY_CRS)
    for region, p in zip(plan.regions, label_pts, strict=True):
        ax.text(p.x, p.y, region, fontsize=8, weight="bold", ha="center", va="center",
                path_effects=halo, zorder=6, parse_math=False)
    entries = _legend_entries(plan, munis, metrics, lang)
    handles = [Patch(facecolor=colours[r], edgecolor="#555555", label=_no_math(entries[r]))
               for r in plan.regions]
    ax.legend(handles=handles, title=f"{lab['regions']} ({lab['legend_hint']})", fontsize=8,
              title_fontsize=8.5, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    ax.set_xlim(xmin - pad, xmax + pad)
    ax.set_ylim(ymin - pad, ymax + pad)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.set_title(_no_math(title or plan.name), fontsize=13, loc="left")
    ax.text(0, -0.02, lab["source_note"], transform=ax.transAxes, fontsize=7, color="#5b6672",
            va="top", parse_math=False)
    return atomic_write_with(path, lambda p: fig.savefig(
        p, format="png", dpi=dpi, bbox_inches="tight", metadata={"Software": None}))
