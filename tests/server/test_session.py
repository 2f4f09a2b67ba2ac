"""regionopt.server.session: the provisional first plan gives way to the optimum.

A fresh server shows the construction heuristic's plan while the unlocked optimum is solved
in the background: its price is pending (never a figure against a plan that is not the
optimum); when the optimum arrives it replaces the provisional plan and the price is known.
"""

from __future__ import annotations

import dataclasses
import tomllib
from pathlib import Path

import pytest

from regionopt.problem import ProblemData
from regionopt.scenario import Scenario, parse_scenario
from regionopt.server.session import Session, scenario_key
from regionopt.server.worker import solved
from regionopt.server.workspace import Workspace

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def tf(data_dir: Path) -> tuple[ProblemData, Scenario]:
    """The functional problem of Troms og Finnmark and the default scenario (as served)."""
    from regionopt import api

    problem = api.problem_from_network(api.build_network(data_dir=data_dir, progress=False),
                                       data_dir=data_dir)
    path = REPO / "data" / "geo" / "scenarios" / "troms-finnmark-12.toml"
    return problem, parse_scenario(tomllib.loads(path.read_text()), source=str(path))


def test_provisional_plan_then_the_optimum(tf: tuple[ProblemData, Scenario],
                                           tmp_path: Path) -> None:
    problem, base = tf
    session = Session(problem, base, Workspace(tmp_path / "w"))
    heuristic = dataclasses.replace(base, solver=dataclasses.replace(base.solver,
                                                                     name="heuristic"))
    first = solved(problem, heuristic, None, lambda kind, data: None, "first plan")
    assert first["status"] == "heuristic" and first["bound"] is None
    session.start_provisional(first)
    session.pending[scenario_key(base)] = "job-1"
    state = session.state()
    assert state["provisional"] and state["price_pending"]
    assert state["price"] is None and state["optimum"] is None
    assert state["optimum_job"] == "job-1"
    assert state["figures"]["objective"] == pytest.approx(first["objective"])

    optimum = solved(problem, base, None, lambda kind, data: None, "optimum")
    assert session.optimum_arrived(base, optimum)
    state = session.state()
    assert not state["provisional"] and not state["price_pending"]
    assert state["optimum_job"] is None
    assert state["price"]["objective"] == 0
    assert state["figures"]["objective"] == pytest.approx(optimum["objective"])
    assert optimum["objective"] <= first["objective"] + 1e-6
    assert session.pos == 0 and len(session.history) == 1
