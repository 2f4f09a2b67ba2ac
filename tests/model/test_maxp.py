"""regions.count = "max": the most regions, against enumeration, then the least travel."""

from __future__ import annotations

import pytest
from brute import brute_force, random_problem, scen

from regionopt.model import solve
from regionopt.scenario import replace_key


@pytest.mark.parametrize("seed", [41, 42, 43, 44])
@pytest.mark.parametrize("name", ["cbc", "highs"])
def test_most_regions_then_least_travel(seed, name):
    data = random_problem(seed, 7)
    floor = int(data.population.sum() // 4)
    s = replace_key(scen(constraints__min_population=floor), "solver.name", name)
    plans = brute_force(data, s)
    most = max(len(set(p)) for _, p in plans)
    best = min(v for v, p in plans if len(set(p)) == most)
    r = solve(data, replace_key(s, "regions.count", "max"), quiet=True)
    assert r.regions_max["value"] == most
    assert r.regions_max["bound"] is not None and r.regions_max["bound"] >= most
    assert len(r.plan.regions) == most
    assert r.objective == pytest.approx(best, rel=1e-9)
