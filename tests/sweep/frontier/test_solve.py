"""``regionopt frontier`` on Troms og Finnmark, checked against an independent computation.

Exercises regionopt.sweep.frontier.solve (the ε-constraint points, warm-started chains, resume),
regionopt.sweep.frontier.dominance (the match case and its statement), regionopt.sweep.frontier.page
(frontier.csv/.json/.html/.png, a map per plan) and regionopt.cli.frontier (the CLI,
bad input). The figures of every point (commuters kept, self-containment, regions meeting
the criterion) are recomputed here with pandas from the national flow matrix the data loader
reads (regionopt.data.commuting.national_commuting), not with regionopt.evaluate.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from chromium import OfflinePage, chromium

from regionopt import api
from regionopt._resources import geo_file
from regionopt.data.commuting import national_commuting
from regionopt.data.municipalities import load_municipalities
from regionopt.problem import ProblemData
from regionopt.scenario import load_scenario
from regionopt.sweep.frontier.dominance import at_least_as_good, better_on
from regionopt.sweep.frontier.solve import grid, kept_epsilon, run_frontier

SCENARIO = geo_file("scenarios", "troms-finnmark-frontier-12.toml")


def _cli(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "REGIONOPT_DATA_DIR": str(data_dir)}
    return subprocess.run([sys.executable, "-m", "regionopt", "frontier", *args],
                          capture_output=True, text=True, env=env, check=False)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory, data_dir: Path) -> Path:
    out = tmp_path_factory.mktemp("frontier") / "tf"
    done = _cli("--scenario", str(SCENARIO), "--points", "2", "--axes", "kept",
                "--reference", "nivi", "--out", str(out), "--quiet", data_dir=data_dir)
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""  # --quiet
    return out


@pytest.fixture(scope="module")
def flows(data_dir: Path) -> pd.DataFrame:
    """Every flow of the national table (2024 codes) as rows ``res, work, persons``."""
    gdf = load_municipalities("norway", data_dir=data_dir)
    table = national_commuting(gdf["kommunenummer"].tolist(), gdf["population"].tolist(),
                               data_dir=data_dir)
    codes = np.array(table.codes)
    res, work = np.nonzero(table.flows)
    return pd.DataFrame({"res": codes[res], "work": codes[work],
                         "persons": table.flows[res, work].astype("int64")})


def _independent(flows: pd.DataFrame, plan: pd.DataFrame) -> dict[str, float]:
    """Kept share, lowest self-containment and regions meeting the criterion, by hand."""
    region_of = dict(zip(plan["kommunenummer"], plan["region"], strict=True))
    res_r, work_r = flows["res"].map(region_of), flows["work"].map(region_of)
    employed = flows.groupby(res_r)["persons"].sum()  # E: residents working anywhere
    jobs = flows.groupby(work_r)["persons"].sum()  # J: jobs held by anyone
    same = res_r.notna() & (res_r == work_r)
    live = flows[same].groupby(res_r[same])["persons"].sum()
    meeting, lowest = 0, 1.0
    for r in sorted(set(region_of.values())):
        sc = min(live.get(r, 0) / employed[r], live.get(r, 0) / jobs[r])
        lowest = min(lowest, sc)
        meeting += sc >= (0.667 if employed[r] > 25000 else 0.75)
    return {"kept": live.sum() / employed.sum(), "sc_min": lowest, "criterion": meeting}


def test_every_point_agrees_with_the_raw_flows(folder: Path, flows: pd.DataFrame) -> None:
    table = pd.read_parquet(folder / "frontier.parquet")
    solved = table[table["plan_path"].notna()]
    assert {"travel", "max-kept", "match-nivi-2023"} <= set(solved["id"])
    assert (solved["role"] == "point").sum() >= 1
    for row in solved.itertuples(index=False):
        plan = pd.read_csv(folder / row.plan_path, dtype=str)
        mine = _independent(flows, plan)
        assert mine["kept"] == pytest.approx(row.commuting_kept_share, abs=1e-9), row.id
        assert mine["sc_min"] == pytest.approx(row.self_containment_min, abs=1e-9), row.id
        assert mine["criterion"] == row.criteria_self_containment_passed, row.id
        assert row.status == "optimal" and row.gap <= 1e-6, row.id  # mip_gap 0
        assert row.regions == 12
        if row.role == "point" and row.axis == "kept":
            employed = flows.loc[flows["res"].isin(plan["kommunenummer"]), "persons"].sum()
            assert mine["kept"] * employed >= row.asked - 1e-6  # the floor it asked for


def test_points_trade_travel_for_commuters(folder: Path) -> None:
    table = pd.read_parquet(folder / "frontier.parquet").set_index("id")
    travel = table.loc["travel"]
    points = table[(table["role"] == "point") & (table["axis"] == "kept")]
    top = table.loc["max-kept"]
    for _, p in points.iterrows():  # least travel at a tighter floor costs at least as much
        assert p["person_minutes"] >= travel["person_minutes"] - 1e-6
        assert p["commuting_kept_share"] <= top["commuting_kept_share"] + 1e-12
    assert top["commuting_kept_share"] > travel["commuting_kept_share"]


def test_the_dominance_claim_holds_independently(folder: Path, flows: pd.DataFrame) -> None:
    summary = json.loads((folder / "frontier.json").read_text(encoding="utf-8"))
    (nivi,) = summary["dominance"]
    assert nivi["reference"] == "NIVI 2023" and nivi["verdict"] == "dominated"
    row = next(p for p in summary["points"] if p["id"] == nivi["plan"])
    plan = pd.read_csv(folder / row["plan_path"], dtype=str)
    ref = pd.read_csv(geo_file("reference", "nivi_2023_troms_finnmark.csv"), dtype=str)
    mine, theirs = _independent(flows, plan), _independent(flows, ref)
    assert mine["kept"] >= theirs["kept"] and mine["criterion"] >= theirs["criterion"]
    assert theirs["kept"] == pytest.approx(nivi["figures"]["commuting_kept_share"], abs=1e-9)
    assert theirs["criterion"] == nivi["figures"]["criteria_self_containment_passed"]
    assert row["person_minutes"] <= nivi["figures"]["person_minutes"]
    assert row["max_minutes"] <= nivi["figures"]["max_minutes"]
    assert row["regions_not_connected"] <= nivi["figures"]["regions_not_connected"]


def test_files_and_resume(folder: Path, data_dir: Path, tmp_path: Path) -> None:
    for name in ("frontier.csv", "frontier.parquet", "frontier.json", "frontier.html",
                 "frontier.png", "plans/travel/map.html", "plans/travel/plan.csv"):
        assert (folder / name).is_file(), name
    listed = set((folder / ".regionopt-files").read_text(encoding="utf-8").split())
    assert {"frontier.csv", "frontier.html", "plans/travel/map.html"} <= listed
    again = tmp_path / "again"
    shutil.copytree(folder, again)
    done = _cli("--scenario", str(SCENARIO), "--points", "2", "--axes", "kept",
                "--reference", "nivi", "--out", str(again), "--no-maps", data_dir=data_dir)
    assert done.returncode == 0, done.stderr
    assert "frontier:" not in done.stderr  # every case resumed, nothing solved
    assert (again / "frontier.csv").read_bytes() == (folder / "frontier.csv").read_bytes()
    assert "NIVI 2023: dominated" in done.stdout
    # the summary lists only the frontier's points: a repeated or dominated one is named apart
    summary = json.loads((again / "frontier.json").read_text(encoding="utf-8"))
    marks = {p["id"]: p["frontier"] for p in summary["points"]}
    assert summary["frontier"] == [i for i, m in marks.items() if m == "frontier"]
    lines = done.stdout.splitlines()
    for pid, mark in marks.items():
        if mark.startswith(("repeats", "dominated")):
            assert not any(line.startswith(f"{pid}:") for line in lines), pid
            assert f"{pid} ({mark})" in done.stdout
    figures = [(p["person_minutes"], p["commuting_kept_share"]) for p in summary["points"]
               if p["frontier"] == "frontier"]
    assert len(set(figures)) == len(figures)  # no point repeats another


@pytest.fixture(scope="module")
def tf_problem(data_dir: Path) -> ProblemData:
    """Troms og Finnmark with its commuting flows, as the command builds it."""
    net = api.network_for_scenario(load_scenario(SCENARIO), data_dir=data_dir, progress=False)
    return api.problem_from_network(net, data_dir=data_dir)


def test_an_infeasible_point_is_reported_and_the_others_kept(folder: Path, tf_problem: ProblemData,
                                                             tmp_path: Path) -> None:
    out = tmp_path / "more"
    shutil.copytree(folder, out)
    c = tf_problem.commuting
    assert c is not None
    employed = int(c.employed.sum())
    inside = int(c.flows.sum())  # more than every flow inside the area cannot be kept
    assert inside < employed
    kept = json.loads((folder / "plans/travel/result.json").read_text())
    easy = round(kept["metrics"]["commuting_kept_share"] * employed) + 100
    runner = run_frontier(load_scenario(SCENARIO), problem=tf_problem, out_dir=out, points=2,
                          axes=("kept",), values={"kept": [easy, inside + 1]}, progress=False,
                          max_workers=2)  # two chains on two processes
    assert runner.records[f"kept-{inside + 1}"]["status"] == "infeasible"
    assert runner.records[f"kept-{easy}"]["status"] == "optimal"
    assert f"kept-{easy}" in runner.cores
    assert kept_epsilon(easy, employed) * employed == pytest.approx(easy - 0.5)


@pytest.mark.parametrize(("args", "needle"), [
    (["--axes", "travel"], "--axes travel"),
    (["--points", "1"], "--points 1"),
    (["--kept", "1.5"], "--kept 1.5"),
    (["--axes", "criterion", "--criterion", "13"], "--criterion 13"),
    (["--reference", "ba-2020"], "ba_2020"),
])
def test_bad_input_is_one_line_exit_2_and_nothing_written(args: list[str], needle: str,
                                                          data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = _cli("--scenario", str(SCENARIO), "--out", str(out), "--quiet", *args,
                data_dir=data_dir)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0], done.stderr
    assert not out.exists()


def test_grid_and_figures() -> None:
    assert grid(10, 20, 3) == [15, 20]
    assert grid(10, 10, 5) == []
    assert grid(0, 3, 10) == [1, 2, 3]
    ref = {"commuting_kept_share": 0.8, "criteria_self_containment_passed": 10,
           "person_minutes": 100.0, "max_minutes": 60.0, "regions_not_connected": 1,
           "self_containment_min": 0.5, "self_containment_median": 0.7, "regions": 5}
    same = dict(ref)
    assert at_least_as_good(same, ref) and better_on(same, ref) == []
    better = {**ref, "person_minutes": 90.0, "regions_not_connected": 0}
    assert at_least_as_good(better, ref)
    assert better_on(better, ref) == ["person_minutes", "not_connected"]
    assert not at_least_as_good({**ref, "criteria_self_containment_passed": 9}, ref)
    assert not at_least_as_good({**ref, "regions": 6}, ref)
    assert not at_least_as_good({**ref, "self_containment_min": 0.49}, ref)  # weakest region
    assert not at_least_as_good({**ref, "self_containment_median": 0.69}, ref)


@pytest.mark.browser
def test_page_hover_click_and_window_regionopt(folder: Path) -> None:
    with chromium() as browser:
        page = OfflinePage(browser, folder / "frontier.html", ready="window.regionopt")
        data = page.js("window.regionopt")
        assert {p["id"] for p in data["points"]} >= {"travel", "max-kept"}
        assert data["references"][0]["name"] == "NIVI 2023"
        assert data["dominance"][0]["verdict"] == "dominated"
        tips = page.js("[...document.querySelectorAll('circle title')].map(t => t.textContent)")
        travel = next(t for t in tips if "id travel" in t)
        assert "kept" in travel and "criterion" in travel and "longest" in travel
        link = page.page.locator("a:has(circle)").first
        href = link.get_attribute("href")
        assert href.endswith("/map.html") and (folder / href).is_file()
        link.click()
        page.page.wait_for_url("**/map.html")
        assert page.clean()
