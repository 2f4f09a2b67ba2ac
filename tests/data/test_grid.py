"""regionopt.data.grid: Statistics Norway's population grid, read and assigned."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from regionopt.data import grid, sources
from regionopt.data.municipalities import load_municipalities
from regionopt.errors import DataError


def test_cell_id_decodes_to_the_centre() -> None:
    # SSB's id: (x + 2 000 000) * 10^7 + y of the south-west corner
    x, y = grid.decode_ids(np.array([19250006616000]), 1000)
    assert (x[0], y[0]) == (-75_000 + 500, 6_616_000 + 500)
    with pytest.raises(DataError, match="not a corner"):
        grid.decode_ids(np.array([19250006616100]), 1000)


def test_registry_and_upstream() -> None:
    assert sources.upstream_url(grid.GRID_1KM).endswith(
        "d9da9c5dc06e7b8318b0270ddb2302bcf3d844d5/input/pop_1000m/NOR1000M_POP_2019.csv")
    assert sources.upstream_url(grid.GRID_250M).endswith("input/pop_250m/NOR0250M_POP_2019.csv")
    assert "NLOD" in sources.licence(grid.GRID_1KM)


def test_assign_inside_then_nearest() -> None:
    polys = gpd.GeoDataFrame({"kommunenummer": ["0001", "0002"]},
                             geometry=[shapely.box(0, 0, 10, 10), shapely.box(20, 0, 30, 10)],
                             crs=grid.GRID_CRS)
    cells = pd.DataFrame({"x": [5.0, 25.0, 12.0, 19.0], "y": [5.0, 5.0, 5.0, 5.0]})
    assert grid.assign_cells(cells, polys).tolist() == ["0001", "0002", "0001", "0002"]


def test_real_grid_every_municipality_and_totals(data_dir: Path) -> None:
    cells = grid.load_grid(data_dir=data_dir)
    assert len(cells) == 54_988 and cells["pop"].sum() == 5_317_737
    assert cells["kommunenummer"].nunique() == 357
    shares = grid.cell_shares(cells)
    sums = pd.Series(shares).groupby(cells["kommunenummer"].to_numpy()).sum()
    np.testing.assert_allclose(sums.to_numpy(), 1.0)
    table = grid.grid_validation(cells, load_municipalities("norway", data_dir=data_dir))
    assert len(table) == 357 and table["cells"].min() >= 4
    # 2019 against 2024: within 20 % everywhere (growth round Oslo, decline inland)
    assert table["ratio"].between(0.8, 1.2).all(), table.sort_values("ratio").head()
    fine = grid.read_grid(grid.GRID_250M, data_dir=data_dir)
    assert len(fine) == 221_947 and fine["pop"].sum() == 5_317_737


def test_validation_markdown_lists_every_municipality() -> None:
    table = pd.DataFrame({"kommunenummer": ["0001", "0002"], "name": ["A", "B"], "cells": [4, 9],
                          "grid_2019": [90, 200], "population_2024": [100, 200],
                          "ratio": [0.9, 1.0]})
    text = grid.grid_validation_markdown(table)
    assert "| 0001 A | 4 | 90 | 100 | 0.900 |" in text
    assert text.index("0001 A") < text.index("0002 B")  # farthest from 1 first
