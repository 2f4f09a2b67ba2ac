"""Road graphs: Travel Mapping (real data), OSM XML (a file written here), osmnx conventions."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import osmnx as ox
import pytest
import shapely

from regionopt import roads
from regionopt.data import load_municipalities
from regionopt.errors import DataError, NetworkError


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


OSM_XML = """<?xml version='1.0' encoding='UTF-8'?>
<osm version="0.6" generator="regionopt-test">
  <node id="1" lat="69.6500" lon="18.9000" version="1"/>
  <node id="2" lat="69.6500" lon="18.9500" version="1"/>
  <node id="3" lat="69.6500" lon="19.0000" version="1"/>
  <node id="4" lat="69.6600" lon="18.9500" version="1"/>
  <node id="5" lat="69.6700" lon="18.9500" version="1"/>
  <node id="6" lat="69.6700" lon="18.9800" version="1"/>
  <way id="10" version="1"><nd ref="1"/><nd ref="2"/><nd ref="3"/>
    <tag k="highway" v="primary"/><tag k="maxspeed" v="80"/><tag k="ref" v="E8"/></way>
  <way id="11" version="1"><nd ref="2"/><nd ref="4"/><nd ref="5"/>
    <tag k="highway" v="residential"/><tag k="maxspeed" v="30"/></way>
  <way id="12" version="1"><nd ref="5"/><nd ref="6"/><tag k="highway" v="unclassified"/></way>
</osm>
"""


def test_graph_from_osm_xml(tmp_path: Path) -> None:
    path = tmp_path / "tiny.osm"
    path.write_text(OSM_XML, encoding="utf-8")
    G = roads.graph_from_osm_xml(path, speeds={"unclassified": 50})
    assert G.graph["crs"] == "EPSG:4326"
    assert set(G.nodes) == {1, 2, 3, 5, 6}  # node 4 is simplified away
    e12 = G.edges[1, 2, 0]
    assert e12["speed_kph"] == 80.0 and e12["ref"] == "E8" and e12["highway"] == "primary"
    # 0.05 degrees of longitude at 69.65 N: 1933 m; at 80 km/h 87.0 s.
    assert e12["length"] == pytest.approx(1933.4, abs=1)
    assert e12["travel_time"] == pytest.approx(87.0, abs=0.1)
    assert G.edges[2, 5, 0]["speed_kph"] == 30.0
    assert G.edges[5, 6, 0]["speed_kph"] == 50.0  # fallback speed, no maxspeed tag
    assert ox.routing.shortest_path(G, 1, 6, weight="travel_time") == [1, 2, 5, 6]


def test_graph_from_osm_xml_errors(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"missing\.osm: file not found"):
        roads.graph_from_osm_xml(tmp_path / "missing.osm")
    bad = tmp_path / "bad.osm"
    bad.write_text("<osm><node id=", encoding="utf-8")
    with pytest.raises(DataError, match=r"bad\.osm: cannot read OSM XML"):
        roads.graph_from_osm_xml(bad)


NOT_FOR_CARS = """<?xml version='1.0' encoding='UTF-8'?>
<osm version="0.6" generator="regionopt-test">
  <node id="1" lat="69.6500" lon="18.9000"/>
  <node id="2" lat="69.6500" lon="18.9500"/>
  <node id="3" lat="69.6600" lon="18.9500"/>
  <node id="4" lat="69.6600" lon="18.9000"/>
  <node id="5" lat="69.6550" lon="18.9200"/>
  <node id="6" lat="69.9000" lon="18.9500"/>
  <node id="7" lat="69.6400" lon="18.9000"><tag k="amenity" v="cafe"/></node>
  <way id="10"><nd ref="1"/><nd ref="2"/><tag k="highway" v="secondary"/>{speed}</way>
  <way id="11"><nd ref="2"/><nd ref="3"/><tag k="highway" v="footway"/></way>
  <way id="12"><nd ref="3"/><nd ref="4"/><tag k="highway" v="residential"/>
    <tag k="access" v="private"/></way>
  <way id="13"><nd ref="4"/><nd ref="5"/><tag k="highway" v="service"/>
    <tag k="service" v="parking_aisle"/></way>
  <way id="14"><nd ref="1"/><nd ref="4"/><nd ref="5"/><nd ref="1"/><tag k="building" v="yes"/></way>
  <way id="15"><nd ref="2"/><nd ref="6"/><tag k="highway" v="tertiary"/>
    <tag k="maxspeed" v="60"/></way>
  <way id="16"><nd ref="1"/><nd ref="3"/><tag k="route" v="ferry"/></way>
</osm>
"""


def test_osm_xml_keeps_only_drivable_ways_inside_the_area(tmp_path: Path) -> None:
    path = tmp_path / "mixed.osm"
    path.write_text(NOT_FOR_CARS.format(speed='<tag k="maxspeed" v="80"/>'), encoding="utf-8")
    G = roads.graph_from_osm_xml(path)
    assert set(G.nodes) == {1, 2, 6}  # footway, private, parking, building, ferry, POI dropped
    assert {d["highway"] for _, _, d in G.edges(data=True)} == {"secondary", "tertiary"}
    area = shapely.box(18.8, 69.6, 19.0, 69.7)  # leaves out node 6, 28 km north
    clipped = roads.graph_from_osm_xml(path, polygon=area)
    assert set(clipped.nodes) == {1, 2}
    with pytest.raises(NetworkError, match=r"mixed\.osm: no drivable way lies inside"):
        roads.graph_from_osm_xml(path, polygon=shapely.box(10, 60, 11, 61))


def test_osm_xml_without_any_maxspeed_needs_speeds(tmp_path: Path) -> None:
    path = tmp_path / "nospeed.osm"
    path.write_text(NOT_FOR_CARS.format(speed="").replace('<tag k="maxspeed" v="60"/>', ""),
                    encoding="utf-8")
    with pytest.raises(DataError, match=r"nospeed\.osm: no way has a maxspeed tag"):
        roads.graph_from_osm_xml(path)
    G = roads.graph_from_osm_xml(path, speeds={"secondary": 70, "tertiary": 50})
    assert G.edges[1, 2, 0]["speed_kph"] == 70.0 and G.edges[2, 6, 0]["speed_kph"] == 50.0


def test_road_graph_dispatches_by_source(tmp_path: Path) -> None:
    path = tmp_path / "mixed.osm"
    path.write_text(NOT_FOR_CARS.format(speed='<tag k="maxspeed" v="80"/>'), encoding="utf-8")
    area = shapely.box(18.93, 69.64, 18.96, 69.66)  # around node 2; the margin reaches node 1
    G = roads.road_graph(area, source="osm-xml", osm_xml=path, margin_km=5)
    assert set(G.nodes) == {1, 2}
    with pytest.raises(DataError, match="'osm-xml': no OSM XML file given"):
        roads.road_graph(area, source="osm-xml")
    with pytest.raises(DataError, match="road source 'google'"):
        roads.road_graph(area, source="google")
