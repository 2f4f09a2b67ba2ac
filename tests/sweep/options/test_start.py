"""Tests of regionopt.sweep.options.start: the warm start of a direction, repaired.

On a path graph the moved plan leaves a gap that only the repair closes; on small random
graphs every start puts the municipality in the direction's region, and a start that meets
every rule is a feasible plan enumeration knows, so the direction's optimum is unchanged.
"""

from __future__ import annotations

import numpy as np
import pytest
from model.brute import brute_force, make_problem, plan_ok, random_problem, scen

from regionopt.model.heuristic import unmet_rules
from regionopt.sweep.options.price import fix_direction, release, solve_base
from regionopt.sweep.options.start import moved, repaired, start_plan

CONTIGUOUS = scen(solver__name="highs", regions__min_count=2, regions__max_count=4,
                  constraints__min_population=4000, objective__population_shortfall=0.5)


def test_the_repair_closes_the_gap_on_a_path() -> None:
    # 0 - 1 - 2 - 3 - 4: regions {0, 1} (core 0), {2, 3, 4} (core 4); move 3 to core 0
    minutes = np.abs(np.subtract.outer(np.arange(5), np.arange(5))) * 10.0
    data = make_problem([1000] * 5, minutes, [(0, 1), (1, 2), (2, 3), (3, 4)])
    s = scen(solver__name="highs", regions__min_count=1, regions__max_count=3)
    cores = np.array([0, 0, 4, 4, 4])
    plain = moved(data, cores, 3, 0)
    assert plain.tolist() == [0, 0, 4, 0, 4]
    fixed = fix_direction(s, data.codes[3], data.codes[0])
    assert unmet_rules(data, fixed, plain)  # 3 does not border region 0
    fixed_up = repaired(data, cores, 3, 0)
    assert fixed_up is not None and fixed_up.tolist() == [0, 0, 0, 0, 4]
    assert not unmet_rules(data, fixed, fixed_up)
    assert start_plan(data, fixed, cores, 3, 0).tolist() == fixed_up.tolist()
    # a core on the way brings its region: move 0 to core 4 through core 2's region
    cores = np.array([0, 2, 2, 4, 4])
    assert repaired(data, cores, 0, 4).tolist() == [4, 4, 4, 4, 4]


@pytest.mark.parametrize("seed", [31])
def test_every_start_takes_the_direction_and_a_feasible_one_is_a_plan(seed: int) -> None:
    data = random_problem(seed, 7, p_edge=0.4)
    feasible = 0
    for code in data.codes:
        i = data.index(code)
        released, _ = release(CONTIGUOUS, code)
        plans = {tuple(int(k) for k in c) for _, c in brute_force(data, released)}
        base = solve_base(data, released)
        for j in sorted(set(range(data.n)) - {base.cores[i]}):
            fixed = fix_direction(released, code, data.codes[j])
            start = start_plan(data, fixed, np.asarray(base.cores), i, j)
            assert start[i] == j and start[j] == j
            if not unmet_rules(data, fixed, start):
                feasible += 1
                assert plan_ok(data, released, start) and tuple(start.tolist()) in plans
    assert feasible
