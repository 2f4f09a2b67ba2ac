"""Tests of regionopt.sweep.pareto: non-dominance with a known answer, the plot and its page."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from regionopt.sweep import pareto


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



def test_png_labels_stay_inside_and_never_overlap() -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(4, 3), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 10)
    renderer = fig.canvas.get_renderer()
    taken: list = []
    assert pareto._place(ax, renderer, "first label", (5, 5), taken, fontsize=8)
    # the same spot again: placed on another side of the point, not on top of the first
    assert pareto._place(ax, renderer, "second label", (5, 5), taken, fontsize=8)
    # at the right edge: placed to the left of the point, inside the axes
    assert pareto._place(ax, renderer, "edge label", (9.9, 2), taken, fontsize=8)
    frame = ax.get_window_extent(renderer)
    boxes = [t.get_window_extent(renderer) for t in ax.texts]
    assert len(boxes) == 3
    assert all(frame.x0 <= b.x0 and b.x1 <= frame.x1 for b in boxes)
    assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1:])
    # every side of the point taken: the label is left out, not drawn over another
    for _ in range(4):
        pareto._place(ax, renderer, "more", (5, 5), taken, fontsize=8)
    assert not pareto._place(ax, renderer, "no room", (5, 5), taken, fontsize=8)
    assert "no room" not in [t.get_text() for t in ax.texts]


def test_reference_marker_is_the_same_diamond_in_png_and_html(tmp_path: Path) -> None:
    table = pd.DataFrame({"id": ["a"], "k": [1], "status": ["optimal"],
                          "person_minutes": [100.0], "population_cv": [0.5], "regions": [3],
                          "plan_path": ["plans/a/plan.csv"]})
    refs = [("NIVI 2023", {"person_minutes": 150.0, "population_cv": 0.4, "regions": 12})]
    pareto.write_pareto(table, tmp_path, varied=["k"], references=refs)
    page = (tmp_path / pareto.HTML_NAME).read_text(encoding="utf-8")
    assert pareto.REF_MARKER == "D"  # Matplotlib's diamond: a square turned 45°, as in the SVG
    assert 'class="ref"' in page and "rotate(45" in page and "red diamond" in page
