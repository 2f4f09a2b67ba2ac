"""Shared fixtures: the real data folder and the default study area."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The source data folder (``$REGIONOPT_DATA_DIR``, else ``../shared/data``)."""
    path = Path(os.environ.get("REGIONOPT_DATA_DIR", REPO.parent / "shared" / "data"))
    if not (path / "kartverket" / "Kommuner-S.geojson").is_file():
        pytest.fail(f"source data not found in {path}: set REGIONOPT_DATA_DIR")
    return path
