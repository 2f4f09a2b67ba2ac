"""regionopt.server.layers: the map's layers kept as GeoParquet between starts.

Drawn once and kept under the cache folder, read back the second time with the very
geometries (and ferry flags) the page draws; a damaged file is drawn again.
"""

from __future__ import annotations

from pathlib import Path

from regionopt.maps.outputs import map_layers
from regionopt.network import Network
from regionopt.server.layers import NAMES, layers_key, served_layers


def test_layers_are_kept_and_read_back(tf_net: Network, tmp_path: Path) -> None:
    drawn = map_layers(tf_net)
    first = served_layers(tf_net, cache_dir=tmp_path)
    folder = tmp_path / "serve-layers" / layers_key(tf_net)
    assert sorted(p.name for p in folder.iterdir()) == sorted(f"{n}.parquet" for n in NAMES)
    again = served_layers(tf_net, cache_dir=tmp_path)
    for name in NAMES:
        assert again[name].geometry.equals(first[name].geometry)
        assert list(again[name].geometry.to_wkb()) == list(drawn[name].geometry.to_wkb())
    assert again["roads"]["ferry"].tolist() == drawn["roads"]["ferry"].eq(True).tolist()
    (folder / "roads.parquet").write_bytes(b"not parquet")
    redrawn = served_layers(tf_net, cache_dir=tmp_path)
    assert redrawn["roads"].geometry.equals(first["roads"].geometry)
    assert served_layers(tf_net, cache_dir=tmp_path)["roads"].geometry.equals(
        first["roads"].geometry)  # kept again
