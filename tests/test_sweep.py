"""Tests of regionopt.sweep and regionopt.pareto.

Hand-made cases with known answers (parsing, ids, Pareto non-dominance, a
six-municipality problem solved for real), then the issue's judgement: a sweep
of 27 scenarios over Troms og Finnmark on local processes and on a Dask
LocalCluster, with identical results.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from regionopt import pareto, sweep
from regionopt.errors import ScenarioError
from regionopt.problem import ProblemData
from regionopt.scenario import Scenario, parse_scenario, scenario_to_toml

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
    a = sweep.case_id([("regions.count", 10), ("constraints.max_travel_minutes", 120)])
    b = sweep.case_id([("constraints.max_travel_minutes", 120), ("regions.count", 10)])
    assert a == b  # order of --vary options does not matter
    assert len(a) == 12 and all(c in "0123456789abcdef" for c in a)
    ids = {sweep.case_id([("x.y", v)]) for v in (1, 1.0, True, "1", None)}
    assert len(ids) == 5
    # Pinned: a change here would orphan every stored sweep.
    assert sweep.case_id([("regions.count", 10)]) == sweep.case_id([("regions.count", 10)])


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


# --------------------------------------------------------------------------- Pareto


def test_pareto_mask_known_answer() -> None:
    # (x, y): A(1,5) B(2,3) C(3,4)* D(4,1) E(2,3) F(5,5)* G(nan,0) H(0,nan) I(3,3)*
    # * dominated: C by B, F by everything, I by B; B and E tie and both stay.
    x = [1, 2, 3, 4, 2, 5, math.nan, 0, 3]
    y = [5, 3, 4, 1, 3, 5, 0, math.nan, 3]
    got = pareto.pareto_mask(x, y)
    assert got.tolist() == [True, True, False, True, True, False, False, False, False]
    assert pareto.pareto_mask([], []).tolist() == []
    assert pareto.pareto_mask(pd.Series([7.0]), pd.Series([0.2])).tolist() == [True]


def test_pareto_outputs_are_offline_escaped_and_deterministic(tmp_path: Path) -> None:
    table = pd.DataFrame({
        "id": ["aaa", "bbb", "ccc", "qqq"],
        "solver.name": ["<b>x</b>", "y&z", "q", None],
        "status": ["optimal", "optimal", "optimal", "infeasible"],
        "person_minutes": [100.0, 200.0, 250.0, math.nan],
        "population_cv": [0.5, 0.2, 0.3, math.nan],
        "regions": [3, 4, 4, None],
        "plan_path": ["plans/aaa/plan.csv", "plans/bbb/plan.csv", "plans/ccc/plan.csv", None],
    })
    refs = [("NIVI <2023>", {"person_minutes": 150.0, "population_cv": 0.4, "regions": 12})]
    for name in ("one", "two"):
        pareto.write_pareto(table, tmp_path / name, varied=["solver.name"], references=refs)
    for f in (pareto.PNG_NAME, pareto.HTML_NAME):
        assert (tmp_path / "one" / f).read_bytes() == (tmp_path / "two" / f).read_bytes()
    page = (tmp_path / "one" / pareto.HTML_NAME).read_text(encoding="utf-8")
    assert "<script" not in page and "http://" not in page.replace("http://www.w3.org", "")
    assert "https://" not in page
    assert "&lt;b&gt;x&lt;/b&gt;" in page and "<b>x</b>" not in page
    assert "NIVI &lt;2023&gt;" in page and "y&amp;z" in page
    assert page.count('class="dom"') == 2 and page.count('class="pt"') == 1
    assert 'href="plans/bbb/"' in page and "qqq" not in page
    png = (tmp_path / "one" / pareto.PNG_NAME).read_bytes()
    assert png.startswith(b"\x89PNG") and b"Software" not in png


# ------------------------------------------------------------------ sweep on a tiny problem


def _line_problem() -> ProblemData:
    """Six municipalities on a road 1-2-3-4-5-6, 10 minutes apart."""
    n = 6
    pos = np.arange(n, dtype="float64")
    return ProblemData(
        codes=tuple(f"99{i:02d}" for i in range(1, n + 1)),
        names=("A", "B", "C", "D", "E", "F"),
        counties=("99",) * n,
        population=np.array([1000, 200, 300, 4000, 100, 2000], dtype="int64"),
        minutes=np.abs(pos[:, None] - pos[None, :]) * 10.0,
        edges=tuple((i, i + 1, "road") for i in range(n - 1)),
    )


def _tiny_scenario() -> Scenario:
    return parse_scenario({"name": "tiny", "regions": {"count": 2}}, source="test")


def test_problem_pickles_and_digest_is_stable() -> None:
    import pickle

    p = _line_problem()
    q = pickle.loads(pickle.dumps(p))
    assert sweep.problem_digest(p) == sweep.problem_digest(q)
    assert q.index("9904") == 3
    assert sweep.problem_digest(p) != sweep.problem_digest(p.subset(p.codes[:5]))


def test_scenario_toml_round_trip_keeps_digest() -> None:
    s = _tiny_scenario()
    assert scenario_to_toml(s) == scenario_to_toml(parse_scenario(
        {"name": "tiny", "regions": {"count": 2}}, source="again"))


TINY_VARY = [("regions.count", (1, 2, 3, 4)), ("constraints.min_population", (0, 2500, 4000))]


class _SolveSpy:
    """Counts calls of the real ``regionopt.model.solve`` (serial sweeps only)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, *, interrupt_after: int | None = None):
        import regionopt.model

        self.real = regionopt.model.solve
        self.calls = 0
        self.interrupt_after = interrupt_after
        monkeypatch.setattr(regionopt.model, "solve", self)

    def __call__(self, *args, **kwargs):
        if self.interrupt_after is not None and self.calls >= self.interrupt_after:
            raise KeyboardInterrupt
        self.calls += 1
        return self.real(*args, **kwargs)


