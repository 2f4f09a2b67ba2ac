"""The reach shares of a network: who lives within 45/60/75 minutes of each centre.

With ``origins="grid"`` every cell of Statistics Norway's population grid has a time to
every centre (:func:`regionopt.network.origins.cell_minutes`: access leg plus graph, as the
weighted matrix), and :func:`regionopt.reach_shares.reach_from_cells` turns them into the
share of each municipality's inhabitants within each band of each centre. With
``origins="centre"`` there are no cells: :func:`network_reach` returns ``None`` and the
figures count whole municipalities by the matrix (``docs/metrics.md``, *Inhabitants within
reach*).

The shares are cached beside the network (their own entry, keyed by the network's key and
this code), so a solve, its pages and ``regionopt evaluate`` pay for the cells once.
"""

from __future__ import annotations

import logging
import os
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from regionopt.errors import DataError
from regionopt.network import cache, origins
from regionopt.problem import ProblemData
from regionopt.reach_shares import REACH_MINUTES, check_reach, reach_from_cells

log = logging.getLogger(__name__)

_FILE = "reach.npy"
_CODE = ("network/reach.py", "network/origins.py", "reach_shares.py", "data/grid.py")
_PACKAGE = Path(__file__).resolve().parent.parent


def network_reach(network: Any, *, data_dir: str | os.PathLike[str] | None = None,
                  cache_dir: str | os.PathLike[str] | None = None,
                  use_cache: bool = True) -> np.ndarray | None:
    """Return the reach shares of a :class:`~regionopt.network.build.Network` (``None``
    with ``origins="centre"``), over its matrix's codes.

    Raises
    ------
    DataError
        If a grid or outline file cannot be read.
    """
    settings = network.settings
    if settings.origins != "grid":
        return None
    codes = [str(c) for c in network.minutes.index]
    key = cache.cache_key({"network": network.key, "reach": list(REACH_MINUTES),
                           "code": cache.hash_files(_PACKAGE / f for f in _CODE)})
    if use_cache and network.key:
        paths = cache.load(key, [_FILE], cache_dir=cache_dir)
        if paths is not None:
            try:
                reach = np.load(paths[_FILE], allow_pickle=False)
                check_reach(reach, len(codes))
                return reach
            except (OSError, ValueError, DataError) as exc:
                log.warning("ignoring unreadable reach cache %s (%s)", key, exc)
    centre_nodes = {c: f"centre:{c}" for c in codes}
    cells, minutes = origins.cell_minutes(
        network.graph, centre_nodes, detour_factor=settings.detour_factor,
        access_speed_kph=settings.access_speed_kph, data_dir=data_dir, cache_dir=cache_dir)
    reach = reach_from_cells(codes, cells["kommunenummer"].to_numpy(),
                             cells["share"].to_numpy(), minutes)
    if use_cache and network.key:
        cache.store(key, {_FILE: lambda p: np.save(p, reach, allow_pickle=False)},
                    cache_dir=cache_dir)
    return reach


def with_reach(problem: ProblemData, network: Any, *,
               data_dir: str | os.PathLike[str] | None = None) -> ProblemData:
    """Return ``problem`` carrying the reach shares of ``network`` (unchanged with
    ``origins="centre"``).

    Raises
    ------
    DataError
        If a grid or outline file cannot be read, or the network covers other
        municipalities than the problem.
    """
    reach = network_reach(network, data_dir=data_dir)
    if reach is None:
        return problem
    codes = tuple(str(c) for c in network.minutes.index)
    if codes != problem.codes:
        raise DataError("reach shares: the network covers other municipalities than the "
                        "problem")
    return replace(problem, reach=reach)


__all__ = ["network_reach", "with_reach"]
