"""Tests of regionopt.model.candidates: size ranks and candidate pairs with known answers.

The instance is five municipalities 5501..5505 on a road, 30 minutes apart,
with 100, 200, ..., 500 inhabitants (each larger than the one before), plus a
graph split in two for contiguity.
"""

from __future__ import annotations

import numpy as np

from regionopt.model.candidates import candidate_sets, rank_order
from regionopt.problem import ProblemData
from regionopt.scenario import parse_scenario


def road(pop: list[int], *, edges: list[tuple[int, int]] | None = None,
         counties: tuple[str, ...] | None = None) -> ProblemData:
    """Municipalities 5501, 5502, ... on a road 30 minutes per step."""
    n = len(pop)
    steps = np.arange(n, dtype="float64")
    links = [(k, k + 1) for k in range(n - 1)] if edges is None else edges
    return ProblemData(
        codes=tuple(str(5501 + k) for k in range(n)),
        names=tuple(f"M{k}" for k in range(n)),
        counties=counties or ("55",) * n,
        population=np.asarray(pop, dtype="int64"),
        minutes=30.0 * np.abs(steps[:, None] - steps[None, :]),
        edges=tuple((a, b, "road") for a, b in links),
    )


LINE = road([100, 200, 300, 400, 500])


def cands(data: ProblemData, **constraints: object) -> dict[int, set[int]]:
    return candidate_sets(data, parse_scenario({"name": "t", "constraints": constraints},
                                               source="test"))


def test_rank_order_ties_go_to_the_lower_kommunenummer() -> None:
    data = road([100, 300, 300, 50])
    # 5504 smallest, then 5501; of the two with 300, 5502 (lower number) counts as larger.
    assert rank_order(data).tolist() == [1, 3, 2, 0]


def test_core_is_largest_and_travel_limit() -> None:
    got = cands(LINE, core_is_largest=True, max_travel_minutes=45.0)
    assert got == {0: {0}, 1: {0, 1}, 2: {1, 2}, 3: {2, 3}, 4: {3, 4}}
    assert cands(LINE, max_travel_minutes=10.0) == {j: {j} for j in range(5)}


def test_fixed_cores_join_no_other_core() -> None:
    got = cands(LINE, max_travel_minutes=30.0, fixed_cores=["5502"])
    assert got == {0: {0}, 1: {0, 1, 2}, 2: {2, 3}, 3: {2, 3, 4}, 4: {3, 4}}


def test_must_link_partners_stay_together() -> None:
    got = cands(LINE, core_is_largest=True, max_travel_minutes=45.0,
                must_link=[["5501", "5503"]])
    # No core within 45 minutes can take both 5501 and 5503.
    assert got == {1: {1}, 3: {3}, 4: {3, 4}}


def test_cores_below_the_population_floor_go() -> None:
    got = cands(LINE, core_is_largest=True, max_travel_minutes=45.0, min_population=450)
    assert got == {2: {1, 2}, 3: {2, 3}, 4: {3, 4}}


def test_min_core_population_and_county_borders() -> None:
    data = road([100, 200, 300, 400, 500], counties=("55", "55", "56", "56", "56"))
    got = cands(data, min_core_population=250, respect_county_borders=True)
    assert got == {2: {2, 3, 4}, 3: {2, 3, 4}, 4: {2, 3, 4}}


def test_contiguity_drops_members_cut_off_from_the_core() -> None:
    split = road([100, 200, 300, 400], edges=[(0, 1), (2, 3)])
    assert cands(split, contiguity=True)[3] == {2, 3}
    assert cands(split, contiguity=False)[3] == {0, 1, 2, 3}


def test_codes_outside_the_area_name_the_key() -> None:
    import pytest

    from regionopt.errors import DataError

    for key, value in (("must_link", [["5501", "0301"]]), ("cannot_link", [["0301", "5502"]]),
                       ("fixed_cores", ["5505", "0301"])):
        with pytest.raises(DataError, match=rf"^scenario 't': constraints\.{key} names "
                                            r"municipality 0301, which is not in the study area$"):
            cands(LINE, **{key: value})
