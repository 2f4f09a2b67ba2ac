"""regionopt.model.containment: the one definition of self-containment, by hand."""

from __future__ import annotations

import numpy as np
import pytest

from regionopt.flows import Commuting
from regionopt.model.containment import region_flows, self_containment


@pytest.mark.parametrize(
    ("live", "employed", "jobs", "want"),
    [
        (60, 80, 100, 0.6),  # the job side is the smaller share
        (60, 100, 80, 0.6),  # the residence side
        (80, 80, 80, 1.0),
        (0, 0, 0, 1.0),  # nobody lives or works there: nothing to lose on either side
        (0, 50, 0, 0.0),  # employed residents, no jobs: nobody kept
        (0, 0, 50, 0.0),  # jobs, no employed residents
    ],
)
def test_known_answers(live: int, employed: int, jobs: int, want: float) -> None:
    got = self_containment(live, employed, jobs)
    assert isinstance(got, float)
    assert got == pytest.approx(want)


def test_arrays_are_element_wise_and_warn_about_nothing() -> None:
    got = self_containment(np.array([60, 0, 0, 0]), np.array([80, 0, 50, 0]),
                           np.array([100, 0, 0, 50]))
    assert isinstance(got, np.ndarray) and got.dtype == np.float64
    assert got.tolist() == pytest.approx([0.6, 1.0, 0.0, 0.0])


def test_region_flows_sum_the_members() -> None:
    flows = np.array([[5, 2, 0], [1, 7, 3], [0, 4, 9]])
    c = Commuting(flows, flows.sum(axis=1) + np.array([1, 0, 2]), flows.sum(axis=0) + 1)
    # L = 5 + 2 + 1 + 7; E = (7 + 1) + (11 + 0); J = (6 + 1) + (13 + 1)
    assert region_flows(c, {1, 0}) == (15, 19, 21)
    assert self_containment(*region_flows(c, [0, 1])) == pytest.approx(min(15 / 19, 15 / 21))
