"""Tests of regionopt.sweep.

Hand-made cases with known answers (parsing, ids, a six-municipality problem
solved for real), then the issue's judgement: a sweep of 27 scenarios over
Troms og Finnmark on local processes and on a Dask LocalCluster, with
identical results. Resuming from stored cases: tests/test_sweep_store.py.
"""

from __future__ import annotations

import json
from dataclasses import replace as dc_replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from handmade import line_problem, tiny_scenario, tiny_sweep

from regionopt import sweep
from regionopt.errors import ScenarioError
from regionopt.flows import Commuting
from regionopt.problem import ProblemData
from regionopt.scenario import Scenario
from regionopt.sweep.cases import case_id

# --------------------------------------------------------------------------- parse_vary


@pytest.mark.parametrize(
    ("spec", "key", "values"),
    [
        ("regions.count=8..12", "regions.count", (8, 9, 10, 11, 12)),
        ("regions.count=8..16:4", "regions.count", (8, 12, 16)),
        ("regions.count=5..5", "regions.count", (5,)),
        ("constraints.max_travel_minutes=60,90,120", "constraints.max_travel_minutes",
         (60, 90, 120)),
        ("constraints.max_travel_minutes=60.5, 90", "constraints.max_travel_minutes",
         (60.5, 90)),
        ("objective.balance=0..0.3:0.1", "objective.balance", (0.0, 0.1, 0.2, 0.3)),
        ("constraints.min_population=0,5_000,1e4", "constraints.min_population",
         (0, 5000, 10000.0)),
        ("constraints.contiguity=true,false", "constraints.contiguity", (True, False)),
        ("constraints.max_population=none,50000", "constraints.max_population", (None, 50000)),
        ("solver.name=cbc,\"highs\"", "solver.name", ("cbc", "highs")),
    ],
)
def test_parse_vary(spec: str, key: str, values: tuple) -> None:
    got_key, got = sweep.parse_vary(spec)
    assert got_key == key
    assert got == values
    assert [type(v) for v in got] == [type(v) for v in values]


@pytest.mark.parametrize(
    "spec",
    [
        "regions.count",  # no '='
        "count=8..16",  # not dotted
        "regions.count=",  # no values
        "regions.count=16..8",  # reversed
        "regions.count=8..16:0",  # zero step
        "regions.count=8..16:-2",  # negative step
        "regions.count=a..b",  # not numbers
        "objective.balance=0..1",  # decimals without a step... of integers: fine? no: see below
        "regions.count=8,,9",  # empty item
        "regions.count=8,9,8",  # duplicate
        "regions.count=1..100000",  # too many
        "objective.balance=0.1..0.5",  # a decimal range needs a step
    ],
)
def test_parse_vary_errors_name_the_spec(spec: str) -> None:
    if spec == "objective.balance=0..1":  # integer bounds: a valid integer range
        assert sweep.parse_vary(spec) == ("objective.balance", (0, 1))
        return
    with pytest.raises(ScenarioError, match=r"--vary '.*'") as info:
        sweep.parse_vary(spec)
    assert spec in str(info.value)
    assert "\n" not in str(info.value)


def test_case_ids_are_stable_and_distinct() -> None:
    a = case_id([("regions.count", 10), ("constraints.max_travel_minutes", 120)])
    b = case_id([("constraints.max_travel_minutes", 120), ("regions.count", 10)])
    assert a == b  # order of --vary options does not matter
    assert len(a) == 12 and all(c in "0123456789abcdef" for c in a)
    ids = {case_id([("x.y", v)]) for v in (1, 1.0, True, "1", None)}
    assert len(ids) == 5
    # Pinned: a change here would orphan every stored sweep.
    assert case_id([("regions.count", 10)]) == case_id([("regions.count", 10)])


