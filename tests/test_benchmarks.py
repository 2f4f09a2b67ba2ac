"""The benchmark scripts stay runnable: each one imports the package and answers ``--help``.

The figures themselves are measured by running the scripts (``benchmarks/README.md``), never
asserted here; this only catches a script broken by a change in the package it measures.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
PEERS_ONLY = {"bench_peers.py"}  # needs the 'bench' extra (spopt)


@pytest.mark.parametrize("script", sorted(p.name for p in BENCHMARKS.glob("bench_*.py")))
def test_benchmark_script_answers_help(script: str) -> None:
    if script in PEERS_ONLY:
        pytest.importorskip("spopt")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(BENCHMARKS), os.environ.get("PYTHONPATH", "")])}
    result = subprocess.run([sys.executable, str(BENCHMARKS / script), "--help"],
                            capture_output=True, text=True, env=env, check=False, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "usage:" in result.stdout


# -- the commuting-area peer (benchmarks/peer_ttwa.py), on small made-up flows ------------------


def _peer_ttwa() -> ModuleType:
    spec = importlib.util.spec_from_file_location("peer_ttwa", BENCHMARKS / "peer_ttwa.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("peer_ttwa", module)  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


ttwa = _peer_ttwa()
#: Round numbers for hand checks: sizes 100 / 1 000, self-containment 0.6 / 0.8.
P = ttwa.Parameters(100, 1000, 0.6, 0.8)


@pytest.mark.parametrize(("size", "sc", "expected"), [
    (1000, 0.6, 1.0),                # target size: the minimum SC is just enough
    (100, 0.8, 1.0),                 # minimum size: the target SC is just enough
    (550, 0.7, 0.875 * 0.875 * 4 / 3),  # halfway: y = 0.7/0.8, z = 1 - 0.25 * 0.5
    (2000, 0.5, 0.625 * 4 / 3),      # above the target size only SC counts
    (50, 0.9, (1 - 0.25 * 950 / 900) * 4 / 3),  # below the minimum size: never valid
    (50, 1.0, 1.0),                  # all commuting kept: valid whatever the size
])
def test_ttwa_validity_by_hand(size: float, sc: float, expected: float) -> None:
    assert float(ttwa.validity(size, sc, P)) == pytest.approx(expected)


def test_ttwa_validity_is_one_on_the_trade_off() -> None:
    assert ttwa.validity(50, 0.9, P) < 1 < ttwa.validity(550, 0.7, P)
    assert ttwa.validity(3500, 0.667, ttwa.Parameters.uk()) < 1  # the minimum size needs 0.75
    assert ttwa.validity(3500, 0.75, ttwa.Parameters.uk()) == pytest.approx(1.0)
    assert ttwa.validity(25000, 0.667, ttwa.Parameters.uk()) == pytest.approx(1.0)


def test_ttwa_tie_and_self_containment_by_hand() -> None:
    between = np.array([[50, 10, 0], [5, 30, 5], [0, 20, 80]])  # E = 60 40 100, J = 55 60 85
    assert ttwa.ties(between, 0) == pytest.approx([0, 10**2 / (60 * 60) + 5**2 / (40 * 55), 0])
    assert ttwa.ties(between, 2) == pytest.approx([0, 20**2 / (100 * 60) + 5**2 / (40 * 85), 0])
    employed, jobs = between.sum(axis=1), between.sum(axis=0)
    assert ttwa.self_containment(np.diag(between), employed, jobs) == pytest.approx(
        [50 / 60, 30 / 60, 80 / 100])


#: Two centres X, Y and an invalid area {A, B}: A works in X; B works in A (and a little in Y).
FLOWS = np.array([
    [1000, 0, 0, 0],   # X
    [0, 1000, 0, 0],   # Y
    [40, 0, 10, 0],    # A: employed 50, SC 0.2: the less valid member, placed first
    [0, 12, 20, 18],   # B: employed 50, SC 0.36
])


def test_ttwa_dissolve_places_later_members_against_the_moved_ones() -> None:
    slot = np.array([0, 1, 2, 2])
    result = ttwa.Result(labels=slot)
    ttwa.dissolve(FLOWS, slot, 2, P, result)
    # A joins X (its only tie). B's tie to X is now its 20 to A: 20²/(50·1070) beats
    # 12²/(50·1012) to Y; judged against the areas before A moved, B would join Y.
    assert slot.tolist() == [0, 1, 0, 0]
    assert (result.moves, result.reserved, result.stranded) == (2, 0, [])


def test_ttwa_runs_to_valid_areas_and_stops() -> None:
    result = ttwa.ttwa(FLOWS, P)
    # A's strongest tie is B (20²/(50·30)), so A joins B first; {A, B} is then the least
    # valid area, dissolved as above: both end in X's area, and every area is valid.
    assert result.labels.tolist() == [0, 1, 0, 0]
    assert result.steps == 2
    v = ttwa.area_validity(ttwa.aggregate(FLOWS, result.labels), P)
    assert np.nanmin(v) >= 1


def test_ttwa_reserve_list_and_stranded_member() -> None:
    # P (last) works 10 in Q and 8 in each of W1..W5: Q is its strongest tie, but joining Q
    # lowers Q's SC from 0.7 to 1410/2050, so P waits on the reserve list, then joins Q.
    flows = np.zeros((7, 7), dtype=int)
    flows[0, 0], flows[0, 1] = 1400, 600
    for w in range(1, 6):
        flows[w, w] = 1000
    flows[6, 0], flows[6, 1:6] = 10, 8
    slot = np.arange(7)
    result = ttwa.Result(labels=slot)
    ttwa.dissolve(flows, slot, 6, P, result)
    assert slot.tolist() == [0, 1, 2, 3, 4, 5, 0]
    assert (result.moves, result.reserved) == (1, 1)
    # C (less valid, placed first) commutes only with D, not yet settled: held, then joins
    # D's new area once D has joined X.
    flows = np.array([[1000, 0, 0], [0, 10, 10], [30, 5, 45]])
    slot = np.array([0, 1, 1])
    result = ttwa.Result(labels=slot)
    ttwa.dissolve(flows, slot, 1, P, result)
    assert slot.tolist() == [0, 0, 0]
    assert (result.moves, result.reserved, result.stranded) == (2, 1, [])


def test_ttwa_size_search_hits_a_count() -> None:
    # Two towns of 1 000 employed, SC 0.8 each: valid alone up to a minimum size of 1 000
    # (at the minimum size the target SC 0.75 is enough); from 1 001 they must merge.
    towns = np.array([[800, 200], [200, 800]])
    params, result = ttwa.count_for(towns, 1, low=1, high=5000)
    assert (result.n_areas, params.min_size) == (1, 1001)
    assert params.target_size / params.min_size == pytest.approx(25000 / 3500)
    assert ttwa.count_for(towns, 2, low=1, high=5000)[1].n_areas == 2
