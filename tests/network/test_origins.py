"""regionopt.network.origins: travel times from where people live (the population grid)."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import numpy as np
import pytest
import shapely

from regionopt.network import Network, NetworkSettings, origins, roads, travel, validation
from regionopt.network.key import network_key
from regionopt.network.settings import GRID_SPEEDS_KPH


def _line_graph() -> nx.MultiDiGraph:
    """centre:A - a1 --600 s-- b1 - centre:B; a2 on A's island, 120 s from a1 (road)."""
    G = nx.MultiDiGraph()
    for n in ("centre:A", "a1", "a2", "b1", "centre:B"):
        G.add_node(n, x=0.0, y=0.0)
    for u, v, s in (("centre:A", "a1", 60.0), ("a1", "b1", 600.0), ("b1", "centre:B", 30.0),
                    ("a2", "a1", 120.0)):
        G.add_edge(u, v, travel_time=s)
        G.add_edge(v, u, travel_time=s)
    return G


def test_weighted_minutes_by_hand() -> None:
    G = _line_graph()
    centres = {"A": "centre:A", "B": "centre:B"}
    to_centres, nodes = origins.times_to_centres(G, centres)
    idx = {n: k for k, n in enumerate(nodes)}
    assert to_centres[1, idx["a1"]] == pytest.approx(630.0)
    # A: 3 people at a1 (leg 30 s), 1 at a2 (leg 90 s); B: everyone at its centre
    access = origins.Access(node=np.array([idx["a1"], idx["a2"], idx["centre:B"]]),
                            metres=np.zeros(3), piece=np.zeros(3, dtype=np.int64))
    share = np.array([0.75, 0.25, 1.0])
    legs = np.array([30.0, 90.0, 0.0])
    centre_index = np.array([idx["centre:A"], idx["centre:B"]])
    got = origins.weighted_minutes(["A", "B"], np.array(["A", "A", "B"]), share, access, legs,
                                   to_centres, centre_index)
    # by hand: A->B = 0.75 (30 + 630) + 0.25 (90 + 120 + 630) = 495 + 210 = 705 s
    assert got[0, 1] == pytest.approx(705.0 / 60.0)
    # A->A = 0.75 (30 + 60) + 0.25 (90 + 180) = 67.5 + 67.5 = 135 s
    assert got[0, 0] == pytest.approx(135.0 / 60.0)
    # B->A: all of B's people at its centre: the centre-to-centre time
    assert got[1, 0] == pytest.approx(690.0 / 60.0)
    assert got[1, 1] == 0.0


def test_all_people_at_the_centre_give_the_centre_matrix(tf_net: Network) -> None:
    G, codes = tf_net.graph, list(tf_net.minutes.index)
    centres = {c: f"centre:{c}" for c in codes}
    to_centres, nodes = origins.times_to_centres(G, centres)
    idx = {n: k for k, n in enumerate(nodes)}
    cell_node = np.array([idx[centres[c]] for c in codes])
    access = origins.Access(node=cell_node, metres=np.zeros(len(codes)),
                            piece=np.zeros(len(codes), dtype=np.int64))
    got = origins.weighted_minutes(codes, np.array(codes), np.ones(len(codes)), access,
                                   np.zeros(len(codes)), to_centres, cell_node)
    # the centre-to-centre times of the same graph (tf_net itself is population-weighted)
    centre = travel.travel_time_matrix(G, centres).loc[codes, codes]
    np.testing.assert_allclose(np.round(got, 2), centre.to_numpy(), atol=0.011)
    assert not np.allclose(tf_net.minutes.to_numpy(), centre.to_numpy(), atol=0.5)


