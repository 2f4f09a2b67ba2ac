"""``regionopt atlas`` end to end on three small counties, and its front page in Chromium."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from chromium import OfflinePage, chromium

from regionopt import cli

COUNTIES = {"03": "oslo", "31": "ostfold", "39": "vestfold"}
MUNICIPALITIES = 1 + 12 + 6


@pytest.fixture(scope="module")
def atlas(norway_net: Any, data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The atlas of Oslo, Østfold and Vestfold (the national network built once, cached)."""
    out = tmp_path_factory.mktemp("atlas") / "atlas"
    code = cli.main(["atlas", "--area", "Oslo, østfold, Vestfold", "--out", str(out),
                     "--workers", "1", "--data-dir", str(data_dir), "-q"])
    assert code == 0
    return out


def test_every_county_gets_its_folder_and_row(atlas: Path) -> None:
    table = pd.read_csv(atlas / "atlas.csv", dtype={"county": str})
    assert list(table["county"]) == sorted(COUNTIES)
    assert list(table["folder"]) == [COUNTIES[c] for c in sorted(COUNTIES)]
    assert set(table["status"]) == {"optimal"} and (table["gap"].fillna(0) <= 0.005).all()
    assert table["population"].sum() == 717710 + 312152 + 256432
    assert pd.read_parquet(atlas / "atlas.parquet")["county"].tolist() == list(table["county"])
    for folder in COUNTIES.values():
        files = {p.name for p in (atlas / folder).iterdir()}
        assert {"plan.csv", "plan.geojson", "metrics.json", "scenario.toml", "map.html",
                "compare_ba-2020.html", "compare_economic-regions.html"} <= files
        metrics = json.loads((atlas / folder / "metrics.json").read_text(encoding="utf-8"))
        assert metrics["status"] == "optimal"
        assert len(metrics["regions"]) == metrics["plan"]["regions"]
        assert {r["criterion"] for r in metrics["criteria"]["rows"]} >= {"population",
                                                                         "self_containment"}
        assert set(metrics["references"]) == {"ba-2020", "economic-regions"}
    assert (atlas / "index.html").stat().st_size < 8_000_000


def test_two_tiers_kommuneregioner_first_labour_market_second(atlas: Path) -> None:
    table = pd.read_csv(atlas / "atlas.csv", dtype={"county": str})
    second = pd.read_csv(atlas / "labour-market" / "atlas.csv", dtype={"county": str})
    assert list(table["second_regions"]) == list(second["regions"])
    assert json.loads((atlas / "ostfold" / "metrics.json").read_text(
        encoding="utf-8"))["scenario"] == "kommuneregioner (31)"
    assert json.loads((atlas / "labour-market" / "ostfold" / "metrics.json").read_text(
        encoding="utf-8"))["scenario"] == "functional (31)"
    page = (atlas / "index.html").read_text(encoding="utf-8")
    assert "kommuneregioner" in page and "functional (mappen labour-market/)" in page
    assert 'href="labour-market/ostfold/map.html"' in page
    assert "arbeidsmarked (functional)" in page and "6 4" in page  # the second layer


def test_a_reference_crossing_the_border_is_cut_and_named(atlas: Path) -> None:
    # the BA-region around Oslo reaches into Akershus: cut at the border, and the page says so
    metrics = json.loads((atlas / "oslo" / "metrics.json").read_text(encoding="utf-8"))
    cut = metrics["references"]["ba-2020"]["cut_at_border"]
    assert cut == ["5 Oslo/Bærum"]
    page = (atlas / "oslo" / "compare_ba-2020.html").read_text(encoding="utf-8")
    assert "delt ved den" in page and "5 Oslo/Bærum" in page


def test_a_second_run_resumes_and_writes_the_same_bytes(atlas: Path, data_dir: Path,
                                                        caplog: pytest.LogCaptureFixture) -> None:
    before = {p: p.read_bytes() for p in (atlas / "index.html", atlas / "atlas.csv",
                                          atlas / "vestfold" / "plan.csv",
                                          atlas / "ostfold" / "compare_ba-2020.html")}
    with caplog.at_level("INFO", logger="regionopt"):  # pages now on two processes
        assert cli.main(["atlas", "--area", "03,31,39", "--out", str(atlas), "--workers", "2",
                         "--data-dir", str(data_dir)]) == 0
    assert "3 already finished, 0 to solve" in caplog.text
    assert {p: p.read_bytes() for p in before} == before


def test_an_unknown_area_is_one_line_and_exit_2(tmp_path: Path, data_dir: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["solve", "--area", "nordlnd"], ["atlas", "--area", "nordlnd"],
                 ["sweep", "--area", "herøy", "--vary", "regions.count=2,3"]):
        code = cli.main([*argv, "--out", str(tmp_path / "out"), "--data-dir", str(data_dir)])
        err = capsys.readouterr().err
        assert code == 2 and err.count("\n") == 1, err
        assert "unknown area 'nordlnd' (close: Nordland" in err or "ambiguous" in err
    assert not (tmp_path / "out").exists()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as b:
        yield b


@pytest.mark.browser
def test_the_front_page_in_chromium_offline(atlas: Path, browser: Any) -> None:
    page = OfflinePage(browser, atlas / "index.html",
                       ready="window.regionopt && window.regionoptMaps "
                             "&& window.regionoptMaps.length === 1")
    drawn = page.js("() => document.querySelectorAll('path.rg-muni').length")
    assert drawn == MUNICIPALITIES
    rows = page.js("""() => [...document.querySelectorAll('.rg-atlas-table tbody tr')]
        .map(r => [r.dataset.county, r.querySelector('a').getAttribute('href')])""")
    assert rows == [[c, f"{COUNTIES[c]}/map.html"] for c in sorted(COUNTIES)]
    assert page.js("() => document.documentElement.lang") == "nb"
    layers = page.js("() => [...document.querySelectorAll('.leaflet-control-layers-overlays "
                     "label')].map(l => l.textContent.trim())")
    assert "arbeidsmarked (functional)" in layers
    # the table below does not squeeze the map: it keeps most of the window's height
    height = page.js("() => document.querySelector('.folium-map').getBoundingClientRect().height")
    assert height > 600
    assert page.clean(), (page.errors, page.requests, page.dialogs)
