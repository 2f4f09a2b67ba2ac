"""Tests of regionopt.sweep.options.price: each direction's plan against enumeration.

On small random graphs (tests/model/brute.py) every direction's plan is the optimum of the
plans with that choice fixed, the listed directions are exactly those some feasible plan
takes, and pruning never drops a direction that enumeration finds cheaper. On Troms og
Finnmark (the issue's judgement) Kvænangen's directions equal solves of the scenario with the
choice fixed by must_link alone, and by restricting the candidate pairs.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from model.brute import brute_force, plan_ok, random_problem, scen

from regionopt import api
from regionopt._resources import geo_file
from regionopt.errors import ScenarioError
from regionopt.model.build import build_model
from regionopt.model.candidates import candidate_sets
from regionopt.model.objective import objective_value
from regionopt.model.optimise import optimise
from regionopt.scenario import load_scenario, replace_key
from regionopt.sweep.options.price import (
    find_municipality,
    fix_direction,
    municipality_options,
    release,
)

SOLVED = ("optimal", "time_limit")
#: Scenarios on the random graphs: contiguity with a count range and an elastic floor, a
#: travel limit with the largest member as core, and a must-link pair to be released.
SCENARIOS = {
    "contiguous": dict(regions__min_count=2, regions__max_count=4,
                       constraints__min_population=4000, objective__population_shortfall=0.5,
                       objective__commuting=20.0),
    "travel": dict(constraints__max_travel_minutes=60.0, constraints__core_is_largest=True),
    "linked": dict(regions__min_count=2, regions__max_count=3,
                   constraints__must_link=[["5501", "5504"]],
                   constraints__cannot_link=[["5502", "5503"]]),
}


def _scenario(name: str):
    return scen(**{"solver__name": "highs", **SCENARIOS[name]})


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-7, abs_tol=1e-6)


@pytest.mark.parametrize("name", sorted(SCENARIOS))
@pytest.mark.parametrize("seed", [21])
def test_every_direction_is_the_optimum_with_that_choice_fixed(name: str, seed: int) -> None:
    data = random_problem(seed, 6, p_edge=0.45)
    s = _scenario(name)
    for code in data.codes:
        i = data.index(code)
        released, _ = release(s, code)
        plans = brute_force(data, released)
        best_by_core: dict[int, float] = {}
        for value, cores in plans:
            best_by_core.setdefault(int(cores[i]), value)  # plans are sorted: first is best
        rows, solved = municipality_options(data, s, code)
        by_core = {data.index(r["direction"]): r for r in rows}
        assert _close(rows[0]["objective"], plans[0][0]) and rows[0]["price"] == 0
        assert rows[0]["current"]
        # every direction a feasible plan takes is listed, solved, at enumeration's optimum
        for j, value in best_by_core.items():
            row = by_core[j]
            assert row["status"] == "optimal", (code, j, row)
            assert _close(row["objective"], value), (code, j, row["objective"], value)
            assert _close(row["price"], value - plans[0][0])
            cores = solved[data.codes[j]].labels(data)
            assert cores[i] == j and plan_ok(data, released, cores)
            assert _close(objective_value(data, released, cores), value)
        # and no direction enumeration rules out has a plan
        for j, row in by_core.items():
            if j not in best_by_core:
                assert row["status"] in ("infeasible", "breaks_rule"), (code, j, row)
                assert row["reason"]
        ranks = [r["rank"] for r in rows]
        assert ranks == list(range(1, len(rows) + 1))


@pytest.mark.parametrize("seed", [31, 33])
def test_pruning_never_drops_a_direction_enumeration_finds_cheaper(seed: int) -> None:
    data = random_problem(seed, 7, p_edge=0.4)
    s = _scenario("contiguous")
    pruned_any = False
    for code in data.codes:
        i = data.index(code)
        plans = brute_force(data, release(s, code)[0])
        best_by_core: dict[int, float] = {}
        for value, cores in plans:
            best_by_core.setdefault(int(cores[i]), value)
        current = int(plans[0][1][i])
        others = {j: v for j, v in best_by_core.items() if j != current}
        rows, _ = municipality_options(data, s, code, prune=True)
        solved = {data.index(r["direction"]): r["objective"] for r in rows
                  if r["status"] in SOLVED and not r["current"]}
        if others:  # the cheapest other direction is always solved, and exact
            assert solved and _close(min(solved.values()), min(others.values()))
        for r in rows:
            if r["status"] == "pruned":
                pruned_any = True
                j = data.index(r["direction"])
                assert r["reason"].startswith("pruned: bound ")
                if j not in best_by_core:  # no plan takes it: any bound holds
                    continue
                assert r["bound"] <= others[j] + 1e-6  # the bound is a bound ...
                assert others[j] > min(others.values())  # ... and the direction is dearer
    assert pruned_any  # the bound prunes something on these graphs


def test_released_links_are_the_choice_being_priced() -> None:
    s = _scenario("linked")
    released, links = release(s, "5501")
    assert released.constraints.must_link == () and links == ("must_link 5501-5504",)
    assert release(s, "5505")[1] == ()
    fixed = fix_direction(released, "5501", "5503")
    assert fixed.constraints.fixed_cores == ("5503",)
    assert ("5501", "5503") in fixed.constraints.must_link
    data = random_problem(21, 6, p_edge=0.45)
    rows, _ = municipality_options(data, s, "5501")
    assert {r["direction"] for r in rows if r["scenario_choice"]} <= {"5504"}
    assert all(r["released"] == "must_link 5501-5504" for r in rows)


def test_municipality_by_name_or_code() -> None:
    data = random_problem(21, 6)
    assert find_municipality(data, "5503") == "5503"
    assert find_municipality(data, "m2") == "5503"
    with pytest.raises(ScenarioError, match="no municipality"):
        find_municipality(data, "Atlantis")


# --------------------------------------------------------------------------- Troms og Finnmark

@pytest.fixture(scope="module")
def tf(tf_net: Any) -> dict[str, Any]:
    scenario = load_scenario(geo_file("scenarios", "troms-finnmark-functional.toml"))
    problem = api.problem_from_network(tf_net)
    rows, plans = municipality_options(problem, scenario, find_municipality(problem, "Kvænangen"))
    return {"problem": problem, "scenario": scenario, "rows": rows, "plans": plans}


def test_kvaenangen_directions_equal_solves_fixed_by_must_link(tf: dict[str, Any]) -> None:
    problem, scenario, rows = tf["problem"], tf["scenario"], tf["rows"]
    solved = [r for r in rows if r["status"] == "optimal"]
    names = {r["direction_name"] for r in solved}
    assert len(solved) >= 2 and {"Tromsø", "Nordreisa", "Alta"} <= names
    released, _ = release(scenario, "5546")
    for r in solved:
        if r["direction"] not in ("5501", "5601"):
            continue
        # the same scenario, the choice fixed by must_link alone (no fixed core) ...
        linked = replace_key(released, "constraints.must_link",
                             [list(p) for p in released.constraints.must_link]
                             + [["5546", r["direction"]]])
        res = api.solve(problem, linked, quiet=True)
        assert res.status == "optimal" and res.plan is not None
        assert res.plan.core_of("5546") == r["direction"]
        assert _close(res.objective, r["objective"])
        # ... and by restricting the candidate pairs: x[5546, j] the only pair of 5546
        cands = candidate_sets(problem, released)
        i, j = problem.index("5546"), problem.index(r["direction"])
        cut = {k: (m if k == j else m - {i}) for k, m in cands.items()}
        outcome, cores = optimise(build_model(problem, released, cands=cut), quiet=True)
        assert outcome.proven and cores is not None and cores[i] == j
        assert _close(objective_value(problem, released, cores), r["objective"])
    tromso = next(r for r in rows if r["direction"] == "5501")
    assert tromso["moved"] and tromso["regions_changed"]
    assert "Tromsø" in tromso["moved_names"].split(";")
    assert next(r for r in rows if r["direction"] == "5601")["scenario_choice"]
    assert np.isfinite(tromso["commuting_kept_share"])
