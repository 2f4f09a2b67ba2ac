"""Each constraint family of regionopt.model.families against enumeration on small graphs.

The families (regionopt.model.families.count, regionopt.model.families.population,
regionopt.model.families.must_link, regionopt.model.families.cannot_link,
regionopt.model.families.fixed_cores, regionopt.model.families.contiguity,
regionopt.model.families.travel, regionopt.model.families.county,
regionopt.model.families.core_largest, regionopt.model.families.core_population,
regionopt.model.families.exceptions, regionopt.model.families.self_containment,
regionopt.model.families.core_strength, regionopt.model.families.core_minimum,
regionopt.model.families.kept_share, regionopt.model.families.criterion,
regionopt.model.families.person_minutes, regionopt.model.families.median, and the
[delineation] rules regionopt.model.families.share_join, regionopt.model.families.share_admit,
regionopt.model.families.share_travel, regionopt.model.families.centre_rule,
regionopt.model.families.restkommune, regionopt.model.families.twin_centres,
regionopt.model.families.coombes_bond on the shares of
regionopt.model.families.shares)
share the shapes of regionopt.model.families.base. The instances carry made-up
commuting flows and centrality (brute.with_made_up_commuting).

For every family on its own, on random instances of six municipalities, every
plan (every partition, every choice of cores) is checked three ways:

* the family's audit check flags the plan exactly when the enumeration's
  definition of the scenario key says it breaks it;
* its candidate pruning keeps every pair ``(member, core)`` of every plan
  the definition accepts (pruning never cuts off a feasible plan);
* the model built from the family's rows admits the plan exactly when the
  definition accepts it (the plan's variables fixed, the solver finds it
  feasible or proves it infeasible).
"""

from __future__ import annotations

from dataclasses import replace as dc_replace

import numpy as np
import pytest
from brute import plan_ok, random_problem, rooted_plans, scen

from regionopt.errors import ScenarioError
from regionopt.evaluate import evaluate
from regionopt.evaluate.criteria import criteria_table, pass_counts
from regionopt.flows import Commuting
from regionopt.model import FAMILIES, build_model, candidate_sets
from regionopt.model.families import PlanView, active_families
from regionopt.model.families.base import rank_by, stronger_members
from regionopt.model.families.criterion import count_meeting
from regionopt.model.solvers import run_solver
from regionopt.plan import plan_from_labels
from regionopt.problem import ProblemData
from regionopt.scenario import Scenario, SolverConfig, replace_key

#: One scenario per family, with that family (and only it, besides the region count) active.
ONE_FAMILY = {
    "the number of regions": dict(regions__min_count=2, regions__max_count=3),
    "the population bounds": dict(constraints__min_population=2500,
                                  constraints__max_population=9000),
    "must_link": dict(constraints__must_link=[["5501", "5504"], ["5502", "5503"]]),
    "cannot_link": dict(constraints__cannot_link=[["5501", "5502"], ["5503", "5506"]]),
    "fixed_cores": dict(constraints__fixed_cores=["5502", "5505"]),
    "contiguity": dict(constraints__contiguity=True),
    "the travel limit": dict(constraints__max_travel_minutes=45.0),
    "the county borders": dict(constraints__respect_county_borders=True),
    "core_is_largest": dict(constraints__core_is_largest=True),
    "min_core_population": dict(constraints__min_core_population=2000),
    "the exceptions": dict(constraints__exceptions=[["5502", "ferry only"],
                                                    ["5505", "ferry only"]]),
    "the self-containment floor": dict(constraints__min_self_containment=0.7),
    "core_is_strongest": dict(constraints__core_is_strongest=True,
                              constraints__core_measure="jobs"),
    "the core minimums": dict(constraints__min_core_jobs=400,
                              constraints__max_core_centrality_class=5),
    "the kept-commuter floor": dict(constraints__min_kept_share=0.85),
    "the self-containment criterion": dict(
        constraints__min_criterion_regions=2, constraints__criterion_above_workers=1500,
        criteria__self_containment=0.8, criteria__self_containment_large=0.7,
        criteria__large_workers=1300),
    "the person-minute budget": dict(constraints__max_person_minutes=120000.0),
    "the median-region floor": dict(constraints__min_median_self_containment=0.8),
    "the commuting-share joins": dict(delineation__join_share=0.1),
    "the commuting-share admission": dict(delineation__admit_share=0.05),
    "the share-dependent travel limits": dict(delineation__travel_steps=[[30, 0.02], [50, 0.08]]),
    "the centres by rule": dict(delineation__centre_max_out=0.6, delineation__centre_max_flow=0.15),
    "the restkommune rule": dict(delineation__restkommune=True),
    "the two-centre regions": dict(delineation__twin_centres=[["5502", "5504"]]),
    "the Coombes-Bond validity": dict(
        delineation__cb_min_size=800, delineation__cb_target_size=2500,
        delineation__cb_min_sc=0.5, delineation__cb_target_sc=0.65, delineation__cb_steps=4),
}

