"""regionopt.evaluate.reach: the share of a region's inhabitants within 45/60/75 minutes."""

from __future__ import annotations

import dataclasses
import math
from types import SimpleNamespace
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from regionopt.data import reference
from regionopt.evaluate import criteria, reach
from regionopt.evaluate.metrics import evaluate
from regionopt.network import NetworkSettings, origins
from regionopt.network.reach import network_reach
from regionopt.plan import Plan
from regionopt.problem import ProblemData, problem_from_network
from regionopt.reach_shares import REACH_MINUTES, reach_from_cells
from regionopt.scenario import Scenario, default_scenario_path, load_scenario


def _graph() -> nx.MultiDiGraph:
    """centre:A - a1 --2640 s-- b1 - centre:B; a2 120 s from a1; centre:C 30 s past b1."""
    G = nx.MultiDiGraph()
    for n in ("centre:A", "a1", "a2", "b1", "centre:B", "centre:C"):
        G.add_node(n, x=0.0, y=0.0)
    for u, v, s in (("centre:A", "a1", 60.0), ("a1", "b1", 2640.0), ("b1", "centre:B", 30.0),
                    ("a2", "a1", 120.0), ("centre:B", "centre:C", 1800.0)):
        G.add_edge(u, v, travel_time=s)
        G.add_edge(v, u, travel_time=s)
    return G


def _cells(G: nx.MultiDiGraph) -> pd.DataFrame:
    """A: 3 people at a1 (leg 300 m: 30 s at 36 km/h), 1 at a2 (90 s); B, C: at the centre."""
    idx = {n: k for k, n in enumerate(G.nodes)}
    cells = pd.DataFrame({"kommunenummer": ["A", "A", "B", "C"],
                          "pop": [30.0, 10.0, 7.0, 5.0], "share": [0.75, 0.25, 1.0, 1.0],
                          "node": [idx["a1"], idx["a2"], idx["centre:B"], idx["centre:C"]],
                          "metres": [300.0, 900.0, 0.0, 0.0]})
    return cells


@pytest.fixture
def synthetic(monkeypatch: pytest.MonkeyPatch) -> SimpleNamespace:
    """The graph, its cells (through origins.cell_minutes) and a network-like object."""
    G = _graph()
    cells = _cells(G)
    monkeypatch.setattr(origins, "cells_and_access", lambda *a, **k: cells.copy())
    settings = NetworkSettings(origins="grid", access_speed_kph=36.0, detour_factor=1.0)
    minutes = pd.DataFrame(np.zeros((3, 3)), index=pd.Index(["A", "B", "C"], name="origin"),
                           columns=["A", "B", "C"])
    net = SimpleNamespace(settings=settings, key="", graph=G, minutes=minutes)
    return SimpleNamespace(G=G, cells=cells, net=net)


def _problem(minutes: np.ndarray, shares: np.ndarray | None) -> ProblemData:
    return ProblemData(codes=("A", "B", "C"), names=("A", "B", "C"), counties=("01",) * 3,
                       population=np.array([4000, 1000, 500]), minutes=minutes,
                       edges=((0, 1, "road"), (1, 2, "road")), reach=shares)


def test_cell_minutes_and_shares_by_hand(synthetic: SimpleNamespace) -> None:
    centres = {c: f"centre:{c}" for c in "ABC"}
    _, got = origins.cell_minutes(synthetic.G, centres, detour_factor=1.0,
                                  access_speed_kph=36.0)
    # a1 -> B: leg 30 + 2640 + 30 = 2700 s = 45 min; a2 -> B: 90 + 120 + 2640 + 30 = 48 min
    assert got[0, 1] == pytest.approx(45.0) and got[1, 1] == pytest.approx(48.0)
    # a1 -> C: 45 + 30 min = 75 min; a2 -> C 78 min; B -> C 30 min; C -> A 30 + 45 + 1 = 76 min
    assert got[0, 2] == pytest.approx(75.0) and got[1, 2] == pytest.approx(78.0)
    assert got[3, 0] == pytest.approx((1800 + 30 + 2640 + 60) / 60)
    shares = network_reach(synthetic.net, use_cache=False)
    assert shares is not None
    # A's people within 45 / 60 / 75 min of B's centre: 3 of 4, all, all
    assert shares[:, 0, 1].tolist() == [0.75, 1.0, 1.0]
    # of C's centre: nobody, nobody, 3 of 4 (a1 at 75.0 exactly counts)
    assert shares[:, 0, 2].tolist() == [0.0, 0.0, 0.75]
    assert shares[:, 2, 0].tolist() == [0.0, 0.0, 0.0]  # 75.5 min
    # a municipality's own centre: everyone (A's cells are 1.5 and 4.5 min away)
    assert np.diag(shares[0]).tolist() == [1.0, 1.0, 1.0]


