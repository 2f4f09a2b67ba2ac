"""The ``regionopt`` command line on the real data: files written, errors as one line."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from regionopt.cli import main

TF_CODES = 39
REPO_SCENARIOS = Path(__file__).resolve().parent.parent / "data" / "geo" / "scenarios"
PENDLING = "ssb/pendling/data_pendling2022.rds"
KOMMUNE = "ssb/pendling/data_kommune2022.rds"


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
    agreement = metrics["reference"]["agreement"]
    assert agreement["municipalities"] == 39 and 0 < agreement["adjusted_rand_index"] < 1
    assert agreement["placed_as_reference"] + len(agreement["differing"]) == 39
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
    assert "adjusted Rand index" in text and "of 39 municipalities placed as" in text
    assert main(["compare", str(solved / "plan.csv"), "nivi", "--inputs", inputs,
                 "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["agreement"]["reference"] == "NIVI 2023"
    assert sorted(data["agreement"]["differing"]) == sorted(m["kommunenummer"]
                                                           for m in data["moves"])


def test_the_services_analysis_runs_when_asked(solved: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 34: every evaluate and compare ran it (a minute nationally); now --services."""
    inputs = str(solved / "inputs")
    assert main(["evaluate", "--plan", "nivi", "--inputs", inputs, "--quiet"]) == 0
    plain = capsys.readouterr().out
    assert main(["evaluate", "--plan", "nivi", "--inputs", inputs, "--quiet",
                 "--services"]) == 0
    served = capsys.readouterr().out
    assert "Services of 'NIVI 2023'" in served and "Services of" not in plain
    assert served.startswith(plain)  # the same report, the analysis after it
    assert main(["compare", str(solved / "plan.csv"), "nivi", "--inputs", inputs,
                 "--json"]) == 0
    assert "services" not in json.loads(capsys.readouterr().out)
    assert main(["compare", str(solved / "plan.csv"), "nivi", "--inputs", inputs,
                 "--json", "--services"]) == 0
    assert set(json.loads(capsys.readouterr().out)["services"]) == {"a", "b"}


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


@pytest.mark.parametrize("value", ["1e10", "inf", "nan", "-1"])
def test_time_limit_out_of_range_is_one_line(tmp_path: Path, value: str) -> None:
    proc = run_cli("solve", "--set", f"solver.time_limit_s={value}", "--out", str(tmp_path / "o"))
    assert_one_line_error(proc, "solver.time_limit_s")
    assert "Traceback" not in proc.stderr and not (tmp_path / "o").exists()


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


