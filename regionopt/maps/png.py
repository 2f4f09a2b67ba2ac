"""Static export of a plan as a PNG (matplotlib, Agg), for reports and papers.

The same colours as the HTML map (:func:`regionopt.maps.layers.region_colours`),
drawn in EPSG:25833; the file carries no timestamp or software tag, so the same
inputs give the same bytes.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import geopandas as gpd
import shapely

from regionopt.io import atomic_write_with
from regionopt.maps import i18n
from regionopt.maps.layers import (
    DISPLAY_CRS,
    check_municipalities,
    county_borders,
    label_points,
    region_colours,
)
from regionopt.plan import Plan

_HALO = {"linewidth": 2.5, "foreground": "white"}
#: Up to this many regions the legend stands beside the map; beyond, below it in columns.
LEGEND_BESIDE_MAX = 20
LEGEND_COLUMNS = 4


def _region_stats(plan: Plan, munis: gpd.GeoDataFrame,
                  metrics: Any) -> tuple[dict[str, int], dict[str, int]]:
    """Region → population and region → member count; from ``metrics`` when given."""
    if metrics is not None:
        table = metrics.regions.set_index("region")
        pops = {r: int(table.loc[r, "population"]) for r in plan.regions}
        counts = {r: int(table.loc[r, "members"]) for r in plan.regions}
    else:
        region = munis["kommunenummer"].map(plan.assignment)
        pops = {r: int(v) for r, v in munis.groupby(region)["population"].sum().items()}
        counts = {r: int(v) for r, v in region.value_counts().items()}
    return pops, counts


def _no_math(text: str) -> str:
    """Keep a name literal in matplotlib (``$`` would start mathtext)."""
    return text.replace("$", r"\$")


def _overlaps(box: Any, taken: list[Any]) -> bool:
    return any(box.overlaps(t) for t in taken)


def place_labels(ax: Any, items: list[dict[str, Any]], *, taken: list[Any] | None = None,
                 ) -> tuple[list[str], list[Any]]:
    """Draw labels in ``items`` order, leaving out each one that would overlap one drawn.

    Parameters
    ----------
    ax
        A matplotlib Axes whose limits and aspect are final.
    items
        Dicts with ``x``, ``y``, ``text`` (data coordinates) and the keyword
        arguments of :meth:`matplotlib.axes.Axes.annotate` under ``style``;
        highest priority first.
    taken
        Boxes (display coordinates) already occupied; extended in place.

    Returns
    -------
    tuple
        The texts left out, and the occupied boxes.
    """
    renderer = ax.figure.canvas.get_renderer()
    frame = ax.get_window_extent(renderer)
    taken = [] if taken is None else taken
    skipped = []
    for it in items:
        art = ax.annotate(it["text"], (it["x"], it["y"]), parse_math=False,
                          annotation_clip=True, **it["style"])
        box = art.get_window_extent(renderer).expanded(1.06, 1.15)
        inside = (frame.x0 <= box.x0 and box.x1 <= frame.x1
                  and frame.y0 <= box.y0 and box.y1 <= frame.y1)
        if not inside or _overlaps(box, taken):
            art.remove()
            skipped.append(it["text"])
        else:
            taken.append(box)
    return skipped, taken


def _points(core_rows: Any, metric: gpd.GeoDataFrame, cores: list[str]) -> gpd.GeoSeries:
    if "centre_lon" in core_rows.columns:
        return gpd.GeoSeries(gpd.points_from_xy(core_rows["centre_lon"], core_rows["centre_lat"]),
                             crs=4326).to_crs(DISPLAY_CRS)
    return metric.set_index("kommunenummer").loc[cores].representative_point()


def _layout(fig: Any, bounds: Any, n_regions: int) -> tuple[Any, bool]:
    """Size ``fig`` and add the map axes; many regions put the legend below the map."""
    xmin, ymin, xmax, ymax = bounds
    aspect = (ymax - ymin) / max(xmax - xmin, 1.0)
    if n_regions <= LEGEND_BESIDE_MAX:
        fig.set_size_inches(11, 8.5)
        return fig.add_subplot(), False
    rows = -(-n_regions // LEGEND_COLUMNS)
    map_h = min(10.4 * aspect, 12.0)
    legend_h = 0.42 + rows * 0.142
    height = 0.45 + map_h + 0.3 + legend_h
    fig.set_size_inches(11, height)
    return fig.add_axes((0.02, (0.3 + legend_h) / height, 0.96, map_h / height)), True


def _draw_map(ax: Any, plan: Plan, metric: gpd.GeoDataFrame, regions: Any,
              colours: dict[str, str], counties: Any, country: Any) -> None:
    ax.set_facecolor("#dfe5ea")
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
    xmin, ymin, xmax, ymax = metric.total_bounds
    pad = 0.04 * max(xmax - xmin, ymax - ymin)
    ax.set_xlim(xmin - pad, xmax + pad)
    ax.set_ylim(ymin - pad, ymax + pad)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.apply_aspect()


def _label_items(plan: Plan, munis: gpd.GeoDataFrame, metric: gpd.GeoDataFrame, regions: Any,
                 pops: dict[str, int], *, many: bool, ax: Any) -> tuple[list, list]:
    """Region labels and core labels, each highest population first (then by name)."""
    # lazy: matplotlib is heavy; only PNG output needs it
    from matplotlib.patheffects import withStroke

    halo = [withStroke(**_HALO)]  # type: ignore[arg-type]  # _HALO holds valid keywords
    order = sorted(plan.regions, key=lambda r: (-pops[r], r))
    where = label_points(plan, munis.assign(region=regions))
    pts = gpd.GeoSeries(gpd.points_from_xy([where[r][1] for r in order],
                                           [where[r][0] for r in order]),
                        crs=4326).to_crs(DISPLAY_CRS)
    style = {"fontsize": 6.5 if many else 8, "weight": "bold", "ha": "center", "va": "center",
             "path_effects": halo, "zorder": 6}
    region_items = [{"x": p.x, "y": p.y, "text": r, "style": style}
                    for r, p in zip(order, pts, strict=True)]
    names = dict(zip(munis["kommunenummer"], munis["name"].astype(str), strict=True))
    cores = [plan.cores[r] for r in order]
    cpts = _points(munis.set_index("kommunenummer").loc[cores], metric, cores)
    ax.scatter(cpts.x, cpts.y, s=10 if many else 22, color="white", edgecolors="#1b1f24",
               linewidths=0.9 if many else 1.2, zorder=4)
    cstyle = {"xytext": (5, 2), "textcoords": "offset points", "fontsize": 7,
              "style": "italic", "path_effects": halo, "zorder": 5}
    core_items = [] if many else [{"x": p.x, "y": p.y, "text": names[c], "style": cstyle}
                                  for c, p in zip(cores, cpts, strict=True)]
    return region_items, core_items


def _legend(fig: Any, ax: Any, plan: Plan, colours: dict[str, str], pops: dict[str, int],
            counts: dict[str, int], *, below: bool, lang: str) -> None:
    # lazy: matplotlib is heavy; only PNG output needs it
    from matplotlib.patches import Patch

    lab = i18n.labels(lang)
    handles = [Patch(facecolor=colours[r], edgecolor="#555555",
                     label=_no_math(f"{r} — {i18n.format_number(pops[r], lang)} · {counts[r]}"))
               for r in plan.regions]
    title = f"{lab['regions']} ({lab['legend_hint']})"
    if not below:
        ax.legend(handles=handles, title=title, fontsize=8, title_fontsize=8.5,
                  loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
        return
    top = ax.get_position().y0 - 0.3 / fig.get_size_inches()[1]
    fig.legend(handles=handles, title=title, fontsize=6.5, title_fontsize=8,
               ncol=LEGEND_COLUMNS, loc="upper center", bbox_to_anchor=(0.5, top),
               frameon=False, handlelength=1.2, columnspacing=1.2, labelspacing=0.35,
               alignment="left")


def plan_png(plan: Plan, municipalities: gpd.GeoDataFrame, *, path: str | os.PathLike[str],
             metrics: Any = None, counties: gpd.GeoDataFrame | None = None,
             country: gpd.GeoDataFrame | None = None, lang: str = i18n.DEFAULT_LANG,
             title: str | None = None, dpi: int = 150) -> Path:
    """Draw ``plan`` as a PNG: regions in colour, cores, names, legend.

    Names never overlap: region names are placed first, most populous region
    first, then core names (plans of up to :data:`LEGEND_BESIDE_MAX` regions
    only); a name that would overlap one already placed, or leave the map, is
    left out (the legend lists every region), and the note under the map says
    how many. A core name equal to its region's name at the same spot is thus
    drawn once. Beyond :data:`LEGEND_BESIDE_MAX` regions the legend goes below
    the map in :data:`LEGEND_COLUMNS` columns in a smaller font.

    Parameters
    ----------
    plan
        The plan.
    municipalities
        As in :func:`regionopt.maps.html.plan_map`.
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
    # lazy: matplotlib is heavy; only PNG output needs it
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    lab = i18n.labels(lang)
    munis = check_municipalities(plan, municipalities)
    colours = region_colours(plan, munis)
    regions = munis["kommunenummer"].map(plan.assignment)
    metric = munis.to_crs(DISPLAY_CRS)
    fig = Figure()
    FigureCanvasAgg(fig)
    ax, below = _layout(fig, metric.total_bounds, len(plan.regions))
    _draw_map(ax, plan, metric, regions, colours, counties, country)
    pops, counts = _region_stats(plan, munis, metrics)
    region_items, core_items = _label_items(plan, munis, metric, regions, pops, many=below,
                                            ax=ax)
    hidden, taken = place_labels(ax, region_items)
    place_labels(ax, core_items, taken=taken)
    _legend(fig, ax, plan, colours, pops, counts, below=below, lang=lang)
    ax.set_title(_no_math(title or plan.name), fontsize=13, loc="left")
    note = lab["source_note"]
    if hidden:
        note = f"{lab['png_hidden_labels'].format(n=len(hidden))} {note}"
    ax.text(0, -0.01, note, transform=ax.transAxes, fontsize=7, color="#5b6672",
            va="top", parse_math=False)
    return atomic_write_with(path, lambda p: fig.savefig(
        p, format="png", dpi=dpi, bbox_inches="tight", metadata={"Software": None}))