#: Further scenarios checked the same way: the other strength measures, and the rules
#: the exceptions relax (travel, floors, core minimums), each with exceptions named.
MORE = {
    "centrality": dict(constraints__core_is_strongest=True, constraints__core_measure="centrality"),
    "exempt travel": dict(constraints__max_travel_minutes=45.0,
                          constraints__exceptions=[["5503", "island"]]),
    "exempt floors": dict(constraints__min_population=4000, constraints__min_self_containment=0.7,
                          constraints__exceptions=[["5501", "island"], ["5506", "island"]]),
    "exempt cores": dict(constraints__min_core_jobs=600, constraints__min_core_population=2500,
                         constraints__exceptions=[["5504", "island"]]),
    "long distance": dict(constraints__max_travel_minutes=25.0, constraints__min_core_jobs=700,
                          constraints__long_distance_minutes=70.0),
    "long distance, exempt": dict(
        constraints__max_travel_minutes=25.0, constraints__min_core_population=1500,
        constraints__long_distance_minutes=90.0, constraints__exceptions=[["5503", "island"]]),
    "soft floor": dict(constraints__min_population=6000, objective__population_shortfall=1.0),
    "soft travel": dict(constraints__max_travel_minutes=30.0, objective__travel_excess=1.0),
    "join, summed share": dict(delineation__join_share=0.08, delineation__join_measure="sum"),
    "admission to the region, or by travel": dict(
        delineation__admit_share=0.1, delineation__admit_to="region",
        delineation__travel_steps=[[25, 0.01]]),
    "admission in, or by travel": dict(delineation__admit_share=0.03,
                                       delineation__admit_measure="in",
                                       delineation__travel_steps=[[60, 0.0]]),
    "centres open": dict(delineation__centre_max_out=0.6, delineation__centre_min_jobs_ratio=0.9,
                         delineation__centres_open=True),
    "centres, restkommune": dict(delineation__centre_max_out=0.5, delineation__restkommune=True,
                                 delineation__travel_steps=[[60, 0.0]]),
    "centres by population": dict(delineation__centre_min_population=2000,
                                  delineation__restkommune=True),
    "named centres, open": dict(delineation__centres=["5502", "5504"],
                                delineation__centres_open=True),
    "named centres, restkommune": dict(delineation__centres=["5502", "5504", "5505"],
                                       delineation__restkommune=True,
                                       delineation__travel_steps=[[60, 0.0]]),
    "elastic join": dict(delineation__join_share=0.05, delineation__join_weight=300.0),
    "elastic admission": dict(delineation__admit_share=0.08, delineation__admit_weight=500.0,
                              delineation__travel_steps=[[30, 0.06]]),
    "join and admission within reach": dict(delineation__join_share=0.05,
                                            delineation__admit_share=0.05,
                                            delineation__share_max_minutes=40,
                                            delineation__restkommune=True),
    "two centres, joins and admission": dict(delineation__twin_centres=[["5502", "5504"]],
                                             delineation__join_share=0.05,
                                             delineation__admit_share=0.05,
                                             delineation__travel_steps=[[45, 0.03]],
                                             delineation__restkommune=True),
    "open centres, join": dict(delineation__centres=["5502", "5504", "5505"],
                               delineation__centres_open=True, delineation__join_share=0.01),
    "travel join": dict(delineation__travel_steps=[[45, 0.02], [75, 0.05]],
                        delineation__travel_join=True),
    "BA-like, travel join": dict(delineation__join_share=0.15, delineation__admit_share=0.15,
                                 delineation__travel_steps=[[30, 0.02], [60, 0.05]],
                                 delineation__travel_join=True, delineation__restkommune=True),
    "elastic travel join": dict(delineation__travel_steps=[[60, 0.01]],
                                delineation__travel_join=True, delineation__join_weight=300.0),
    "BA-like": dict(delineation__join_share=0.08, delineation__admit_share=0.08,
                    delineation__travel_steps=[[45, 0.06]], delineation__restkommune=True),
    # the step rows' big-M is each step's excess over the last step's demand, which holds
    # unconditionally: many steps, one step (the target at the minimum: one demand), and a
    # curve steep enough that the last step's row alone refuses plans
    "Coombes-Bond, eight steps": dict(
        delineation__cb_min_size=600, delineation__cb_target_size=3000,
        delineation__cb_min_sc=0.45, delineation__cb_target_sc=0.7, delineation__cb_steps=8),
    "Coombes-Bond, one demand": dict(
        delineation__cb_min_size=900, delineation__cb_target_size=900,
        delineation__cb_min_sc=0.55, delineation__cb_target_sc=0.7, delineation__cb_steps=4),
    "Coombes-Bond, steep": dict(
        delineation__cb_min_size=500, delineation__cb_target_size=1800,
        delineation__cb_min_sc=0.6, delineation__cb_target_sc=0.8, delineation__cb_steps=2),
    "criterion, large threshold above": dict(
        constraints__min_criterion_regions=2, criteria__self_containment=0.7,
        criteria__self_containment_large=0.8, criteria__large_workers=1300),
}


