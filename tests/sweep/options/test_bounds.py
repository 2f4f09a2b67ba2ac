"""Tests of regionopt.sweep.options.bounds: each pruning proof against enumeration.

On small random graphs (tests/model/brute.py), for every municipality and every direction
some plan takes: the reduced-cost bound is at most the relaxation with the choice fixed,
which is at most the optimum enumeration finds with that choice (so neither prunes a tie).
"""

from __future__ import annotations

import math

import pytest
from model.brute import brute_force, random_problem, scen

from regionopt.model.candidates import candidate_sets
from regionopt.sweep.options.bounds import above, direction_bounds, fixed_bound
from regionopt.sweep.options.price import release

#: An elastic floor and a hard one (where some candidate directions have no plan at all).
SCENARIOS = {
    "elastic": scen(solver__name="highs", regions__min_count=2, regions__max_count=4,
                    constraints__min_population=4000, objective__population_shortfall=0.5,
                    objective__commuting=20.0),
    "hard": scen(solver__name="highs", regions__min_count=2, regions__max_count=3,
                 constraints__min_population=6000),
}
TOL = 1e-6


@pytest.mark.parametrize(("name", "seed"), [("elastic", 31), ("hard", 21)])
def test_each_bound_is_a_bound_and_the_fixed_one_is_tighter(name: str, seed: int) -> None:
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
            if j not in optimum:  # no plan takes this direction: any bound holds
                no_plan += 1
                continue
            assert tight != math.inf  # an infeasible relaxation: no plan at all
            value = optimum[j]
            assert tight is not None and rc[i, j] <= tight + TOL * max(1, abs(value))
            assert tight <= value + TOL * max(1, abs(value)), (code, core, tight, value)
            assert not tight > above(value)  # a tie is never pruned
            tightened += tight > rc[i, j] + 1e-6
            checked += 1
    assert checked
    if name == "elastic":
        assert tightened  # the fixed relaxation is tighter somewhere on this graph
    else:
        assert no_plan  # directions without a plan were met too
