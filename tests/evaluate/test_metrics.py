"""Tests of regionopt.evaluate: metrics with known answers and comparison of plans."""

from __future__ import annotations

import json
import math
from dataclasses import replace

import numpy as np
import pytest
from handmade import CODES, PLAN_A, make_plan, path_problem

from regionopt.data.reference import nivi_2023
from regionopt.errors import DataError
from regionopt.evaluate.metrics import compare, evaluate
from regionopt.evaluate.report import (
    comparison_to_dict,
    format_comparison,
    format_metrics,
    metrics_to_dict,
)
from regionopt.flows import Commuting
from regionopt.network import Network
from regionopt.plan import Plan
from regionopt.problem import ProblemData


def test_region_metrics_known_answers() -> None:
    m = evaluate(PLAN_A, path_problem())
    north, south = (m.regions.iloc[k] for k in range(2))
    assert list(m.regions["region"]) == ["North", "South"]
    assert north["population"] == 180 and south["population"] == 250
    assert north["members"] == 3 and north["member_codes"] == "1001;1002;1003"
    assert north["core"] == "1001" and north["core_name"] == "A"
    assert north["core_share"] == pytest.approx(100 / 180)
    assert south["core_share"] == pytest.approx(0.8)
    # weighted mean: (100*0 + 50*10 + 30*20) / 180
    assert north["mean_minutes"] == pytest.approx(1100 / 180)
    assert south["mean_minutes"] == pytest.approx((200 * 0 + 10 * 10 + 40 * 20) / 250)
    assert north["max_minutes"] == 20.0
    assert bool(north["connected"]) and bool(south["connected"])
    assert north["counties"] == "10" and north["n_counties"] == 1
    assert south["counties"] == "10;20" and south["n_counties"] == 2
    assert north["unreachable"] == 0


def test_summary_known_answers() -> None:
    s = evaluate(PLAN_A, path_problem()).summary
    assert s["plan"] == "A"
    assert s["municipalities"] == 6 and s["regions"] == 2 and s["population"] == 430
    assert s["person_minutes"] == pytest.approx(2000.0)
    assert s["mean_minutes_per_inhabitant"] == pytest.approx(2000 / 430)
    assert s["max_minutes"] == 20.0
    assert s["smallest_region_population"] == 180
    assert s["largest_region_population"] == 250
    # populations 180 and 250: mean 215, population std 35
    assert s["population_cv"] == pytest.approx(35 / 215)
    assert s["regions_not_connected"] == 0
    assert s["unreachable_municipalities"] == 0


def test_municipality_table() -> None:
    munis = evaluate(PLAN_A, path_problem()).municipalities
    assert list(munis["kommunenummer"]) == list(CODES)
    assert list(munis["minutes_to_core"]) == [0, 10, 20, 0, 10, 20]
    assert list(munis["core"]) == ["1001"] * 3 + ["1004"] * 3
    assert list(munis["region"]) == ["North"] * 3 + ["South"] * 3


def test_minutes_are_read_from_member_row_to_core_column() -> None:
    mins = 10.0 * np.abs(np.arange(6)[:, None] - np.arange(6)[None, :])
    mins[1, 0] = 99.0  # 1002 -> 1001 differs from 1001 -> 1002
    m = evaluate(PLAN_A, path_problem(mins))
    assert m.municipalities.loc[1, "minutes_to_core"] == 99.0


def test_disconnected_regions_are_reported() -> None:
    plan = make_plan({"X": ("1001", ["1001", "1003"]),
                      "Y": ("1004", ["1002", "1004", "1005", "1006"])})
    m = evaluate(plan, path_problem())
    assert list(m.regions["connected"]) == [False, False]
    assert m.summary["regions_not_connected"] == 2
    single = make_plan({"X": ("1001", ["1001"]), "Y": ("1002", list(CODES[1:]))})
    assert evaluate(single, path_problem()).summary["regions_not_connected"] == 0


def test_unreachable_minutes_stay_infinite(caplog: pytest.LogCaptureFixture) -> None:
    mins = 10.0 * np.abs(np.arange(6)[:, None] - np.arange(6)[None, :])
    mins[5, 3] = np.inf  # 1006 cannot reach core 1004
    m = evaluate(PLAN_A, path_problem(mins))
    south = m.regions.iloc[1]
    assert math.isinf(south["mean_minutes"]) and math.isinf(south["max_minutes"])
    assert south["unreachable"] == 1
    assert math.isinf(m.summary["person_minutes"])
    assert math.isinf(m.summary["mean_minutes_per_inhabitant"])
    assert m.summary["unreachable_municipalities"] == 1
    assert "1006" in caplog.text
    d = metrics_to_dict(m)
    assert d["summary"]["person_minutes"] is None
    assert d["summary"]["unreachable_municipalities"] == 1
    assert "unreachable" in format_metrics(m)
    json.dumps(d, allow_nan=False)


