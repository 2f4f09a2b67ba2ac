"""Tests of regionopt.sweep.options.local and the proofs of price_direction, against enumeration.

On small random graphs (tests/model/brute.py), for every municipality and every direction:
the kept relaxation's bound is a bound (and infinite only where no plan takes the
direction); a local plan meets every rule and takes the direction; a row called ``optimal``
is within the scenario's gap of enumeration's optimum with that choice, a ``bounded`` row
brackets it, and ``infeasible`` only where no plan exists.
"""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import numpy as np
import pytest
from model.brute import (
    brute_force,
    make_problem,
    plan_ok,
    random_problem,
    scen,
    with_made_up_commuting,
)

from regionopt.model.objective import objective_value
from regionopt.model.rules import resolve_rules
from regionopt.sweep.options.bounds import fix_direction, fixed_bound, relaxation
from regionopt.sweep.options.local import (
    MAX_RINGS,
    local_plan,
    local_scenario,
    local_search,
    neighbourhood,
    patient_plan,
    proven,
    restricts,
    thinned,
)
from regionopt.sweep.options.price import directions, price_direction, release, solve_base

TOL = 1e-6
REPO = Path(__file__).resolve().parents[3]


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
                assert status in ("optimal", "bounded", "time_limit", "not_solved"), (code, core,
                                                                                   row)
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
            assert set(area) <= set(neighbourhood(data, cores, i, j, rings=2))
            plan = local_plan(data, fixed, cores, i, j)
            if plan is None:
                continue
            found += 1
            assert plan[i] == j and plan_ok(data, fixed, plan)
            wider = set(neighbourhood(data, cores, i, j, rings=MAX_RINGS))
            outside = [k for k in range(data.n) if k not in wider]
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


# ---------------------------------------------------------------- the second ring, on a line


def _line(seed: int, n: int):
    """Municipalities on a road: the minutes are the distances along it."""
    rng = np.random.default_rng(seed)
    at = np.concatenate([[0.0], np.cumsum(rng.integers(5, 30, size=n - 1).astype(float))])
    pop = rng.integers(500, 3000, size=n)
    data = make_problem(pop, np.abs(at[:, None] - at[None, :]),
                        [(k, k + 1) for k in range(n - 1)])
    return with_made_up_commuting(data, seed)


def _line_plans(area: list[int]):
    """Every plan of the positions ``area`` of a line: intervals, each with a core."""
    runs: list[list[int]] = []
    for k in sorted(area):
        if runs and runs[-1][-1] == k - 1:
            runs[-1].append(k)
        else:
            runs.append([k])

    def parts(run: list[int]):
        for cuts in itertools.product([False, True], repeat=len(run) - 1):
            blocks = [[run[0]]]
            for cut, k in zip(cuts, run[1:], strict=True):
                if cut:
                    blocks.append([k])
                else:
                    blocks[-1].append(k)
            for chosen in itertools.product(*blocks):
                yield list(zip(blocks, chosen, strict=True))

    for combo in itertools.product(*[list(parts(r)) for r in runs]):
        yield [pair for part in combo for pair in part]


def _plans_moving_only(data, fixed, cores, area):
    """The plans of ``fixed`` that keep every base core outside ``area`` (enumerated)."""
    out = []
    for blocks in _line_plans(area):
        plan = np.array(cores, dtype="int64")
        for block, core in blocks:
            plan[block] = core
        if plan_ok(data, fixed, plan):
            out.append(plan)
    return out


def _line_case(code: str, core: str):
    """Line 3: 13 municipalities, a hard floor of 3 000, 40 minutes at most to the core; the
    problem, the scenario with ``code`` in ``core``'s region (resolved), the base cores and
    the pair's positions."""
    data = _line(3, 13)
    s = scen(solver__name="highs", solver__mip_gap=0.0, regions__min_count=2,
             regions__max_count=8, constraints__min_population=3000,
             constraints__max_travel_minutes=40.0, objective__commuting=20.0)
    cores = np.asarray(solve_base(data, s).cores)
    fixed = resolve_rules(data, fix_direction(s, code, core))
    return data, fixed, cores, data.index(code), data.index(core)


