"""Agreement between two plans, checked by hand on six municipalities (tests/handmade.py)."""

from __future__ import annotations

import numpy as np
import pytest
from handmade import CODES, PLAN_A, POP, make_plan

from regionopt.errors import DataError
from regionopt.evaluate.agreement import (
    adjusted_rand_index,
    agreement,
    agreement_columns,
    match_regions,
    nesting_share,
    overlap_table,
)
from regionopt.plan import Plan

POPULATION = dict(zip(CODES, POP, strict=True))
RELABELLED = make_plan({"P": ("1002", ["1001", "1002", "1003"]),
                        "Q": ("1006", ["1004", "1005", "1006"])}, name="B")
ONE_MOVE = make_plan({"P": ("1001", ["1001", "1002"]),
                      "Q": ("1004", ["1003", "1004", "1005", "1006"])}, name="B")


def test_identical_plans_agree_fully() -> None:
    got = agreement(PLAN_A, PLAN_A, population=POPULATION)
    assert got.adjusted_rand == 1.0
    assert (got.placed, got.municipalities, got.identical_regions) == (6, 6, 2)
    assert got.differing == ()
    assert got.matching == (("North", "North"), ("South", "South"))


def test_relabelled_plans_agree_fully() -> None:
    # other names, other cores: only the grouping counts
    got = agreement(RELABELLED, PLAN_A)
    assert got.adjusted_rand == 1.0 and got.placed == 6 and got.identical_regions == 2
    assert got.matching == (("P", "North"), ("Q", "South"))
    assert got.differing == ()


def test_one_move_by_hand() -> None:
    # contingency (North, South) x (P, Q) = [[2, 1], [0, 3]]
    # index = C(2,2) + C(3,2) = 4; rows C(3,2)+C(3,2) = 6; columns C(2,2)+C(4,2) = 7;
    # expected = 6*7/C(6,2) = 2.8; maximum = 6.5; ARI = 1.2/3.7 = 12/37
    got = agreement(ONE_MOVE, PLAN_A, population=POPULATION)
    assert got.adjusted_rand == pytest.approx(12 / 37, rel=1e-12)
    assert got.placed == 5 and got.differing == ("1003",)
    assert got.identical_regions == 0
    assert got.matching == (("P", "North"), ("Q", "South"))
    assert agreement(PLAN_A, ONE_MOVE).adjusted_rand == pytest.approx(12 / 37, rel=1e-12)
    cells = agreement_columns(got)
    assert cells["agreement_placed"] == 5 and cells["agreement_differing"] == "1003"


def test_overlap_table_counts_members_and_inhabitants() -> None:
    rows, cols, counts, people = overlap_table(ONE_MOVE, PLAN_A, population=POPULATION)
    assert (rows, cols) == (("P", "Q"), ("North", "South"))
    assert counts.tolist() == [[2, 0], [1, 3]]
    assert people.tolist() == [[150, 0], [30, 250]]


def test_trivial_groupings() -> None:
    whole = make_plan({"All": ("1004", list(CODES))}, name="whole")
    alone = make_plan({c: (c, [c]) for c in CODES}, name="alone")
    # one region against singletons: no pair agrees beyond chance, ARI = 0
    got = agreement(alone, whole)
    assert got.adjusted_rand == 0.0
    assert got.placed == 1 and got.identical_regions == 0 and len(got.differing) == 5
    # the same trivial grouping on both sides: M = E, defined as full agreement
    assert agreement(whole, whole).adjusted_rand == 1.0
    assert agreement(alone, alone).adjusted_rand == 1.0
    assert adjusted_rand_index(np.eye(4, dtype="int64")) == 1.0


def test_extra_region_is_unmatched_and_differs() -> None:
    three = make_plan({"N": ("1001", ["1001", "1002", "1003"]), "D": ("1004", ["1004"]),
                       "E": ("1006", ["1005", "1006"])}, name="three")
    got = agreement(three, PLAN_A, population=POPULATION)
    assert match_regions(three, PLAN_A, population=POPULATION) == [("E", "South"),
                                                                   ("N", "North")]
    assert got.differing == ("1004",) and got.placed == 5 and got.identical_regions == 1
    assert (got.plan_regions, got.reference_regions) == (3, 2)


def test_plans_over_other_municipalities_are_refused() -> None:
    part = make_plan({"X": ("1001", ["1001", "1002"])}, name="part")
    with pytest.raises(DataError, match="1003"):
        agreement(part, PLAN_A)


def _plan(assignment: dict[str, str], name: str) -> Plan:
    cores = {r: min(c for c, q in assignment.items() if q == r) for r in set(assignment.values())}
    return Plan(assignment, cores, name=name)


def test_nesting_share_counts_the_members_of_regions_inside_one_reference_region() -> None:
    reference = _plan({"a": "R", "b": "R", "c": "R", "d": "S", "e": "S"}, "ref")
    finer = _plan({"a": "1", "b": "1", "c": "2", "d": "3", "e": "3"}, "finer")
    assert nesting_share(finer, reference) == 1.0  # a refinement nests entirely
    crossing = _plan({"a": "1", "b": "1", "c": "2", "d": "2", "e": "3"}, "crossing")
    assert nesting_share(crossing, reference) == pytest.approx(3 / 5)  # {c, d} crosses R|S
    assert nesting_share(reference, finer) == pytest.approx(2 / 5)  # not symmetric: only S
    assert nesting_share(reference, reference) == 1.0
