"""The service catalogue (data/geo/services.toml) and a scenario's [services] table."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from regionopt._resources import geo_file
from regionopt.catalogue import RULE_KEYS, load_catalogue, services_for
from regionopt.errors import DataError, ScenarioError
from regionopt.scenario import parse_scenario, replace_key, scenario_to_toml

# Every service the seed documents name (NIVI 2023:3's recommended areas and balanced model),
# and legevakt from issue 21: the catalogue id that stands for each.
SEED_NAMES = {
    "Regionale IKT-organisasjoner": "ikt", "Administrative støttefunksjoner": "okonomi",
    "Oppgavefellesskap for tjenesteutvikling": "tjenesteutvikling",
    "Rekruttering og kompetanseutvikling": "kompetanse",
    "Felles helse- og sosialtjenester": "helse", "Pedagogisk utviklingssenter": "ppt",
    "Regionalt plankontor": "samfunnsutvikling", "Næring og innovasjon": "naring",
    "Beredskap og samfunnssikkerhet": "beredskap", "Plan og bygg": "plan_bygg",
    "Kart og oppmåling": "kart_oppmaling", "Klima og miljø": "klima_miljo",
    "Folkehelse": "folkehelse", "Vann og avløp": "vann_avlop", "Kultursamarbeid": "kultur",
    "Helsesamarbeid": "helse", "PPT og oppvekst": "ppt", "Kompetanse": "kompetanse",
    "Tjenestesamarbeid": "tjenesteutvikling", "Forvaltningskontor": "forvaltningskontor",
    "Samfunnsutvikling": "samfunnsutvikling", "Geodata": "geodata",
    "Advokatsamarbeid": "advokat", "Landbruk": "landbruk", "Barnevern": "barnevern",
    "Økonomisamarbeid": "okonomi", "HR og personal": "hr", "Brann": "brann",
    "Innkjøp": "innkjop", "NAV": "nav", "IKT": "ikt", "Beredskap": "beredskap",
    "legevakt": "legevakt",
}


def test_every_seed_service_is_in_the_catalogue_with_a_source_for_every_number() -> None:
    services = {s.key: s for s in load_catalogue()}
    for seed, key in SEED_NAMES.items():
        assert key in services, seed
        assert seed.lower() in (services[key].seed + " " + key).lower(), seed
    raw = tomllib.loads(geo_file("services.toml").read_text(encoding="utf-8"))
    for key, entry in raw.items():
        for rule in RULE_KEYS:
            if rule in entry:
                source = entry[f"{rule}_source"]
                assert source.strip(), (key, rule)


def test_the_issue_s_numbers_with_their_sources() -> None:
    s = {x.key: x for x in load_catalogue()}
    legevakt = s["legevakt"]
    assert (legevakt.floor, legevakt.max_population, legevakt.limit) == (30000, 100000, 60.0)
    assert "handlingsplan for legevakt" in legevakt.sources["min_population"]
    assert "2014" in legevakt.sources["max_travel_minutes"]
    assert s["barnevern"].min_staff == 5 and "Bufdir (2020)" in s["barnevern"].sources["min_staff"]
    assert s["barnevern"].floor == pytest.approx(5 / s["barnevern"].staff_per_1000 * 1000, abs=1)
    assert "Denmark" in s["ikt"].sources["min_population"] and s["ikt"].min_population == 30000
    assert "Denmark" in s["samfunnsutvikling"].sources["min_population"]


def test_scenario_overrides_round_trip() -> None:
    sc = parse_scenario({"services": {"enabled": True, "legevakt": {"min_population": 20000,
                                                                    "max_population": "none"},
                                      "kultur": {"enabled": False}}})
    got = {s.key: s for s in services_for(sc.services)}
    assert got["legevakt"].floor == 20000 and got["legevakt"].max_population is None
    assert "kultur" not in got
    assert parse_scenario(tomllib.loads(scenario_to_toml(sc))) == sc
    assert replace_key(sc, "services.barnevern.min_staff", 8).services.overrides[0] == (
        "barnevern", (("min_staff", 8),))


@pytest.mark.parametrize(("table", "message"), [
    ({"legevak": {}}, "services.legevak is neither a switch"),
    ({"legevakt": {"min_population": -1}}, "services.legevakt.min_population must be at least 0"),
    ({"legevakt": {"min_population": 200000}},
     "services.legevakt.min_population asks for at least 200000 inhabitants, more than"),
    ({"legevakt": {"colour": 1}}, "services.legevakt.colour is not a known key"),
    ({"ikt": {"max_travel_minutes": 30}}, "services.ikt.max_travel_minutes needs travel = true"),
    ({"nav": {"staff_per_1000": 0}}, "services.nav.min_staff needs a positive staff_per_1000"),
    ({"nav": {"hosts": ["55"]}}, "services.nav.hosts must list 4-digit kommunenummer"),
    ({"enabled": "yes"}, "services.enabled must be true or false"),
])
def test_bad_values_name_the_service_and_key(table, message) -> None:
    with pytest.raises(ScenarioError, match="^x.toml: " + message.replace(".", r"\.")):
        parse_scenario({"services": table}, source="x.toml")


def test_catalogue_without_a_source_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "services.toml"
    bad.write_text('[x]\nname = "x"\nmin_population = 5\n', encoding="utf-8")
    with pytest.raises(DataError, match=r"x\.min_population_source must name the source"):
        load_catalogue(str(bad))


def test_cli_refuses_a_bad_service_in_one_line(tmp_path: Path, data_dir: Path) -> None:
    scenario = tmp_path / "s.toml"
    scenario.write_text('[area]\ncounties = ["55"]\n[services.legevakt]\nmax_population = 10\n',
                        encoding="utf-8")
    out = tmp_path / "out"
    run = subprocess.run([sys.executable, "-m", "regionopt", "solve", "--scenario",
                          str(scenario), "--out", str(out)], capture_output=True, text=True,
                         check=False)
    assert run.returncode == 2
    assert run.stderr.strip().count("\n") == 0
    assert "services.legevakt.min_population" in run.stderr
    assert not out.exists()


def test_cli_refuses_a_forced_host_outside_the_rules(tmp_path: Path, data_dir: Path) -> None:
    scenario = tmp_path / "s.toml"
    scenario.write_text('[area]\ncounties = ["55", "56"]\n[regions]\ncount = 12\n'
                        '[solver]\nname = "highs"\n[services]\nenabled = true\n'
                        '[services.legevakt]\nhosts = ["5534"]\n', encoding="utf-8")
    out = tmp_path / "out"
    run = subprocess.run([sys.executable, "-m", "regionopt", "solve", "--quiet", "--no-maps",
                          "--scenario", str(scenario), "--out", str(out)],
                         capture_output=True, text=True, check=False)
    assert run.returncode == 2, run.stderr
    assert run.stderr.strip().splitlines() == [
        "regionopt: error: services.legevakt.hosts: 5534 cannot host the area hosted at 5501 "
        "(the service stays at the core)"]
    assert not out.exists()