@pytest.mark.parametrize(("code", "core"), [("5503", "5504"), ("5504", "5504")])
def test_a_neighbourhood_without_a_plan_gets_its_second_ring(code: str, core: str) -> None:
    """Line 3, 13 municipalities, a hard floor of 3 000 and 40 minutes at most to the core.

    The directions were found by enumeration: no plan takes them within the first ring of
    base regions, some plan does within the second.
    """
    data, fixed, cores, i, j = _line_case(code, core)
    first = neighbourhood(data, cores, i, j)
    second = neighbourhood(data, cores, i, j, rings=2)
    assert not _plans_moving_only(data, fixed, cores, first)
    reachable = _plans_moving_only(data, fixed, cores, second)
    assert reachable
    plan = local_plan(data, fixed, cores, i, j)
    assert plan is not None and plan[i] == j and plan_ok(data, fixed, plan)
    outside = [k for k in range(data.n) if k not in set(second)]
    assert (plan[outside] == cores[outside]).all()
    best = min(objective_value(data, fixed, p) for p in reachable)
    assert objective_value(data, fixed, plan) == pytest.approx(best, rel=1e-9)


# ---------------------------------------------------------------- the thinned sub-problem


@pytest.fixture(scope="module")
def tf_functional(tf_net):
    from regionopt import api

    return api.problem_from_network(tf_net)


def test_thinned_flows_keep_the_totals_and_never_more_commuters(tf_functional) -> None:
    """On Troms og Finnmark's real flows: every region of random plans keeps at most as many
    commuters in the thinned problem, so a plan meeting a floor there meets it here."""
    from regionopt.evaluate.metrics import evaluate
    from regionopt.plan import plan_from_labels

    data = tf_functional
    thin = thinned(data, 50)
    assert data.commuting is not None and thin.commuting is not None
    flows, kept = data.commuting.flows, thin.commuting.flows
    off = ~np.eye(data.n, dtype=bool)
    assert (kept[off & (flows >= 50)] == flows[off & (flows >= 50)]).all()
    assert not kept[off & (flows < 50)].any()
    assert (np.diag(kept) == np.diag(flows)).all() and kept[off].sum() < flows[off].sum()
    assert (thin.commuting.employed == data.commuting.employed).all()
    assert (thin.commuting.jobs == data.commuting.jobs).all()
    rng = np.random.default_rng(5)
    for _ in range(20):  # random plans: random cores, each municipality to the nearest
        chosen = rng.choice(data.n, size=int(rng.integers(2, 15)), replace=False)
        cores = chosen[np.argmin(data.minutes[:, chosen], axis=1)]
        plan = plan_from_labels(data, cores, name="random")
        full, less = evaluate(plan, data).regions, evaluate(plan, thin).regions
        assert (less["live_work"].to_numpy() <= full["live_work"].to_numpy()).all()
        assert (less["self_containment"].to_numpy()
                <= full["self_containment"].to_numpy() + 1e-12).all()


def test_a_plan_of_the_thinned_problem_meets_every_rule_of_the_real_one(tf_functional) -> None:
    """Troms og Finnmark's functional scenario (0.6 self-containment floor) solved on the
    thinned flows: its plan meets every rule on the real flows (the engine's own audit)."""
    from regionopt.api import load_scenario
    from regionopt.model.engine import solve
    from regionopt.model.heuristic import unmet_rules

    data = tf_functional
    s = load_scenario(REPO / "data" / "geo" / "scenarios" / "troms-finnmark-functional.toml")
    resolved = resolve_rules(data, s)
    result = solve(thinned(data, 50), resolved, quiet=True, explain=False)
    assert result.plan is not None
    assert unmet_rules(data, resolved, np.asarray(result.plan.labels(data))) == ()


def _other_directions(seed: int):
    """Each municipality's directions other than its base's, on a random 7-municipality
    graph: the problem, the released scenario, its base, the pair and enumeration's optima
    by core."""
    data = random_problem(seed, 7, p_edge=0.4)
    s = _scenario(0.0)
    for code in data.codes:
        i = data.index(code)
        released, _ = release(s, code)
        optimum = _optimum_by_core(data, released, i)
        base = solve_base(data, released, with_bounds=True)
        for core in directions(data, base, code):
            if data.index(core) != int(base.cores[i]):
                yield data, released, base, code, core, optimum


