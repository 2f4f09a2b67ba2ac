"""regionopt.network.fit: speeds fitted to TØI's drive times on held-out splits."""

from __future__ import annotations

import numpy as np
import pytest

from regionopt.network import Network, fit


def test_split_is_seeded_and_halves() -> None:
    a, b = fit.split(11, 3)
    assert len(a) == 5 and len(b) == 6 and not set(a) & set(b)
    assert set(a) | set(b) == set(range(11))
    again = fit.split(11, 3)
    assert a.tolist() == again[0].tolist() and b.tolist() == again[1].tolist()
    assert fit.split(11, 4)[0].tolist() != a.tolist()


def test_figures_and_loss_by_hand() -> None:
    ours, toi = np.array([10.0, 30.0, 20.0]), np.array([10.0, 20.0, 40.0])
    got = fit.figures(ours, toi)
    assert got["median_rel_error"] == pytest.approx(0.5)
    assert got["median_ratio"] == pytest.approx(1.0)
    assert got["gross"] == 0
    assert fit.loss(ours, toi) == pytest.approx((0 + np.log(1.5) + np.log(2)) / 3)
    assert fit.loss(np.array([np.inf]), np.array([1.0])) == np.inf


@pytest.fixture(scope="module")
def problem(norway_net: Network) -> fit.FitProblem:
    codes = sorted(norway_net.municipalities["kommunenummer"])
    return fit.fit_problem(norway_net.graph, {c: f"centre:{c}" for c in codes},
                           detour_factor=norway_net.settings.detour_factor)


def test_fit_problem_reproduces_the_grid_matrix(problem: fit.FitProblem,
                                                norway_net: Network) -> None:
    from regionopt.network import origins, validation

    codes = sorted(norway_net.municipalities["kommunenummer"])
    access = norway_net.settings.access_kph  # the centres' legs in the graph are at this speed
    matrix = origins.grid_matrix(norway_net.graph, {c: f"centre:{c}" for c in codes},
                                 detour_factor=1.3, access_speed_kph=access)
    table = validation.validate(matrix).table.set_index("code")
    # the graph's edges carry the network's own speeds (the fitted ones by default)
    speeds = norway_net.settings.speed_map
    ours = problem.minutes(np.array([speeds[n] for n in fit.FITTED_CLASSES] + [access]))
    expected = table.loc[list(problem.codes), "ours_min"].to_numpy()
    np.testing.assert_allclose(ours, expected, atol=0.006)


def test_held_out_fit_is_reproducible(problem: fit.FitProblem) -> None:
    start = fit.default_kph(problem, 40.0)
    train, _ = fit.split(len(problem.toi_min), 0)
    same = fit.comparable(problem)
    assert not same[list(problem.codes).index("1130")] and same.sum() == len(same) - 1
    train = train[same[train]]  # a pair of a later link never enters a fit
    first = fit.fit(problem, train, start, max_evals=25)
    second = fit.fit(problem, train, start, max_evals=25)
    assert first.tolist() == second.tolist()
    assert ((first >= fit.BOUNDS_KPH[0]) & (first <= fit.BOUNDS_KPH[1])).all()
    frame = fit.held_out(problem, start, seeds=(0,), max_evals=25)
    assert frame.loc[0, list(problem.names)].tolist() == first.tolist()
    assert {"all_median_rel_error", "all_gross"} <= set(frame.columns)