def test_plan_must_cover_problem() -> None:
    part = make_plan({"X": ("1001", ["1001", "1002"])})
    with pytest.raises(DataError, match="1003"):
        evaluate(part, path_problem())


def test_zero_population_region_uses_plain_mean() -> None:
    prob = path_problem()
    zero = ProblemData(codes=prob.codes, names=prob.names, counties=prob.counties,
                       population=np.array([100, 0, 0, 200, 10, 40], dtype="int64"),
                       minutes=prob.minutes.copy(), edges=prob.edges)
    plan = make_plan({"X": ("1001", ["1001"]), "Z": ("1002", ["1002", "1003"]),
                      "S": ("1004", ["1004", "1005", "1006"])})
    z = evaluate(plan, zero).regions.set_index("region").loc["Z"]
    assert z["population"] == 0 and math.isnan(z["core_share"])
    assert z["mean_minutes"] == pytest.approx(5.0)


# --------------------------------------------------------------------------- compare

def test_compare_same_grouping_other_names_has_no_moves() -> None:
    renamed = make_plan({"P": ("1001", ["1001", "1002", "1003"]),
                         "Q": ("1004", ["1004", "1005", "1006"])}, name="B")
    cmp = compare(PLAN_A, renamed, path_problem())
    assert cmp.moves.empty
    assert set(zip(cmp.matching["region_a"], cmp.matching["region_b"], strict=True)) == {
        ("North", "P"), ("South", "Q")}


def test_compare_lists_the_one_move() -> None:
    b = make_plan({"P": ("1001", ["1001", "1002"]),
                   "Q": ("1004", ["1003", "1004", "1005", "1006"])}, name="B")
    cmp = compare(PLAN_A, b, path_problem())
    assert cmp.moves.to_dict(orient="records") == [
        {"kommunenummer": "1003", "name": "C", "population": 30, "from_region": "North",
         "to_region": "Q", "to_region_matches": "South"}]
    assert cmp.moved_population == 30
    table = cmp.table.set_index("metric")
    # b: North' = {1001,1002} pm 500; South' = 30*10 + 0 + 10*10 + 40*20 = 1200
    assert table.loc["person_minutes", "b"] == pytest.approx(1700.0)
    assert table.loc["person_minutes", "difference"] == pytest.approx(-300.0)
    assert table.loc["regions", "difference"] == 0


def test_compare_unmatched_region_moves_entirely() -> None:
    # South shares 2 members with E and 1 with D: E is matched, D (1004) is left over
    b = make_plan({"N": ("1001", ["1001", "1002", "1003"]), "D": ("1004", ["1004"]),
                   "E": ("1006", ["1005", "1006"])}, name="B")
    cmp = compare(PLAN_A, b, path_problem())
    assert list(cmp.moves["kommunenummer"]) == ["1004"]
    assert list(cmp.moves["to_region_matches"]) == [""]
    assert cmp.matching.iloc[-1].tolist() == ["", "D", 0, 0]
    assert cmp.agreement.differing == ("1004",)
    text = format_comparison(cmp)
    assert "1 municipalities (200 inhabitants)" in text
    d = comparison_to_dict(cmp)
    assert d["moved_population"] == 200 and len(d["moves"]) == 1
    assert d["agreement"]["placed_as_reference"] == 5
    json.dumps(d, allow_nan=False)


def test_compare_matching_prefers_members_then_population() -> None:
    # South shares one member with each of R (200 inhabitants), S (10) and T (40): R wins
    b = make_plan({"N": ("1001", ["1001", "1002", "1003"]), "R": ("1004", ["1004"]),
                   "S": ("1005", ["1005"]), "T": ("1006", ["1006"])}, name="B")
    cmp = compare(PLAN_A, b, path_problem())
    pairs = dict(zip(cmp.matching["region_b"], cmp.matching["region_a"], strict=True))
    assert pairs["R"] == "South" and pairs["S"] == "" and pairs["T"] == ""
    # two members of E outweigh the 200 inhabitants of D
    b2 = make_plan({"N": ("1001", ["1001", "1002", "1003"]), "D": ("1004", ["1004"]),
                    "E": ("1006", ["1005", "1006"])}, name="B")
    pairs2 = dict(zip(compare(PLAN_A, b2, path_problem()).matching["region_b"],
                      compare(PLAN_A, b2, path_problem()).matching["region_a"], strict=True))
    assert pairs2["E"] == "South" and pairs2["D"] == ""