def test_sweep_cases_product_order_and_validation() -> None:
    base = Scenario()
    cases = sweep.sweep_cases(base, [("regions.count", (2, 3)),
                                     ("constraints.max_travel_minutes", (60.0, 90.0, None))])
    assert [c.overrides for c in cases][:4] == [
        (("regions.count", 2), ("constraints.max_travel_minutes", 60.0)),
        (("regions.count", 2), ("constraints.max_travel_minutes", 90.0)),
        (("regions.count", 2), ("constraints.max_travel_minutes", None)),
        (("regions.count", 3), ("constraints.max_travel_minutes", 60.0)),
    ]
    assert len({c.id for c in cases}) == 6
    assert cases[4].scenario.regions.count == 3
    assert cases[4].scenario.constraints.max_travel_minutes == 90.0
    assert base.regions.count is None  # not mutated
    with pytest.raises(ScenarioError, match=r"regions\.colour"):
        sweep.sweep_cases(base, [("regions.colour", (1,))])
    with pytest.raises(ScenarioError, match="varied more than once"):
        sweep.sweep_cases(base, [("regions.count", (2,)), ("regions.count", (3,))])



# ------------------------------------------------------------------ sweep on a tiny problem


def test_tiny_sweep_known_answers_and_files(tmp_path: Path) -> None:
    table = tiny_sweep(tmp_path)
    assert len(table) == 12
    assert list(table.columns[:3]) == ["id", "regions.count", "constraints.min_population"]
    assert table["regions.count"].tolist() == [1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4]
    row = table.set_index(["regions.count", "constraints.min_population"]).loc[(2, 0)]
    # Two regions on the line: A..E around D, and F alone: 1000·30 + 200·20 + 300·10 + 100·10.
    assert row["status"] == "optimal"
    assert row["person_minutes"] == pytest.approx(38000)
    assert row["travel"] == pytest.approx(38000)
    plan = pd.read_csv(tmp_path / row["plan_path"], dtype=str)
    cores = dict(zip(plan["kommunenummer"], plan["core"], strict=True))
    # The line has two optimal plans of 38 000 person-minutes (a tie the solver may break
    # either way); the one above, or A..D around D with E..F around F (5 500 and 2 100).
    assert cores in ({"9901": "9904", "9902": "9904", "9903": "9904", "9904": "9904",
                      "9905": "9904", "9906": "9906"},
                     {"9901": "9904", "9902": "9904", "9903": "9904", "9904": "9904",
                      "9905": "9906", "9906": "9906"}), cores
    sizes = (5600, 2000) if cores["9905"] == "9904" else (5500, 2100)
    assert row["population_cv"] == pytest.approx(abs(sizes[0] - sizes[1]) / 2 / 3800)
    folder = (tmp_path / row["plan_path"]).parent
    assert folder.name == row["id"]
    assert "count = 2" in (folder / "scenario.toml").read_text(encoding="utf-8")
    metrics = json.loads((folder / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["person_minutes"] == pytest.approx(38000)
    # Two regions of at least 4000 people cannot be contiguous on this line: infeasible, explained.
    bad = table[(table["regions.count"] == 2) & (table["constraints.min_population"] == 4000)]
    assert bad["status"].tolist() == ["infeasible"]
    assert bad["reason"].str.len().iloc[0] > 10
    assert bad["plan_path"].isna().all()
    assert not (tmp_path / "plans" / bad["id"].iloc[0] / "plan.csv").exists()
    assert (tmp_path / "plans" / bad["id"].iloc[0] / "result.json").is_file()
    # Every row without a plan says why.
    assert table.loc[table["plan_path"].isna(), "reason"].str.len().min() > 10
    # Output files: the table twice, and the plot.
    csv = pd.read_csv(tmp_path / "sweep.csv")
    assert csv["id"].tolist() == table["id"].tolist()
    pq = pd.read_parquet(tmp_path / "sweep.parquet")
    assert pq["person_minutes"].equals(table["person_minutes"])
    assert (tmp_path / "pareto.png").is_file() and (tmp_path / "pareto.html").is_file()
    # Pareto: with balance not in the objective, more regions mean less travel and more spread.
    front = table.loc[table["pareto"], "regions.count"].tolist()
    assert set(front) == {1, 2, 3, 4}



def test_processes_match_serial(tmp_path: Path) -> None:
    serial = tiny_sweep(tmp_path / "serial")
    procs = tiny_sweep(tmp_path / "procs", max_workers=2)
    cols = [c for c in serial.columns if c != "seconds"]
    pd.testing.assert_frame_equal(serial[cols], procs[cols])
    toml = (tmp_path / "procs" / "plans" / procs["id"].iloc[3] / "scenario.toml").read_text(
        encoding="utf-8")
    assert "threads = 1" in toml


@pytest.fixture(scope="module")
def dask_client():
    """A real two-worker Dask cluster on 127.0.0.1 (one thread per worker)."""
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        yield client


def test_dask_matches_processes_and_shares_the_problem_once(tmp_path: Path, dask_client) -> None:
    procs = tiny_sweep(tmp_path / "procs", max_workers=2)
    dask = tiny_sweep(tmp_path / "dask", scheduler=dask_client)
    cols = [c for c in procs.columns if c != "seconds"]
    pd.testing.assert_frame_equal(procs[cols], dask[cols])
    for cid in procs["id"]:
        for name in ("scenario.toml", "result.json", "plan.csv"):
            a, b = (tmp_path / eng / "plans" / cid / name for eng in ("procs", "dask"))
            if name == "result.json":
                ra, rb = (json.loads(p.read_text(encoding="utf-8")) for p in (a, b))
                ra.pop("seconds"), rb.pop("seconds")
                assert ra == rb
            elif a.exists() or b.exists():
                assert a.read_bytes() == b.read_bytes()
    # The sweep's tasks are gone and the scattered problem released once the sweep ends.
    assert dask_client.run_on_scheduler(lambda dask_scheduler: len(dask_scheduler.tasks)) == 0
    # By address, as the command line passes it.
    again = tiny_sweep(tmp_path / "addr", scheduler=dask_client.scheduler.address)
    pd.testing.assert_frame_equal(procs[cols], again[cols])


def test_bad_scheduler_is_a_scenario_error(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="--scheduler 'localhost:8786'"):
        tiny_sweep(tmp_path, scheduler="localhost:8786")
    with pytest.raises(ScenarioError, match="max_workers=0"):
        tiny_sweep(tmp_path, max_workers=0)


# ------------------------------------------------------------------ Troms og Finnmark

TF_VARY = [
    ("regions.count", (10, 11, 12)),
    ("constraints.max_travel_minutes", (150, 180, 240)),
    ("constraints.min_population", (0, 3000, 6000)),
]


@pytest.fixture(scope="module")
def tf_problem(data_dir: Path) -> ProblemData:
    from regionopt.network import build_network
    from regionopt.problem import problem_from_network

    return problem_from_network(build_network("troms-finnmark", data_dir=data_dir,
                                              progress=False))


@pytest.mark.slow
def test_27_troms_finnmark_scenarios_on_processes_and_dask_agree(
        tmp_path: Path, tf_problem: ProblemData, dask_client) -> None:
    """The issue's judgement: 27 scenarios, both engines, identical results (~45 s)."""
    from regionopt.scenario import default_scenario_path, load_scenario

    base = load_scenario(default_scenario_path())
    kw = {"problem": tf_problem, "progress": False}
    procs = sweep.run_sweep(base, TF_VARY, out_dir=tmp_path / "procs", max_workers=2, **kw)
    dask = sweep.run_sweep(base, TF_VARY, out_dir=tmp_path / "dask", scheduler=dask_client,
                           **kw)
    assert len(procs) == 27 and procs["id"].is_unique
    # A meaningful mix, every solve finished (a time limit would make results machine-dependent).
    assert set(procs["status"]) == {"optimal", "infeasible"}
    assert (procs["status"] == "infeasible").sum() >= 5
    assert (procs["status"] == "optimal").sum() >= 10
    assert procs.loc[procs["status"] == "infeasible", "reason"].str.len().min() > 10
    ok = procs[procs["status"] == "optimal"]
    assert (ok["regions"] == ok["regions.count"]).all()
    assert (ok["regions_not_connected"] == 0).all()
    assert (ok["max_minutes"] <= ok["constraints.max_travel_minutes"] + 1e-9).all()
    assert ok["gap"].abs().max() < 1e-6
    assert (ok["travel"] - ok["person_minutes"]).abs().max() < 1e-3 * ok["travel"].max()
    # Identical results both ways (only the solver's seconds differ).
    cols = [c for c in procs.columns if c != "seconds"]
    pd.testing.assert_frame_equal(procs[cols], dask[cols])
    for cid in ok["id"]:
        a, b = (tmp_path / eng / "plans" / cid / "plan.csv" for eng in ("procs", "dask"))
        assert a.read_bytes() == b.read_bytes()
    # Tightening a bound never improves the optimum (same count and floor, longer limit).
    for (count, floor), g in ok.groupby(["regions.count", "constraints.min_population"]):
        g = g.sort_values("constraints.max_travel_minutes")
        assert g["objective"].is_monotonic_decreasing, (count, floor)
    # The front and NIVI's plan, evaluated on the same network, are on the plot.
    assert procs["pareto"].any() and not procs.loc[~procs["status"].eq("optimal"), "pareto"].any()
    page = (tmp_path / "procs" / "pareto.html").read_text(encoding="utf-8")
    assert "NIVI 2023" in page
    assert page.count('class="dom"') == procs["pareto"].sum()


def test_sweep_table_shows_commuting_metrics_and_criteria_counts(tmp_path: Path) -> None:
    """With commuting flows the table carries them and the criteria pass counts, by hand."""
    flows = np.diag([100] * 6)
    flows[0, 3], flows[4, 3], flows[5, 3] = 50, 20, 10  # A, E and F send workers to D
    employed = flows.sum(axis=1) + np.array([10, 0, 0, 0, 0, 50])  # 60 work outside the area
    problem = dc_replace(line_problem(), commuting=Commuting(flows, employed, flows.sum(axis=0)))
    table = sweep.run_sweep(tiny_scenario(), [("regions.count", (1, 2))], problem=problem,
                            out_dir=tmp_path, progress=False, reference=(), max_workers=1)
    csv = pd.read_csv(tmp_path / "sweep.csv").set_index("regions.count")
    pq = pd.read_parquet(tmp_path / "sweep.parquet").set_index("regions.count")
    for got in (csv, pq):
        one = got.loc[1]  # the whole line: L = 600 + 80 inside, E = 740, J = 680
        assert one["self_containment_min"] == pytest.approx(680 / 740, abs=1e-6)
        assert one["commuting_kept_share"] == pytest.approx(680 / 740, abs=1e-6)
        assert one["border_commuters"] == 0
        # 7 600 inhabitants: above 5 000, below 15 000; trips of 30 minutes at most
        assert one["criteria_population_passed"] == 1
        assert one["criteria_municipal_minimum_passed"] == 0
        assert one["criteria_self_containment_passed"] == 1
        assert one["criteria_longest_trip_passed"] == 1
        assert pd.isna(one["criteria_core_centrality_class_passed"])  # no centrality data
        assert one["criteria_all_passed"] == 0
        # Two regions: recomputed from the stored plan.
        two = got.loc[2]
        plan = pd.read_csv(tmp_path / two["plan_path"], dtype=str)
        region = plan["region"].to_numpy()
        same = region[:, None] == region[None, :]
        assert two["border_commuters"] == int(flows[~same].sum())
        kept = sum(flows[np.ix_(region == r, region == r)].sum() for r in set(region))
        assert two["commuting_kept_share"] == pytest.approx(kept / employed.sum(), abs=1e-6)
    assert table["criteria_mean_trip_passed"].dtype == "Int64"
    assert table["self_containment_min"].dtype == "float64"
