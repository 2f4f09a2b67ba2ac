"""Calibration: a synthetic instance whose reference plan is the optimum of a known scenario.

Twelve municipalities on a 3 x 4 grid, 10 minutes per step. The reference is
the optimum of ``regions.count = 4, constraints.min_population = 3000``;
calibrating over counts 1..8 and five floors must find a scenario whose optimum
is that very plan (adjusted Rand index 1), and it is the known scenario itself
(with a floor of 2000 the optimum ties on person-minutes but groups otherwise),
both by the full grid and by successive refinement with fewer solves.

On the real data, a four-case grid around the shipped NIVI calibration
(``troms-finnmark-nivi-calibrated.toml``) must rank the shipped values first, and
its optimum must agree with NIVI as docs/calibration.md and the README state.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import numpy as np
import pytest

from regionopt.data.commuting import functional_problem
from regionopt.data.reference import reference_for
from regionopt.errors import ScenarioError
from regionopt.evaluate.agreement import agreement
from regionopt.model import solve
from regionopt.plan import read_plan
from regionopt.problem import ProblemData, problem_from_network
from regionopt.scenario import load_scenario, parse_scenario, replace_key, scenario_to_dict
from regionopt.sweep.calibrate import calibrate, rank_cases

REPO = Path(__file__).resolve().parents[2]

VARY = [("regions.count", tuple(range(1, 9))),
        ("constraints.min_population", (0, 1000, 2000, 3000, 5000))]
KNOWN = {"regions.count": 4, "constraints.min_population": 3000}


def grid_problem() -> ProblemData:
    rows, cols = 3, 4
    xy = [(r, c) for r in range(rows) for c in range(cols)]
    pos = np.array(xy, dtype="float64")
    minutes = 10.0 * np.abs(pos[:, None, :] - pos[None, :, :]).sum(axis=2)
    edges = tuple((i, j, "border") for i in range(len(xy)) for j in range(i + 1, len(xy))
                  if minutes[i, j] == 10.0)
    return ProblemData(
        codes=tuple(f"98{i:02d}" for i in range(1, 13)),
        names=tuple("ABCDEFGHIJKL"),
        counties=("98",) * 12,
        population=np.array([5200, 300, 800, 2600, 400, 1500, 250, 700, 3900, 600, 350, 1800],
                            dtype="int64"),
        minutes=minutes,
        edges=edges,
    )


def base():
    return parse_scenario({"name": "synthetic", "regions": {"count": 2}}, source="test")


@pytest.fixture(scope="module")
def reference():
    problem = grid_problem()
    s = base()
    for key, value in KNOWN.items():
        s = replace_key(s, key, value)
    return solve(problem, s, quiet=True).plan.renamed("known optimum")


@pytest.mark.parametrize("search", ["grid", "refine"])
def test_calibration_recovers_the_known_scenario(search: str, reference, tmp_path: Path) -> None:
    problem = grid_problem()
    out = tmp_path / search
    result = calibrate(base(), VARY, problem=problem, reference=reference, out_dir=out,
                       search=search, max_workers=1, progress=False)
    best = result.table.iloc[0]
    assert best["rank"] == 1 and best["agreement_ari"] == 1.0
    assert best["agreement_placed"] == 12 and best["agreement_differing"] == ""
    assert dict(result.best.overrides) == KNOWN  # the only case with ARI 1 on this grid
    # the best scenario, solved on its own, gives the reference's grouping
    again = solve(problem, result.best.scenario, quiet=True).plan
    assert agreement(again, reference).adjusted_rand == 1.0
    assert result.grid == 40
    if search == "grid":
        assert result.solves == 40
    else:
        assert result.solves < 40 and result.rounds >= 2
    # files: table ranked with agreement columns, both fronts, best.toml, summary
    for name in ("sweep.csv", "sweep.parquet", "pareto.png", "pareto.html", "agreement.png",
                 "agreement.html", "best.toml", "calibration.json"):
        assert (out / name).is_file(), name
    toml = (out / "best.toml").read_text(encoding="utf-8")
    parsed = tomllib.loads(toml)
    assert parsed["regions"]["count"] == 4
    assert "adjusted Rand index 1.0000; 12 of 12" in toml
    summary = json.loads((out / "calibration.json").read_text(encoding="utf-8"))
    assert summary["cases_solved"] == result.solves and summary["grid_cases"] == 40
    assert summary["best"]["agreement"]["adjusted_rand_index"] == 1.0
    plan = read_plan(out / best["plan_path"], problem=problem)
    assert agreement(plan, reference).placed == 12
    assert "known optimum" in (out / "agreement.html").read_text(encoding="utf-8")


def test_resumed_calibration_solves_nothing_and_writes_the_same(reference,
                                                                tmp_path: Path) -> None:
    problem = grid_problem()
    first = calibrate(base(), VARY, problem=problem, reference=reference, out_dir=tmp_path,
                      max_workers=1, progress=False)
    files = {n: (tmp_path / n).read_bytes() for n in ("sweep.csv", "best.toml",
                                                       "calibration.json", "agreement.html")}
    again = calibrate(base(), VARY, problem=problem, reference=reference, out_dir=tmp_path,
                      max_workers=1, progress=False)
    assert first.solved_now == first.solves and again.solved_now == 0
    assert {n: (tmp_path / n).read_bytes() for n in files} == files


@pytest.mark.parametrize("key", ["constraints.must_link", "constraints.cannot_link",
                                 "constraints.fixed_cores", "area.counties"])
def test_membership_keys_are_refused(key: str, reference, tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match=key):
        calibrate(base(), [(key, ("x",))], problem=grid_problem(), reference=reference,
                  out_dir=tmp_path, progress=False)
    assert not any(tmp_path.iterdir())


def test_rank_puts_cases_without_a_plan_last(reference, tmp_path: Path) -> None:
    result = calibrate(base(), [("regions.count", (4, 13))], problem=grid_problem(),
                       reference=reference, out_dir=tmp_path, search="grid", max_workers=1,
                       progress=False)
    assert result.table["regions.count"].tolist() == [4, 13]
    assert result.table["rank"].tolist()[0] == 1 and result.table["rank"].isna().tolist() == [
        False, True]
    assert list(rank_cases(result.table.drop(columns="rank"))["id"]) == list(result.table["id"])


# --------------------------------------------------------------------------- NIVI, real data

NIVI_SCENARIO = REPO / "data" / "geo" / "scenarios" / "troms-finnmark-nivi-calibrated.toml"
NIVI_GRID = [("objective.balance", (1.0, 3.0)), ("constraints.min_population", (5000, 5400))]
"""A small grid around the shipped calibration (docs/calibration.md has the full one)."""


def test_small_grid_around_nivi_calibration_recovers_the_shipped_scenario(
        tf_net, data_dir: Path, tmp_path: Path) -> None:
    problem = functional_problem(problem_from_network(tf_net), data_dir=data_dir)
    nivi = reference_for(problem, "nivi")[1]
    shipped = load_scenario(NIVI_SCENARIO)
    result = calibrate(shipped, NIVI_GRID, problem=problem, reference=nivi, out_dir=tmp_path,
                       search="grid", max_workers=1, progress=False)
    assert result.best is not None and result.solves == 4
    # the best case of the grid is the shipped scenario: every varied key at its shipped value
    flat = {f"{table}.{key}": value for table, keys in scenario_to_dict(shipped).items()
            if isinstance(keys, dict) for key, value in keys.items()}
    assert {key: flat[key] for key, _ in NIVI_GRID} == dict(result.best.overrides)
    best = result.table.iloc[0]
    # the shipped scenario solved on its own agrees with NIVI exactly as the grid's best ...
    alone = solve(problem, shipped, quiet=True)
    assert alone.status == "optimal"
    stated = agreement(alone.plan, nivi)
    assert (stated.placed, stated.adjusted_rand) == (best["agreement_placed"],
                                                     pytest.approx(best["agreement_ari"]))
    # ... and as docs/calibration.md and the README state it
    for doc in (REPO / "docs" / "calibration.md", REPO / "README.md"):
        text = doc.read_text(encoding="utf-8")
        assert f"{stated.placed} of 39" in text, doc
        assert f"ARI {stated.adjusted_rand:.2f}" in text, doc
