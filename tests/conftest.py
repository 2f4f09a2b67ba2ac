"""Shared fixtures: the real data folder and the default study area."""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from regionopt.network import Network
    from regionopt.problem import ProblemData

REPO = Path(__file__).resolve().parent.parent

# Resolve relative data and cache folders once, here, against the folder pytest started in:
# notebook kernels run in notebooks/ and subprocesses in temporary folders.
for _name in ("REGIONOPT_DATA_DIR", "REGIONOPT_CACHE_DIR"):
    if os.environ.get(_name):
        os.environ[_name] = os.path.abspath(os.environ[_name])


# The suite runs as at a terminal: Ctrl-C reaches pytest and every command it starts. Started
# in the background of a shell without job control, pytest inherits SIGINT ignored, and so
# would every command it starts (regionopt then keeps ignoring it, as it must: see
# interrupts.catch); the tests that send SIGINT test a command started at a terminal.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The source data folder (``$REGIONOPT_DATA_DIR``, else ``../shared/data``)."""
    path = Path(os.environ.get("REGIONOPT_DATA_DIR", REPO.parent / "shared" / "data")).absolute()
    if not (path / "kartverket" / "Kommuner-S.geojson").is_file():
        pytest.fail(f"source data not found in {path}: set REGIONOPT_DATA_DIR")
    return path


@pytest.fixture(scope="session", autouse=True)
def _isolated_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Keep the test run's network cache out of the user's cache folder."""
    if not os.environ.get("REGIONOPT_CACHE_DIR"):
        os.environ["REGIONOPT_CACHE_DIR"] = str(tmp_path_factory.mktemp("regionopt-cache"))


@pytest.fixture(scope="session")
def tf_net(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Network:
    """Troms og Finnmark network on the default (population-weighted) matrix, about 8 s, built
    without touching the user cache."""
    from regionopt.network import build_network

    return build_network(data_dir=data_dir, cache_dir=tmp_path_factory.mktemp("cache"),
                         use_cache=False, progress=False)


@pytest.fixture(scope="session")
def tf_centre_net(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Network:
    """Troms og Finnmark network on the centre-to-centre matrix (``origins="centre"``)."""
    from regionopt.network import NetworkSettings, build_network

    return build_network(settings=NetworkSettings(origins="centre"), data_dir=data_dir,
                         cache_dir=tmp_path_factory.mktemp("cache"), use_cache=False,
                         progress=False)


@pytest.fixture(scope="session")
def tf_net_problem(tf_net: Network) -> ProblemData:
    """The travel-time problem of ``tf_net``."""
    from regionopt.problem import problem_from_network

    return problem_from_network(tf_net)


@pytest.fixture(scope="session")
def norway_net(data_dir: Path) -> Network:
    """The network of all Norway (a few minutes to build; cached in the test run's cache)."""
    from regionopt.network import build_network

    return build_network("norway", data_dir=data_dir, progress=False)