def test_cells_reach_the_graph_on_their_own_island() -> None:
    # two islands 2 km apart: the cell on the small one has only its ferry terminal
    big = shapely.box(0, 0, 10_000, 10_000)
    small = shapely.box(12_000, 0, 13_000, 1_000)
    pieces = np.array([big, small])
    node_x, node_y = np.array([9_900.0, 12_100.0]), np.array([500.0, 500.0])
    node_piece = origins.label_pieces(node_x, node_y, pieces, snap_m=100)
    assert node_piece.tolist() == [0, 1]
    # the cell is 600 m from the mainland node but on the small island
    cell_x, cell_y = np.array([12_500.0]), np.array([500.0])
    cell_piece = origins.label_pieces(cell_x, cell_y, pieces, snap_m=100)
    got = origins.access_nodes(cell_x, cell_y, cell_piece, node_x, node_y, node_piece,
                               np.array([2, 2]), np.array([2]))
    assert got.node.tolist() == [1] and got.metres[0] == pytest.approx(400.0)
    # without a ferry the island's node reaches less than the centre: counts as at the centre
    got = origins.access_nodes(cell_x, cell_y, cell_piece, node_x, node_y, node_piece,
                               np.array([2, 1]), np.array([2]))
    assert got.node.tolist() == [-1]


def test_island_cells_take_their_ferry_on_the_real_network(norway_grid: Network,
                                                           norway_net: Network) -> None:
    # Hasvik (Sørøya) reaches Loppa only by the Hasvik-Øksfjord ferry: no cell of Hasvik
    # starts on the mainland, so the weighted time is at least the crossing
    G = norway_grid.graph
    ferry_s = min(d["travel_time"] for _, _, d in G.edges(data=True)
                  if d.get("route") == "hasvik-oksfjord")
    assert norway_grid.minutes.at["5616", "5614"] >= ferry_s / 60
    assert norway_grid.minutes.notna().all().all()


def test_origins_in_the_key_and_settings(tf_net: Network) -> None:
    munis = tf_net.municipalities
    centre, grid = NetworkSettings(origins="centre"), NetworkSettings(origins="grid")
    assert network_key(munis, centre) != network_key(munis, grid)
    assert network_key(munis, grid) == network_key(munis, NetworkSettings()) == tf_net.key
    # the fitted speeds are part of the key: a grid network at the old speeds is another
    old = NetworkSettings(origins="grid", access_speed_kph=40.0,
                          speeds={k: roads.DEFAULT_SPEEDS_KPH[k] for k in GRID_SPEEDS_KPH})
    assert network_key(munis, old) not in {network_key(munis, grid), network_key(munis, centre)}
    with pytest.raises(ValueError, match="origins"):
        NetworkSettings(origins="home")


def test_grid_matrix_meets_the_validation_targets(norway_grid: Network) -> None:
    s = validation.validate(norway_grid.minutes).summary
    assert s["unreachable"] == 0 and s["gross"] == 0
    assert s["median_rel_error"] <= 0.11


@pytest.fixture(scope="module")
def norway_grid(data_dir: Path) -> Network:
    from regionopt.network import build_network

    return build_network("norway", settings=NetworkSettings(origins="grid"), data_dir=data_dir,
                         progress=False)



def test_destination_points_top_nodes_by_hand() -> None:
    import pandas as pd

    cells = pd.DataFrame({"kommunenummer": ["A"] * 4 + ["B"],
                          "node": [7, 7, 3, 5, 9], "share": [0.4, 0.2, 0.3, 0.1, 1.0],
                          "metres": [100.0, 400.0, 50.0, 0.0, 10.0]})
    got = origins.destination_points(cells, ["A", "B"], top=2)
    assert got["node"].tolist() == [3, 7, 9]
    np.testing.assert_allclose(got["share"], [0.3 / 0.9, 0.6 / 0.9, 1.0])
    np.testing.assert_allclose(got["metres"], [50.0, 200.0, 10.0])  # 7: (40 + 80) / 0.6