def test_region_and_plan_figures_by_hand(synthetic: SimpleNamespace) -> None:
    shares = network_reach(synthetic.net, use_cache=False)
    minutes = np.array([[0.0, 45.75, 75.75], [45.5, 0.0, 30.0], [75.5, 30.0, 0.0]])
    problem = _problem(minutes, shares)
    plan = Plan(name="one", assignment={"A": "B", "B": "B", "C": "B"}, cores={"B": "B"})
    m = evaluate(plan, problem)
    # 45 min: (4000 · 0.75 + 1000 + 500) / 5500; 60 and 75 min: everyone
    assert m.summary["inhabitants_within_45"] == pytest.approx(4500 / 5500)
    assert m.summary["inhabitants_within_60"] == 1.0
    row = m.regions.iloc[0]
    assert row["inhabitants_within_45"] == m.summary["inhabitants_within_45"]
    two = Plan(name="two", assignment={"A": "A", "B": "A", "C": "C"}, cores={"A": "A", "C": "C"})
    m2 = evaluate(two, problem)
    regions = m2.regions.set_index("region")
    # region A: A all within 45 of its own centre; B's centre to A's: 45.5 min > 45
    assert regions.loc["A", "inhabitants_within_45"] == pytest.approx(4000 / 5000)
    assert regions.loc["A", "inhabitants_within_60"] == 1.0
    assert regions.loc["C", "inhabitants_within_45"] == 1.0
    assert m2.summary["inhabitants_within_45"] == pytest.approx(4500 / 5500)
    # the centre matrix's answer: whole municipalities by minutes (A 45.75 > 45 from B)
    flat = evaluate(plan, _problem(minutes, None))
    assert flat.summary["inhabitants_within_45"] == pytest.approx(1500 / 5500)
    assert flat.summary["inhabitants_within_75"] == 1.0


def test_everyone_at_the_centre_gives_the_municipality_level_answer(tf_centre_net: Any) -> None:
    """One cell per municipality, at its centre: the same figures as whole municipalities."""
    codes = [str(c) for c in tf_centre_net.minutes.index]
    centres = {c: f"centre:{c}" for c in codes}
    to_centres, nodes = origins.times_to_centres(tf_centre_net.graph, centres)
    idx = {n: k for k, n in enumerate(nodes)}
    cell_minutes = to_centres[:, [idx[centres[c]] for c in codes]].T / 60.0
    shares = reach_from_cells(codes, np.array(codes), np.ones(len(codes)), cell_minutes)
    flat = reach.municipal_reach(tf_centre_net.minutes.to_numpy())
    # the matrix is rounded to 0.01 min: only a pair within 0.005 min of a band may differ
    near = np.stack([np.abs(cell_minutes - t) < 0.005 for t in REACH_MINUTES])
    assert (shares[~near] == flat[~near]).all()
    assert near.sum() <= 2
    base = problem_from_network(tf_centre_net)
    scenario = load_scenario(default_scenario_path())
    chosen = reference.reference_for(base, None)
    assert chosen is not None
    ref = chosen[1]
    if near.any():  # the pairs that differ by rounding only: take the matrix's side
        shares = np.where(near, flat, shares)
    grid = dataclasses.replace(base, reach=shares)
    a, b = evaluate(ref, grid), evaluate(ref, base)
    for col in reach.WITHIN_COLUMNS:
        assert a.summary[col] == b.summary[col]
        assert a.regions[col].tolist() == b.regions[col].tolist()
    ta = criteria.criteria_table(a, grid, scenario)
    tb = criteria.criteria_table(b, base, scenario)
    assert ta["value"].tolist() == tb["value"].tolist()
    assert set(ta.loc[ta["criterion"].isin(criteria.INFORMATION), "band"]) == {"grid cells"}
    assert set(tb.loc[tb["criterion"].isin(criteria.INFORMATION), "band"]) == {
        "whole municipalities"}


def test_criteria_rows_are_information_only() -> None:
    minutes = np.array([[0.0, 50.0, 80.0], [50.0, 0.0, 30.0], [80.0, 30.0, 0.0]])
    problem = _problem(minutes, None)
    plan = Plan(name="one", assignment={"A": "B", "B": "B", "C": "B"}, cores={"B": "B"})
    m = evaluate(plan, problem)
    table = criteria.criteria_table(m, problem, Scenario())
    info = table[table["criterion"].isin(criteria.INFORMATION)]
    assert info["criterion"].tolist() == list(reach.WITHIN_COLUMNS)
    assert info["passed"].all() and info["threshold"].isna().all()
    assert info["value"].tolist() == pytest.approx([1500 / 5500, 1.0, 1.0])
    assert criteria.pass_counts(table)["criteria_all_passed"] == criteria.pass_counts(
        table[~table["criterion"].isin(criteria.INFORMATION)])["criteria_all_passed"]


def test_nobody_in_the_group_gives_nan() -> None:
    problem = ProblemData(codes=("A",), names=("A",), counties=("01",),
                          population=np.array([0]), minutes=np.zeros((1, 1)), edges=())
    assert all(math.isnan(v) for v in reach.within(problem, [0], 0))
