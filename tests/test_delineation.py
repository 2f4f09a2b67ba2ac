"""regionopt.delineation: the [delineation] table, parsed, checked and written back."""

from __future__ import annotations

import tomllib

import pytest

from regionopt.delineation import DelineationConfig
from regionopt.errors import ScenarioError
from regionopt.scenario import (
    Scenario,
    load_scenario,
    parse_scenario,
    replace_key,
    scenario_to_dict,
    scenario_to_toml,
)


def test_defaults_leave_every_scenario_as_it_was() -> None:
    s = load_scenario("data/geo/scenarios/norway-ba-calibrated.toml")
    assert s.delineation == DelineationConfig()
    assert "delineation" not in scenario_to_toml(s)
    assert "delineation" not in scenario_to_dict(s)


def test_the_table_round_trips_through_toml_and_replace_key() -> None:
    s = replace_key(Scenario(name="t"), "delineation.travel_steps", [[75, 0.08], [45, 0.06]])
    s = replace_key(s, "delineation.centre_max_out", 0.25)
    s = replace_key(s, "delineation.restkommune", True)
    s = replace_key(s, "delineation.share_max_minutes", 75)
    s = replace_key(s, "area.travel_times", "grid")
    assert (s.delineation.share_max_minutes, s.area.travel_times) == (75.0, "grid")
    assert s.delineation.travel_steps == ((45.0, 0.06), (75.0, 0.08))
    assert parse_scenario(tomllib.loads(scenario_to_toml(s))) == s
    assert parse_scenario(scenario_to_dict(s)) == s
    assert replace_key(s, "delineation.centre_max_out", None).delineation.centre_max_out is None


@pytest.mark.parametrize(("key", "value", "words"), [
    ("join_share", 1.5, "share from 0 to 1"),
    ("join_measure", "both", "must be one of out, in, sum"),
    ("travel_steps", [[45, 0.06], [45, 0.08]], "more than once"),
    ("travel_steps", [45, 0.06], "[minutes, share] pairs"),
    ("admit_to", "region", "must be \"out\""),
    ("cb_steps", 0, "at least 1"),
    ("share_max_minutes", -5, "minutes"),
    ("colour", 1, "not a known key"),
])
def test_a_bad_value_is_one_line_naming_the_key(key: str, value: object, words: str) -> None:
    raw = {"delineation": {key: value}}
    if key == "admit_to":
        raw["delineation"]["admit_measure"] = "sum"
    with pytest.raises(ScenarioError, match=f"delineation.{key}|delineation.admit_measure") as e:
        parse_scenario(raw, source="s.toml")
    assert words in str(e.value) and "\n" not in str(e.value)


def test_an_unknown_travel_matrix_is_one_line_naming_the_key() -> None:
    with pytest.raises(ScenarioError, match=r"area\.travel_times") as e:
        parse_scenario({"area": {"travel_times": "osm"}}, source="s.toml")
    assert "must be one of centre, grid" in str(e.value) and "\n" not in str(e.value)


def test_small_flows_left_out_cannot_price_border_commuters() -> None:
    raw = {"delineation": {"kept_min_flow": 10}, "objective": {"commuting": 100.0}}
    with pytest.raises(ScenarioError, match=r"delineation\.kept_min_flow") as e:
        parse_scenario(raw, source="s.toml")
    assert "objective.commuting" in str(e.value) and "\n" not in str(e.value)
