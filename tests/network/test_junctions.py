"""Junction joining (regionopt.network.junctions, regionopt.network.junction_labels) on a small
hand-made Travel Mapping sample: one case for each rule, a bridge and a ferry quay that must stay
unjoined, and the Norway counts."""

from __future__ import annotations

import itertools

import networkx as nx
import pytest

from regionopt.network import junction_labels, junctions, roads

#: route (system, ref) -> waypoints (label, lon, lat), as in Travel Mapping .wpt files. About
#: 54 m per 0.001° of longitude and 111 m per 0.001° of latitude at 61° N.
SAMPLE: dict[tuple[str, str], list[tuple[str, float, float]]] = {
    # rule 1: Fv255 begins 1 km east of the E6, at a minor road missing from the data
    ("eure", "E6"): [("1", 10.0, 60.98), ("2", 10.0, 61.02), ("3", 10.0, 61.06)],
    ("norfv", "Fv255"): [("Fv2522", 10.0185, 61.015), ("Fv300", 10.06, 61.015)],
    # a bridge: Fv400 passes over the E6 (a shaping point 160 m away), no junction
    ("norfv", "Fv400"): [("Fv401", 9.95, 61.03), ("+X1", 10.003, 61.0301),
                         ("Fv402", 10.05, 61.03)],
    # a ferry quay 0.8 km from the E6: the ferry table joins it, not the junction rules
    ("norfv", "Fv60"): [("MagFry", 10.015, 60.995), ("Fv61", 10.1, 60.995)],
    # rule 2: Fv211's waypoint "Fv128_W" and Fv128's end "Fv211_W", 35 m apart
    ("norfv", "Fv211"): [("A1", 10.2, 60.97), ("Fv128_W", 10.2, 61.01), ("A2", 10.2, 61.05)],
    ("norfv", "Fv128"): [("B1", 10.3, 61.01), ("Fv211_W", 10.2006, 61.0101)],
    # exit numbers: Fv500's waypoint "E18(61)" and the E18's exit "61(V)", 430 m apart
    ("normot", "E18"): [("59", 10.5, 60.96), ("61(V)", 10.5, 61.01), ("63", 10.5, 61.06)],
    ("norfv", "Fv500"): [("X", 10.56, 60.99), ("E18(61)", 10.508, 61.0105), ("Y", 10.56, 61.03)],
    # rule 3: Fv251 and Fv33 both name Fv2466 (not in the data), 2.2 km apart
    ("norfv", "Fv251"): [("C1", 10.8, 61.0), ("Fv2466", 10.8, 61.01), ("C2", 10.8, 61.02)],
    ("norfv", "Fv33"): [("D1", 10.84, 61.0), ("Fv2466", 10.84, 61.012), ("D2", 10.84, 61.03)],
}


def _sample_graph() -> tuple[nx.MultiDiGraph, dict[int, list[tuple[str, str]]], set[int],
                             set[int]]:
    """Build the sample as :func:`roads.graph_from_travelmapping` builds the real data."""
    G = nx.MultiDiGraph(crs="EPSG:4326")
    labels: dict[int, list[tuple[str, str]]] = {}
    ends: set[int] = set()
    quays: set[int] = set()
    for (system, ref), points in SAMPLE.items():
        route = roads._Route(system=system, ref=ref, root=ref.lower(), region="NOR")
        kph = roads.DEFAULT_SPEEDS_KPH[system]
        for (_, lon1, lat1), (_, lon2, lat2) in itertools.pairwise(points):
            length = float(roads.haversine_m(lon1, lat1, lon2, lat2))
            roads._add_segment(G, (lon1, lat1), (lon2, lat2), length, route, kph)
        for label, lon, lat in points:
            labels.setdefault(roads.node_id(lon, lat), []).append((ref, label))
        for label, lon, lat in (points[0], points[-1]):
            ends.add(roads.node_id(lon, lat))
            if "Fry" in label:
                quays.add(roads.node_id(lon, lat))
    return G, labels, ends, quays


def _node(route: tuple[str, str], label: str) -> int:
    lon, lat = next((x, y) for lab, x, y in SAMPLE[route] if lab == label)
    return roads.node_id(lon, lat)


@pytest.fixture(scope="module")
def joined() -> tuple[nx.MultiDiGraph, dict[str, int]]:
    G, labels, ends, quays = _sample_graph()
    counts = roads.join_broken_junctions(G, labels, ends=ends, quays=quays)
    return G, counts


def test_each_rule_joins_its_case_once(joined: tuple[nx.MultiDiGraph, dict[str, int]]) -> None:
    G, counts = joined
    assert counts == {"labels": 1, "exit_numbers": 1, "shared_road": 1, "route_end": 1}
    assert {k: v for k, v in G.graph.items() if k.startswith("junction_joins_")} == {
        f"junction_joins_{k}": v for k, v in counts.items()}


