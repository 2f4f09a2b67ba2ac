"""regionopt.model.greedy_methods: each method's own greedy procedure keeps its own rules
(the centre methods' joins, admission and restkommune; the Coombes-Bond loop's validity
where it can), checked with the families' audits on small random instances."""

from __future__ import annotations

import numpy as np
import pytest
from brute import delineation_ok, random_problem, scen

from regionopt.model.containment import region_flows
from regionopt.model.families.coombes_bond import valid
from regionopt.model.greedy_methods import centre_greedy, coombes_bond_loop, method_greedy


@pytest.mark.parametrize("keys", [
    dict(delineation__join_share=0.08, delineation__centre_max_out=0.5),
    dict(delineation__join_share=0.08, delineation__admit_share=0.08,
         delineation__travel_steps=[[45, 0.06]], delineation__centre_max_out=0.5,
         delineation__restkommune=True),
    dict(delineation__join_share=0.001, delineation__centre_max_out=0.5),
])
def test_the_centre_greedy_keeps_the_rules_contiguity_aside(keys: dict) -> None:
    s = scen(constraints__contiguity=False, **keys)
    for seed in range(20):
        data = random_problem(seed, 7, p_edge=0.5)
        cores = centre_greedy(data, s)
        assert (cores[cores] == cores).all()  # every core is its own core
        assert delineation_ok(data, s, cores), (seed, tuple(cores))
        assert (method_greedy(data, s) == cores).all()


def test_the_coombes_bond_loop_ends_with_valid_areas_or_stranded_ones() -> None:
    s = scen(constraints__contiguity=False, delineation__cb_min_size=800,
             delineation__cb_target_size=2500, delineation__cb_min_sc=0.5,
             delineation__cb_target_sc=0.65, delineation__cb_steps=4)
    for seed in range(10):
        data = random_problem(seed, 7, p_edge=0.5)
        cores = coombes_bond_loop(data, s)
        assert (cores[cores] == cores).all()
        regions = [np.flatnonzero(cores == j) for j in np.unique(cores)]
        ok = [valid(s.delineation, *region_flows(data.commuting, r)) for r in regions]
        assert sum(ok) >= len(regions) - 1, seed  # at most the stranded area is invalid