def family_scenario(name: str) -> Scenario:
    return scen(**{"constraints__contiguity": False, **{**ONE_FAMILY, **MORE}[name]})


def test_every_family_has_a_test_scenario_and_is_alone_in_it() -> None:
    assert {f.name for f in FAMILIES} == set(ONE_FAMILY)
    for fam in FAMILIES:
        active = {f.name for f in active_families(family_scenario(fam.name))}
        assert active <= {fam.name, "the number of regions"}, fam.name
        assert fam.name in active
        assert fam.keys and all(k.count(".") == 1 for k in fam.keys)


def test_every_family_with_an_audit_names_its_check_in_the_map_editor() -> None:
    missing = [f.name for f in FAMILIES if f.check is not None and f.page_check is None]
    assert not missing, (f"{missing}: set page_check in FAMILY (docs/design.md, 'A constraint "
                         "family'), then run tests/maps/test_editor.py")


def _instances() -> list[ProblemData]:
    return [random_problem(seed, 6, p_edge=0.4, two_counties=True) for seed in (11, 12, 13)]


@pytest.mark.parametrize("name", sorted(ONE_FAMILY) + sorted(MORE))
def test_check_and_pruning_agree_with_enumeration(name: str) -> None:
    s = family_scenario(name)
    fam = next((f for f in FAMILIES if f.name == name), active_families(s)[-1])
    for data in _instances():
        cands = candidate_sets(data, s)
        accepted = 0
        for cores in rooted_plans(data.n):
            if not np.isfinite(data.minutes[np.arange(data.n), cores]).all():
                continue  # unreachable pairs are never candidates, whatever the family
            ok = plan_ok(data, s, cores)
            view = PlanView.of(plan_from_labels(data, cores), data)
            flagged = [v for f in active_families(s) if f.check for v in f.check(view, s)]
            if not (name == "core_is_largest" and _core_ties(data, cores)) \
                    and not _strength_ties(data, s, cores):
                assert (not flagged) == ok, (name, tuple(cores), flagged)
            if ok:
                accepted += 1
                assert all(i in cands.get(int(j), set()) for i, j in enumerate(cores)), \
                    (name, tuple(cores))
        assert accepted > 0, (name, "the test instance admits no plan")
        assert fam.check is not None


def _core_ties(data: ProblemData, cores: np.ndarray) -> bool:
    """Whether a core shares its population with another member of its region.

    The audit allows such a tie (a reference plan may name either as core); the
    model breaks it by the lower kommunenummer, as enumeration does.
    """
    pop = data.population
    return any(pop[i] == pop[j] for i, j in enumerate(cores) if i != j)


def _strength_ties(data: ProblemData, s: Scenario, cores: np.ndarray) -> bool:
    """Whether a core ties in strength with another member (allowed by the audit, as above)."""
    if not s.constraints.core_is_strongest:
        return False
    values = {"jobs": data.commuting.jobs, "centrality": data.centrality[:, 0],
              "population": data.population}[s.constraints.core_measure]
    return any(values[i] == values[j] for i, j in enumerate(cores) if i != j)


