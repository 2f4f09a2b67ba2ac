"""The network cache in data formats (regionopt.network.stored, regionopt.network.cache)."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pandas as pd
import pytest

from regionopt.network import build_network, cache, stored


@pytest.fixture(scope="module")
def cached(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[object, Path]:
    folder = tmp_path_factory.mktemp("netcache")
    net = build_network(data_dir=data_dir, cache_dir=folder, progress=False)
    return net, folder


def test_round_trip_is_exact(cached: tuple[object, Path], data_dir: Path) -> None:
    net, folder = cached
    again = build_network(data_dir=data_dir, cache_dir=folder, progress=False)
    pd.testing.assert_frame_equal(net.minutes, again.minutes)
    pd.testing.assert_frame_equal(net.adjacency, again.adjacency)
    pd.testing.assert_frame_equal(net.municipalities, again.municipalities)
    assert list(net.graph.nodes(data=True)) == list(again.graph.nodes(data=True))
    assert list(net.graph.edges(keys=True, data=True)) == list(
        again.graph.edges(keys=True, data=True))
    entry = cache.entry_dir(net.key, cache_dir=folder)
    meta = json.loads((entry / cache.MANIFEST).read_text(encoding="utf-8"))
    assert meta["key"] == net.key and sorted(meta["files"]) == sorted(stored.FILES)


def test_damaged_or_foreign_entry_is_ignored(cached: tuple[object, Path],
                                             caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="regionopt")
    net, folder = cached
    entry = cache.entry_dir(net.key, cache_dir=folder)
    manifest = entry / cache.MANIFEST
    good = manifest.read_text(encoding="utf-8")
    try:
        meta = json.loads(good)
        meta["key"] = "0" * 64
        manifest.write_text(json.dumps(meta), encoding="utf-8")
        assert stored.load_network(net.key, cache_dir=folder) is None
        manifest.write_text(good, encoding="utf-8")
        with (entry / "minutes.npy").open("ab") as fh:
            fh.write(b"\0")
        assert stored.load_network(net.key, cache_dir=folder) is None
        assert "damaged" in caplog.text
    finally:
        stored.store_network(net.key, municipalities=net.municipalities, graph=net.graph,
                             minutes=net.minutes, adjacency=net.adjacency, cache_dir=folder)
    assert stored.load_network(net.key, cache_dir=folder) is not None


def test_unknown_attribute_type_is_not_cached(tmp_path: Path,
                                              caplog: pytest.LogCaptureFixture) -> None:
    import networkx as nx

    caplog.set_level(logging.WARNING, logger="regionopt")
    G = nx.MultiDiGraph()
    G.add_node(1, thing=object())
    stored.store_network("ab" * 32, municipalities=pd.DataFrame(), graph=G,
                         minutes=pd.DataFrame(), adjacency=pd.DataFrame(), cache_dir=tmp_path)
    assert "not cached" in caplog.text
    assert not (tmp_path / "networks" / ("ab" * 32)).exists()
