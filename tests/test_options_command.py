"""``regionopt options`` on the real data (regionopt.cli.options).

The issue's judgement: Kvænangen under the Troms og Finnmark functional scenario lists at
least two directions, each proven optimal, and names the municipalities that move; ``--all``
writes a row per municipality and direction (here on a small area; all of Troms og Finnmark
is in benchmarks/bench_options.py). Bad input is one line and exit code 2.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from regionopt.cli import main

FUNCTIONAL = (Path(__file__).resolve().parent.parent / "data" / "geo" / "scenarios"
              / "troms-finnmark-functional.toml")
EAST = ["5605", "5607", "5628", "5630", "5632", "5634", "5636"]  # East Finnmark


def test_kvaenangen_lists_its_directions_with_their_prices(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "kv"
    # --prune keeps this test short; every direction solved: tests/sweep/test_options.py
    code = main(["options", "--scenario", str(FUNCTIONAL), "--municipality", "Kvænangen",
                 "--out", str(out), "--no-map", "--prune"])
    printed = capsys.readouterr().out
    assert code == 0
    table = pd.read_csv(out / "options.csv", dtype={"municipality": str, "direction": str})
    solved = table[table["status"] == "optimal"]
    assert len(solved) >= 2 and set(table["municipality"]) == {"5546"}
    assert {"Alta", "Nordreisa"} <= set(solved["direction_name"])
    assert "Tromsø" in set(table["direction_name"])
    pruned = table[table["status"] == "pruned"]
    assert len(pruned) and pruned["reason"].str.startswith("pruned: bound ").all()
    assert (pruned["bound"] > solved["objective"].max()).all()
    assert (table["price"].dropna() >= -1e-6).all()
    assert "Kvænangen (5546)" in printed and "Tromsø: pruned: bound" in printed
    assert "released: must_link 5546-5601" in printed
    # a change is labelled as one, beside the plan's total; the current direction as current
    current = [ln for ln in printed.splitlines() if "[current" in ln]
    assert len(current) == 1 and "plan person-minutes " in current[0]
    assert "(current)" in current[0] and "price" not in current[0]
    others = [ln for ln in printed.splitlines() if ": optimal" in ln and "[current" not in ln]
    assert others and all(re.search(r"price \+[\d ]+, Δ person-minutes [+-][\d ]+ \(plan "
                                    r"[\d ]+\)", ln) for ln in others), others
    doc = json.loads((out / "options.json").read_text(encoding="utf-8"))
    assert set(doc["municipalities"]["5546"]["plans"]) >= set(solved["direction"])
    assert pd.read_parquet(out / "options.parquet").shape == table.shape
    assert not (out / "options.html").exists()


def test_all_writes_a_row_per_municipality_and_direction_and_resumes(tmp_path: Path) -> None:
    scenario = tmp_path / "east.toml"
    scenario.write_text(
        'name = "east"\n[area]\nmunicipalities = [' + ", ".join(f'"{c}"' for c in EAST)
        + ']\n[regions]\nmin_count = 2\nmax_count = 3\n[constraints]\ncontiguity = true\n'
        '[solver]\nname = "highs"\n', encoding="utf-8")
    out = tmp_path / "all"
    args = ["options", "--scenario", str(scenario), "--all", "--out", str(out),
            "--workers", "1", "--quiet"]
    assert main(args) == 0
    table = pd.read_csv(out / "options.csv", dtype={"municipality": str, "direction": str})
    assert set(table["municipality"]) == set(EAST)
    assert (table.groupby("municipality")["current"].sum() == 1).all()
    assert not table.duplicated(["municipality", "direction"]).any()
    assert (out / "options.html").is_file()
    stamp = {p.name: p.stat().st_mtime_ns for p in (out / "municipalities").iterdir()}
    assert main(args) == 0  # resumed: no municipality priced again
    assert stamp == {p.name: p.stat().st_mtime_ns for p in (out / "municipalities").iterdir()}
    for seconds in ("0", "5"):  # another mode or time: priced again, then resumed
        bounds = [*args, "--bounds-only", "--no-plan-seconds", seconds]
        assert main(bounds) == 0
        again = {p.name: p.stat().st_mtime_ns for p in (out / "municipalities").iterdir()}
        assert all(again[name] != stamp[name] for name in stamp)
        assert main(bounds) == 0
        assert again == {p.name: p.stat().st_mtime_ns for p in (out / "municipalities").iterdir()}
        stamp = again


@pytest.mark.parametrize(("extra", "words"), [
    (["--municipality", "Atlantis"], "no municipality of the scenario's area"),
    (["--municipality", "Tromsx"], "(close: Tromsø (5501"),
    (["--municipality", "Oslo"], "(Oslo, 0301, is outside it)"),
    (["--municipality", "Finnmark"], "give one municipality"),
    (["--all", "--workers", "0"], "--workers must be 1 or more"),
    (["--all", "--bounds-only", "--no-plan-seconds", "-1"], "--no-plan-seconds must be 0"),
    (["--all", "--bounds-only", "--no-plan-seconds", "nan"], "--no-plan-seconds must be 0"),
])
def test_bad_input_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                               extra: list[str], words: str) -> None:
    out = tmp_path / "o"
    code = main(["options", "--scenario", str(FUNCTIONAL), "--out", str(out), "--quiet",
                 *extra])
    err = capsys.readouterr().err
    assert code == 2 and words in err and len(err.strip().splitlines()) == 1
    assert not out.exists()


def test_the_no_plan_default_is_the_library_s() -> None:
    """``--no-plan-seconds`` defaults to :data:`regionopt.sweep.options.price.NO_PLAN_LIMIT_S`."""
    from regionopt.cli import build_parser
    from regionopt.sweep.options.price import NO_PLAN_LIMIT_S

    args = build_parser().parse_args([
        "options", "--scenario", str(FUNCTIONAL), "--all", "--out", "o"])
    assert args.no_plan_seconds == NO_PLAN_LIMIT_S


def test_municipality_names_resolve_as_area_names_do() -> None:
    """Letters without diacritics, any case, Sami names and codes (issue 31)."""
    from regionopt.cli.options import named_municipalities
    from regionopt.scenario import load_scenario

    scenario = load_scenario(FUNCTIONAL)
    assert named_municipalities(["Tromso", "5501", "KVÆNANGEN", "kvaenangen", "Guovdageaidnu",
                                 "Karasjohka", "gaivuotna"],
                                scenario) == ["5501", "5546", "5612", "5610", "5540"]


def test_a_bad_municipality_is_refused_before_any_data_is_loaded(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    from regionopt import api

    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("the network was built before --municipality was checked")

    monkeypatch.setattr(api, "network_for_scenario", no_network)
    code = main(["options", "--scenario", str(FUNCTIONAL), "--municipality", "Tromsx",
                 "--out", str(tmp_path / "o"), "--quiet"])
    assert code == 2 and "close: Tromsø" in capsys.readouterr().err
