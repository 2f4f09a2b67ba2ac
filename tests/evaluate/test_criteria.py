"""The criteria table (regionopt.evaluate.criteria) on a hand-made example."""

from __future__ import annotations

import numpy as np

from regionopt.evaluate.criteria import criteria_table, shortfalls
from regionopt.evaluate.metrics import evaluate
from regionopt.flows import Commuting
from regionopt.plan import plan_from_labels
from regionopt.problem import ProblemData
from regionopt.scenario import Scenario, replace_key


def _problem() -> ProblemData:
    # three municipalities: 0 and 1 together (core 0), 2 alone
    minutes = np.array([[0, 50, 80], [50, 0, 90], [80, 90, 0]], dtype=float)
    flows = np.array([[50, 10, 5], [20, 40, 0], [0, 5, 30]])
    return ProblemData(
        codes=("5501", "5502", "5503"), names=("A", "B", "C"), counties=("55",) * 3,
        population=np.array([16000, 4000, 3000]), minutes=minutes,
        edges=((0, 1, "road"), (1, 2, "road")),
        commuting=Commuting(flows, flows.sum(axis=1) + np.array([5, 10, 5]),
                            flows.sum(axis=0) + np.array([5, 0, 10])),
        centrality=np.array([[700, 4], [500, 6], [400, 6]]),
    )


def test_pass_and_fail_by_hand() -> None:
    data = _problem()
    s = replace_key(Scenario(), "constraints.exceptions", [["5503", "ferry only"]])
    metrics = evaluate(plan_from_labels(data, np.array([0, 0, 2])), data)
    table = criteria_table(metrics, data, s).set_index(["region", "criterion"])
    names = sorted({r for r, _ in table.index})
    ab, c = names  # the region of A and B, the region of C
    # A+B: 20 000 inhabitants; L = 120, E = 65 + 60 + 15 = 140, J = 75 + 55 = 130 → 120/140
    assert table.loc[(ab, "population"), "passed"] and table.loc[(ab, "municipal_minimum"),
                                                                 "passed"]
    assert np.isclose(table.loc[(ab, "self_containment"), "value"], 120 / 140)
    assert table.loc[(ab, "self_containment"), "passed"]
    # mean trip (16 000·0 + 4 000·50)/20 000 = 10 ≤ 45; longest 50 ≤ 75, in the 60-minute band
    assert table.loc[(ab, "mean_trip"), "value"] == 10
    assert table.loc[(ab, "longest_trip"), "band"] == "<= 60 min"
    assert table.loc[(ab, "core_centrality_class"), "passed"]
    # C: 3 000 < 5 000, class 6 > 5; L = 30 of E = 40, J = 45 → 30/45 = 0.667 < 0.75
    assert not table.loc[(c, "population"), "passed"]
    assert not table.loc[(c, "core_centrality_class"), "passed"]
    assert np.isclose(table.loc[(c, "self_containment"), "value"], 30 / 45)
    assert "ferry only" in table.loc[(c, "population"), "note"]
    failed = shortfalls(criteria_table(metrics, data, s))
    assert any(line.startswith(f"{c}: population 3 000 vs 5 000") for line in failed)
    assert not any(line.startswith(f"{ab}:") for line in failed)


def test_thresholds_come_from_the_scenario() -> None:
    data = _problem()
    metrics = evaluate(plan_from_labels(data, np.array([0, 0, 2])), data)
    s = replace_key(Scenario(), "criteria.min_population", 2000)
    table = criteria_table(metrics, data, s)
    assert table[table["criterion"] == "population"]["passed"].all()
