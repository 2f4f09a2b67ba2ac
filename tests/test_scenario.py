"""Scenario files: defaults, round trips, dotted overrides, one-line errors."""

from __future__ import annotations

import re
import tomllib

import pytest

from regionopt._resources import geo_file
from regionopt.errors import ScenarioError
from regionopt.scenario import (
    Scenario,
    default_scenario_path,
    load_scenario,
    parse_scenario,
    replace_key,
    scenario_to_toml,
)

BASE = """
name = "t"
[area]
counties = ["55", "56"]
[regions]
count = 12
[constraints]
max_travel_minutes = 180
must_link = [["5546", "5601"]]
[solver]
name = "highs"
"""


def test_default_scenario_is_the_issue_example():
    s = load_scenario(default_scenario_path())
    assert s.name == "troms-finnmark-12"
    assert s.area.counties == ("55", "56")
    assert s.regions.count == 12
    assert s.constraints.contiguity and s.constraints.core_is_largest
    assert s.constraints.must_link == (("5546", "5601"),)
    assert s.constraints.max_travel_minutes is None
    assert (s.solver.name, s.solver.time_limit_s, s.solver.mip_gap, s.solver.threads) == \
        ("cbc", 120.0, 0.0, 2)


def test_defaults_fill_every_key():
    s = parse_scenario({})
    assert s == Scenario()
    assert s.constraints.min_population == 0 and s.constraints.max_population is None
    assert s.objective.travel == 1.0 and s.objective.balance == 0.0


@pytest.mark.parametrize("text", [BASE, scenario_to_toml(Scenario())])
def test_toml_round_trip(tmp_path, text):
    s = parse_scenario(tomllib.loads(text))
    out = scenario_to_toml(s)
    assert out == scenario_to_toml(s)  # deterministic
    path = tmp_path / "s.toml"
    path.write_text(out, encoding="utf-8")
    assert load_scenario(path) == s
    assert "max_population" in out and "time_limit_s" in out  # every key listed


def test_ints_accepted_for_floats_and_file_stem_names(tmp_path):
    path = tmp_path / "lofoten.toml"
    path.write_text("[constraints]\nmax_travel_minutes = 90\n", encoding="utf-8")
    s = load_scenario(path)
    assert s.name == "lofoten"
    assert s.constraints.max_travel_minutes == 90.0
    assert isinstance(s.constraints.max_travel_minutes, float)


def test_replace_key():
    s = parse_scenario(tomllib.loads(BASE))
    assert replace_key(s, "regions.count", 8).regions.count == 8
    assert replace_key(s, "constraints.max_travel_minutes", None).constraints \
        .max_travel_minutes is None
    free = replace_key(replace_key(s, "regions.count", None), "regions.max_count", 9)
    assert (free.regions.count, free.regions.max_count) == (None, 9)
    assert s.regions.count == 12  # unchanged
    with pytest.raises(ScenarioError, match=r"regions\.cnt is not a known key"):
        replace_key(s, "regions.cnt", 3)
    with pytest.raises(ScenarioError, match=r"regions\.count must be an integer, got true"):
        replace_key(s, "regions.count", True)


