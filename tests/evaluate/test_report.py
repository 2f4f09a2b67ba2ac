"""Tests of regionopt.evaluate.report: text, CSV and JSON-able renderings of metrics."""

from __future__ import annotations

import json

from handmade import PLAN_A, path_problem

from regionopt.evaluate.metrics import evaluate
from regionopt.evaluate.report import format_metrics, frame_to_csv, metrics_to_dict


def test_renderings_are_deterministic_and_rounded() -> None:
    m = evaluate(PLAN_A, path_problem())
    d = metrics_to_dict(m)
    assert list(d) == sorted(d)
    assert d["summary"]["population_cv"] == round(35 / 215, 4)
    assert d["regions"][0]["mean_minutes"] == round(1100 / 180, 4)
    assert json.dumps(d, sort_keys=True) == json.dumps(metrics_to_dict(evaluate(
        PLAN_A, path_problem())), sort_keys=True)
    text = format_metrics(m)
    assert "North" in text and "person_minutes: 2,000.00" in text
    csv = frame_to_csv(m.regions)
    assert csv.splitlines()[1].startswith("North,1001,A,180,3,1001;1002;1003,0.5556,6.1111,")

