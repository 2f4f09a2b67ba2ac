"""Tests of regionopt.evaluate.scenario_audit: each scenario constraint a plan can break,
and the gap to the optimum."""

from __future__ import annotations

import math

import numpy as np
import pytest
from handmade import PLAN_A, make_plan, path_problem

from regionopt.data.reference import nivi_2023
from regionopt.errors import ScenarioError
from regionopt.evaluate.metrics import evaluate
from regionopt.evaluate.report import audit_to_dict, format_audit
from regionopt.evaluate.scenario_audit import audit, gap_percent
from regionopt.plan import Plan
from regionopt.problem import ProblemData
from regionopt.scenario import default_scenario_path, load_scenario, parse_scenario, replace_key


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
        ("constraints.must_link", "1003-1004"),
        ("constraints.cannot_link", "1004-1006"),
        ("constraints.fixed_cores", "1005")]
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



# --------------------------------------------------------------------------- real data

def test_nivi_audit_against_default_scenario(tf_net_problem: ProblemData) -> None:
    scen = load_scenario(default_scenario_path())
    plan = nivi_2023(tf_net_problem)
    result = audit(plan, tf_net_problem, scen)
    # NIVI meets the default scenario (12 connected regions around their largest member,
    # Kvænangen with Alta), so the scenario's optimum can be no worse than NIVI's
    assert result.ok, result.violations
    assert result.travel_term == evaluate(plan, tf_net_problem).summary["person_minutes"]
    borders = audit(plan, tf_net_problem,
                    replace_key(scen, "constraints.respect_county_borders", True))
    assert [(v.constraint, v.where) for v in borders.violations
            if v.constraint.endswith("county_borders")] == [
        ("constraints.respect_county_borders", "Altaregionen")]



def test_audit_reports_the_gap_in_the_scenarios_weighted_objective() -> None:
    # PLAN_A: North 100+50+30 = 180 inhabitants, South 200+10+40 = 250; travel
    # 50·10 + 30·20 + 10·10 + 40·20 = 2000 person-minutes; balance |180 − 215| + |250 − 215| = 70
    # (P/K = 430/2). With balance weight 4 the objective is 2000 + 4·70 = 2280.
    s = parse_scenario({"name": "t", "regions": {"count": 2},
                        "constraints": {"contiguity": False},
                        "objective": {"travel": 1.0, "balance": 4.0}})
    result = audit(PLAN_A, path_problem(), s, optimum=1600.0, optimum_objective=2000.0)
    assert result.objective == pytest.approx(2280.0)
    assert result.objective_gap_percent == pytest.approx(14.0)
    assert result.gap_percent == pytest.approx(25.0)  # travel only
    text = format_audit(result)
    assert "objective as the scenario weighs it: 2 280, optimum 2 000, gap 14.00 %" in text
    assert audit_to_dict(result)["objective_gap_percent"] == 14.0
    plain = audit(PLAN_A, path_problem(), scenario(), optimum=1600.0, optimum_objective=1600.0)
    assert "objective as the scenario weighs it" not in format_audit(plain)  # travel alone
