"""regionopt.server.locks and regionopt.server.figures: locks become the engine's rules.

Each kind of lock is written as ``fixed_cores``, ``must_link`` or ``cannot_link`` over the
scenario (a pair already a rule is not repeated); the knobs keep to their ranges; a lock that
breaks a hard rule is named before anything is solved; the figures' differences subtract.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from regionopt import api
from regionopt.plan import Plan
from regionopt.problem import ProblemData
from regionopt.scenario import Scenario
from regionopt.server import locks as lk
from regionopt.server.errors import RequestError
from regionopt.server.figures import FIGURES, differences, plan_figures


@pytest.fixture(scope="module")
def tf(data_dir: Path) -> tuple[ProblemData, Scenario, Plan]:
    problem = api.problem_from_network(api.build_network(data_dir=data_dir, progress=False),
                                       data_dir=data_dir)
    scenario = api.load_scenario()
    result = api.solve(problem, scenario, quiet=True)
    assert result.plan is not None
    return problem, scenario, result.plan


def test_each_kind_is_a_rule(tf: tuple[ProblemData, Scenario, Plan]) -> None:
    problem, scenario, plan = tf
    locks = lk.parse_locks(problem, plan, [
        {"kind": "municipality", "code": "5546", "other": "5601"},  # a rule already
        {"kind": "municipality", "code": "5536", "other": "5501"},
        {"kind": "core", "code": "5601"},
        {"kind": "forbid", "code": "5503", "other": "5501"},
        {"kind": "region", "code": "5603"},
    ])
    c = lk.locked_scenario(scenario, locks).constraints
    assert set(c.fixed_cores) == {"5601", "5501", plan.core_of("5603")}
    pairs = {frozenset(p) for p in c.must_link}
    assert frozenset(("5546", "5601")) in pairs and frozenset(("5536", "5501")) in pairs
    assert len(c.must_link) == len(pairs)  # no pair twice
    region = plan.assignment["5603"]
    assert all(frozenset((m, plan.cores[region])) in pairs
               for m in plan.members(region) if m != plan.cores[region])
    assert [sorted(p) for p in c.cannot_link] == [["5501", "5503"]]
    assert locks[1].describe(problem) == "Lyngen with Tromsø"
    # the same locks twice are one lock
    assert len(lk.parse_locks(problem, plan, [{"kind": "core", "code": "5601"}] * 2)) == 1


def test_a_municipality_lock_defaults_to_its_core(tf: tuple[ProblemData, Scenario, Plan]
                                                  ) -> None:
    problem, _, plan = tf
    (lock,) = lk.parse_locks(problem, plan, [{"kind": "municipality", "code": "5536"}])
    assert lock.other == plan.core_of("5536")


def test_knobs_keep_to_their_ranges(tf: tuple[ProblemData, Scenario, Plan]) -> None:
    _, scenario, _ = tf
    out = lk.apply_knobs(scenario, {"regions.count": 10, "objective.commuting": 500,
                                    "constraints.max_travel_minutes": None})
    assert out.regions.count == 10 and out.objective.commuting == 500
    for bad in ({"regions.count": 2.5}, {"regions.count": True}, {"objective.balance": -1},
                {"constraints.min_population": None}, {"x": 1}):
        with pytest.raises(RequestError) as err:
            lk.apply_knobs(scenario, bad)
        assert err.value.status == 422 and str(err.value).startswith("knobs.")
    schema = {k["key"]: k for k in lk.knob_schema(scenario)}
    assert schema["regions.count"]["value"] == 12 and schema["regions.count"]["low"] == 1


def test_a_lock_breaking_a_hard_rule_is_named(tf: tuple[ProblemData, Scenario, Plan]) -> None:
    problem, scenario, plan = tf
    locks = lk.parse_locks(problem, plan, [{"kind": "municipality", "code": "5501",
                                            "other": "5546"}])
    with pytest.raises(RequestError, match=r"^locks\[0\]: Tromsø with Kvænangen breaks"):
        lk.check_locks(problem, scenario, locks)
    fine = lk.parse_locks(problem, plan, [{"kind": "municipality", "code": "5536",
                                           "other": "5501"}])
    lk.check_locks(problem, scenario, fine)


def test_figures_and_their_differences(tf: tuple[ProblemData, Scenario, Plan]) -> None:
    problem, scenario, plan = tf
    figures = plan_figures(problem, scenario, plan, 1.0)
    assert set(figures) == set(FIGURES) and figures["regions"] == 12
    assert figures["max_minutes"] > 0 and figures["objective"] == 1.0
    assert differences(figures, figures)["person_minutes"] == 0
    assert differences({}, figures)["regions"] is None