# --------------------------------------------------------------------------- real data

def test_nivi_on_the_real_graph(tf_net: Network, tf_net_problem: ProblemData) -> None:
    plan = nivi_2023(tf_net_problem)
    m = evaluate(plan, tf_net_problem)
    s = m.summary
    munis = tf_net.municipalities.set_index("kommunenummer")
    assert s["municipalities"] == 39 and s["regions"] == 12
    assert s["population"] == int(munis["population"].sum())
    # person-minutes recomputed from the network's own tables, row = member, column = core
    expected = sum(int(munis.at[c, "population"]) * float(tf_net.minutes.at[c, plan.core_of(c)])
                   for c in plan.assignment)
    assert s["person_minutes"] == pytest.approx(expected, rel=1e-12)
    assert s["unreachable_municipalities"] == 0
    regions = m.regions.set_index("region")
    # a one-member region's mean trip is the matrix diagonal: its inhabitants' trip to their own
    # town on the default population-weighted matrix (0 only with origins="centre")
    assert regions.at["Sør-Varanger", "mean_minutes"] == pytest.approx(
        float(tf_net.minutes.at["5605", "5605"]), rel=1e-12)
    assert regions.at["Sør-Varanger", "mean_minutes"] > 0
    assert regions.at["Altaregionen", "counties"] == "55;56"  # Kvænangen lies in Troms
    assert regions.at["Tromsøregionen", "population"] == int(
        munis.loc[list(plan.members("Tromsøregionen")), "population"].sum())


def test_compare_nivi_with_kvaenangen_moved(tf_net_problem: ProblemData) -> None:
    nivi = nivi_2023(tf_net_problem)
    assignment = dict(nivi.assignment)
    assignment["5546"] = "Nord-Troms"
    other = Plan(assignment=assignment, cores=dict(nivi.cores), name="variant")
    cmp = compare(nivi, other, tf_net_problem)
    assert cmp.moves[["kommunenummer", "from_region", "to_region", "to_region_matches"]
                     ].values.tolist() == [["5546", "Altaregionen", "Nord-Troms", "Nord-Troms"]]
    assert compare(nivi, nivi, tf_net_problem).moves.empty


def test_self_containment_by_hand_with_empty_regions() -> None:
    """E, J, L and min(L/E, L/J) of four regions worked out by hand (docs/metrics.md): a
    region with neither employed residents nor jobs has 1, one with only one of them 0 has 0."""
    flows = np.zeros((6, 6), dtype="int64")
    flows[0, 0], flows[0, 1], flows[1, 0], flows[1, 1] = 40, 10, 5, 20  # 1001 and 1002
    flows[3, 2] = 7  # 1004 lives in "Job", works in "Work"; 1003 has jobs only
    employed = np.array([60, 30, 0, 12, 0, 0])  # 10 + 0 + 5 work outside the area
    jobs = np.array([50, 35, 9, 0, 0, 0])
    problem = replace(path_problem(), commuting=Commuting(flows, employed, jobs))
    plan = make_plan({"Pair": ("1001", ["1001", "1002"]), "Work": ("1003", ["1003"]),
                      "Home": ("1004", ["1004"]), "Empty": ("1005", ["1005", "1006"])})
    m = evaluate(plan, problem)
    r = m.regions.set_index("region")
    assert r.loc["Pair", ["employed", "jobs", "live_work"]].tolist() == [90, 85, 75]
    assert r.loc["Pair", "self_containment"] == pytest.approx(min(75 / 90, 75 / 85))
    assert r.loc["Work", ["employed", "jobs", "live_work"]].tolist() == [0, 9, 0]
    assert r.loc["Home", ["employed", "jobs", "live_work"]].tolist() == [12, 0, 0]
    assert r.loc["Work", "self_containment"] == 0.0 and r.loc["Home", "self_containment"] == 0.0
    assert r.loc["Empty", ["employed", "jobs", "live_work"]].tolist() == [0, 0, 0]
    assert r.loc["Empty", "self_containment"] == 1.0
    assert m.summary["self_containment_min"] == 0.0
    assert m.summary["border_commuters"] == 7
    assert m.summary["commuting_kept_share"] == pytest.approx(75 / 102)
    alone = make_plan({"Pair": ("1001", ["1001", "1002"]),
                       "Rest": ("1003", ["1003", "1004", "1005", "1006"])})
    rest = evaluate(alone, problem).regions.set_index("region").loc["Rest"]
    assert rest["self_containment"] == pytest.approx(min(7 / 12, 7 / 9))
