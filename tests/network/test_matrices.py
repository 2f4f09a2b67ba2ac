"""regionopt.network.matrices: the named minutes matrices a scenario pins (area.travel_times)."""

from __future__ import annotations

import pytest

from regionopt.errors import DataError
from regionopt.network.fit import GRID_FITTED_ACCESS_KPH, GRID_FITTED_KPH
from regionopt.network.matrices import CENTRE_KPH, MATRICES, matrix_settings
from regionopt.scenario import TRAVEL_TIMES


def test_the_scenario_key_accepts_exactly_the_named_matrices() -> None:
    assert TRAVEL_TIMES == MATRICES


def test_every_setting_that_shapes_the_minutes_is_written_out() -> None:
    centre, grid = matrix_settings("centre"), matrix_settings("grid")
    assert (centre.origins, centre.destinations, centre.access_speed_kph) == ("centre", "centre",
                                                                               40.0)
    assert centre.speed_map == dict(CENTRE_KPH)
    assert (grid.origins, grid.destinations, grid.access_speed_kph) == ("grid", "grid",
                                                                         GRID_FITTED_ACCESS_KPH)
    assert {k: grid.speed_map[k] for k in GRID_FITTED_KPH} == GRID_FITTED_KPH
    assert centre.detour_factor == grid.detour_factor == 1.3


def test_an_unknown_matrix_is_a_data_error() -> None:
    with pytest.raises(DataError, match="not a matrix"):
        matrix_settings("osm")
