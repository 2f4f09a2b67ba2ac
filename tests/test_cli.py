"""The ``regionopt`` command line on the real data: files written, errors as one line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from regionopt.cli import main

TF_CODES = 39


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``python -m regionopt ARGS`` in a subprocess, as a user would."""
    return subprocess.run(
        [sys.executable, "-m", "regionopt", *args],
        capture_output=True, text=True, env={**os.environ, **(env or {})}, timeout=600,
        check=False,
    )


def assert_one_line_error(proc: subprocess.CompletedProcess[str], *needles: str) -> None:
    """Exit code 2, no traceback, and the error said in one line (after any progress lines)."""
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    errors = [ln for ln in proc.stderr.splitlines() if "error" in ln.lower()]
    assert len(errors) == 1, proc.stderr
    assert errors[0].startswith("regionopt: error: ")
    assert proc.stderr.rstrip("\n").endswith(errors[0])
    for needle in needles:
        assert needle in errors[0], errors[0]


@pytest.fixture(scope="module")
def solved(tmp_path_factory: pytest.TempPathFactory, data_dir: Path) -> Path:
    out = tmp_path_factory.mktemp("solve") / "tf"
    assert main(["solve", "--out", str(out), "--quiet", "--png"]) == 0
    return out


def test_data_info_lists_every_source(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["data", "info", "--data-dir", str(data_dir)]) == 0
    text = capsys.readouterr().out
    for name in ("Kommuner-S.geojson", "municipalities-2025.json", "cities1000-NO.csv",
                 "travelmapping"):
        assert name in text
    assert "MISMATCH" not in text.upper()


def test_network_build_writes_the_four_files(tmp_path: Path, data_dir: Path) -> None:
    out = tmp_path / "net"
    assert main(["network", "build", "--out", str(out), "--quiet"]) == 0
    muni = pd.read_csv(out / "municipalities.csv", dtype={"kommunenummer": str})
    assert len(muni) == TF_CODES
    mins = pd.read_csv(out / "travel_time_minutes.csv", dtype={"origin": str})
    assert mins.columns[0] == "origin"
    assert list(mins.columns[1:]) == list(mins["origin"]) == list(muni["kommunenummer"])
    adj = pd.read_csv(out / "adjacency.csv", dtype=str)
    assert list(adj.columns) == ["a", "b", "kind"]
    assert set(adj["kind"]) <= {"border", "road", "ferry"}
    assert (out / "road_graph.graphml").stat().st_size > 0
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".")]


def test_solve_writes_the_documented_folder(solved: Path) -> None:
    for name in ("plan.csv", "plan.geojson", "metrics.json", "scenario.toml", "map.html",
                 "compare_nivi.html", "plan.png", "inputs/municipalities.csv",
                 "inputs/travel_time_minutes.csv", "inputs/adjacency.csv"):
        assert (solved / name).is_file(), name
    plan = pd.read_csv(solved / "plan.csv", dtype={"kommunenummer": str, "core": str})
    assert list(plan.columns) == ["kommunenummer", "name", "region", "core", "population",
                                  "minutes_to_core"]
    assert plan["region"].nunique() == 12
    metrics = json.loads((solved / "metrics.json").read_text())
    assert metrics["status"] == "optimal"
    assert isinstance(metrics["objective"], float)
    assert metrics["gap"] == 0
    # the travel term is person-minutes from plan.csv
    person_minutes = float((plan["population"] * plan["minutes_to_core"]).sum())
    assert metrics["terms"]["travel"] == pytest.approx(person_minutes, rel=1e-6)
    assert metrics["reference"]["person_minutes"] > metrics["terms"]["travel"]
    regions = json.loads((solved / "plan.geojson").read_text())
    assert len(regions["features"]) == 12
    assert sum(f["properties"]["population"] for f in regions["features"]) == 244_663


