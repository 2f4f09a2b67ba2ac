"""Travel-time matrix, unreachable report and functional adjacency on tiny hand-made cases."""

from __future__ import annotations

import geopandas as gpd
import networkx as nx
import numpy as np
import pytest
from shapely.geometry import box

from regionopt.network import travel


def _graph(edges: list[tuple[object, object, float, bool]],
           coords: dict[object, tuple[float, float]]) -> nx.MultiDiGraph:
    """Both-way edges ``(u, v, seconds, ferry)`` on nodes at ``coords`` (lon, lat)."""
    G = nx.MultiDiGraph(crs="EPSG:4326")
    for n, (x, y) in coords.items():
        G.add_node(n, x=x, y=y)
    for u, v, seconds, ferry in edges:
        for s, t in ((u, v), (v, u)):
            G.add_edge(s, t, travel_time=seconds, length=1.0, ferry=ferry,
                       highway="ferry" if ferry else "primary")
    return G


def test_matrix_known_answer_with_parallel_edges_and_unreachable() -> None:
    coords = {1: (0, 0), 2: (0.1, 0), 3: (0.2, 0), 4: (5, 5)}
    G = _graph([(1, 2, 600, False), (2, 3, 1200, False), (1, 3, 3000, False)], coords)
    G.add_edge(1, 2, travel_time=300, length=1.0)  # a faster parallel edge, one way only
    minutes = travel.travel_time_matrix(G, {"0001": 1, "0002": 2, "0003": 3, "0004": 4})
    assert list(minutes.index) == ["0001", "0002", "0003", "0004"]
    assert minutes.index.name == "origin"
    assert minutes.loc["0001", "0002"] == 5.0
    assert minutes.loc["0002", "0001"] == 10.0
    assert minutes.loc["0001", "0003"] == 25.0  # via 2, not the 50-minute direct road
    assert minutes.loc["0003", "0001"] == 30.0
    assert np.isnan(minutes.loc["0001", "0004"]) and minutes.loc["0004", "0004"] == 0.0


def test_minutes_are_rounded_to_hundredths() -> None:
    G = _graph([(1, 2, 100.0, False)], {1: (0, 0), 2: (1, 0)})
    minutes = travel.travel_time_matrix(G, {"a": 1, "b": 2})
    assert minutes.loc["a", "b"] == 1.67


def test_unreachable_report_names_the_cut_off_centre() -> None:
    coords = {1: (0, 0), 2: (1, 0), 3: (2, 0), 9: (9, 9), "centre:0009": (9.01, 9)}
    G = _graph([(1, 2, 60, False), (2, 3, 60, False), ("centre:0009", 9, 10, False)], coords)
    centres = {"0001": 1, "0002": 2, "0003": 3, "0009": "centre:0009"}
    minutes = travel.travel_time_matrix(G, centres)
    lines = travel.unreachable_report(minutes, G, centres, names={"0009": "Øy"})
    assert lines == ["Øy (0009): no road or ferry link from its nearest road node "
                     "(a separate part of 2 nodes; reaches 0 other centre(s))"]
    connected = {k: v for k, v in centres.items() if k != "0009"}
    assert travel.unreachable_report(travel.travel_time_matrix(G, connected), G,
                                     connected) == []


def _toy_area() -> tuple[gpd.GeoDataFrame, nx.MultiDiGraph]:
    """Three squares A|B|C in a row (degrees near the equator), island D, island E.

    D lies off A and is reached by ferry from A's coast; E lies off C with a
    road bridge to C's coast; a causeway road from B's coast to E passes
    through no municipality (sea).
    """
    munis = gpd.GeoDataFrame(
        {"kommunenummer": ["0001", "0002", "0003", "0004", "0005"]},
        geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1), box(2, 0, 3, 1),
                  box(0, 2, 1, 3), box(2.2, 1.3, 2.8, 1.9)],
        crs="EPSG:4326",
    )
    coords = {
        "centre:0001": (0.5, 0.5), "centre:0002": (1.5, 0.5), "centre:0003": (2.5, 0.5),
        "centre:0004": (0.5, 2.5), "centre:0005": (2.5, 1.6),
        "a_coast": (0.5, 0.95), "d_coast": (0.5, 2.05), "b_coast": (1.5, 0.95),
        "sea": (2.0, 1.6),
    }
    G = _graph([
        ("centre:0001", "centre:0002", 1800, False),
        ("centre:0002", "centre:0003", 1800, False),
        ("centre:0001", "a_coast", 300, False),
        ("a_coast", "d_coast", 2400, True),
        ("d_coast", "centre:0004", 300, False),
        ("centre:0002", "b_coast", 300, False),
        ("b_coast", "sea", 600, False),
        ("sea", "centre:0005", 600, False),
        ("centre:0003", "centre:0005", 3600, False),
    ], coords)
    return munis, G