def test_compare_two_files_with_the_same_name(solved: Path, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    other = tmp_path / "other" / "plan.csv"
    other.parent.mkdir()
    other.write_bytes((solved / "plan.csv").read_bytes())
    inputs = str(solved / "inputs")
    assert main(["compare", str(solved / "plan.csv"), str(other), "--inputs", inputs]) == 0
    text = capsys.readouterr().out
    assert "other/plan" in text and f"{solved.name}/plan" in text
    assert "0 municipalities" in text
    assert main(["compare", "nivi", "nivi", "--inputs", inputs]) == 0
    assert "(a)" in capsys.readouterr().out


def test_output_under_a_file_fails_before_any_work(tmp_path: Path) -> None:
    blocker = tmp_path / "afile"
    blocker.write_text("x")
    cases = [(["solve", "--out", str(blocker / "sub")], "is a file"),
             (["solve", "--out", str(blocker)], "is a file"),
             (["network", "build", "--out", str(blocker / "sub")], "is a file"),
             (["sweep", "--vary", "regions.count=8,9", "--out", str(blocker / "s")], "is a file"),
             (["map", "--plan", "nivi", "--out", str(blocker / "m.html")], "is a file"),
             (["map", "--plan", "nivi", "--out", str(tmp_path)], "is a folder")]
    for args, needle in cases:
        assert_one_line_error(run_cli(*args, "--quiet"), needle)
    assert blocker.read_text() == "x"


def test_scenario_that_is_a_folder_is_one_line(tmp_path: Path) -> None:
    folder = tmp_path / "dir.toml"
    folder.mkdir()
    proc = run_cli("solve", "--scenario", str(folder), "--out", str(tmp_path / "o"))
    assert_one_line_error(proc, "dir.toml")


def test_audit_against_an_infeasible_scenario_still_lists_violations(
        solved: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    strict = tmp_path / "strict.toml"
    strict.write_text('name = "strict"\n[area]\ncounties = ["55", "56"]\n[regions]\ncount = 12\n'
                      "[constraints]\nmax_population = 50000\nmax_travel_minutes = 120\n")
    assert main(["evaluate", "--plan", "nivi", "--inputs", str(solved / "inputs"),
                 "--scenario", str(strict), "--quiet"]) == 0
    text = capsys.readouterr().out
    assert "max_population" in text
    assert "admits no plan" in text


def test_plan_saved_by_a_spreadsheet_is_read(solved: Path, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    plan = pd.read_csv(solved / "plan.csv", dtype=str)[["kommunenummer", "region"]]
    semi = tmp_path / "excel.csv"
    semi.write_text("\ufeff" + plan.to_csv(sep=";", index=False), encoding="utf-8")
    assert main(["evaluate", "--plan", str(semi), "--inputs", str(solved / "inputs"),
                 "--json"]) == 0
    metrics = json.loads(capsys.readouterr().out)["metrics"]["summary"]
    assert metrics["regions"] == 12


def test_map_takes_its_area_from_the_plan(tmp_path: Path) -> None:
    plan = tmp_path / "troms.csv"
    plan.write_text("kommunenummer,region\n" + "".join(
        f"{c},{'Nord' if c < '5520' else 'Sør'}\n" for c in
        ["5501", "5503", "5510", "5512", "5514", "5516", "5518", "5520", "5522", "5524",
         "5526", "5528", "5530", "5532", "5534", "5536", "5538", "5540", "5542", "5544",
         "5546"]))
    out = tmp_path / "troms.html"
    assert main(["map", "--plan", str(plan), "--out", str(out), "--quiet", "--png"]) == 0
    assert out.is_file() and out.with_suffix(".png").is_file()


def test_png_without_html_maps(tmp_path: Path) -> None:
    out = tmp_path / "o"
    assert main(["solve", "--out", str(out), "--quiet", "--no-maps", "--png"]) == 0
    assert (out / "plan.png").is_file()
    assert not (out / "map.html").exists()


def test_data_info_reports_problems_by_exit_code(tmp_path: Path, data_dir: Path) -> None:
    proc = run_cli("data", "info", "--data-dir", str(tmp_path / "nowhere"))
    assert_one_line_error(proc, "nowhere")
    partial = tmp_path / "partial"
    (partial / "ssb").mkdir(parents=True)
    (partial / "ssb" / "municipalities-2025.json").write_bytes(
        (data_dir / "ssb" / "municipalities-2025.json").read_bytes())
    proc = run_cli("data", "info", "--data-dir", str(partial))
    assert proc.returncode == 1
    assert "municipalities-2025.json" in proc.stdout


def test_sweep_with_a_reference_adds_agreement_columns(tmp_path: Path) -> None:
    out = tmp_path / "sw"
    assert main(["sweep", "--vary", "regions.count=11,12", "--reference", "nivi",
                 "--workers", "1", "--out", str(out), "--quiet"]) == 0
    table = pd.read_csv(out / "sweep.csv", dtype={"agreement_differing": str})
    assert list(table["regions.count"]) == [11, 12]
    assert table["agreement_placed"].between(1, 39).all()
    assert ((table["agreement_ari"] > 0) & (table["agreement_ari"] < 1)).all()
    differing = table["agreement_differing"].str.split(";").map(len)
    assert (differing + table["agreement_placed"] == 39).all()


def test_calibrate_against_nivi_writes_its_files(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "cal"
    assert main(["calibrate", "--reference", "nivi", "--vary", "regions.count=11..13",
                 "--search", "grid", "--workers", "1", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "3 solves of a 3-case grid" in text
    for name in ("sweep.csv", "agreement.png", "agreement.html", "best.toml",
                 "best_vs_reference.html", "calibration.json"):
        assert (out / name).is_file(), name
    summary = json.loads((out / "calibration.json").read_text())
    table = pd.read_csv(out / "sweep.csv")
    assert summary["best"]["id"] == table["id"].iloc[0]
    assert summary["best"]["agreement"]["adjusted_rand_index"] == pytest.approx(
        table["agreement_ari"].max(), abs=1e-4)
    page = (out / "best_vs_reference.html").read_text()
    assert "NIVI 2023" in page and "Samsvar med NIVI 2023" in page


def test_calibrate_refuses_membership_keys(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "cal"
    code = main(["calibrate", "--reference", "nivi", "--vary",
                 "constraints.fixed_cores=5501", "--out", str(out), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2 and "never varies membership" in err and len(err.splitlines()) == 1
    assert not out.exists()


# ------------------------------------------------------------ functional regions: bad input

FUNCTIONAL = REPO_SCENARIOS / "troms-finnmark-functional.toml"
TF_AREA = '[area]\ncounties = ["55", "56"]\n'


def _assert_nothing_written(proc: subprocess.CompletedProcess[str], out: Path) -> None:
    assert proc.stdout == ""
    assert not out.exists()


@pytest.fixture(scope="module")
def broken_data(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Copies of the data folder: one without table 03321, one with a corrupt 11618 file."""
    root = tmp_path_factory.mktemp("broken-data")
    shutil.copytree(data_dir, root / "missing")
    (root / "missing" / PENDLING).unlink()
    shutil.copytree(data_dir, root / "corrupt")
    good = (data_dir / KOMMUNE).read_bytes()
    (root / "corrupt" / KOMMUNE).write_bytes(good[: len(good) // 2])  # a cut-off download
    return {"missing": root / "missing", "corrupt": root / "corrupt"}


@pytest.mark.parametrize(("folder", "file", "words"), [
    ("missing", PENDLING, "not found"),
    ("corrupt", KOMMUNE, "SHA-256"),
])
@pytest.mark.parametrize("command", ["solve", "sweep", "evaluate"])
def test_a_missing_or_corrupt_commuting_source_is_one_line(
        broken_data: dict[str, Path], tmp_path: Path, folder: str, file: str, words: str,
        command: str) -> None:
    out = tmp_path / "o"
    args = {"solve": ["--scenario", str(FUNCTIONAL), "--out", str(out), "--no-maps"],
            "sweep": ["--scenario", str(FUNCTIONAL), "--vary", "regions.min_count=8,9",
                      "--out", str(out)],
            "evaluate": ["--plan", "nivi"]}[command]
    proc = run_cli(command, *args, "--quiet", "--data-dir", str(broken_data[folder]))
    assert_one_line_error(proc, file, words)
    _assert_nothing_written(proc, out)


def test_a_plan_with_a_municipality_without_commuting_data_is_one_line(
        solved: Path, tmp_path: Path) -> None:
    inputs = tmp_path / "inputs"
    shutil.copytree(solved / "inputs", inputs)
    rows = (inputs / "commuting.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [r for r in rows if "5544" not in r.split(",")[:2]]  # Nordreisa's rows gone
    assert len(kept) < len(rows)
    (inputs / "commuting.csv").write_text("".join(kept), encoding="utf-8")
    proc = run_cli("evaluate", "--plan", str(solved / "plan.csv"), "--inputs", str(inputs),
                   "--quiet")
    assert_one_line_error(proc, "commuting.csv", "5544", "no commuting data")
    assert proc.stdout == ""


@pytest.mark.parametrize(("command", "key", "value", "words"), [
    ("solve", "criteria.self_containment", "1.5", "share from 0 to 1"),
    ("evaluate", "criteria.self_containment_large", "-0.1", "negative"),
    ("sweep", "criteria.max_core_centrality_class", "7", "class from 1 to 6"),
    ("solve", "criteria.mean_trip_minutes", "0", "positive"),
    ("evaluate", "criteria.min_population", "-5000", "criteria.min_population"),
])
def test_a_criterion_threshold_out_of_range_is_one_line(
        tmp_path: Path, command: str, key: str, value: str, words: str) -> None:
    """From --set (solve), a scenario file (evaluate) and --vary (sweep)."""
    out = tmp_path / "o"
    bad = tmp_path / "bad.toml"
    table, name = key.split(".")
    bad.write_text(f'name = "bad"\n{TF_AREA}[{table}]\n{name} = {value}\n', encoding="utf-8")
    args = {"solve": ["--scenario", str(FUNCTIONAL), "--set", f"{key}={value}", "--out",
                      str(out), "--no-maps"],
            "evaluate": ["--plan", "nivi", "--scenario", str(bad)],
            "sweep": ["--vary", f"{key}=5,{value}", "--out", str(out)]}[command]
    proc = run_cli(command, *args, "--quiet")
    assert_one_line_error(proc, key, words)
    _assert_nothing_written(proc, out)


@pytest.mark.parametrize("code", ["5599", "0301"])  # no such code; a code outside the area
def test_an_exception_naming_an_unknown_municipality_is_one_line(
        tmp_path: Path, code: str) -> None:
    out = tmp_path / "o"
    pair = f'constraints.exceptions=[["{code}", "an island"]]'
    proc = run_cli("solve", "--scenario", str(FUNCTIONAL), "--set", pair, "--out", str(out),
                   "--no-maps", "--quiet")
    assert_one_line_error(proc, "constraints.exceptions", code)
    _assert_nothing_written(proc, out)
    bad = tmp_path / "bad.toml"
    bad.write_text(f'name = "bad"\n{TF_AREA}[constraints]\n'
                   f'exceptions = [["{code}", "an island"]]\n', encoding="utf-8")
    proc = run_cli("evaluate", "--plan", "nivi", "--scenario", str(bad), "--quiet")
    assert_one_line_error(proc, "constraints.exceptions", code)
    assert proc.stdout == ""


@pytest.mark.parametrize(("key", "value", "words"), [
    ("services.nav.staff_per_1000", "1e30", "at most 100 (årsverk per 1 000 inhabitants"),
    ("services.nav.staff_per_1000", "1e308", "at most 100"),
    ("services.nav.staff_per_1000", "1e-320", "0, or at least 0.001"),
    ("services.nav.staff_per_1000", "1e6", "at most 100"),
    ("services.legevakt.min_population", "100000000", "at most 10 000 000 (inhabitants"),
    ("services.legevakt.max_population", "1e7", "must be an integer"),
    ("services.nav.min_staff", "1e9", "at most 10 000"),
    ("services.legevakt.max_travel_minutes", "1e30", "at most 1 440 (minutes"),
    ("services.shortfall_weight", "1e308", "at most 1 000 000"),
    ("services.minutes_weight", "1e-320", "0, or at least 1e-12"),
    ("services.staff_minutes", "inf", "at most 1 440"),
])
def test_a_services_number_out_of_range_is_one_line(tmp_path: Path, key: str, value: str,
                                                    words: str) -> None:
    """Every number of ``[services]`` has a stated range (issue 31: 1e30 was an IndexError,
    1e308 a PulpError, 1e-320 an OverflowError, 1e6 accepted)."""
    out = tmp_path / "o"
    proc = run_cli("solve", "--scenario", str(FUNCTIONAL), "--set", f"{key}={value}",
                   "--out", str(out), "--no-maps", "--quiet")
    assert_one_line_error(proc, key, words)
    _assert_nothing_written(proc, out)


@pytest.fixture(scope="module")
def partial_plan(solved: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The solved plan without one municipality that is not a core; its name and code."""
    plan = pd.read_csv(solved / "plan.csv", dtype={"kommunenummer": str, "core": str})
    left = plan[plan["kommunenummer"] != plan["core"]].iloc[0]["kommunenummer"]
    path = tmp_path_factory.mktemp("partial") / "partial.csv"
    plan[plan["kommunenummer"] != left].to_csv(path, index=False)
    return path, left


@pytest.mark.parametrize("where", ["--area", "--inputs"])
def test_evaluate_refuses_a_plan_that_does_not_cover_its_area(
        solved: Path, partial_plan: tuple[Path, str], where: str) -> None:
    path, left = partial_plan
    given = ["--area", "troms-finnmark"] if where == "--area" else ["--inputs",
                                                                   str(solved / "inputs")]
    proc = run_cli("evaluate", "--plan", str(path), *given, "--quiet")
    assert_one_line_error(proc, "does not cover", "1 of its 39 municipalities", f"({left})")
    assert proc.stdout == ""


def test_evaluate_says_plainly_when_it_takes_the_plan_s_own_area(
        partial_plan: tuple[Path, str]) -> None:
    path, left = partial_plan
    proc = run_cli("evaluate", "--plan", str(path))
    assert proc.returncode == 0, proc.stderr
    note = [ln for ln in proc.stderr.splitlines() if ln.startswith("note: the area is")]
    assert len(note) == 1 and "the 38 municipalities the plans name" in note[0]
    assert left in note[0] and "--area" in note[0]


@pytest.mark.parametrize(("command", "args"), [
    ("sweep", ["--vary", "regions.count=11,12"]),
    ("calibrate", ["--reference", "nivi", "--vary", "regions.count=11,12"]),
    ("atlas", []),
    ("options", ["--all"]),
    ("frontier", ["--scenario", str(FUNCTIONAL)]),
])
@pytest.mark.parametrize("workers", ["0", "-1"])
def test_workers_below_one_are_refused_by_every_command(tmp_path: Path, command: str,
                                                        args: list[str], workers: str) -> None:
    out = tmp_path / "o"
    proc = run_cli(command, *args, "--workers", workers, "--out", str(out), "--quiet")
    assert_one_line_error(proc, f"--workers must be 1 or more, got {workers}")
    _assert_nothing_written(proc, out)


def test_frontier_points_are_bounded(tmp_path: Path) -> None:
    out = tmp_path / "o"
    proc = run_cli("frontier", "--scenario", str(FUNCTIONAL), "--points", "1000", "--out",
                   str(out), "--quiet")
    assert_one_line_error(proc, "--points 1000", "at most 50")
    _assert_nothing_written(proc, out)


@pytest.mark.parametrize("address", ["tcp://127.0.0.1:9", "tcp://no-such-host.invalid:8786",
                                     "localhost:8786"])
@pytest.mark.parametrize(("command", "args"), [
    ("sweep", ["--vary", "regions.count=11,12"]),
    ("options", ["--all"]),
    ("frontier", ["--scenario", str(FUNCTIONAL)]),
])
def test_a_scheduler_that_cannot_be_reached_writes_nothing(
        tmp_path: Path, command: str, args: list[str], address: str) -> None:
    out = tmp_path / "o"
    proc = run_cli(command, *args, "--scheduler", address, "--out", str(out), "--quiet")
    assert_one_line_error(proc, f"--scheduler {address}" if "://" in address
                          else f"--scheduler {address!r}")
    _assert_nothing_written(proc, out)


def test_a_scheduler_that_listens_passes_the_check() -> None:
    """The check only asks whether something listens: a Dask scheduler does (bench_atlas.py)."""
    import socket

    from regionopt.cli.common import check_scheduler

    with socket.create_server(("127.0.0.1", 0)) as server:
        check_scheduler(f"tcp://127.0.0.1:{server.getsockname()[1]}")
    check_scheduler("inproc://192.0.2.2/1/1")  # an in-process cluster: nothing to connect to