@pytest.mark.parametrize("seed", [41, 43])
def test_bounds_only_solves_the_whole_area_when_no_local_plan_is_found(
        seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Nationally a few directions get no local plan (26 of 2 423 on 6 December 2026); on a
    small graph every neighbourhood holds one, so here none is found by construction. With
    ``--bounds-only`` the whole area is then solved for a short time: each row matches
    enumeration (the optimum with that choice, or no plan at all)."""
    import regionopt.sweep.options.price as options

    monkeypatch.setattr(options, "local_search", lambda *args, **kwargs: (None, 1))
    monkeypatch.setattr(options, "patient_plan", lambda *args, **kwargs: None)
    solved = 0
    for data, _, base, code, core, optimum in _other_directions(seed):
        j = data.index(core)
        row, plan = price_direction(data, base, code, core, explain=False, whole=False)
        if j not in optimum:
            assert row["status"] == "infeasible" and plan is None, (code, core, row)
            continue
        assert row["status"] == "optimal" and plan is not None, (code, core, row)
        assert row["objective"] == pytest.approx(optimum[j], rel=1e-9, abs=1e-6)
        assert row["proof"].startswith("solver")
        solved += 1
    assert solved


@pytest.mark.parametrize("seed", [41, 43])
def test_the_patient_search_prices_a_direction_the_first_search_left_without_a_plan(
        seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """The first search is made to fail (on small graphs it never does by itself); the
    patient search then finds the plan, and each row brackets enumeration's optimum with
    that choice: the plan takes the direction and meets every rule, its objective is at
    least the optimum, its bound at most; no plan only where enumeration finds none."""
    import regionopt.sweep.options.price as options

    monkeypatch.setattr(options, "local_search", lambda *args, **kwargs: (None, 1))
    priced = 0
    for data, released, base, code, core, optimum in _other_directions(seed):
        i, j = data.index(code), data.index(core)
        cores = np.asarray(base.cores)
        fixed = resolve_rules(data, fix_direction(released, code, core))
        plan = patient_plan(data, fixed, cores, i, j, 1, 30.0)
        if j not in optimum:
            assert plan is None
            continue
        if plan is not None:
            assert plan[i] == j and plan_ok(data, fixed, plan)
            assert objective_value(data, fixed, plan) >= optimum[j] - TOL
        row, out = price_direction(data, base, code, core, explain=False, whole=False)
        value = optimum[j]
        assert row["status"] in ("optimal", "bounded"), (code, core, row)
        assert out is not None and row["objective"] >= value - TOL * max(1, abs(value))
        assert row["bound"] is None or row["bound"] <= value + TOL * max(1, abs(value))
        priced += plan is not None
    assert priced


def test_the_first_search_reports_where_it_stopped() -> None:
    """Line 3 (the second-ring case above): the first ring is proven empty, so the search
    stops in the second with its plan; the patient search from there finds a plan too."""
    data, fixed, cores, i, j = _line_case("5503", "5504")
    plan, ring = local_search(data, fixed, cores, i, j)
    assert plan is not None and ring == 2
    again = patient_plan(data, fixed, cores, i, j, ring, 30.0)
    assert again is not None and again[i] == j and plan_ok(data, fixed, again)


def test_the_rings_grow_while_each_is_proven_empty(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every neighbourhood made to be proven empty: the search widens ring by ring, stops
    once a ring adds nothing (the whole line), and reports that no ring holds a plan."""
    import regionopt.sweep.options.local as local

    data, fixed, cores, i, j = _line_case("5501", "5502")
    sizes: list[int] = []

    def empty(problem, fixed, cores, i, j, area, steps, deadline=None):
        sizes.append(len(area))
        return None, True

    monkeypatch.setattr(local, "_area_plan", empty)
    assert local_search(data, fixed, cores, i, j) == (None, MAX_RINGS + 1)
    expected = []
    for rings in range(1, MAX_RINGS + 1):
        size = len(neighbourhood(data, cores, i, j, rings=rings))
        if expected and size == expected[-1]:
            break
        expected.append(size)
    assert sizes == expected == [7, 11, 13]  # three rings: the third is the whole line
    assert all(a < b for a, b in itertools.pairwise(sizes))
