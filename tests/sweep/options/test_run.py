"""Tests of regionopt.sweep.options.run: every municipality on processes or Dask, resumable."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from model.brute import random_problem, scen

from regionopt.io import MANIFEST
from regionopt.sweep.options.price import COLUMNS
from regionopt.sweep.options.run import RECORDS_DIR, run_options, write_options

SCENARIO = scen(solver__name="highs", regions__min_count=2, regions__max_count=3,
                constraints__min_population=4000, objective__population_shortfall=0.5)
STABLE = [c for c in COLUMNS if c != "seconds"]


def test_every_municipality_gets_its_rows_and_a_rerun_resumes(tmp_path: Path) -> None:
    data = random_problem(41, 6, p_edge=0.45)
    out = tmp_path / "o"
    run = run_options(SCENARIO, list(data.codes), problem=data, out_dir=out, max_workers=1,
                      progress=False)
    table = run.table
    assert list(table.columns) == list(COLUMNS) and run.solved == data.n
    assert set(table["municipality"]) == set(data.codes)
    for code, rows in table.groupby("municipality"):
        assert rows["current"].sum() == 1 and list(rows["rank"]) == list(range(1, len(rows) + 1))
        assert (out / RECORDS_DIR / f"{code}.json").is_file()
    names = write_options(run, out, problem=data)
    assert {"options.csv", "options.parquet", "options.json"} <= set(names)
    listed = (out / MANIFEST).read_text(encoding="utf-8").split()
    assert f"{RECORDS_DIR}/5501.json" in listed and "options.csv" in listed
    doc = json.loads((out / "options.json").read_text(encoding="utf-8"))
    assert set(doc["municipalities"]) == set(data.codes)
    again = run_options(SCENARIO, list(data.codes), problem=data, out_dir=out, max_workers=1,
                        progress=False)
    assert again.solved == 0
    pd.testing.assert_frame_equal(again.table[STABLE], table[STABLE])
    back = pd.read_parquet(out / "options.parquet")
    assert len(back) == len(table) and "seconds" not in back.columns
    first = {n: (out / n).read_bytes() for n in ("options.csv", "options.json")}
    fresh = run_options(SCENARIO, list(data.codes), problem=data, out_dir=tmp_path / "b",
                        max_workers=1, progress=False)
    write_options(fresh, tmp_path / "b", problem=data)
    assert {n: (tmp_path / "b" / n).read_bytes() for n in first} == first  # same bytes


def test_processes_and_dask_price_as_one_process(tmp_path: Path) -> None:
    data = random_problem(42, 6, p_edge=0.45)
    codes = list(data.codes)
    one = run_options(SCENARIO, codes, problem=data, out_dir=tmp_path / "one", max_workers=1,
                      progress=False, prune=True)
    two = run_options(SCENARIO, codes, problem=data, out_dir=tmp_path / "two", max_workers=2,
                      progress=False, prune=True)
    cols = ["municipality", "direction", "status", "objective", "price", "bound"]
    pd.testing.assert_frame_equal(one.table[cols], two.table[cols])
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        dask = run_options(SCENARIO, codes, problem=data, out_dir=tmp_path / "dask",
                           scheduler=client, progress=False, prune=True)
    pd.testing.assert_frame_equal(one.table[cols], dask.table[cols])