def test_border_pairs_need_a_shared_edge_not_a_corner() -> None:
    munis = gpd.GeoDataFrame(
        {"kommunenummer": ["0001", "0002", "0003"]},
        geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1), box(2, 1, 3, 2)],  # 0003 meets 0002 at a corner
        crs="EPSG:4326",
    )
    assert travel.border_pairs(munis) == {("0001", "0002")}


def test_functional_adjacency_kinds() -> None:
    munis, G = _toy_area()
    adj = travel.functional_adjacency(munis, G)
    got = {(a, b): k for a, b, k in adj.itertuples(index=False)}
    assert got == {
        ("0001", "0002"): "border",
        ("0002", "0003"): "border",
        ("0001", "0004"): "ferry",  # island D: only by ferry from A
        ("0002", "0005"): "road",  # the causeway crosses only sea
    }
    # E-C: the fastest route from C to E goes via B, a third municipality; A-C passes B.
    assert list(adj.columns) == ["a", "b", "kind"]
    assert (adj["a"] < adj["b"]).all()
    assert adj.equals(adj.sort_values(["a", "b"]).reset_index(drop=True))


def test_functional_adjacency_respects_candidate_limit() -> None:
    munis, G = _toy_area()
    adj = travel.functional_adjacency(munis, G, candidates=1)
    # Each centre tries only its nearest centre: D's nearest is A (ferry) and is kept.
    assert ("0001", "0004", "ferry") in set(adj.itertuples(index=False, name=None))


def test_graph_without_travel_time_is_rejected() -> None:
    G = nx.MultiDiGraph()
    G.add_edge(1, 2, length=5.0)
    with pytest.raises(travel.NetworkError, match="travel_time"):
        travel.travel_time_matrix(G, {"a": 1, "b": 2})


def test_label_nodes_snaps_to_a_polygon_within_the_tolerance() -> None:
    munis = gpd.GeoDataFrame({"kommunenummer": ["0001", "0002"]},
                             geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)], crs="EPSG:4326")
    G = nx.MultiDiGraph(crs="EPSG:4326")
    # 0.01 degree of latitude is 1.1 km (within 2 km), 0.05 is 5.6 km (beyond).
    for n, (x, y) in {"in_b": (1.2, 0.5), "coast_a": (0.5, 1.01), "far": (0.5, 1.05),
                      "coast_b": (1.7, -0.01)}.items():
        G.add_node(n, x=x, y=y)
    labels = travel.label_nodes(G, munis, ["in_b", "coast_a", "far", "coast_b"])
    assert list(labels) == ["0002", "0001", "", "0002"]
    assert list(travel.label_nodes(G, munis, ["coast_a"], snap_m=0)) == [""]


def _coast_road() -> tuple[gpd.GeoDataFrame, nx.MultiDiGraph]:
    """Squares A|B|C; the only road A-C runs along the coast 550 m off B's simplified edge."""
    munis = gpd.GeoDataFrame({"kommunenummer": ["0001", "0002", "0003"]},
                             geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1), box(2, 0, 3, 1)],
                             crs="EPSG:4326")
    coords = {"centre:0001": (0.5, 0.5), "centre:0002": (1.5, 0.5), "centre:0003": (2.5, 0.5),
              "n1": (0.5, 1.005), "n2": (1.5, 1.005), "n3": (2.5, 1.005)}
    G = _graph([("centre:0001", "n1", 300, False), ("n1", "n2", 1800, False),
                ("n2", "n3", 1800, False), ("n3", "centre:0003", 300, False),
                ("n2", "centre:0002", 300, False)], coords)
    return munis, G


def test_coastal_road_outside_a_simplified_polygon_still_enters_it() -> None:
    munis, G = _coast_road()
    got = {(a, b): k for a, b, k in travel.functional_adjacency(munis, G).itertuples(index=False)}
    # Before nodes were snapped, n2 belonged to no municipality and A-C came out as "road".
    assert got == {("0001", "0002"): "border", ("0002", "0003"): "border"}


def test_route_through_a_municipality_outside_the_area_is_not_direct() -> None:
    munis, G = _toy_area()
    area = munis[munis["kommunenummer"] != "0002"]  # the road A-C still runs through B's town
    centres = {c: f"centre:{c}" for c in area["kommunenummer"]}
    pairs = {(a, b) for a, b, _ in travel.functional_adjacency(
        area, G, centre_nodes=centres).itertuples(index=False)}
    assert ("0001", "0003") in pairs  # B unknown: the A-C road looks direct
    pairs = {(a, b) for a, b, _ in travel.functional_adjacency(
        area, G, centre_nodes=centres, context=munis).itertuples(index=False)}
    assert ("0001", "0003") not in pairs  # B given as context: the road enters it
    assert ("0001", "0004") in pairs