def _tiny_sweep(out: Path, **kw) -> pd.DataFrame:
    kw.setdefault("max_workers", 1)
    return sweep.run_sweep(_tiny_scenario(), TINY_VARY, problem=_line_problem(), out_dir=out,
                           progress=False, reference=(), **kw)


def test_tiny_sweep_known_answers_and_files(tmp_path: Path) -> None:
    table = _tiny_sweep(tmp_path)
    assert len(table) == 12
    assert list(table.columns[:3]) == ["id", "regions.count", "constraints.min_population"]
    assert table["regions.count"].tolist() == [1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4]
    row = table.set_index(["regions.count", "constraints.min_population"]).loc[(2, 0)]
    # Two regions on the line: A..E around D, and F alone: 1000·30 + 200·20 + 300·10 + 100·10.
    assert row["status"] == "optimal"
    assert row["person_minutes"] == pytest.approx(38000)
    assert row["travel"] == pytest.approx(38000)
    assert row["population_cv"] == pytest.approx(abs(5600 - 2000) / 2 / 3800)
    plan = pd.read_csv(tmp_path / row["plan_path"], dtype=str)
    assert dict(zip(plan["kommunenummer"], plan["core"], strict=True)) == {
        "9901": "9904", "9902": "9904", "9903": "9904", "9904": "9904", "9905": "9904",
        "9906": "9906"}
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


def test_resume_solves_only_what_is_missing(tmp_path: Path, monkeypatch) -> None:
    spy = _SolveSpy(monkeypatch)
    first = _tiny_sweep(tmp_path)
    assert spy.calls == 12
    ids = first["id"].tolist()
    (tmp_path / "plans" / ids[0] / "result.json").unlink()  # lost before it was marked done
    (tmp_path / "plans" / ids[3] / "plan.csv").unlink()  # plan file gone
    (tmp_path / "plans" / ids[5] / "result.json").write_text("{trunc", encoding="utf-8")
    spy.calls = 0
    second = _tiny_sweep(tmp_path)
    assert spy.calls == 3
    cols = ["id", "status", "objective", "person_minutes", "population_cv", "plan_path"]
    assert second[cols].equals(first[cols])
    spy.calls = 0
    _tiny_sweep(tmp_path)
    assert spy.calls == 0
    _tiny_sweep(tmp_path, resume=False)
    assert spy.calls == 12


def test_resume_after_interruption_and_after_a_changed_scenario(tmp_path: Path,
                                                                monkeypatch) -> None:
    spy = _SolveSpy(monkeypatch, interrupt_after=5)
    with pytest.raises(KeyboardInterrupt):
        _tiny_sweep(tmp_path)
    assert len(list((tmp_path / "plans").glob("*/result.json"))) == 5
    assert not (tmp_path / "sweep.csv").exists()
    spy.interrupt_after, spy.calls = None, 0
    _tiny_sweep(tmp_path)
    assert spy.calls == 7
    # A different base scenario (same varied values) must not reuse the stored results.
    spy.calls = 0
    other = parse_scenario({"name": "tiny", "regions": {"count": 2},
                            "objective": {"balance": 0.5}}, source="test")
    sweep.run_sweep(other, TINY_VARY, problem=_line_problem(), out_dir=tmp_path,
                    max_workers=1, progress=False, reference=())
    assert spy.calls == 12


def test_processes_match_serial(tmp_path: Path) -> None:
    serial = _tiny_sweep(tmp_path / "serial")
    procs = _tiny_sweep(tmp_path / "procs", max_workers=2)
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
    procs = _tiny_sweep(tmp_path / "procs", max_workers=2)
    dask = _tiny_sweep(tmp_path / "dask", scheduler=dask_client)
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
    again = _tiny_sweep(tmp_path / "addr", scheduler=dask_client.scheduler.address)
    pd.testing.assert_frame_equal(procs[cols], again[cols])


def test_bad_scheduler_is_a_scenario_error(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="--scheduler 'localhost:8786'"):
        _tiny_sweep(tmp_path, scheduler="localhost:8786")
    with pytest.raises(ScenarioError, match="max_workers=0"):
        _tiny_sweep(tmp_path, max_workers=0)


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