def _admits(data: ProblemData, s: Scenario, cores: np.ndarray) -> bool:
    """Whether the family's model admits exactly ``cores`` (its variables fixed)."""
    model = build_model(data, s)
    for (i, j), var in model.x.items():
        var.lowBound = var.upBound = 1 if cores[i] == j else 0
    if any((i, int(j)) not in model.x for i, j in enumerate(cores)):
        return False
    outcome = run_solver(model.problem, SolverConfig(name="highs"), time_limit_s=None,
                         quiet=True)
    assert outcome.has_solution != outcome.infeasible  # proven either way
    return outcome.has_solution


@pytest.mark.parametrize("name", sorted(ONE_FAMILY) + sorted(MORE))
def test_rows_admit_exactly_the_plans_enumeration_accepts(name: str) -> None:
    s = family_scenario(name)
    data = _instances()[0]
    rng = np.random.default_rng(5)
    plans = [c for c in rooted_plans(data.n)
             if np.isfinite(data.minutes[np.arange(data.n), c]).all()]
    good = [c for c in plans if plan_ok(data, s, c)]
    bad = [c for c in plans if not plan_ok(data, s, c)]
    sample = [good[k] for k in rng.choice(len(good), min(12, len(good)), replace=False)]
    sample += [bad[k] for k in rng.choice(len(bad), min(12, len(bad)), replace=False)]
    for cores in sample:
        assert _admits(data, s, cores) == plan_ok(data, s, cores), (name, tuple(cores))


def test_a_link_naming_a_municipality_outside_the_plan_is_a_scenario_error() -> None:
    data = _instances()[0]
    s = scen(constraints__must_link=[["5501", "5599"]])
    view = PlanView.of(plan_from_labels(data, np.arange(data.n)), data)
    fam = next(f for f in FAMILIES if f.name == "must_link")
    assert fam.check is not None
    with pytest.raises(ScenarioError, match="5599"):
        fam.check(view, s)


def test_criterion_count_agrees_with_the_criteria_table_for_every_plan() -> None:
    """The model's test of the criterion (criterion_meets) is the criteria table's."""
    s = family_scenario("the self-containment criterion")
    seen = set()
    for data in _instances()[:2]:
        for k, cores in enumerate(rooted_plans(data.n)):
            if k % 7:
                continue  # every 7th plan: a few hundred plans of every shape
            plan = plan_from_labels(data, cores)
            table = criteria_table(evaluate(plan, data), data, s)
            counted = pass_counts(table)["criteria_self_containment_passed"]
            assert count_meeting(data, s.criteria, cores) == counted, tuple(cores)
            seen.add(counted)
    assert len(seen) > 2


def _empty_sides(data: ProblemData) -> ProblemData:
    """``data`` with 5501 neither living nor working anywhere (E = J = 0), 5502 with employed
    residents but no jobs (J = 0) and 5503 with jobs but no employed residents (E = 0)."""
    assert data.commuting is not None
    flows = data.commuting.flows.copy()
    flows[0, :] = flows[:, 0] = 0
    flows[:, 1] = 0
    flows[2, :] = 0
    employed, jobs = data.commuting.employed.copy(), data.commuting.jobs.copy()
    employed[[0, 2]] = 0
    jobs[[0, 1]] = 0
    return dc_replace(data, commuting=Commuting(flows, employed, jobs))


