"""Tests of regionopt.sweep.options_bounds: each pruning proof against enumeration.

On small random graphs (tests/model/brute.py), for every municipality and every direction:
the reduced-cost bound is at most the relaxation with the choice fixed, which is at most the
optimum enumeration finds with that choice; the exact cutoff proof never prunes a direction
at or below ``best`` (a tie included) and does prune one just above it, and a direction with
no plan at all.
"""

from __future__ import annotations

import pytest
from model.brute import brute_force, random_problem, scen

from regionopt.model.candidates import candidate_sets
from regionopt.sweep.options import release
from regionopt.sweep.options_bounds import direction_bounds, fixed_bound, proven_dearer

#: An elastic floor (every direction has a plan; the fixed relaxation is tighter), and a hard
#: floor (some candidate directions have no plan at all).
SCENARIOS = {
    "elastic": scen(solver__name="highs", regions__min_count=2, regions__max_count=4,
                    constraints__min_population=4000, objective__population_shortfall=0.5,
                    objective__commuting=20.0),
    "hard": scen(solver__name="highs", regions__min_count=2, regions__max_count=3,
                 constraints__min_population=6000),
}
TOL = 1e-6


@pytest.mark.parametrize(("name", "seed"), [("elastic", 31), ("hard", 21)])
def test_each_proof_is_a_bound_and_never_prunes_a_tie(name: str, seed: int) -> None:
    data = random_problem(seed, 7, p_edge=0.4)
    checked = tightened = no_plan = 0
    for code in data.codes:
        i = data.index(code)
        released, _ = release(SCENARIOS[name], code)
        optimum: dict[int, float] = {}
        for value, cores in brute_force(data, released):  # sorted: the first is the best
            optimum.setdefault(int(cores[i]), value)
        cands = candidate_sets(data, released)
        rc = direction_bounds(data, released, cands)
        assert rc
        for j, members in sorted(cands.items()):
            if i not in members:
                continue
            core = data.codes[j]
            tight = fixed_bound(data, released, code, core)
            if j not in optimum:  # no plan takes this direction: the exact proof says so
                no_plan += 1
                assert proven_dearer(data, released, code, core, 0.0)
                continue
            value = optimum[j]
            assert tight is not None and rc[i, j] <= tight + TOL * max(1, abs(value))
            assert tight <= value + TOL * max(1, abs(value)), (code, core, tight, value)
            tightened += tight > rc[i, j] + 1e-6
            assert not proven_dearer(data, released, code, core, value)  # a tie stays
            below = value - max(1.0, 1e-3 * abs(value))
            assert proven_dearer(data, released, code, core, below)
            checked += 1
    assert checked
    if name == "elastic":
        assert tightened  # the fixed relaxation is tighter somewhere on this graph
    else:
        assert no_plan  # and the exact proof met directions without a plan
