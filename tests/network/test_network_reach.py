"""regionopt.network.reach: the reach shares of a network, from its population grid."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from regionopt.network import Network, NetworkSettings, build_network, origins
from regionopt.network.reach import network_reach, with_reach
from regionopt.problem import problem_from_network


@pytest.fixture(scope="module")
def tf_grid(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Network:
    return build_network(settings=NetworkSettings(origins="grid", destinations="centre"),
                         data_dir=data_dir,
                         cache_dir=tmp_path_factory.mktemp("grid-cache"), progress=False)


def test_cells_average_to_the_weighted_matrix(tf_grid: Network, data_dir: Path) -> None:
    """The cells' times are the terms of the weighted matrix (trips ending at the centres, as
    the reach shares'): same code, written once."""
    codes = [str(c) for c in tf_grid.minutes.index]
    cells, minutes = origins.cell_minutes(
        tf_grid.graph, {c: f"centre:{c}" for c in codes},
        detour_factor=tf_grid.settings.detour_factor,
        access_speed_kph=tf_grid.settings.access_speed_kph, data_dir=data_dir)
    row = {c: k for k, c in enumerate(codes)}
    weights = np.zeros((len(codes), len(cells)))
    weights[cells["kommunenummer"].map(row).to_numpy(), np.arange(len(cells))] = cells["share"]
    np.testing.assert_allclose(weights @ minutes, tf_grid.minutes.to_numpy(), atol=0.006)


def test_shares_are_cached_and_reach_the_problem(tf_grid: Network, tf_centre_net: Network,
                                                 tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    first = network_reach(tf_grid, cache_dir=tmp_path)
    assert first is not None and first.shape == (3, len(tf_grid.minutes), len(tf_grid.minutes))

    def boom(*_: Any, **__: Any) -> None:
        raise AssertionError("computed again")

    monkeypatch.setattr(origins, "cell_minutes", boom)
    assert np.array_equal(network_reach(tf_grid, cache_dir=tmp_path), first)
    assert network_reach(tf_centre_net) is None  # the centre matrix: whole municipalities
    base = problem_from_network(tf_grid)
    assert with_reach(base, tf_centre_net) is base
    monkeypatch.undo()
    problem = with_reach(base, tf_grid)
    assert problem.reach is not None and np.array_equal(problem.reach, network_reach(tf_grid))
    # every municipality reaches its own centre within 75 minutes for most of its people
    assert (np.diag(problem.reach[-1]) > 0.5).all()
    assert dataclasses.replace(problem, reach=None).reach is None
