"""The atlas's files (regionopt.sweep.atlas.folders): folder names; the files themselves are
written and checked end to end in ``tests/test_atlas_command.py``."""

from __future__ import annotations

from regionopt.sweep.atlas.folders import slug


def test_a_county_folder_is_its_plain_name() -> None:
    assert slug("Møre og Romsdal") == "more-og-romsdal"
    assert slug("Troms og Finnmark") == "troms-og-finnmark"
    assert slug("") == "county"
