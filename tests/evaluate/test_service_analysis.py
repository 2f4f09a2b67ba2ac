"""The service analysis on real data: NIVI's plan for Troms og Finnmark with the catalogue.

What issue 21 is judged by: every catalogue service covered, every area a union of whole
regions that meets its rule or says why, legevakt areas within 30 000-100 000 or named,
no region of three or more members hosting everything at its core with balance on, each
member's hosted staff against its population share, and the figures adding up to the
catalogue's staff rates times the population.
"""

from __future__ import annotations

import dataclasses

import pytest

from regionopt.catalogue import load_catalogue
from regionopt.data import reference
from regionopt.evaluate.services import (
    analyse_services,
    format_services,
    hosting_table,
    service_defaults,
    services_scenario,
    services_summary,
    services_table,
)
from regionopt.scenario import SolverConfig


@pytest.fixture(scope="module")
def nivi(tf_net_problem):
    plan = reference.nivi_2023(tf_net_problem)
    scenario = dataclasses.replace(service_defaults(), solver=SolverConfig(name="highs"))
    return plan, tf_net_problem, analyse_services(plan, tf_net_problem, scenario)


def test_every_service_and_municipality_is_covered(nivi) -> None:
    plan, problem, a = nivi
    table = services_table(a)
    assert list(dict.fromkeys(table["service"])) == [s.key for s in load_catalogue()]
    for key, part in table.groupby("service"):
        members = sorted(c for m in part["members"] for c in m.split())
        assert members == sorted(problem.codes), key
    for row in table.itertuples():
        regions = row.regions.split("; ")
        assert sorted(row.members.split()) == sorted(c for r in regions for c in plan.members(r))
        assert row.meets == (row.reason == "")
        assert row.host in row.members.split()


def test_legevakt_areas_hold_30_to_100_thousand_or_say_why(nivi) -> None:
    table = services_table(nivi[2])
    legevakt = table[table["service"] == "legevakt"]
    for row in legevakt.itertuples():
        assert (30000 <= row.inhabitants <= 100000 and row.longest_trip <= 60) or row.reason


def test_balance_spreads_hosting_and_adds_up(nivi) -> None:
    plan, problem, a = nivi
    summary = services_summary(a)["hosting"]
    assert summary["status"] == "optimal"
    assert summary["balanced"]["regions_all_at_core"] == []
    assert len(summary["traditional"]["regions_all_at_core"]) == sum(
        len(plan.members(r)) >= 3 for r in plan.regions)
    assert summary["traditional"]["core_share"] == pytest.approx(1.0)
    assert summary["balanced"]["core_share"] < 1.0
    assert summary["balanced"]["deviation"] < summary["traditional"]["deviation"]
    rate = sum(s.staff_per_1000 for s in load_catalogue())
    expected = rate * int(problem.population.sum()) / 1000
    assert summary["staff_total"] == pytest.approx(expected)
    table = hosting_table(a)
    assert table["staff"].sum() == pytest.approx(expected)
    assert table["core_staff"].sum() == pytest.approx(expected)
    for region, part in table.groupby("region"):
        assert part["share"].sum() == pytest.approx(1.0), region
        assert part["population_share"].sum() == pytest.approx(1.0), region
        if len(part) >= 2:
            assert (part["services_hosted"] != "").all(), region


def test_text_report_names_both_models(nivi) -> None:
    text = format_services(nivi[2])
    assert "balanced" in text and "traditional" in text and "legevakt" in text
    assert services_scenario(None) is not None
    assert services_scenario(dataclasses.replace(service_defaults(), services=dataclasses.replace(
        service_defaults().services, enabled=False))) is None


def test_inhabitants_within_reach_of_each_host(nivi) -> None:
    """Issue 29: the share of an area's inhabitants within 45/60/75 minutes of its host, by
    the rule of the regions' figures (docs/metrics.md, "Inhabitants within reach")."""
    _, problem, a = nivi
    table = services_table(a)
    pop = dict(zip(problem.codes, problem.population.tolist(), strict=True))
    for row in table.itertuples():
        members = sorted(row.members.split())
        for m, host, col in ((60, row.host, "within_60"), (45, row.core_host, "core_within_45")):
            near = sum(pop[c] for c in members
                       if problem.minutes[problem.index(c), problem.index(host)] <= m)
            assert getattr(row, col) == pytest.approx(near / sum(pop[c] for c in members))
        assert row.within_45 <= row.within_60 <= row.within_75
    summary = services_summary(a)["per_service"]
    for key, part in table.groupby("service"):
        weights = part["inhabitants"] / part["inhabitants"].sum()
        assert summary[key]["within"]["60"] == pytest.approx((part["within_60"] * weights).sum())
        assert summary[key]["core_within"]["75"] == pytest.approx(
            (part["core_within_75"] * weights).sum())
    assert "within 60 min of host" in format_services(a)
