"""Maps: colours, display geometry, safe text, offline pages, determinism, PNG.

Exercises regionopt.maps.html (the pages), regionopt.maps.layers (display
geometry, colours, outlines), regionopt.maps.assets (inlined Leaflet, element
ids), regionopt.maps.i18n (labels and number formats), regionopt.maps.tables (the
tables below a comparison) and regionopt.maps.png.

Real data (Troms og Finnmark: the road network, the default scenario's
optimum, NIVI 2023) beside tiny hand-made cases with known answers.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import osmnx
import pytest
import shapely
from shapely.geometry import LineString, box

from regionopt.data import municipalities as data
from regionopt.data import reference
from regionopt.errors import DataError, ScenarioError
from regionopt.evaluate import metrics as evaluate
from regionopt.maps import assets as viz_assets
from regionopt.maps import html as viz
from regionopt.maps import i18n
from regionopt.maps import layers as viz_layers
from regionopt.maps import png as viz_png
from regionopt.model import solve
from regionopt.network import build_network
from regionopt.plan import Plan
from regionopt.problem import problem_from_network
from regionopt.scenario import default_scenario_path, load_scenario

XSS = "<img src=x onerror=alert(1)>"


# --------------------------------------------------------------------------- shared cases

@pytest.fixture(scope="module")
def tf(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    net = build_network(data_dir=data_dir, cache_dir=tmp_path_factory.mktemp("cache"),
                        use_cache=False, progress=False)
    munis = net.municipalities
    problem = problem_from_network(net)
    nivi = reference.nivi_2023(problem)
    opt = solve(problem, load_scenario(default_scenario_path()), quiet=True).plan
    return {
        "munis": munis, "problem": problem, "nivi": nivi, "opt": opt,
        "roads": osmnx.graph_to_gdfs(net.graph, nodes=False),
        "metrics_nivi": evaluate.evaluate(nivi, problem),
        "metrics_opt": evaluate.evaluate(opt, problem),
        "comparison": evaluate.compare(opt, nivi, problem),
        "counties": data.load_counties(data_dir=data_dir),
        "country": data.load_country(data_dir=data_dir),
    }


def compare_html(tf: dict, **options) -> str:
    fig = viz.compare_map(tf["opt"], tf["nivi"], tf["munis"], metrics_a=tf["metrics_opt"],
                          metrics_b=tf["metrics_nivi"], comparison=tf["comparison"],
                          counties=tf["counties"], country=tf["country"], roads=tf["roads"],
                          **options)
    return fig.render()


def grid(n_cols: int = 3, n_rows: int = 2, size: float = 0.2) -> gpd.GeoDataFrame:
    """``n_rows × n_cols`` square municipalities near Tromsø, codes 9000, 9001, ..."""
    rows = []
    for r in range(n_rows):
        for c in range(n_cols):
            code = f"{9000 + r * n_cols + c}"
            rows.append({"kommunenummer": code, "name": f"K{code}", "population": 1000 + int(code),
                         "geometry": box(18 + c * size, 69 + r * size, 18 + (c + 1) * size,
                                         69 + (r + 1) * size)})
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=4326)


def column_plan(munis: gpd.GeoDataFrame, n_cols: int = 3) -> Plan:
    """One region per grid column, named A, B, C..., cored in the bottom row."""
    names = "ABCDEFGHIJ"
    assignment = {c: names[int(c) % n_cols] for c in munis["kommunenummer"]}
    cores = {names[i]: f"{9000 + i}" for i in range(n_cols)}
    return Plan(assignment=assignment, cores=cores, name="grid")


# --------------------------------------------------------------------------- labels, numbers

def test_languages_have_the_same_labels() -> None:
    assert set(i18n.labels("nb")) == set(i18n.labels("en"))
    assert i18n.labels()["population"] == "Innbyggere"
    assert i18n.labels("en")["population"] == "Population"
    with pytest.raises(ScenarioError, match="lang 'de'"):
        i18n.labels("de")


def test_format_number() -> None:
    assert i18n.format_number(12345.64, "nb", digits=1) == "12\u00a0345,6"
    assert i18n.format_number(12345.64, "en", digits=1) == "12,345.6"
    assert i18n.format_number(float("nan")) == "–"
    assert i18n.format_number(float("inf")) == "∞"


# --------------------------------------------------------------------------- colours

def test_adjacency_and_colours_on_a_grid() -> None:
    munis = grid(n_cols=3)
    plan = column_plan(munis)
    # columns 7.8 km wide: A–B and B–C touch, A and C do not
    assert viz_layers.region_adjacency(plan, munis) == {"A": {"B"}, "B": {"A", "C"}, "C": {"B"}}
    colours = viz.region_colours(plan, munis)
    assert colours["A"] != colours["B"] != colours["C"]
    assert set(colours.values()) <= set(viz_layers.PALETTE)
    # B has most neighbours, so it is coloured first, with the first palette colour
    assert colours["B"] == viz_layers.PALETTE[0]
    # a wish is granted unless a neighbour already has the colour
    wished = viz.region_colours(plan, munis, prefer={"A": "#CCBBEE", "B": "#CCBBEE"})
    assert wished["B"] == "#CCBBEE" and wished["A"] != "#CCBBEE"


def test_nivi_neighbours_never_share_a_colour(tf: dict) -> None:
    nivi, munis = tf["nivi"], tf["munis"]
    colours = viz.region_colours(nivi, munis)
    adjacency = viz_layers.region_adjacency(nivi, munis)
    assert sum(len(v) for v in adjacency.values()) > 12  # the test is not vacuous
    for region, neighbours in adjacency.items():
        assert all(colours[region] != colours[n] for n in neighbours), region
    assert colours == viz.region_colours(nivi, munis)


# --------------------------------------------------------------------------- geometry

def test_display_geometry_rounds_and_keeps_borders_shared(tf: dict) -> None:
    munis = tf["munis"]
    shown = viz_layers.display_geometry(munis.geometry, tolerance_m=1000.0, coverage=True)
    coords = shapely.get_coordinates(shown.values)
    assert np.allclose(coords, np.round(coords, 5), atol=1e-9)
    assert len(coords) < len(shapely.get_coordinates(munis.geometry.values))
    metric_before = munis.geometry.to_crs(25833)
    metric_after = shown.to_crs(25833)
    # shared borders stay shared: the simplified union has the area of the parts (no overlaps)
    assert metric_after.union_all().area == pytest.approx(metric_after.area.sum(), rel=1e-3)
    assert metric_after.area.sum() == pytest.approx(metric_before.area.sum(), rel=0.02)


def test_road_layer_merges_roads_and_ferries_and_drops_access_legs() -> None:
    roads = gpd.GeoDataFrame(
        {"ferry": [False, False, True, False], "access": [False, False, False, True]},
        geometry=[LineString([(18, 69), (18.1, 69)]), LineString([(18.1, 69), (18.2, 69.05)]),
                  LineString([(18.2, 69.05), (18.3, 69.2)]), LineString([(17, 68), (17.5, 68)])],
        crs=4326)
    layer = viz_layers.road_layer(roads)
    kinds = [f["properties"]["kind"] for f in layer["features"]]
    assert kinds == ["road", "ferry"]
    road = shapely.geometry.shape(layer["features"][0]["geometry"])
    assert road.geom_type == "LineString"  # the two road pieces were merged
    assert road.bounds[0] >= 18  # the access leg at 17° is gone
    assert viz_layers.road_layer(None) is None


# --------------------------------------------------------------------------- pages

def test_compare_page_is_offline_small_and_complete(tf: dict, tmp_path: Path) -> None:
    path = viz.write_compare_map(
        tf["opt"], tf["nivi"], tf["munis"], path=tmp_path / "compare_nivi.html",
        metrics_a=tf["metrics_opt"], metrics_b=tf["metrics_nivi"], comparison=tf["comparison"],
        counties=tf["counties"], country=tf["country"], roads=tf["roads"])
    page = path.read_text(encoding="utf-8")
    for layer in ("Regioner", "Kjernekommuner", "Vegnett brukt", "Fylkesgrenser"):
        assert page.count(f'"{layer}"') == 2  # in each pane's layer control
    assert path.stat().st_size < 5_000_000
    assert not re.search(r"<script[^>]+src=|<link[^>]+href=", page)
    # the only addresses are Leaflet's own (attribution link, SVG namespace, code comments)
    hosts = set(re.findall(r"https?://[\w.-]+", page))
    assert hosts <= {"https://leafletjs.com", "http://www.w3.org", "https://bugs.chromium.org",
                     "https://bugzilla.mozilla.org"}, hosts
    assert "Leaflet 1.9" in page and "url(images/" not in page
    assert page.count('class="folium-map"') == 2
    assert "regionopt.sync(" in page
    for region in tf["nivi"].regions:  # in the script data, JSON-escaped
        assert json.dumps(region)[1:-1] in page
    moved = tf["comparison"].moves
    assert len(moved) >= 1
    for name in moved["name"]:
        assert f"<td>{name}</td>" in page
    assert "Personminutter til kjernen" in page and 'lang="nb"' in page
    # the agreement with NIVI: the same figures as the comparison, moves = differing
    agr = tf["comparison"].agreement
    assert set(agr.differing) == set(moved["kommunenummer"])
    assert f"Samsvar med {tf['nivi'].name}" in page
    assert f">{agr.placed} av {agr.municipalities}<" in page
    assert f">{i18n.format_number(agr.adjusted_rand, 'nb', digits=3)}<" in page
    # the left plan's colours are matched to NIVI's, and its legend (only) says so
    note = json.dumps(i18n.labels()["colours_matched_note"].format(other=tf["nivi"].name))
    assert page.count(note[1:-1]) == 1


def test_same_inputs_give_the_same_bytes(tf: dict, tmp_path: Path) -> None:
    assert compare_html(tf) == compare_html(tf)
    kwargs = {"metrics": tf["metrics_nivi"], "counties": tf["counties"]}
    one = viz.write_plan_map(tf["nivi"], tf["munis"], path=tmp_path / "a.html", **kwargs)
    two = viz.write_plan_map(tf["nivi"], tf["munis"], path=tmp_path / "b.html", **kwargs)
    assert one.read_bytes() == two.read_bytes()
    assert not re.search(r"[0-9a-f]{32}", one.read_text(encoding="utf-8")[-200_000:])


def test_online_tiles_are_optional(tf: dict) -> None:
    plain = viz.plan_map(tf["nivi"], tf["munis"], metrics=tf["metrics_nivi"],
                         country=tf["country"]).get_root().render()
    tiled = viz.plan_map(tf["nivi"], tf["munis"], metrics=tf["metrics_nivi"],
                         country=tf["country"], tiles="OpenStreetMap").get_root().render()
    assert "tile.openstreetmap.org" not in plain and "L.tileLayer" not in plain
    assert "tile.openstreetmap.org" in tiled
    # the land outline is filled offline, and transparent over the tiles
    land_fill = re.compile(r'"fillColor": "#fbfaf6", "fillOpacity": (\d+)[,}]')
    assert land_fill.findall(plain) == ["1"] and land_fill.findall(tiled) == ["0"]


def test_english_page(tf: dict) -> None:
    page = compare_html(tf, lang="en")
    assert 'lang="en"' in page and "Person-minutes to the core" in page
    assert "Innbyggere" not in page
    with pytest.raises(ScenarioError):
        compare_html(tf, lang="xx")


def test_names_from_files_are_text_never_markup(tf: dict) -> None:
    munis = tf["munis"].copy()
    victim = tf["comparison"].moves["kommunenummer"].iloc[0]
    munis.loc[munis["kommunenummer"] == victim, "name"] = XSS
    nivi = tf["nivi"]
    evil = Plan(assignment={c: ("</script><b>R</b>" if r == nivi.assignment[victim] else r)
                            for c, r in nivi.assignment.items()},
                cores={("</script><b>R</b>" if r == nivi.assignment[victim] else r): c
                       for r, c in nivi.cores.items()}, name="<i>NIVI</i>")
    problem = tf["problem"]
    metrics = evaluate.evaluate(evil, problem)
    cmp = evaluate.compare(tf["opt"], evil, problem)
    cmp.moves.loc[cmp.moves["kommunenummer"] == victim, "name"] = XSS
    page = viz.compare_map(tf["opt"], evil, munis, metrics_a=tf["metrics_opt"],
                           metrics_b=metrics, comparison=cmp).render()
    assert XSS not in page and "<b>R</b>" not in page and "<i>NIVI</i>" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page  # the moves table, as text
    assert "\\u003cimg src=x onerror=alert(1)\\u003e" in page  # script data, as JSON


def test_names_from_files_are_never_templates(tf: dict) -> None:
    """A municipality named like template code keeps its name on both pages (no ``49``)."""
    munis = tf["munis"].copy()
    names = {"5601": "Alta {{ 7*7 }}", "5501": "Tromsø {% if x %}", "5503": "Harstad {#"}
    for code, name in names.items():
        munis.loc[munis["kommunenummer"] == code, "name"] = name
    plan = viz.plan_map(tf["nivi"], munis, metrics=tf["metrics_nivi"], problem=tf["problem"],
                        ).get_root().render()
    both = viz.compare_map(tf["opt"], tf["nivi"], munis, metrics_a=tf["metrics_opt"],
                           metrics_b=tf["metrics_nivi"], comparison=tf["comparison"]).render()
    for page in (plan, both):
        assert "Alta 49" not in page
        for name in names.values():
            assert viz_assets.script_json(name) in page, name


# --------------------------------------------------------------------------- errors

def test_missing_geometry_and_metrics_are_named(tf: dict) -> None:
    munis = tf["munis"]
    nivi = tf["nivi"]
    with pytest.raises(DataError, match=r"municipality 5501 has no geometry"):
        viz.plan_map(nivi, munis[munis["kommunenummer"] != "5501"], metrics=tf["metrics_nivi"])
    metrics = tf["metrics_nivi"]
    partial = type(metrics)(plan=metrics.plan, regions=metrics.regions.iloc[1:],
                            municipalities=metrics.municipalities, summary=metrics.summary)
    with pytest.raises(DataError, match="region 'Altaregionen'"):
        viz.plan_map(nivi, munis, metrics=partial)


def test_missing_leaflet_is_a_data_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    viz_assets.leaflet_assets.cache_clear()
    monkeypatch.setattr(viz_assets, "_leaflet_dirs", lambda: [tmp_path])
    try:
        with pytest.raises(DataError, match="pip install django-js-lib-leaflet"):
            viz_assets.leaflet_assets()
    finally:
        viz_assets.leaflet_assets.cache_clear()


# --------------------------------------------------------------------------- PNG

def test_png_is_deterministic_and_untagged(tf: dict, tmp_path: Path) -> None:
    kwargs = {"metrics": tf["metrics_nivi"], "counties": tf["counties"],
              "country": tf["country"], "dpi": 60}
    one = viz.plan_png(tf["nivi"], tf["munis"], path=tmp_path / "a.png", **kwargs)
    two = viz.plan_png(tf["nivi"], tf["munis"], path=tmp_path / "b.png", **kwargs)
    png = one.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and png == two.read_bytes()
    assert b"Software" not in png and b"tIME" not in png and len(png) > 20_000


def test_png_labels_never_overlap() -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(4, 3))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.set_xlim(0, 100)
    ax.set_ylim(0, 100)
    style = {"fontsize": 8, "ha": "center", "va": "center"}
    items = [{"x": 50, "y": 50, "text": "Tromsø", "style": style},
             {"x": 51, "y": 50, "text": "Tromsø", "style": style},  # same spot: left out
             {"x": 50, "y": 10, "text": "Alta", "style": style},
             {"x": 99.5, "y": 50, "text": "Utenfor kartet", "style": style}]  # past the axes
    skipped, taken = viz_png.place_labels(ax, items)
    assert skipped == ["Tromsø", "Utenfor kartet"] and len(taken) == 2
    assert [t.get_text() for t in ax.texts] == ["Tromsø", "Alta"]


def test_png_with_many_regions_puts_the_legend_below(tmp_path: Path) -> None:
    munis = grid(n_cols=6, n_rows=5, size=0.05)
    codes = list(munis["kommunenummer"])
    plan = Plan(assignment={c: f"Region {c}" for c in codes},
                cores={f"Region {c}": c for c in codes}, name="many")
    assert len(plan.regions) > viz_png.LEGEND_BESIDE_MAX
    out = viz.plan_png(plan, munis, path=tmp_path / "many.png", dpi=40)
    from PIL import Image

    with Image.open(out) as im:
        width, height = im.size
    assert height > width  # legend rows below the map, not a strip beside it
