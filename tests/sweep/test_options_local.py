"""Tests of regionopt.sweep.options_local and the proofs of price_direction, against enumeration.

On small random graphs (tests/model/brute.py), for every municipality and every direction:
the kept relaxation's bound is a bound (and infinite only where no plan takes the
direction); a local plan meets every rule and takes the direction; a row called ``optimal``
is within the scenario's gap of enumeration's optimum with that choice, a ``bounded`` row
brackets it, and ``infeasible`` only where no plan exists.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from model.brute import brute_force, plan_ok, random_problem, scen

from regionopt.model.rules import resolve_rules
from regionopt.sweep.options import directions, price_direction, release, solve_base
from regionopt.sweep.options_bounds import fix_direction, fixed_bound, relaxation
from regionopt.sweep.options_local import (
    local_plan,
    local_scenario,
    neighbourhood,
    proven,
    restricts,
)

TOL = 1e-6


def _scenario(gap: float):
    return scen(solver__name="highs", solver__mip_gap=gap, regions__min_count=2,
                regions__max_count=4, constraints__min_population=4000,
                objective__population_shortfall=0.5, objective__commuting=20.0)


def _optimum_by_core(data, s, i):
    best: dict[int, float] = {}
    for value, cores in brute_force(data, s):  # sorted: the first is the best
        best.setdefault(int(cores[i]), value)
    return best


@pytest.mark.parametrize("gap", [0.0, 0.05])
@pytest.mark.parametrize("seed", [41, 43])
def test_every_proof_against_enumeration(seed: int, gap: float) -> None:
    data = random_problem(seed, 7, p_edge=0.4)
    s = _scenario(gap)
    seen: dict[str, int] = {}
    for code in data.codes:
        i = data.index(code)
        released, _ = release(s, code)
        optimum = _optimum_by_core(data, released, i)
        base = solve_base(data, released, with_bounds=True)
        current = int(base.cores[i])
        for core in directions(data, base, code):
            j = data.index(core)
            if j == current:
                continue
            for whole in (False, True):
                row, plan = price_direction(data, base, code, core, explain=False, whole=whole)
                status = row["status"]
                seen[status] = seen.get(status, 0) + 1
                if j not in optimum:
                    assert status in ("infeasible", "not_solved"), (code, core, row)
                    continue
                value = optimum[j]
                assert status in ("optimal", "bounded", "not_solved"), (code, core, row)
                assert whole or status != "not_solved" or row["bound"] is None \
                    or row["bound"] <= value + TOL * max(1, abs(value))
                if status == "not_solved":
                    continue
                assert plan is not None
                cores = plan.labels(data)
                assert cores[i] == j and plan_ok(data, released, cores)
                assert row["objective"] >= value - TOL * max(1, abs(value))
                assert row["bound"] is None or row["bound"] <= value + TOL * max(1, abs(value))
                if status == "optimal":
                    assert row["objective"] - value <= (gap + TOL) * abs(row["objective"]) + TOL
                if whole:
                    assert status == "optimal", (code, core, row)
    assert seen.get("optimal")
    assert any(s_ in seen for s_ in ("bounded", "infeasible"))


@pytest.mark.parametrize("seed", [41, 45])
def test_the_kept_relaxation_is_a_bound_and_infinite_only_without_a_plan(seed: int) -> None:
    data = random_problem(seed, 7, p_edge=0.4)
    s = _scenario(0.0)
    checked = infinite = 0
    for code in data.codes:
        i = data.index(code)
        released, _ = release(s, code)
        optimum = _optimum_by_core(data, released, i)
        resolved = resolve_rules(data, released)
        rel = relaxation(data, resolved)
        assert rel is not None
        base = solve_base(data, released)
        for core in directions(data, base, code):
            j = data.index(core)
            bound = rel.bound(i, j)
            assert bound is not None
            full = fixed_bound(data, released, code, core)
            if j not in optimum:
                infinite += bound == math.inf
                continue
            assert bound != math.inf
            assert bound <= optimum[j] + TOL * max(1, abs(optimum[j]))
            assert full is not None and bound <= full + TOL * max(1, abs(full))
            checked += 1
    assert checked


@pytest.mark.parametrize("seed", [41, 47])
def test_local_plans_take_the_direction_and_meet_every_rule(seed: int) -> None:
    data = random_problem(seed, 8, p_edge=0.4)
    s = _scenario(0.0)
    found = 0
    base = solve_base(data, s)
    cores = np.asarray(base.cores)
    for code in data.codes:
        i = data.index(code)
        for core in directions(data, base, code):
            j = data.index(core)
            fixed = resolve_rules(data, fix_direction(s, code, core))
            area = neighbourhood(data, cores, i, j)
            assert {i, j} <= set(area)
            assert all(int(cores[k]) in {int(cores[m]) for m in area} for k in area)
            plan = local_plan(data, fixed, cores, i, j)
            if plan is None:
                continue
            found += 1
            assert plan[i] == j and plan_ok(data, fixed, plan)
            outside = [k for k in range(data.n) if k not in set(area)]
            assert (plan[outside] == cores[outside]).all()  # only the neighbourhood moves
    assert found


def test_the_sub_scenario_counts_the_regions_kept_outside() -> None:
    s = scen(regions__min_count=3, regions__max_count=6,
             constraints__must_link=[["5501", "5502"], ["5501", "5509"]],
             constraints__exceptions=[["5502", "an island"], ["5509", "far away"]])
    sub = local_scenario(s, {"5501", "5502", "5503"}, kept=4)
    assert sub is not None
    assert (sub.regions.min_count, sub.regions.max_count) == (1, 2)
    assert sub.constraints.must_link == (("5501", "5502"),)
    assert [e[0] for e in sub.constraints.exceptions] == ["5502"]
    assert local_scenario(s, {"5501"}, kept=6) is None  # no room left for a region
    assert local_scenario(scen(regions__count=5), {"5501"}, kept=2).regions.count == 3


def test_proven_and_restricts() -> None:
    assert proven(100.0, 99.6, 0.005) and not proven(100.0, 99.4, 0.005)
    assert not proven(100.0, None, 0.5) and proven(100.0, 100.0, 0.0)
    s = scen(regions__count=2)
    assert restricts(s, fix_direction(s, "5501", "5502"), "5501", "5502")
    assert not restricts(s, fix_direction(s, "5501", "5503"), "5501", "5502")
