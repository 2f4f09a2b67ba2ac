"""Tests of regionopt.pareto: non-dominance with a known answer, the plot and its page."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from regionopt import pareto


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

