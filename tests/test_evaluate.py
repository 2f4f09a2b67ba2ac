"""Tests of regionopt.evaluate: metrics with known answers, comparison, audit, rendering."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from regionopt.audit import audit, gap_percent
from regionopt.errors import DataError, ScenarioError
from regionopt.evaluate import compare, evaluate
from regionopt.network import Network, build_network
from regionopt.plan import Plan
from regionopt.problem import ProblemData, problem_from_network
from regionopt.reference import nivi_2023
from regionopt.report import (
    audit_to_dict,
    comparison_to_dict,
    format_audit,
    format_comparison,
    format_metrics,
    frame_to_csv,
    metrics_to_dict,
)
from regionopt.scenario import default_scenario_path, load_scenario, parse_scenario, replace_key

CODES = ("1001", "1002", "1003", "1004", "1005", "1006")
POP = [100, 50, 30, 200, 10, 40]


def path_problem(minutes: np.ndarray | None = None) -> ProblemData:
    """Six municipalities on a path 1001-1002-...-1006, 10 minutes per step.

    Counties: 1001-1004 in "10", 1005-1006 in "20".
    """
    pos = np.arange(6)
    mins = 10.0 * np.abs(pos[:, None] - pos[None, :]) if minutes is None else minutes
    return ProblemData(
        codes=CODES,
        names=("A", "B", "C", "D", "E", "F"),
        counties=("10", "10", "10", "10", "20", "20"),
        population=np.array(POP, dtype="int64"),
        minutes=mins,
        edges=tuple((i, i + 1, "border") for i in range(5)),
    )


def make_plan(groups: dict[str, tuple[str, list[str]]], name: str = "p") -> Plan:
    """``{region: (core, members)}`` → Plan."""
    assignment = {c: r for r, (_, members) in groups.items() for c in members}
    return Plan(assignment=assignment, cores={r: core for r, (core, _) in groups.items()},
                name=name)


PLAN_A = make_plan({"North": ("1001", ["1001", "1002", "1003"]),
                    "South": ("1004", ["1004", "1005", "1006"])}, name="A")


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
    b = make_plan({"N": ("1001", ["1001", "1002", "1003"]), "D": ("1004", ["1004"]),
                   "E": ("1006", ["1005", "1006"])}, name="B")
    cmp = compare(PLAN_A, b, path_problem())
    assert list(cmp.moves["kommunenummer"]) == ["1005", "1006"]
    assert list(cmp.moves["to_region_matches"]) == ["", ""]
    assert cmp.matching.iloc[-1].tolist() == ["", "E", 0, 0]
    text = format_comparison(cmp)
    assert "2 municipalities (50 inhabitants)" in text
    d = comparison_to_dict(cmp)
    assert d["moved_population"] == 50 and len(d["moves"]) == 2
    json.dumps(d, allow_nan=False)


def test_compare_matching_prefers_population_over_member_count() -> None:
    # b's region R holds 1004 (200 inhabitants); S holds 1005+1006 (50): South matches R
    b = make_plan({"N": ("1001", ["1001", "1002", "1003"]), "R": ("1004", ["1004"]),
                   "S": ("1006", ["1005", "1006"])}, name="B")
    cmp = compare(PLAN_A, b, path_problem())
    pairs = dict(zip(cmp.matching["region_b"], cmp.matching["region_a"], strict=True))
    assert pairs["R"] == "South" and pairs["S"] == ""


# --------------------------------------------------------------------------- audit

def scenario(**constraints: object) -> object:
    regions = constraints.pop("regions", {"count": 2})
    return parse_scenario({"name": "t", "regions": regions,
                           "constraints": {"contiguity": False, **constraints}})


def violations(plan: Plan, **constraints: object) -> list[tuple[str, str]]:
    found = audit(plan, path_problem(), scenario(**constraints))
    return [(v.constraint, v.where) for v in found.violations]


def test_audit_clean_plan_has_no_violations() -> None:
    result = audit(PLAN_A, path_problem(), scenario(contiguity=True, core_is_largest=True,
                                                    max_travel_minutes=20))
    assert result.ok and result.violations == ()
    assert "no constraint is broken" in format_audit(result)


def test_audit_region_count() -> None:
    assert violations(PLAN_A, regions={"count": 3}) == [("regions.count", "")]
    assert violations(PLAN_A, regions={"min_count": 3}) == [("regions.min_count", "")]
    assert violations(PLAN_A, regions={"max_count": 1}) == [("regions.max_count", "")]
    assert violations(PLAN_A, regions={"min_count": 1, "max_count": 2}) == []


def test_audit_contiguity() -> None:
    plan = make_plan({"X": ("1001", ["1001", "1003"]),
                      "Y": ("1004", ["1002", "1004", "1005", "1006"])})
    assert violations(plan, contiguity=True) == [("constraints.contiguity", "X"),
                                                 ("constraints.contiguity", "Y")]


def test_audit_core_is_largest_and_min_core_population() -> None:
    plan = make_plan({"North": ("1002", ["1001", "1002", "1003"]),
                      "South": ("1004", ["1004", "1005", "1006"])})
    assert violations(plan, core_is_largest=True) == [("constraints.core_is_largest", "North")]
    assert violations(PLAN_A, min_core_population=150) == [
        ("constraints.min_core_population", "North")]


def test_audit_max_travel_minutes_per_municipality() -> None:
    assert violations(PLAN_A, max_travel_minutes=15) == [
        ("constraints.max_travel_minutes", "1003"), ("constraints.max_travel_minutes", "1006")]


def test_audit_unreachable_breaks_travel_limit() -> None:
    mins = 10.0 * np.abs(np.arange(6)[:, None] - np.arange(6)[None, :])
    mins[5, 3] = np.inf
    result = audit(PLAN_A, path_problem(mins), scenario(max_travel_minutes=60))
    assert [v.where for v in result.violations] == ["1006"]
    assert "unreachable" in result.violations[0].detail


def test_audit_population_bounds() -> None:
    assert violations(PLAN_A, min_population=200) == [("constraints.min_population", "North")]
    assert violations(PLAN_A, max_population=200) == [("constraints.max_population", "South")]


def test_audit_county_borders() -> None:
    assert violations(PLAN_A, respect_county_borders=True) == [
        ("constraints.respect_county_borders", "South")]


def test_audit_links_and_fixed_cores() -> None:
    assert violations(PLAN_A, must_link=[["1003", "1004"]], cannot_link=[["1004", "1006"]],
                      fixed_cores=["1005", "1001"]) == [
        ("constraints.fixed_cores", "1005"),
        ("constraints.must_link", "1003-1004"),
        ("constraints.cannot_link", "1004-1006")]
    assert violations(PLAN_A, must_link=[["1001", "1003"]], cannot_link=[["1001", "1004"]],
                      fixed_cores=["1004"]) == []


def test_audit_unknown_municipality_is_a_scenario_error() -> None:
    with pytest.raises(ScenarioError, match=r"constraints.must_link: municipality 9999"):
        audit(PLAN_A, path_problem(), scenario(must_link=[["1001", "9999"]]))


def test_audit_gap_to_optimum() -> None:
    result = audit(PLAN_A, path_problem(), scenario(), optimum=1600.0)
    assert result.travel_term == pytest.approx(2000.0)
    assert result.gap_percent == pytest.approx(25.0)
    d = audit_to_dict(result)
    assert d["gap_percent"] == 25.0 and d["ok"] is True
    assert "gap 25.00 %" in format_audit(result)
    assert gap_percent(5.0, None) is None
    assert gap_percent(0.0, 0.0) == 0.0 and math.isinf(gap_percent(1.0, 0.0) or 0.0)


# --------------------------------------------------------------------------- rendering

def test_renderings_are_deterministic_and_rounded() -> None:
    m = evaluate(PLAN_A, path_problem())
    d = metrics_to_dict(m)
    assert list(d) == sorted(d)
    assert d["summary"]["population_cv"] == round(35 / 215, 4)
    assert d["regions"][0]["mean_minutes"] == round(1100 / 180, 4)
    assert json.dumps(d, sort_keys=True) == json.dumps(metrics_to_dict(evaluate(
        PLAN_A, path_problem())), sort_keys=True)
    text = format_metrics(m)
    assert "North" in text and "person_minutes: 2,000.00" in text
    csv = frame_to_csv(m.regions)
    assert csv.splitlines()[1].startswith("North,1001,A,180,3,1001;1002;1003,0.5556,6.1111,")


# --------------------------------------------------------------------------- real data

@pytest.fixture(scope="module")
def tf_net(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Network:
    """Troms og Finnmark network (about 3 s), built without touching the user cache."""
    return build_network(data_dir=data_dir, cache_dir=tmp_path_factory.mktemp("cache"),
                         use_cache=False, progress=False)


@pytest.fixture(scope="module")
def tf(tf_net: Network) -> ProblemData:
    return problem_from_network(tf_net)


def test_nivi_on_the_real_graph(tf_net: Network, tf: ProblemData) -> None:
    plan = nivi_2023(tf)
    m = evaluate(plan, tf)
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
    assert regions.at["Sør-Varanger", "mean_minutes"] == 0.0
    assert regions.at["Altaregionen", "counties"] == "55;56"  # Kvænangen lies in Troms
    assert regions.at["Tromsøregionen", "population"] == int(
        munis.loc[list(plan.members("Tromsøregionen")), "population"].sum())


def test_nivi_audit_against_default_scenario(tf: ProblemData) -> None:
    scen = load_scenario(default_scenario_path())
    plan = nivi_2023(tf)
    result = audit(plan, tf, scen)
    # NIVI meets the default scenario (12 connected regions around their largest member,
    # Kvænangen with Alta), so the scenario's optimum can be no worse than NIVI's
    assert result.ok, result.violations
    assert result.travel_term == evaluate(plan, tf).summary["person_minutes"]
    borders = audit(plan, tf, replace_key(scen, "constraints.respect_county_borders", True))
    assert [(v.constraint, v.where) for v in borders.violations
            if v.constraint.endswith("county_borders")] == [
        ("constraints.respect_county_borders", "Altaregionen")]


def test_compare_nivi_with_kvaenangen_moved(tf: ProblemData) -> None:
    nivi = nivi_2023(tf)
    assignment = dict(nivi.assignment)
    assignment["5546"] = "Nord-Troms"
    other = Plan(assignment=assignment, cores=dict(nivi.cores), name="variant")
    cmp = compare(nivi, other, tf)
    assert cmp.moves[["kommunenummer", "from_region", "to_region", "to_region_matches"]
                     ].values.tolist() == [["5546", "Altaregionen", "Nord-Troms", "Nord-Troms"]]
    assert compare(nivi, nivi, tf).moves.empty
