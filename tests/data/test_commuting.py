"""Tests of the commuting flows reader and metrics (real data from REGIONOPT_DATA_DIR)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import regionopt.data.commuting as commuting
from regionopt.data import sources
from regionopt.errors import DataError
from regionopt.flows import Commuting

DATA = Path(os.environ.get("REGIONOPT_DATA_DIR", "/work/shared/data"))
PENDLING = DATA / "ssb" / "pendling" / "data_pendling2022.rds"
KOMMUNE = DATA / "ssb" / "pendling" / "data_kommune2022.rds"
LOCATIONS = DATA / "csdata" / "norway_locations.xlsx"
TOTAL_2022 = 2_809_789

needs_data = pytest.mark.skipif(not PENDLING.exists(), reason=f"no source data in {DATA}")


def _codes_2024() -> list[str]:
    features = json.loads((DATA / "kartverket" / "Kommuner-S.geojson").read_text("utf-8"))
    return [feature["properties"]["kommunenummer"] for feature in features["features"]]


def _population() -> dict[str, int]:
    records = json.loads((DATA / "ssb" / "municipalities-2025.json").read_text("utf-8"))
    return {record["id"]: record["population"] for record in records}


def _read(**changes: object) -> Commuting:
    args: dict = {
        "pendling_path": PENDLING,
        "kommune_path": KOMMUNE,
        "locations_path": LOCATIONS,
        "codes_2024": _codes_2024(),
        "population": _population(),
    }
    args.update(changes)
    return commuting.read_commuting(**args)


@pytest.fixture(scope="module")
def national() -> Commuting:
    return _read()


@pytest.fixture(scope="module")
def raw_2022() -> pd.DataFrame:
    """Table 03321 as published: residence x workplace over the 356 codes of 2022."""
    import pyreadr

    frame = next(iter(pyreadr.read_r(str(PENDLING)).values()))
    return frame.pivot(index="Bokommuen", columns="ArbstedKomm", values="value")


@pytest.fixture(scope="module")
def oracle() -> dict[str, list[str]]:
    """2022 -> 2024 codes read independently from the locations sheet."""
    sheet = pd.read_excel(LOCATIONS, dtype=str)
    sheet = sheet[sheet["municip_code"].str.startswith("municip_nor")]
    current = sheet[sheet["year_end"].isna()]
    mapping = {code[-4:]: [code[-4:]] for code in current["municip_code"]}
    for code, end in sheet.loc[
        sheet["year_end"] == "2023", ["municip_code", "municip_code_end"]
    ].values:
        mapping.setdefault(code[-4:], []).append(end[-4:])
    return mapping


# --- mapping and totals ----------------------------------------------------------------------


@needs_data
def test_every_2022_code_maps_onto_the_357_codes(raw_2022, oracle, national):
    codes22 = list(raw_2022.index)
    assert len(codes22) == 356 and list(raw_2022.columns) == codes22
    assert all(len(code) == 4 and code.isdigit() for code in codes22)  # no totals, abroad, unknown
    assert all(code in oracle for code in codes22)
    image = {new for code in codes22 for new in oracle[code]}
    assert image == set(_codes_2024()) == set(national.codes)
    split = {code: oracle[code] for code in codes22 if len(oracle[code]) > 1}
    assert split == {"1507": ["1508", "1580"]}


@needs_data
def test_unsplit_flows_are_copied_cell_by_cell(raw_2022, oracle, national):
    keep = [code for code in raw_2022.index if len(oracle[code]) == 1]
    idx = national.indices([oracle[code][0] for code in keep])
    np.testing.assert_array_equal(
        national.flows[np.ix_(idx, idx)], raw_2022.loc[keep, keep].to_numpy()
    )


@needs_data
def test_totals_are_preserved(national):
    assert national.flows.shape == (357, 357)
    assert national.flows.dtype == np.int64 and national.flows.min() >= 0
    assert national.flows.sum() == TOTAL_2022
    # 11618: by workplace equals the column sums; by residence adds 8 385 working outside.
    np.testing.assert_array_equal(national.jobs, national.flows.sum(axis=0))
    outside = national.employed - national.flows.sum(axis=1)
    assert outside.min() >= 0 and outside.max() == 621
    assert national.employed.sum() == 2_818_174


@needs_data
def test_troms_og_finnmark_maps_one_to_one(oracle, raw_2022, national):
    old = [code for code in raw_2022.index if code.startswith("54")]
    new = [oracle[code] for code in old]
    assert len(old) == 39 and all(len(codes) == 1 for codes in new)
    targets = sorted(codes[0] for codes in new)
    assert len(set(targets)) == 39 and all(code[:2] in {"55", "56"} for code in targets)
    assert oracle["5401"] == ["5501"] and oracle["5444"] == ["5605"]  # Tromsø, Sør-Varanger
    idx = national.indices(targets)
    assert national.flows[np.ix_(idx, idx)].sum() == raw_2022.loc[old, old].to_numpy().sum()


@needs_data
def test_largest_troms_og_finnmark_flows_match_the_readme(national):
    area = [code for code in national.codes if code[:2] in {"55", "56"}]
    block = national.flows[np.ix_(national.indices(area), national.indices(area))].copy()
    np.fill_diagonal(block, 0)
    top = np.argsort(block, axis=None)[::-1][:5]
    found = [(area[i // len(area)], area[i % len(area)], int(block.flat[i])) for i in top]
    assert found == [
        ("5526", "5530", 581),  # Sørreisa -> Senja
        ("5510", "5503", 463),  # Kvæfjord -> Harstad
        ("5532", "5501", 406),  # Balsfjord -> Tromsø
        ("5512", "5503", 391),  # Tjeldsund -> Harstad
        ("5503", "5510", 369),  # Harstad -> Kvæfjord
    ]


@needs_data
def test_haram_and_alesund_add_up_to_the_2022_alesund(raw_2022, oracle, national):
    pair = national.indices(["1508", "1580"])
    rest22 = [code for code in raw_2022.index if code != "1507"]
    rest = national.indices([oracle[code][0] for code in rest22])
    lived = national.flows[np.ix_(pair, rest)].sum(axis=0)
    worked = national.flows[np.ix_(rest, pair)].sum(axis=1)
    np.testing.assert_array_equal(lived, raw_2022.loc["1507", rest22].to_numpy())
    np.testing.assert_array_equal(worked, raw_2022.loc[rest22, "1507"].to_numpy())
    inner = national.flows[np.ix_(pair, pair)]
    assert inner.sum() == raw_2022.loc["1507", "1507"] == 29_948
    # Shares p_a * p_b of the 2024 populations (58 509 and 9 357), within one person a cell.
    share = np.array([58_509, 9_357]) / 67_866
    assert np.abs(inner - np.outer(share, share) * 29_948).max() <= 1
    assert national.flows[pair].sum() == 35_584 and national.flows[:, pair].sum() == 38_059
    assert national.employed[pair].sum() == 35_662  # 11618 SysselBosted of 1507
    assert "1507" in national.note and "1580" in national.note


# --- reading errors --------------------------------------------------------------------------


def _assert_one_line(error: pytest.ExceptionInfo, *parts: str) -> None:
    message = str(error.value)
    assert "\n" not in message
    for part in parts:
        assert part in message


@needs_data
def test_an_unmapped_2022_code_names_code_and_file(tmp_path):
    sheet = pd.read_excel(LOCATIONS, dtype=str)
    broken = tmp_path / "locations.xlsx"
    sheet[sheet["municip_code"] != "municip_nor5401"].to_excel(broken, index=False)
    with pytest.raises(DataError) as error:
        _read(locations_path=broken)
    _assert_one_line(error, str(broken), "5401")


@needs_data
def test_a_2024_code_without_data_is_an_error():
    with pytest.raises(DataError) as error:
        _read(codes_2024=[*_codes_2024(), "5699"])
    _assert_one_line(error, "5699")
    with pytest.raises(DataError) as error:
        _read(codes_2024=[code for code in _codes_2024() if code != "5501"])
    _assert_one_line(error, "5401", str(LOCATIONS))


@needs_data
def test_missing_population_of_a_split_part_is_an_error():
    population = {k: v for k, v in _population().items() if k != "1580"}
    with pytest.raises(DataError) as error:
        _read(population=population)
    _assert_one_line(error, "1580")


def test_an_unreadable_rds_file_is_a_data_error(tmp_path):
    bad = tmp_path / "data_pendling2022.rds"
    bad.write_text("not R data", encoding="utf-8")
    with pytest.raises(DataError) as error:
        commuting.read_commuting(bad, bad, bad, codes_2024=["0301"], population={})
    _assert_one_line(error, str(bad))


# --- long frame ------------------------------------------------------------------------------


@needs_data
def test_frame_round_trip(national, tmp_path):
    frame = national.to_frame()
    assert list(frame.columns) == ["residence", "workplace", "persons"]
    assert (frame["persons"] > 0).all() and frame["persons"].sum() == TOTAL_2022
    assert frame.equals(frame.sort_values(["residence", "workplace"], ignore_index=True))
    assert frame["residence"].iloc[0] == "0301"
    again = Commuting.from_frame(frame, codes=national.codes)
    np.testing.assert_array_equal(again.flows, national.flows)
    path = tmp_path / "commuting.csv"
    frame.to_csv(path, index=False)
    from_csv = Commuting.from_frame(path, codes=national.codes)
    np.testing.assert_array_equal(from_csv.flows, national.flows)
    assert from_csv.codes == national.codes


def test_small_frame_round_trip_keeps_zero_rows_and_columns():
    frame = pd.DataFrame(
        {"residence": ["0301", "5501"], "workplace": ["5501", "5501"], "persons": [3, 7]}
    )
    flows = Commuting.from_frame(frame, codes=["5501", "0301", "1508"])
    assert flows.codes == ("0301", "1508", "5501")
    np.testing.assert_array_equal(flows.flows, [[0, 0, 3], [0, 0, 0], [0, 0, 7]])
    np.testing.assert_array_equal(flows.jobs, [0, 0, 10])
    pd.testing.assert_frame_equal(flows.to_frame(), frame)
    assert not flows.flows.flags.writeable
    with pytest.raises(DataError, match="'9999'"):
        flows.indices(["0301", "9999"])


GOOD = "residence,workplace,persons\n0301,0301,5\n0301,5501,2\n"


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("residence,persons\n0301,5\n", ["missing column 'workplace'"]),
        (GOOD + "5501,0301,-1\n", ["line 4", "'persons'", "negative"]),
        (GOOD + "5501,0301,many\n", ["line 4", "'persons'", "not a number"]),
        (GOOD + "5501,0301,\n", ["line 4", "'persons'", "empty (NaN)"]),
        (GOOD + "5501,0301,NaN\n", ["line 4", "'persons'", "empty (NaN)"]),
        (GOOD + "5501,0301,10000001\n", ["line 4", "'persons'", "exceeds 10_000_000"]),
        (GOOD + "5501,0301,2.5\n", ["line 4", "'persons'", "not a whole number"]),
        (GOOD + "301,5501,1\n", ["line 4", "'residence'", "'301'", "not a municipality"]),
        (GOOD + "5501,5401,1\n", ["line 4", "'workplace'", "'5401'", "not a municipality"]),
        (GOOD + "0301,5501,1\n", ["line 4", "'workplace'", "repeats"]),
    ],
)
def test_frame_validation_errors_name_file_line_and_column(tmp_path, text, parts):
    path = tmp_path / "commuting.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataError) as error:
        Commuting.from_frame(path, codes=["0301", "5501"])
    _assert_one_line(error, str(path), *parts)


def test_a_good_csv_is_read(tmp_path):
    path = tmp_path / "commuting.csv"
    path.write_text(GOOD, encoding="utf-8")
    flows = Commuting.from_frame(path, codes=["0301", "5501"])
    np.testing.assert_array_equal(flows.flows, [[5, 2], [0, 0]])


def test_a_missing_csv_is_a_data_error(tmp_path):
    with pytest.raises(DataError) as error:
        Commuting.from_frame(tmp_path / "absent.csv", codes=["0301"])
    _assert_one_line(error, "absent.csv")


# --- metrics ---------------------------------------------------------------------------------


# --- small synthetic tables (written with pyreadr) -------------------------------------------


def _write_tables(tmp_path: Path, flows: dict, employed: dict) -> tuple[Path, Path]:
    """Write a 03321-like and an 11618-like .rds file."""
    import pyreadr

    pendling = pd.DataFrame(
        [(work, res, "Sysselsatte", "2022", n) for (res, work), n in flows.items()],
        columns=["ArbstedKomm", "Bokommuen", "ContentsCode", "Tid", "value"],
    )
    kommune = pd.DataFrame(
        [(code, "0", "15-74", what, "2022", n) for (code, what), n in employed.items()],
        columns=["Region", "Kjonn", "Alder", "ContentsCode", "Tid", "value"],
    )
    paths = tmp_path / "pendling.rds", tmp_path / "kommune.rds"
    pyreadr.write_rds(str(paths[0]), pendling)
    pyreadr.write_rds(str(paths[1]), kommune)
    return paths


SMALL_FLOWS = {("0301", "0301"): 9, ("0301", "5401"): 1, ("5401", "0301"): 2, ("5401", "5401"): 6}
SMALL_EMPLOYED = {
    ("0301", "SysselBosted"): 12,  # 10 in the flows + 2 working outside
    ("0301", "SysselArbsted"): 11,
    ("5401", "SysselBosted"): 8,
    ("5401", "SysselArbsted"): 7,
}


@needs_data
def test_small_tables_are_read_and_recoded(tmp_path):
    pendling, kommune = _write_tables(tmp_path, SMALL_FLOWS, SMALL_EMPLOYED)
    flows = commuting.read_commuting(
        pendling, kommune, LOCATIONS, codes_2024=["5501", "0301"], population={}
    )
    assert flows.codes == ("0301", "5501")  # 5401 Tromsø became 5501
    np.testing.assert_array_equal(flows.flows, [[9, 1], [2, 6]])
    np.testing.assert_array_equal(flows.employed, [12, 8])
    np.testing.assert_array_equal(flows.jobs, [11, 7])
    assert flows.note == ""


@needs_data
def test_a_non_municipality_code_is_rejected(tmp_path):
    # 2100 Svalbard is in the locations sheet, but not as a mainland municipality.
    table = {**SMALL_FLOWS, ("2100", "0301"): 4}
    employed = {**SMALL_EMPLOYED, ("2100", "SysselBosted"): 4, ("2100", "SysselArbsted"): 0}
    employed[("0301", "SysselArbsted")] = 15
    pendling, kommune = _write_tables(tmp_path, table, employed)
    with pytest.raises(DataError) as error:
        commuting.read_commuting(
            pendling, kommune, LOCATIONS, codes_2024=["0301", "5501"], population={}
        )
    _assert_one_line(error, str(LOCATIONS), "2100", "maps to none")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({("5401", "SysselArbsted"): 6}, "municipality 5401 has SysselArbsted unequal"),
        ({("0301", "SysselBosted"): 9}, "municipality 0301 has SysselBosted below"),
    ],
)
def test_inconsistent_11618_totals_are_errors(tmp_path, change, message):
    pendling, kommune = _write_tables(tmp_path, SMALL_FLOWS, {**SMALL_EMPLOYED, **change})
    with pytest.raises(DataError) as error:
        commuting.read_commuting(
            pendling, kommune, LOCATIONS, codes_2024=["0301", "5501"], population={}
        )
    _assert_one_line(error, str(kommune), message)


def test_a_repeated_pair_in_03321_is_an_error(tmp_path):
    pendling, kommune = _write_tables(tmp_path, SMALL_FLOWS, SMALL_EMPLOYED)
    import pyreadr

    frame = next(iter(pyreadr.read_r(str(pendling)).values()))
    pyreadr.write_rds(str(pendling), pd.concat([frame, frame.iloc[:1]], ignore_index=True))
    with pytest.raises(DataError) as error:
        commuting.read_commuting(pendling, kommune, LOCATIONS, codes_2024=["0301"], population={})
    _assert_one_line(error, str(pendling), "appears twice")


def test_sources_are_registered_with_their_upstreams():
    for relpath in (commuting.PENDLING_FILE, commuting.KOMMUNE_FILE, commuting.LOCATIONS_FILE):
        assert relpath in sources.registry()
    assert sources.upstream_url(commuting.PENDLING_FILE).startswith(
        "https://raw.githubusercontent.com/statisticsnorway/pendling/")
    assert sources.upstream_url(commuting.LOCATIONS_FILE).endswith(
        "/data-raw/files/locations/norway_locations.xlsx")
    assert sources.upstream_url("ssb/municipalities-2025.json").startswith(
        "https://raw.githubusercontent.com/aprestmo/")
