"""ProblemData and the three input CSV files a solve writes to inputs/."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from regionopt.errors import DataError
from regionopt.problem import ProblemData, read_inputs

MUNI = "kommunenummer,name,county,population\n1002,B,10,90\n1001,A,10,50\n"
MINUTES = "origin,1001,1002\n1001,0.0,12.5\n1002,13.0,0.0\n"
ADJ = "a,b,kind\n1002,1001,border\n"


def write_inputs(folder: Path, muni: str = MUNI, minutes: str = MINUTES, adj: str = ADJ) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "municipalities.csv").write_text(muni)
    (folder / "travel_time_minutes.csv").write_text(minutes)
    (folder / "adjacency.csv").write_text(adj)
    return folder


def test_inputs_read_back_sorted_with_pairs_normalised(tmp_path: Path) -> None:
    problem = read_inputs(write_inputs(tmp_path))
    assert problem.codes == ("1001", "1002")
    assert list(problem.population) == [50, 90]
    assert problem.minutes[0, 1] == 12.5 and problem.minutes[1, 0] == 13.0
    assert problem.edges == ((0, 1, "border"),)
    assert problem.neighbours() == [[1], [0]]
    muni, mins, adj = problem.to_frames()
    assert list(muni["kommunenummer"]) == ["1001", "1002"]
    assert list(mins.columns) == ["1001", "1002"] and list(adj["kind"]) == ["border"]


def test_empty_cell_is_unreachable(tmp_path: Path) -> None:
    problem = read_inputs(write_inputs(tmp_path, minutes="origin,1001,1002\n1001,0,\n1002,3,0\n"))
    assert np.isinf(problem.minutes[0, 1])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"muni": "kommunenummer,name,county\n1001,A,10\n"}, "missing column 'population'"),
        ({"muni": "kommunenummer,name,county,population\n1001,A,10,\n1002,B,10,3\n"},
         "row 1001, column population"),
        ({"minutes": "origin,1001\n1001,0\n1002,1\n"}, "destination columns lack .*1002"),
        ({"minutes": "origin,1001,1002\n1001,0,-1\n1002,1,0\n"},
         "row 1001, column 1002: .-1. is not a travel time"),
        ({"adj": "a,b,kind\n1001,1003,border\n"}, "unknown municipality 1003"),
        ({"adj": "a,b,kind\n1001,1002,bridge\n"}, "kind 'bridge'"),
        ({"adj": "a,b,kind\n1001,1001,road\n"}, "paired with itself"),
    ],
)
def test_bad_inputs_name_file_and_fault(tmp_path: Path, kwargs: dict[str, str],
                                        message: str) -> None:
    with pytest.raises(DataError, match=message):
        read_inputs(write_inputs(tmp_path, **kwargs))


def test_missing_file_is_named(tmp_path: Path) -> None:
    folder = write_inputs(tmp_path)
    (folder / "adjacency.csv").unlink()
    with pytest.raises(DataError, match=r"adjacency\.csv: file not found"):
        read_inputs(folder)


def test_subset_keeps_rows_columns_and_edges_together() -> None:
    problem = ProblemData(
        codes=("1", "2", "3"), names=("a", "b", "c"), counties=("10", "10", "10"),
        population=np.array([1, 2, 3], dtype="int64"),
        minutes=np.arange(9, dtype=float).reshape(3, 3),
        edges=((0, 1, "road"), (1, 2, "ferry")),
    )
    sub = problem.subset(["3", "2"])
    assert sub.codes == ("2", "3")
    assert sub.minutes.tolist() == [[4.0, 5.0], [7.0, 8.0]]
    assert sub.edges == ((0, 1, "ferry"),)
    with pytest.raises(DataError, match="'9' is not in the study area"):
        problem.index("9")
    with pytest.raises(ValueError, match="read-only"):
        problem.minutes[0, 0] = 1.0
