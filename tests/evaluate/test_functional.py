"""Commuting metrics of a solve recomputed independently from SSB's raw flow file.

Checks regionopt.evaluate.metrics (self-containment, kept share, border commuters) and
regionopt.maps.outputs (metrics.json) end to end: the Troms og Finnmark functional scenario is
solved, and for its optimum (plan.csv) and NIVI's plan the figures are recomputed here from
``data_pendling2022.rds`` alone: its 2022 codes mapped to 2024 with the code history sheet
(Troms og Finnmark maps one to one), E and J summed over every residence and workplace in
Norway. They must agree with metrics.json to three decimals.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from regionopt._resources import geo_file

pyreadr = pytest.importorskip("pyreadr")


def _raw_flows(data_dir: Path) -> pd.DataFrame:
    """Table 03321 as published, with 2024 codes for Troms og Finnmark (54xx → 55xx/56xx)."""
    frame = next(iter(pyreadr.read_r(str(data_dir / "ssb/pendling/data_pendling2022.rds"))
                      .values()))
    sheet = pd.read_excel(data_dir / "csdata/norway_locations.xlsx", dtype=str)
    moved = sheet[sheet["municip_code"].str.startswith("municip_nor54", na=False)
                  & sheet["municip_code_end"].notna()]
    to_2024 = {a[-4:]: b[-4:] for a, b in zip(moved["municip_code"], moved["municip_code_end"],
                                              strict=True)}
    return pd.DataFrame({
        "res": frame["Bokommuen"].astype(str).map(lambda c: to_2024.get(c, c)),
        "work": frame["ArbstedKomm"].astype(str).map(lambda c: to_2024.get(c, c)),
        "persons": frame["value"].astype("int64"),
    })


def _recompute(flows: pd.DataFrame, region_of: dict[str, str]) -> tuple[float, float, int]:
    res_r, work_r = flows["res"].map(region_of), flows["work"].map(region_of)
    employed = flows.groupby(res_r)["persons"].sum()
    jobs = flows.groupby(work_r)["persons"].sum()
    same = res_r.notna() & (res_r == work_r)
    live = flows[same].groupby(res_r[same])["persons"].sum()
    regions = sorted(set(region_of.values()))
    sc = min(min(live.get(r, 0) / employed[r], live.get(r, 0) / jobs[r]) for r in regions)
    kept = sum(live.get(r, 0) for r in regions) / sum(employed[r] for r in regions)
    inside = res_r.notna() & work_r.notna() & ~same
    return sc, kept, int(flows.loc[inside, "persons"].sum())


@pytest.fixture(scope="module")
def solved(tmp_path_factory: pytest.TempPathFactory, data_dir: Path) -> Path:
    out = tmp_path_factory.mktemp("functional") / "tf"
    scenario = geo_file("scenarios", "troms-finnmark-functional.toml")
    env = {**os.environ, "REGIONOPT_DATA_DIR": str(data_dir)}
    subprocess.run([sys.executable, "-m", "regionopt", "solve", "--scenario", str(scenario),
                    "--set", "solver.name=\"cbc\"", "--no-maps", "--quiet", "--out", str(out)],
                   check=True, env=env)
    return out


def test_optimum_and_nivi_agree_with_the_raw_flow_file(solved: Path, data_dir: Path) -> None:
    summary = json.loads((solved / "metrics.json").read_text(encoding="utf-8"))
    flows = _raw_flows(data_dir)
    plan = pd.read_csv(solved / "plan.csv", dtype=str)
    nivi = pd.read_csv(geo_file("reference", "nivi_2023_troms_finnmark.csv"), dtype=str)
    region_col = "region" if "region" in nivi.columns else nivi.columns[-1]
    for figures, table, col in ((summary["plan"], plan, "region"),
                                (summary["reference"], nivi, region_col)):
        region_of = dict(zip(table["kommunenummer"], table[col], strict=True))
        assert len(region_of) == 39
        sc, kept, border = _recompute(flows, region_of)
        assert round(sc, 3) == round(figures["self_containment_min"], 3)
        assert round(kept, 3) == round(figures["commuting_kept_share"], 3)
        assert border == figures["border_commuters"]
    assert summary["status"] == "optimal"
    assert summary["plan"]["self_containment_min"] >= 0.75  # the scenario's floor holds


def test_inputs_hold_the_flows_and_read_back(solved: Path) -> None:
    from regionopt.problem import read_inputs

    problem = read_inputs(solved / "inputs")
    assert problem.commuting is not None and problem.centrality is not None
    # employed residents and jobs are national totals: more than the flows inside the area
    assert problem.commuting.employed.sum() > problem.commuting.flows.sum()
    assert problem.centrality[problem.index("5501")].tolist() == [803, 3]


def test_a_corrupt_commuting_input_is_one_line_exit_2(solved: Path, tmp_path: Path) -> None:
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    for f in (solved / "inputs").iterdir():
        (inputs / f.name).write_bytes(f.read_bytes())
    text = (inputs / "commuting.csv").read_text(encoding="utf-8").replace(",94\n", ",-4\n", 1)
    (inputs / "commuting.csv").write_text(text, encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "regionopt", "evaluate", "--plan",
                          str(solved / "plan.csv"), "--inputs", str(inputs), "--quiet"],
                         capture_output=True, text=True, check=False)
    assert run.returncode == 2
    assert len(run.stderr.strip().splitlines()) == 1
    assert "commuting.csv" in run.stderr and "persons" in run.stderr


def test_functional_solve_writes_the_service_analysis(solved: Path) -> None:
    """Issue 21: services.csv covers every catalogue service with whole regions, each area
    meets its rule or says why; hosting.csv adds up to the catalogue's rates × population."""
    from regionopt.catalogue import load_catalogue

    catalogue = load_catalogue()
    plan = pd.read_csv(solved / "plan.csv", dtype={"kommunenummer": str})
    members = plan.groupby("region")["kommunenummer"].apply(sorted).to_dict()
    areas = pd.read_csv(solved / "services.csv", dtype=str, keep_default_na=False)
    assert list(dict.fromkeys(areas["service"])) == [s.key for s in catalogue]
    for row in areas.itertuples():
        assert sorted(row.members.split()) == sorted(
            c for r in row.regions.split("; ") for c in members[r])
        assert (row.meets == "True") == (row.reason == "")
        if row.service == "legevakt" and row.meets == "True":
            assert 30000 <= int(row.inhabitants) <= 100000
    summary = json.loads((solved / "metrics.json").read_text(encoding="utf-8"))["services"]
    hosting = pd.read_csv(solved / "hosting.csv", dtype={"kommunenummer": str})
    population = int(pd.read_csv(solved / "inputs" / "municipalities.csv")["population"].sum())
    expected = sum(s.staff_per_1000 for s in catalogue) * population / 1000
    assert hosting["staff"].sum() == pytest.approx(expected, abs=0.01)
    assert summary["hosting"]["staff_total"] == pytest.approx(expected)
    assert summary["hosting"]["balanced"]["regions_all_at_core"] == []