def test_solve_is_deterministic(solved: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    assert main(["solve", "--out", str(again), "--quiet", "--png"]) == 0
    for name in ("plan.csv", "plan.geojson", "scenario.toml", "map.html", "compare_nivi.html",
                 "plan.png", "inputs/travel_time_minutes.csv", "inputs/adjacency.csv",
                 "inputs/municipalities.csv"):
        assert (again / name).read_bytes() == (solved / name).read_bytes(), name
    first = json.loads((solved / "metrics.json").read_text())
    second = json.loads((again / "metrics.json").read_text())
    first.pop("solve_seconds")
    second.pop("solve_seconds")
    assert first == second


def test_evaluate_and_compare_on_the_solve_inputs(solved: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    inputs = str(solved / "inputs")
    assert main(["evaluate", "--plan", "nivi", "--inputs", inputs, "--json"]) == 0
    nivi = json.loads(capsys.readouterr().out)
    assert nivi["metrics"]["summary"]["regions"] == 12
    assert main(["compare", str(solved / "plan.csv"), "nivi", "--inputs", inputs]) == 0
    text = capsys.readouterr().out
    assert "person_minutes" in text


def test_evaluate_audits_against_a_scenario(solved: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    inputs = str(solved / "inputs")
    assert main(["evaluate", "--plan", "nivi", "--inputs", inputs, "--quiet",
                 "--scenario", str(solved / "scenario.toml"), "--json"]) == 0
    audit = json.loads(capsys.readouterr().out)["audit"]
    assert audit["gap_percent"] > 0


def test_map_draws_two_plans(solved: Path, tmp_path: Path) -> None:
    out = tmp_path / "m" / "nivi.html"
    assert main(["map", "--plan", str(solved / "plan.csv"), "--beside", "nivi",
                 "--out", str(out), "--quiet"]) == 0
    html = out.read_text()
    assert "<script src=" not in html and "Tromsøregionen" in html


def test_unknown_area_code_is_one_line_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "never"
    proc = run_cli("network", "build", "--area", "55,5599", "--out", str(out), "--quiet")
    assert_one_line_error(proc, "5599")
    assert not out.exists()


def test_bad_scenario_key_is_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "x"\n[regions]\ncount = 12\ncolour = "blue"\n')
    proc = run_cli("solve", "--scenario", str(bad), "--out", str(tmp_path / "o"))
    assert_one_line_error(proc, "regions.colour")
    assert not (tmp_path / "o").exists()


def test_bad_override_is_one_line(tmp_path: Path) -> None:
    proc = run_cli("solve", "--set", "regions.count=many", "--out", str(tmp_path / "o"))
    assert_one_line_error(proc, "regions.count")


def test_infeasible_scenario_explains_why(tmp_path: Path) -> None:
    proc = run_cli("solve", "--set", "constraints.max_travel_minutes=20",
                   "--out", str(tmp_path / "o"), "--quiet")
    assert_one_line_error(proc, "infeasible")
    assert not (tmp_path / "o").exists()


def test_plan_with_unknown_municipality_is_one_line(solved: Path, tmp_path: Path) -> None:
    plan = tmp_path / "plan.csv"
    plan.write_text("kommunenummer,region\n5501,A\n9999,B\n")
    proc = run_cli("evaluate", "--plan", str(plan), "--inputs", str(solved / "inputs"))
    assert_one_line_error(proc, "9999")


def test_missing_plan_file_is_one_line(tmp_path: Path) -> None:
    proc = run_cli("evaluate", "--plan", str(tmp_path / "nope.csv"))
    assert_one_line_error(proc, "nope.csv")


def test_missing_data_folder_is_one_line(tmp_path: Path) -> None:
    proc = run_cli("network", "build", "--out", str(tmp_path / "o"),
                   env={"REGIONOPT_DATA_DIR": str(tmp_path / "no-such-folder")})
    assert_one_line_error(proc, "no-such-folder")


def test_quiet_success_prints_nothing_to_stderr(tmp_path: Path) -> None:
    proc = run_cli("network", "build", "--out", str(tmp_path / "o"), "--quiet")
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
