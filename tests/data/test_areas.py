"""Area names as people write them (real county and municipality names from the data)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from regionopt.data.areas import area_choice, fold, plain, resolve_area, scenario_for_area
from regionopt.errors import DataError
from regionopt.scenario import load_scenario

REPO = Path(__file__).resolve().parents[2]


def _counties(data_dir: Path) -> dict[str, str]:
    features = json.loads((data_dir / "kartverket" / "Fylker-S.geojson").read_text("utf-8"))
    return {f["properties"]["fylkesnummer"]: f["properties"]["name"]
            for f in features["features"]}


def _ascii(name: str) -> str:
    return name.replace("ø", "o").replace("å", "a").replace("æ", "ae").replace("Ø", "O")


def test_every_county_by_its_name_in_every_spelling(data_dir: Path) -> None:
    counties = _counties(data_dir)
    assert len(counties) == 15
    for code, name in counties.items():
        expected = resolve_area([code], data_dir=data_dir)
        for spelling in (name, name.lower(), name.upper(), name.replace(" ", "-").lower(),
                         _ascii(name).replace(" ", "-").lower(), f"  {name}  "):
            choice = area_choice(spelling, data_dir=data_dir)
            assert choice.codes == expected, spelling
            assert choice.counties == (code,) and choice.municipalities == ()
            assert choice.label == name


@pytest.mark.parametrize(("text", "counties", "n"), [
    ("nordland", ("18",), 41), ("Møre og Romsdal", ("15",), 27), ("more-og-romsdal", ("15",), 27),
    ("moere og romsdal", ("15",), 27), ("mare-og-romsdal", ("15",), 27),
    ("troms", ("55",), 21), ("finnmark", ("56",), 18),
    ("troms-og-finnmark", ("55", "56"), 39), ("Troms og Finnmark", ("55", "56"), 39),
    ("troms-finnmark", ("55", "56"), 39), ("vestland", ("46",), 43), ("TRØNDELAG", ("50",), 38),
    ("Romsa", ("55",), 21), ("nordland, troms", ("18", "55"), 62), ("18", ("18",), 41),
])
def test_county_names_and_aliases(data_dir: Path, text: str, counties: tuple[str, ...],
                                  n: int) -> None:
    choice = area_choice(text, data_dir=data_dir)
    assert choice.counties == counties
    assert len(choice.codes) == n


def test_municipality_names_and_codes(data_dir: Path) -> None:
    assert area_choice("Tromsø", data_dir=data_dir).municipalities == ("5501",)
    assert area_choice("tromso", data_dir=data_dir).codes == ("5501",)
    assert area_choice("Guovdageaidnu", data_dir=data_dir).codes == ("5612",)  # Sami name
    assert area_choice("Ålesund,alta", data_dir=data_dir).codes == ("1508", "5601")
    assert area_choice("5501", data_dir=data_dir).codes == ("5501",)
    # a municipality inside a named county adds nothing
    assert area_choice("troms,tromsø", data_dir=data_dir).municipalities == ()
    assert area_choice("Oslo", data_dir=data_dir).counties == ("03",)  # county and municipality
    # --municipality asks for the municipality of a name a county shares
    oslo = area_choice("Oslo", data_dir=data_dir, prefer="municipality")
    assert (oslo.counties, oslo.municipalities) == ((), ("0301",))
    assert area_choice("Finnmark", data_dir=data_dir, prefer="municipality").counties == ("56",)
    assert len(area_choice("norge", data_dir=data_dir).codes) == 357
    assert area_choice("norway", data_dir=data_dir).counties == ()


@pytest.mark.parametrize(("text", "shown"), [
    ("herøy", ["Herøy (1515, Møre og Romsdal)", "Herøy (1818, Nordland)"]),
    ("Valer", ["Våler (3114, Østfold)", "Våler (3419, Innlandet)"]),
])
def test_an_ambiguous_name_is_one_line_listing_what_it_may_mean(data_dir: Path, text: str,
                                                               shown: list[str]) -> None:
    with pytest.raises(DataError) as info:
        area_choice(text, data_dir=data_dir)
    message = str(info.value)
    assert "\n" not in message and "ambiguous" in message
    assert all(s in message for s in shown)


def test_an_unknown_name_lists_the_close_ones(data_dir: Path) -> None:
    with pytest.raises(DataError, match=r"unknown area 'nordlnd' \(close: Nordland") as info:
        area_choice("nordlnd", data_dir=data_dir)
    assert "\n" not in str(info.value)
    with pytest.raises(DataError, match=r"unknown area 'xyzzy'; give"):
        area_choice("xyzzy", data_dir=data_dir)
    with pytest.raises(DataError, match="unknown municipality or county code '5599'"):
        area_choice("5599", data_dir=data_dir)


def test_no_two_areas_share_a_spelling_unless_they_share_their_name(data_dir: Path) -> None:
    from regionopt.data.areas import _names, source_options

    index = _names(source_options(data_dir, None, None))
    shared = {key for key, areas in index.items()
              if len({(a.counties, a.municipalities) for a in areas}) > 1}
    assert shared == {"oslo", "heroy", "heray", "heroey", "valer", "vaaler"}


def test_fold_spells_out_norwegian_letters() -> None:
    assert {"more og romsdal", "moere og romsdal", "mare og romsdal"} == fold("Møre-og_Romsdal")
    assert "baerum" in fold("Bærum") and "aalesund" in fold("Ålesund")
    assert "finnmarku" in fold("Finnmárku")
    assert plain("Møre og Romsdal") == "more og romsdal" and plain("Østfold") == "ostfold"


def test_the_area_named_wins_and_rules_outside_are_dropped_with_a_note(data_dir: Path) -> None:
    base = load_scenario(REPO / "data" / "geo" / "scenarios" / "troms-finnmark-12.toml")
    scenario, notes = scenario_for_area(base, "nordland", data_dir=data_dir)
    assert scenario.area.counties == ("18",) and scenario.area.municipalities == ()
    assert scenario.name == "troms-finnmark-12 (Nordland)"
    assert scenario.constraints.must_link == ()
    assert notes == ["constraints.must_link: 5546-5601 dropped, outside the study area"]
    same, notes = scenario_for_area(base, None, data_dir=data_dir)
    assert same.constraints.must_link == base.constraints.must_link and notes == []
