"""regionopt.server.start: the plan on screen repaired to meet the locks, as a warm start.

On a hand-made path the locked municipality moves into its core's region and the plan meets
every rule; a plan that already meets them is returned as it is; when no repair meets them
the engine is left to its own heuristic (``None``). On Troms og Finnmark, a lock set where the
construction heuristic finds no plan gets a repaired start, and the re-solve from it reaches
the same proven optimum as the solve from scratch.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from handmade import path_problem

from regionopt import api
from regionopt.model import solve
from regionopt.model.heuristic import unmet_rules
from regionopt.scenario import Scenario, parse_scenario
from regionopt.server import locks as lk
from regionopt.server.start import locked_start

#: The plan 1001-1003 around 1001, 1004-1006 around 1004, as ``cores[i]``.
SCREEN = np.array([0, 0, 0, 3, 3, 3])


def _path(**constraints: object) -> Scenario:
    return parse_scenario({"name": "path", "regions": {"count": 2},
                           "constraints": dict(constraints)}, source="test")


def test_a_locked_municipality_moves_to_its_core() -> None:
    problem = path_problem()
    scenario = _path(fixed_cores=["1004"], must_link=[["1003", "1004"]])
    assert unmet_rules(problem, scenario, SCREEN)  # the plan on screen breaks the lock
    cores = locked_start(problem, scenario, SCREEN)
    assert cores is not None
    assert cores.tolist() == [0, 0, 3, 3, 3, 3]
    assert not unmet_rules(problem, scenario, cores)


def test_a_plan_meeting_the_locks_is_kept() -> None:
    problem = path_problem()
    scenario = _path(must_link=[["1002", "1003"]])
    assert locked_start(problem, scenario, SCREEN) is SCREEN


def test_no_repair_leaves_the_engine_its_heuristic() -> None:
    problem = path_problem()
    # 1001 with 1004's region: contiguity pulls all of 1002-1003 along, leaving one region
    scenario = _path(fixed_cores=["1004"], must_link=[["1001", "1004"]])
    assert locked_start(problem, scenario, SCREEN) is None


def test_a_hard_lock_set_gets_a_start_and_the_same_optimum(data_dir: Path) -> None:
    path = Path(__file__).resolve().parents[2] / "data/geo/scenarios"
    scenario = api.load_scenario(path / "troms-finnmark-functional.toml")
    problem = api.problem_from_network(api.network_for_scenario(scenario, data_dir=data_dir,
                                                                progress=False),
                                       data_dir=data_dir)
    optimum = api.solve(problem, scenario, quiet=True)
    assert optimum.plan is not None
    screen = np.asarray(optimum.plan.labels(problem), dtype="int64")
    locks = lk.parse_locks(problem, optimum.plan, [
        {"kind": "municipality", "code": "5528", "other": "5530"},
        {"kind": "municipality", "code": "5603", "other": "5601"},
        {"kind": "municipality", "code": "5614", "other": "5601"}])
    locked = lk.locked_scenario(scenario, locks)
    assert unmet_rules(problem, locked, screen)
    start = locked_start(problem, locked, screen)
    assert start is not None and not unmet_rules(problem, locked, start)
    warm = solve(problem, locked, quiet=True, start_plan=start)
    cold = api.solve(problem, locked, quiet=True)
    assert warm.status == cold.status == "optimal"
    assert warm.objective == cold.objective