def test_destinations_weighted_on_the_line_graph() -> None:
    import pandas as pd

    G = _line_graph()
    _, nodes = origins.times_to_centres(G, {"A": "centre:A", "B": "centre:B"})
    idx = {n: k for k, n in enumerate(nodes)}
    points = pd.DataFrame({"kommunenummer": ["A", "A", "B"],
                           "node": [idx["a1"], idx["a2"], idx["b1"]],
                           "share": [0.5, 0.5, 1.0], "metres": [0.0, 0.0, 0.0]})
    got = origins.times_to_destinations(G, ["A", "B"], points, np.array([10.0, 20.0, 0.0]))
    # from b1 to A's end: 0.5 (600 + 10) + 0.5 (720 + 20) = 675 s
    assert got[0, idx["b1"]] == pytest.approx(675.0)
    assert got[1, idx["centre:A"]] == pytest.approx(660.0)


def test_cli_destinations_grid_needs_grid_origins(capsys: pytest.CaptureFixture[str]) -> None:
    from regionopt.cli import main

    assert main(["network", "validate", "--origins", "centre", "--destinations", "grid"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "origins='grid'" in err[0]


def test_no_island_cell_starts_on_the_mainland(norway_net: Network, data_dir: Path) -> None:
    # Hasvik (Sørøya), Træna and Røst (islands): every cell reaches the graph on its own piece
    # of land, or counts as at its centre; never at a node across the water
    codes = sorted(norway_net.municipalities["kommunenummer"])
    G = norway_net.graph
    cells = origins.cells_and_access(G, {c: f"centre:{c}" for c in codes}, codes,
                                     data_dir=data_dir)
    pieces = origins.land_pieces(data_dir=data_dir)
    nodes = tuple(G.nodes)
    nx_, ny_ = origins.node_xy(G, nodes)
    node_piece = origins.label_pieces(nx_, ny_, pieces, snap_m=origins.NODE_SNAP_M)
    from regionopt.data import grid as popgrid

    raw = popgrid.load_grid(data_dir=data_dir)
    raw = raw[raw["kommunenummer"].isin(codes)].reset_index(drop=True)
    cell_piece = origins.label_pieces(raw["x"].to_numpy(), raw["y"].to_numpy(), pieces,
                                      snap_m=origins.CELL_SNAP_M)
    centre_nodes = {nodes.index(f"centre:{c}") for c in codes}
    for code in ("5616", "1835", "1856"):
        mine = (cells["kommunenummer"] == code).to_numpy()
        at_node = ~np.isin(cells["node"].to_numpy()[mine], list(centre_nodes)) | (
            cells["metres"].to_numpy()[mine] > 0)
        got = node_piece[cells["node"].to_numpy()[mine][at_node]]
        assert (got == cell_piece[mine][at_node]).all(), code
        assert (cell_piece[mine] != 0).all(), code  # piece 0 is the mainland (largest)


def test_vannoya_reaches_the_graph_by_its_ferry(norway_net: Network, data_dir: Path) -> None:
    # Karlsøy: Vannøya's inhabitants counted as living at Hansnes before the Hansnes-Skåningsbukt
    # ferry was added (issue 29); now they reach the graph on Vannøya, at the ferry's end
    G = norway_net.graph
    ferry = [(u, v) for u, v, d in G.edges(data=True)
             if d.get("route") == "hansnes-skaningsbukt"]
    assert ferry
    codes = sorted(norway_net.municipalities["kommunenummer"])
    cells = origins.cells_and_access(G, {c: f"centre:{c}" for c in codes}, codes,
                                     data_dir=data_dir)
    nodes = tuple(G.nodes)
    pieces = origins.land_pieces(data_dir=data_dir)
    nx_, ny_ = origins.node_xy(G, nodes)
    node_piece = origins.label_pieces(nx_, ny_, pieces, snap_m=origins.NODE_SNAP_M)
    ends = {node_piece[nodes.index(n)] for edge in ferry for n in edge}
    assert len(ends) == 2  # Ringvassøya and Vannøya
    karlsoy = cells[cells["kommunenummer"] == "5534"]
    on_island = node_piece[karlsoy["node"].to_numpy()]
    vannoya = ends - {node_piece[nodes.index("centre:5534")]}
    assert np.isin(on_island, list(vannoya)).sum() > 0
