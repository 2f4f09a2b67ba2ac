"""The travel-time matrices a scenario may pin by name (``area.travel_times``).

A method's preset states the minutes it was written for, so that its plan does not move when
the network's defaults do (``docs/methods.md``). Every setting that shapes the minutes is
written out here, not taken from :class:`~regionopt.network.settings.NetworkSettings`'
defaults:

* ``"centre"``: administrative centre to administrative centre, the speeds regionopt used
  before the population grid (:data:`CENTRE_KPH`, access legs 40 km/h);
* ``"grid"``: from where the inhabitants live (Statistics Norway's 1 km grid) to the core's
  most populous places, with the speeds fitted on TØI's ``Reisetid`` pairs
  (:data:`regionopt.network.fit.GRID_FITTED_KPH`; ``docs/travel_validation.md``): the
  matrix nearest to TØI's own travel times.
"""

from __future__ import annotations

from collections.abc import Mapping

from regionopt.errors import DataError
from regionopt.network.fit import GRID_FITTED_ACCESS_KPH, GRID_FITTED_KPH
from regionopt.network.settings import NetworkSettings

#: The road speeds (km/h) of the centre-to-centre matrix, as they were when the presets were
#: measured on it (``roads.DEFAULT_SPEEDS_KPH`` of that time).
CENTRE_KPH: Mapping[str, float] = {"normot": 95.0, "eure": 72.0, "norrv": 68.0,
                                   "norntv": 55.0, "norfv": 60.0, "norr": 45.0, "fintr": 70.0}
#: The names ``area.travel_times`` accepts.
MATRICES = ("centre", "grid")


def matrix_settings(name: str) -> NetworkSettings:
    """Return the network settings of the named matrix (``"centre"`` or ``"grid"``).

    Raises
    ------
    DataError
        If ``name`` is not one of :data:`MATRICES`.
    """
    if name == "centre":
        return NetworkSettings(origins="centre", destinations="centre", speeds=CENTRE_KPH,
                               access_speed_kph=40.0, detour_factor=1.3)
    if name == "grid":
        return NetworkSettings(origins="grid", destinations="grid", speeds=GRID_FITTED_KPH,
                               access_speed_kph=GRID_FITTED_ACCESS_KPH, detour_factor=1.3)
    raise DataError(f"travel times {name!r}: not a matrix (known: {', '.join(MATRICES)})")


__all__ = ["CENTRE_KPH", "MATRICES", "matrix_settings"]