@pytest.mark.parametrize("name", ["the self-containment floor", "exempt floors"])
def test_self_containment_of_empty_regions_agrees_with_enumeration(name: str) -> None:
    """A region with neither employed residents nor jobs meets every floor (docs/metrics.md);
    one with only one of them 0 keeps nobody and meets none: audit, pruning and rows agree
    with enumeration on plans holding such regions, and the metric says the same."""
    s = family_scenario(name)
    alpha = s.constraints.min_self_containment
    data = _empty_sides(_instances()[0])
    c = data.commuting
    assert c is not None and (c.employed[0], c.jobs[0], c.jobs[1], c.employed[2]) == (0, 0, 0, 0)
    cands = candidate_sets(data, s)
    plans = [p for p in rooted_plans(data.n)
             if np.isfinite(data.minutes[np.arange(data.n), p]).all()]
    alone = [p for p in plans if (p == p[0]).sum() == 1]  # 5501 a region of its own
    assert any(plan_ok(data, s, p) for p in alone)
    if name == "the self-containment floor":  # 5502 alone keeps none of its workers
        assert not any(plan_ok(data, s, p) for p in plans if (p == p[1]).sum() == 1)
    for cores in plans:
        ok = plan_ok(data, s, cores)
        plan = plan_from_labels(data, cores)
        flagged = [v for f in active_families(s) if f.check for v in f.check(PlanView.of(plan,
                                                                                       data), s)]
        assert (not flagged) == ok, (name, tuple(cores), flagged)
        if ok:
            assert all(i in cands.get(int(j), set()) for i, j in enumerate(cores))
        if name == "the self-containment floor":  # no exemptions: the metric decides alone
            low = float(evaluate(plan, data).regions["self_containment"].min())
            assert (low >= alpha) == ok, (tuple(cores), low)
    rng = np.random.default_rng(7)
    sample = [alone[k] for k in rng.choice(len(alone), 8, replace=False)]
    sample += [plans[k] for k in rng.choice(len(plans), 8, replace=False)]
    for cores in sample:
        assert _admits(data, s, cores) == plan_ok(data, s, cores), (name, tuple(cores))


def test_one_stronger_member_helper_serves_both_core_rules() -> None:
    """core_is_largest is core_is_strongest with population as the measure: same rank, same
    audit loop (the strongest stronger member, ties to the lower kommunenummer; a tie with the
    core allowed)."""
    data = _instances()[0]
    values = np.array([10, 30, 30, 20, 10, 5])
    rank = rank_by(values, data.codes)
    assert rank.tolist() == [2, 5, 4, 3, 1, 0]  # 5501 and 5505 tie at 10: 5501 ranks higher
    plan = plan_from_labels(data, np.array([0, 0, 0, 3, 3, 5]))
    view = PlanView.of(plan, data)
    hits = stronger_members(view, values)
    assert [(core, top) for _, core, top in hits] == [(0, 1)]
    assert stronger_members(PlanView.of(plan_from_labels(data, np.array([1, 1, 2, 3, 3, 5])),
                                        data), values) == []  # 5502 ties with 5503: allowed
    s_pop = family_scenario("core_is_strongest")
    s_pop = replace_key(s_pop, "constraints.core_measure", "population")
    largest = next(f for f in FAMILIES if f.name == "core_is_largest")
    strongest = next(f for f in FAMILIES if f.name == "core_is_strongest")
    assert largest.check is not None and strongest.check is not None
    for cores in rooted_plans(data.n):
        v = PlanView.of(plan_from_labels(data, cores), data)
        a = [x.where for x in largest.check(v, s_pop)]
        assert a == [x.where for x in strongest.check(v, s_pop)]
    for j in range(data.n):
        assert largest.members is not None and strongest.members is not None
        assert (largest.members(data, s_pop, j) == strongest.members(data, s_pop, j)).all()


@pytest.mark.parametrize("name", ["the Coombes-Bond validity", "the self-containment floor"])
def test_small_flows_left_out_of_the_kept_count_only_refuse_plans(name: str) -> None:
    """``delineation.kept_min_flow``: the rows see fewer kept commuters, never more, so every
    plan they admit is one enumeration accepts with every flow (conservative)."""
    data = _instances()[0]
    both = data.commuting.flows + data.commuting.flows.T
    least = int(np.median(both[both > 0]))  # drops about half of the pairs' flows
    full = family_scenario(name)
    sparse = replace_key(full, "delineation.kept_min_flow", least)
    plans = [c for c in rooted_plans(data.n)
             if np.isfinite(data.minutes[np.arange(data.n), c]).all()]
    good = [c for c in plans if plan_ok(data, full, c)]
    rng = np.random.default_rng(7)
    sample = [plans[k] for k in rng.choice(len(plans), min(30, len(plans)), replace=False)]
    sample += [good[k] for k in rng.choice(len(good), min(10, len(good)), replace=False)]
    admitted = [c for c in sample if _admits(data, sparse, c)]
    assert all(plan_ok(data, full, c) for c in admitted), name
    assert admitted, "the sample holds no plan the sparse rows admit"
