"""Tests of regionopt.flows: the one commuting type, its checks, positions and subsets."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from regionopt.errors import DataError
from regionopt.flows import Commuting
from regionopt.problem import ProblemData

FLOWS = np.array([[5, 2, 0], [1, 4, 0], [0, 3, 6]])


def _flows(**changes: object) -> Commuting:
    args: dict = {"flows": FLOWS, "employed": FLOWS.sum(axis=1) + np.array([1, 0, 0]),
                  "jobs": FLOWS.sum(axis=0), "note": "made up",
                  "codes": ("0301", "1508", "5501")}
    args.update(changes)
    return Commuting(**args)


def test_positions_subsets_and_read_only_arrays() -> None:
    c = _flows()
    assert list(c.indices(["5501", "0301"])) == [2, 0]
    with pytest.raises(DataError, match="'9999'"):
        c.indices(["9999"])
    part = c.subset([0, 2])
    assert part.codes == ("0301", "5501") and part.note == "made up"
    np.testing.assert_array_equal(part.flows, [[5, 0], [0, 6]])
    np.testing.assert_array_equal(part.employed, [8, 9])  # national totals kept
    np.testing.assert_array_equal(part.jobs, [6, 6])
    assert not c.flows.flags.writeable and not c.employed.flags.writeable
    assert Commuting(FLOWS, FLOWS.sum(axis=1), FLOWS.sum(axis=0)).codes == ()  # by position


@pytest.mark.parametrize(("changes", "message"), [
    ({"codes": ("1508", "0301", "5501")}, "unsorted"),
    ({"codes": ("0301", "5501")}, "2 codes for 3"),
    ({"jobs": [1, 1, 1]}, "totals below"),
    ({"employed": [1, 2]}, "shape"),
])
def test_inconsistent_flows_are_data_errors(changes: dict, message: str) -> None:
    with pytest.raises(DataError, match=message):
        _flows(**changes)


def test_a_problem_holds_flows_over_its_own_codes_only() -> None:
    problem = ProblemData(codes=("0301", "1508", "5501"), names=("a", "b", "c"),
                          counties=("03", "15", "55"), population=np.array([1, 2, 3]),
                          minutes=np.zeros((3, 3)), edges=())
    assert replace(problem, commuting=_flows()).commuting is not None
    assert replace(problem, commuting=_flows(codes=())).commuting is not None
    other = _flows(codes=("0301", "1508", "5502"))
    with pytest.raises(DataError, match="other municipalities"):
        replace(problem, commuting=other)
    assert problem.subset(["0301", "5501"]).commuting is None
    both = replace(problem, commuting=_flows()).subset(["5501", "0301"])
    assert both.commuting is not None and both.commuting.codes == both.codes
