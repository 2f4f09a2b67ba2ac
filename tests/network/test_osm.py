"""Tests of regionopt.network.osm: OpenStreetMap XML files read with osmnx's drive rules."""

from __future__ import annotations

from pathlib import Path

import osmnx as ox
import pytest
import shapely

from regionopt.errors import DataError, NetworkError
from regionopt.network import osm

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
    G = osm.graph_from_osm_xml(path, speeds={"unclassified": 50})
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
        osm.graph_from_osm_xml(tmp_path / "missing.osm")
    bad = tmp_path / "bad.osm"
    bad.write_text("<osm><node id=", encoding="utf-8")
    with pytest.raises(DataError, match=r"bad\.osm: cannot read OSM XML"):
        osm.graph_from_osm_xml(bad)


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
    G = osm.graph_from_osm_xml(path)
    assert set(G.nodes) == {1, 2, 6}  # footway, private, parking, building, ferry, POI dropped
    assert {d["highway"] for _, _, d in G.edges(data=True)} == {"secondary", "tertiary"}
    area = shapely.box(18.8, 69.6, 19.0, 69.7)  # leaves out node 6, 28 km north
    clipped = osm.graph_from_osm_xml(path, polygon=area)
    assert set(clipped.nodes) == {1, 2}
    with pytest.raises(NetworkError, match=r"mixed\.osm: no drivable way lies inside"):
        osm.graph_from_osm_xml(path, polygon=shapely.box(10, 60, 11, 61))


def test_osm_xml_without_any_maxspeed_needs_speeds(tmp_path: Path) -> None:
    path = tmp_path / "nospeed.osm"
    path.write_text(NOT_FOR_CARS.format(speed="").replace('<tag k="maxspeed" v="60"/>', ""),
                    encoding="utf-8")
    with pytest.raises(DataError, match=r"nospeed\.osm: no way has a maxspeed tag"):
        osm.graph_from_osm_xml(path)
    G = osm.graph_from_osm_xml(path, speeds={"secondary": 70, "tertiary": 50})
    assert G.edges[1, 2, 0]["speed_kph"] == 70.0 and G.edges[2, 6, 0]["speed_kph"] == 50.0