def test_route_end_joins_the_nearest_point_of_the_other_road(
        joined: tuple[nx.MultiDiGraph, dict[str, int]]) -> None:
    G, _ = joined
    start = _node(("norfv", "Fv255"), "Fv2522")
    # the E6 edge 2-3 ... is split at the foot of the perpendicular, (10.0, 61.015)
    foot = roads.node_id(10.0, 61.015)
    assert G.has_edge(start, foot) and G.has_edge(foot, start)
    link = G[start][foot][0]
    assert link["junction_join"] and link["highway"] == "junction_link"
    straight = float(roads.haversine_m(10.0185, 61.015, 10.0, 61.015))
    assert link["length"] == pytest.approx(straight * 1.3, rel=0.01)
    assert link["travel_time"] == pytest.approx(link["length"] / (40 / 3.6), rel=1e-3)
    # the split E6 keeps its length between its two waypoints
    e6 = nx.shortest_path_length(G, _node(("eure", "E6"), "1"), _node(("eure", "E6"), "3"),
                                 weight="length")
    assert e6 == pytest.approx(float(roads.haversine_m(10.0, 60.98, 10.0, 61.06)), rel=1e-3)


def test_bridge_and_ferry_quay_stay_unjoined(
        joined: tuple[nx.MultiDiGraph, dict[str, int]]) -> None:
    G, _ = joined
    e6 = _node(("eure", "E6"), "2")
    for route, label in ((("norfv", "Fv400"), "+X1"), (("norfv", "Fv60"), "MagFry")):
        assert not nx.has_path(G, _node(route, label), e6), label


@pytest.mark.parametrize(("a", "b"), [
    ((("norfv", "Fv211"), "Fv128_W"), (("norfv", "Fv128"), "Fv211_W")),
    ((("normot", "E18"), "61(V)"), (("norfv", "Fv500"), "E18(61)")),
    ((("norfv", "Fv251"), "Fv2466"), (("norfv", "Fv33"), "Fv2466")),
])
def test_labelled_pairs_are_joined_directly(joined: tuple[nx.MultiDiGraph, dict[str, int]],
                                            a: tuple[tuple[str, str], str],
                                            b: tuple[tuple[str, str], str]) -> None:
    G, _ = joined
    u, v = _node(*a), _node(*b)
    assert G.has_edge(u, v) and G.has_edge(v, u) and G[u][v][0]["junction_join"]


def test_nothing_is_joined_twice_or_where_a_path_exists() -> None:
    G, labels, ends, quays = _sample_graph()
    roads.join_broken_junctions(G, labels, ends=ends, quays=quays)
    again = roads.join_broken_junctions(G, labels, ends=ends, quays=quays)
    assert again == {"labels": 0, "exit_numbers": 0, "shared_road": 0, "route_end": 0}


def test_label_refs_reads_the_roads_a_label_names() -> None:
    assert junction_labels.label_refs("Fv211_W") == {"Fv211"}
    assert junction_labels.label_refs("ToE6") == {"E6"}
    assert junction_labels.label_refs("Fv1836/1920") == {"Fv1836", "Fv1920"}
    assert junction_labels.label_refs("E18(62)") == {"E18"}
    assert junction_labels.label_refs("+X12") == set()


def test_motorway_is_entered_only_at_an_exit() -> None:
    # a county road ending 300 m beside a motorway, between two exits 2 km apart: the motorway
    # edge is not split; the end joins the nearer exit waypoint within the radius, or nothing
    G, labels, ends, quays = nx.MultiDiGraph(crs="EPSG:4326"), {}, set(), set()
    mot = roads._Route(system="normot", ref="E18", root="e18", region="NOR")
    fv = roads._Route(system="norfv", ref="Fv9", root="fv9", region="NOR")
    a, b = (10.0, 61.0), (10.0, 61.018)
    roads._add_segment(G, a, b, float(roads.haversine_m(*a, *b)), mot, 95.0)
    c, d = (10.0056, 61.011), (10.06, 61.011)
    roads._add_segment(G, c, d, float(roads.haversine_m(*c, *d)), fv, 60.0)
    for (lon, lat), ref, lab in ((a, "E18", "10"), (b, "E18", "11"), (c, "Fv9", "End"),
                                 (d, "Fv9", "Fv8")):
        labels[roads.node_id(lon, lat)] = [(ref, lab)]
    ends.add(roads.node_id(*c))  # only the county road's end is a candidate here
    found = junctions.find_junction_joins(G, ends=ends, exclude=quays,
                                          junction_nodes=set(labels))
    assert [(j.split, j.target) for j in found] == [(False, roads.node_id(*b))]
    assert junctions.find_junction_joins(G, ends=ends, exclude=quays,
                                         junction_nodes=set()) == []
