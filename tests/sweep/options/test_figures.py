"""Tests of regionopt.sweep.options.figures: a direction's figures and what it changes.

On Troms og Finnmark's real data: the figures are :func:`regionopt.evaluate.metrics.evaluate`'s
and the criteria table's (one definition), the cached ones equal the fresh ones and cannot be
changed, and the moved municipalities are :func:`regionopt.evaluate.metrics.compare`'s.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from regionopt.evaluate.criteria import criteria_table, pass_counts
from regionopt.evaluate.metrics import compare, evaluate, moves
from regionopt.plan import plan_from_labels
from regionopt.sweep.options.figures import cached_figures, changes, option_figures
from regionopt.sweep.options.price import fix_direction
from regionopt.sweep.options.start import start_plan

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def tf(tf_net):
    from regionopt import api
    from regionopt.model.engine import solve

    problem = api.problem_from_network(tf_net)
    scenario = api.load_scenario(REPO / "data" / "geo" / "scenarios"
                                 / "troms-finnmark-functional.toml")
    best = solve(problem, scenario, quiet=True, explain=False)
    return problem, scenario, best.plan


def test_figures_are_the_metrics_and_the_criteria_table(tf) -> None:
    problem, scenario, plan = tf
    got = option_figures(problem, scenario, plan)
    metrics = evaluate(plan, problem)
    assert got["person_minutes"] == metrics.summary["person_minutes"]
    assert got["regions"] == metrics.summary["regions"] == len(plan.regions)
    assert got["commuting_kept_share"] == metrics.summary["commuting_kept_share"]
    assert got["border_commuters"] == metrics.summary["border_commuters"]
    counts = pass_counts(criteria_table(metrics, problem, scenario))
    assert counts and all(got[k] == v for k, v in counts.items())
    cores = tuple(int(k) for k in plan.labels(problem))
    cached = cached_figures(problem, scenario, cores)
    assert dict(cached) == got and cached_figures(problem, scenario, cores) is cached
    with pytest.raises(TypeError):
        cached["regions"] = 0  # type: ignore[index]


def test_changes_name_the_moved_municipalities_of_compare(tf) -> None:
    problem, scenario, plan = tf
    cores = np.asarray(plan.labels(problem), dtype="int64")
    i, j = problem.index("5546"), problem.index("5501")  # Kvænangen towards Tromsø
    fixed = fix_direction(scenario, "5546", problem.codes[j])
    other = plan_from_labels(problem, start_plan(problem, fixed, cores, i, j), name="other")
    expected = compare(plan, other, problem).moves
    assert moves(plan, other, problem).equals(expected)
    got = changes(problem, plan, other, "5546")
    listed = [c for c in expected["kommunenummer"] if c != "5546"]
    assert got["moved"] == ";".join(listed)
    assert got["moved_names"] == ";".join(problem.names[problem.index(c)] for c in listed)
    assert got["regions_changed"]  # the region Kvænangen joins is not the optimum's
    assert changes(problem, plan, plan, "5546") == {"regions_changed": "", "moved": "",
                                                    "moved_names": ""}