BAD = [
    ('bogus = 1', "bogus is not a known key"),
    ('[regions]\ncount = 3\nextra = 1', "regions.extra is not a known key"),
    ('[tables]\na = 1', "tables is not a known key"),
    ('regions = 3', "regions must be a table, got 3"),
    ('name = 3', "name must be a non-empty string, got 3"),
    ('[regions]\ncount = 0', "regions.count must be at least 1, got 0"),
    ('[regions]\ncount = true', "regions.count must be an integer, got true"),
    ('[regions]\ncount = 2.5', "regions.count must be an integer, got 2.5"),
    ('[regions]\ncount = "12"', 'regions.count must be an integer, got "12"'),
    ('[regions]\nmin_count = 5\nmax_count = 3', "regions.min_count must not exceed"),
    ('[regions]\ncount = 5\nmax_count = 6', "regions.max_count cannot be given together"),
    ('[area]\ncounties = ["555"]', 'area.counties must list 2-digit county codes, got "555"'),
    ('[area]\ncounties = "55"', 'area.counties must be a list of 2-digit county codes'),
    ('[area]\nmunicipalities = ["55011"]', "area.municipalities must list 4-digit"),
    ('[area]\nmunicipalities = [5501]', "area.municipalities must list 4-digit"),
    ('[area]\nmunicipalities = ["5501", "5501"]', "area.municipalities lists 5501 more than"),
    ('[constraints]\ncontiguity = 1', "constraints.contiguity must be true or false, got 1"),
    ('[constraints]\ncore_is_largest = "yes"', "constraints.core_is_largest must be true or"),
    ('[constraints]\nmax_travel_minutes = "ninety"',
     'constraints.max_travel_minutes must be a positive number, got "ninety"'),
    ('[constraints]\nmax_travel_minutes = -5', "constraints.max_travel_minutes must be a "
                                               "positive number, got -5"),
    ('[constraints]\nmax_travel_minutes = 0', "constraints.max_travel_minutes must be a "
                                              "positive number, got 0"),
    ('[constraints]\nmax_travel_minutes = nan', "constraints.max_travel_minutes must be"),
    ('[constraints]\nmax_travel_minutes = true', "constraints.max_travel_minutes must be"),
    ('[constraints]\nmin_population = -1', "constraints.min_population must be at least 0"),
    ('[constraints]\nmin_population = 10.5', "constraints.min_population must be an integer"),
    ('[constraints]\nmin_population = 100\nmax_population = 50',
     "constraints.min_population must not exceed constraints.max_population (50), got 100"),
    ('[constraints]\nmin_core_population = false', "constraints.min_core_population must be"),
    ('[constraints]\nmust_link = [["5501"]]', "constraints.must_link must hold pairs"),
    ('[constraints]\nmust_link = [["5501", "55x2"]]', "constraints.must_link must hold pairs"),
    ('[constraints]\nmust_link = ["5501", "5502"]', "constraints.must_link must hold pairs"),
    ('[constraints]\nmust_link = [["5501", "5501"]]',
     "constraints.must_link pairs a municipality with itself"),
    ('[constraints]\ncannot_link = [["5501", "5502"], ["5502", "5501"]]',
     "constraints.cannot_link lists a pair more than once"),
    ('[constraints]\nmust_link = [["5501", "5502"]]\ncannot_link = [["5502", "5501"]]',
     "constraints.cannot_link repeats a pair of constraints.must_link"),
    ('[constraints]\nfixed_cores = ["1"]', 'constraints.fixed_cores must list 4-digit'),
    ('[objective]\ntravel = -1', "objective.travel must not be negative, got -1"),
    ('[objective]\nbalance = "a lot"', 'objective.balance must be a non-negative number'),
    ('[solver]\nname = "gurobi"', 'solver.name must be one of cbc, highs, heuristic, got "gurobi"'),
    ('[solver]\nmip_gap = 1.0', "solver.mip_gap must be at least 0 and below 1, got 1.0"),
    ('[solver]\nmip_gap = -0.1', "solver.mip_gap must not be negative"),
    ('[solver]\ntime_limit_s = 0', "solver.time_limit_s must be a positive number, got 0"),
    ('[solver]\ntime_limit_s = 1e10', "solver.time_limit_s must be at most 604800 seconds"),
    ('[solver]\ntime_limit_s = inf', "solver.time_limit_s must be a positive number, got inf"),
    ('[solver]\ntime_limit_s = nan', "solver.time_limit_s must be a positive number, got nan"),
    ('[solver]\ntime_limit_s = -1', "solver.time_limit_s must be a positive number, got -1"),
    ('[solver]\nmip_gap = nan', "solver.mip_gap must be a non-negative number, got nan"),
    ('[solver]\nmip_gap = inf', "solver.mip_gap must be a non-negative number, got inf"),
    ('[solver]\nthreads = 100000', "solver.threads must be at most 256, got 100000"),
    ('[objective]\nbalance = inf', "objective.balance must be a non-negative number, got inf"),
    ('[criteria]\nlongest_trip_minutes = nan', "criteria.longest_trip_minutes must be a "),
    ('[solver]\nthreads = 0', "solver.threads must be at least 1, got 0"),
    ('[solver]\nthreads = 2.0', "solver.threads must be an integer, got 2.0"),
    ('[solver]\nmsg = true', "solver.msg is not a known key"),
    ('[solver]\nmax_nodes = 0', "solver.max_nodes must be at least 1, got 0"),
    ('[solver]\nmax_nodes = 1e3', "solver.max_nodes must be an integer"),
    ('[solver]\nmax_nodes = 3000000000', "solver.max_nodes must be at most 2147483647"),
    ('[constraints]\nmin_median_self_containment = 1.5',
     "constraints.min_median_self_containment must be"),
]


