"""regionopt.reach_shares: the reach shares' bands, checks and reach.csv."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from regionopt.errors import DataError
from regionopt.maps.outputs import write_functional_inputs, write_inputs
from regionopt.problem import ProblemData, read_inputs
from regionopt.reach_shares import (
    REACH_CSV,
    REACH_DIGITS,
    check_reach,
    reach_csv,
    reach_from_cells,
    read_reach,
)


def _shares(seed: int = 3, n: int = 5) -> np.ndarray:
    rng = np.random.default_rng(seed)
    base = np.round(rng.random((n, n)) * (rng.random((n, n)) > 0.4), REACH_DIGITS)
    return np.stack([base * 0.5, base * 0.75, base]).round(REACH_DIGITS)


def test_reach_csv_reads_back_the_very_same_doubles(tmp_path: Path) -> None:
    shares = _shares()
    codes = ("0301", "1103", "4601", "5001", "5501")
    (tmp_path / REACH_CSV).write_text(reach_csv(shares, codes), encoding="utf-8")
    back = read_reach(tmp_path / REACH_CSV, codes)
    assert np.array_equal(back, shares)
    assert reach_csv(back, codes) == reach_csv(shares, codes)
    text = reach_csv(shares, codes)
    assert text.splitlines()[0] == "origin,core,within_45,within_60,within_75"
    assert len(text.splitlines()) == 1 + int((shares[-1] > 0).sum())  # sparse: zeros left out


def test_read_inputs_carries_the_shares(tf_net_problem: ProblemData, tmp_path: Path) -> None:
    n = tf_net_problem.n
    shares = np.zeros((3, n, n))
    shares[:, np.arange(n), np.arange(n)] = [[0.5], [0.75], [1.0]]
    problem = dataclasses.replace(tf_net_problem, reach=shares)
    muni, mins, adj = problem.to_frames()
    write_inputs(muni, mins, adj, tmp_path)
    write_functional_inputs(problem, tmp_path)
    back = read_inputs(tmp_path)
    assert back.reach is not None and np.array_equal(back.reach, shares)
    sub = back.subset(back.codes[:4])
    assert sub.reach is not None and np.array_equal(sub.reach, shares[:, :4, :4])


def test_bad_shares_are_one_line_errors(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="shape"):
        check_reach(np.zeros((2, 3, 3)), 3)
    with pytest.raises(DataError, match="from 0 to 1"):
        check_reach(np.full((3, 1, 1), 1.5), 1)
    with pytest.raises(DataError, match="falls"):
        check_reach(np.array([1.0, 0.5, 1.0]).reshape(3, 1, 1), 1)
    path = tmp_path / REACH_CSV
    path.write_text("origin,core,within_45,within_60,within_75\nA,B,0.1,0.2,0.3\n")
    with pytest.raises(DataError, match=r"reach\.csv: core 'B' is not a municipality"):
        read_reach(path, ("A",))
    path.write_text("origin,core,within_45,within_60,within_75\nA,A,0.1,x,0.3\n")
    with pytest.raises(DataError, match="within_60: a value is not a share"):
        read_reach(path, ("A",))
    path.write_text("origin,core,within_45\nA,A,0.1\n")
    with pytest.raises(DataError, match="missing column 'within_60'"):
        read_reach(path, ("A",))


def test_shares_from_cells_by_hand() -> None:
    # A: cells of share 0.6 (40 min to A, 50 to B) and 0.4 (70 to A, inf to B); B: one cell
    minutes = np.array([[40.0, 50.0], [70.0, np.inf], [61.0, 0.0]])
    got = reach_from_cells(["A", "B"], np.array(["A", "A", "B"]), np.array([0.6, 0.4, 1.0]),
                           minutes)
    assert got[:, 0, 0].tolist() == [0.6, 0.6, 1.0]
    assert got[:, 0, 1].tolist() == [0.0, 0.6, 0.6]
    assert got[:, 1, 0].tolist() == [0.0, 0.0, 1.0]
    with pytest.raises(DataError, match="municipality C outside"):
        reach_from_cells(["A"], np.array(["C"]), np.array([1.0]), np.zeros((1, 1)))
