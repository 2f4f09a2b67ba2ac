"""Tests of regionopt.network.roads: Travel Mapping graphs (real data) in osmnx conventions."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import osmnx as ox
import pytest
import shapely

from regionopt.data.municipalities import load_municipalities
from regionopt.errors import DataError
from regionopt.network import roads


@pytest.fixture(scope="module")
def tf_hull(data_dir: Path) -> shapely.Geometry:
    munis = load_municipalities("troms-finnmark", data_dir=data_dir)
    return shapely.GeometryCollection(list(munis.geometry))


@pytest.fixture(scope="module")
def tm_graph(tf_hull: shapely.Geometry, data_dir: Path) -> nx.MultiDiGraph:
    return roads.graph_from_travelmapping(tf_hull, data_dir=data_dir)


def test_haversine_one_degree_of_latitude() -> None:
    # 1 degree of latitude on the mean-radius sphere is 111.195 km.
    assert roads.haversine_m(18.0, 69.0, 18.0, 70.0) == pytest.approx(111_195, rel=1e-4)


def test_node_id_is_deterministic_and_distinguishes_points() -> None:
    assert roads.node_id(18.955, 69.649) == roads.node_id(18.955, 69.649)
    assert roads.node_id(18.955, 69.649) != roads.node_id(18.955001, 69.649)


def test_travelmapping_graph_follows_osmnx_conventions(tm_graph: nx.MultiDiGraph) -> None:
    G = tm_graph
    assert G.graph["crs"] == "EPSG:4326"
    assert G.number_of_nodes() > 1000
    for _, data in list(G.nodes(data=True))[:50]:
        assert 10 < data["x"] < 32 and 66 < data["y"] < 72
    for u, v, data in G.edges(data=True):
        assert data["length"] > 0 and data["speed_kph"] > 0
        assert data["travel_time"] == pytest.approx(data["length"] / (data["speed_kph"] / 3.6),
                                                     abs=0.01)
        assert G.has_edge(v, u)
    nodes, edges = ox.graph_to_gdfs(G)
    assert {"highway", "ref", "length", "travel_time"} <= set(edges.columns)
    assert len(nodes) == G.number_of_nodes()


def test_routes_meet_at_shared_waypoints(tm_graph: nx.MultiDiGraph) -> None:
    # E6 and E8 meet at Nordkjosbotn: some node carries edges of both routes.
    refs_at: dict[int, set[str]] = {}
    for u, _, ref in tm_graph.edges(data="ref"):
        refs_at.setdefault(u, set()).add(ref)
    assert any({"E6", "E8"} <= refs for refs in refs_at.values())
    biggest = max(nx.weakly_connected_components(tm_graph), key=len)
    assert len(biggest) > 0.8 * tm_graph.number_of_nodes()


def test_osmnx_routing_nearest_nodes_and_graphml(tm_graph: nx.MultiDiGraph,
                                                 tmp_path: Path) -> None:
    # Tromsø (18.955, 69.649) to Alta (23.27, 69.97) by road, with osmnx's own functions.
    projected = ox.project_graph(tm_graph, to_crs="EPSG:25833")
    xy = ox.projection.project_geometry(shapely.MultiPoint([(18.955, 69.649), (23.27, 69.97)]),
                                        to_crs="EPSG:25833")[0]
    orig, dest = ox.distance.nearest_nodes(projected, [p.x for p in xy.geoms],
                                           [p.y for p in xy.geoms])
    route = ox.routing.shortest_path(tm_graph, orig, dest, weight="travel_time")
    assert route is not None and len(route) > 10
    hours = nx.path_weight(tm_graph, route, "travel_time") / 3600
    assert 3.5 < hours < 8  # the road goes round the Lyngen Alps (no ferries in this graph)
    path = tmp_path / "g.graphml"
    ox.save_graphml(tm_graph, path)
    again = ox.load_graphml(path)
    assert again.number_of_edges() == tm_graph.number_of_edges()


def test_speed_override_changes_travel_times(tf_hull: shapely.Geometry, data_dir: Path,
                                             tm_graph: nx.MultiDiGraph) -> None:
    slow = roads.graph_from_travelmapping(tf_hull, data_dir=data_dir,
                                          speeds={"eure": 36.0, "norfv:Fv91": 30.0})
    for u, v, k, data in slow.edges(keys=True, data=True):
        base = tm_graph.edges[u, v, k]
        if data["tm_system"] == "eure":
            assert data["speed_kph"] == 36.0
        if data["ref"] == "Fv91":
            assert data["speed_kph"] == 30.0
        assert data["length"] == base["length"]


def test_margin_clips_to_the_buffered_hull(tf_hull: shapely.Geometry, data_dir: Path,
                                           tm_graph: nx.MultiDiGraph) -> None:
    tight = roads.graph_from_travelmapping(tf_hull, data_dir=data_dir, margin_km=1.0)
    assert tight.number_of_nodes() < tm_graph.number_of_nodes()
    zone = roads.buffered_area(tf_hull, 1.0)
    xs = [d["x"] for _, d in tight.nodes(data=True)]
    ys = [d["y"] for _, d in tight.nodes(data=True)]
    assert shapely.contains_xy(zone, xs, ys).all()
    # Nothing of southern Norway is in the Troms og Finnmark graph.
    assert min(d["y"] for _, d in tm_graph.nodes(data=True)) > 67


def test_speed_for_prefers_route_key_and_rejects_bad_values() -> None:
    speeds = {"eure": 70.0, "eure:E6": 75.0}
    assert roads.speed_for("eure", "E6", speeds) == 75.0
    assert roads.speed_for("eure", "E8", speeds) == 70.0
    with pytest.raises(DataError, match="norfv"):
        roads.speed_for("norfv", "Fv91", speeds)
    with pytest.raises(DataError, match="'eure'"):
        roads.speed_for("eure", "E8", {"eure": 0})