@pytest.mark.parametrize(("text", "message"), BAD)
def test_bad_scenarios_name_the_file_and_key(tmp_path, text, message):
    path = tmp_path / "scenario.toml"
    path.write_text(text + "\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    line = str(info.value)
    assert "\n" not in line
    assert line.startswith(f"{path}: ")
    assert message in line


def test_unreadable_files(tmp_path):
    with pytest.raises(ScenarioError, match="file not found"):
        load_scenario(tmp_path / "missing.toml")
    bad = tmp_path / "broken.toml"
    bad.write_text("[regions\ncount = 3\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"broken\.toml: not valid TOML") as info:
        load_scenario(bad)
    assert "\n" not in str(info.value)


def test_week_long_limit_accepted(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text("[solver]\ntime_limit_s = 604800\n", encoding="utf-8")
    assert load_scenario(path).solver.time_limit_s == 604800


def test_byte_order_mark_accepted(tmp_path):
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + BASE.encode("utf-8"))
    assert load_scenario(path) == parse_scenario(tomllib.loads(BASE), source="x")


def test_codes_without_their_leading_zero_accepted(tmp_path):
    path = tmp_path / "zeros.toml"
    path.write_text("""
[area]
counties = ["3"]
municipalities = ["301"]
[constraints]
must_link = [["301", "3101"]]
cannot_link = [["3103", "301"]]
fixed_cores = ["301"]
exceptions = [["301", "the capital"]]
""", encoding="utf-8")
    s = load_scenario(path)
    assert s.area.counties == ("03",) and s.area.municipalities == ("0301",)
    c = s.constraints
    assert c.must_link == (("0301", "3101"),) and c.cannot_link == (("3103", "0301"),)
    assert c.fixed_cores == ("0301",) and c.exceptions == (("0301", "the capital"),)


@pytest.mark.parametrize(("table", "message"), [
    ({"long_distance_minutes": 300}, "long_distance_minutes needs constraints.max_travel_minutes"),
    ({"max_travel_minutes": 132, "long_distance_minutes": 100},
     "long_distance_minutes must exceed constraints.max_travel_minutes (132)"),
    ({"max_travel_minutes": 132, "long_distance_minutes": -1},
     "long_distance_minutes must be a positive number"),
    ({"relative_self_containment": 1.5}, "relative_self_containment must be a share"),
    ({"relative_self_containment": 0.8, "min_self_containment": 0.7},
     "relative_self_containment cannot be given together"),
    ({"relative_self_containment": 0.8, "attainable_self_containment": True},
     "relative_self_containment cannot be given together"),
])
def test_kommuneregion_keys_are_checked(table, message):
    with pytest.raises(ScenarioError, match=re.escape(message)):
        parse_scenario({"constraints": table}, source="k.toml")


def test_kommuneregioner_toml_round_trips():
    s = load_scenario(geo_file("scenarios", "kommuneregioner.toml"))
    assert s.regions.count == "max" and s.constraints.long_distance_minutes == 295
    assert s.constraints.relative_self_containment == 0.86
    assert parse_scenario(tomllib.loads(scenario_to_toml(s))) == s
