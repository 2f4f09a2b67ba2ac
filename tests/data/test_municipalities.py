"""The municipalities GeoDataFrame on the real data, and its bad-input errors."""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from regionopt.data import municipalities as data
from regionopt.data.centres import CentreWarning
from regionopt.errors import DataError

# Statistics Norway, table 07459, population on 1 January 2024 (as carried by
# ssb/municipalities-2025.json): Troms 169 610, Finnmark 75 053.
TROMS_2024 = 169_610
FINNMARK_2024 = 75_053
NORWAY_2024 = 5_550_203


@pytest.fixture(scope="module")
def tf(data_dir: Path) -> gpd.GeoDataFrame:
    return data.load_municipalities(data_dir=data_dir)


def test_troms_finnmark_has_39_municipalities_with_the_right_population(
    tf: gpd.GeoDataFrame,
) -> None:
    assert len(tf) == 39
    assert (tf["county"] == "55").sum() == 21
    assert (tf["county"] == "56").sum() == 18
    by_county = tf.groupby("county")["population"].sum()
    assert by_county["55"] == TROMS_2024
    assert by_county["56"] == FINNMARK_2024
    assert tf["population"].sum() == 244_663


def test_columns_types_and_order(tf: gpd.GeoDataFrame) -> None:
    assert tuple(tf.columns) == data.COLUMNS
    assert tf.crs.to_epsg() == 4326
    assert list(tf.index) == list(range(39))
    assert list(tf["kommunenummer"]) == sorted(tf["kommunenummer"])
    assert tf["kommunenummer"].str.fullmatch(r"\d{4}").all()
    assert tf["county"].str.fullmatch(r"\d{2}").all()
    assert str(tf["population"].dtype) == "int64"
    assert set(tf["county_name"]) == {"Troms", "Finnmark"}
    assert set(tf.geom_type) <= {"Polygon", "MultiPolygon"}
    assert tf.is_valid.all()
    row = tf.set_index("kommunenummer").loc["5610"]
    assert (row["name"], row["admin_centre"], row["area_km2"]) == ("Karasjok", "Karasjok", 5452.94)


def test_every_centre_lies_inside_its_municipality(tf: gpd.GeoDataFrame) -> None:
    points = data.centre_points(tf)
    assert points.crs.to_epsg() == 4326
    assert tf.geometry.covers(points).all()
    assert (tf["centre_source"] == "geonames").all()


def test_norway_has_357_municipalities(data_dir: Path) -> None:
    with warnings.catch_warnings():
        # eight centres nationally are not GeoNames places (see test_centres)
        warnings.simplefilter("ignore", CentreWarning)
        norway = data.load_municipalities("norway", data_dir=data_dir)
    assert len(norway) == 357
    assert norway["population"].sum() == NORWAY_2024
    assert norway["county"].nunique() == 15
    assert norway.is_valid.all()


def test_finer_resolution(data_dir: Path, tf: gpd.GeoDataFrame) -> None:
    fine = data.load_municipalities("56", data_dir=data_dir, resolution="M")
    coarse = tf[tf["county"] == "56"].reset_index(drop=True)
    assert list(fine["kommunenummer"]) == list(coarse["kommunenummer"])
    assert fine.geometry.count_coordinates().sum() > coarse.geometry.count_coordinates().sum()
    with pytest.raises(DataError, match="unknown resolution 'L'"):
        data.load_municipalities("56", data_dir=data_dir, resolution="L")


@pytest.mark.parametrize(
    ("area", "count"),
    [
        ("troms-finnmark", 39),
        ("55", 21),
        ("5601", 1),
        ("55, 5601", 22),
        (["56", "5501", "5601"], 19),
        (("Norway",), 357),
        ("301", 1),  # Oslo, its leading zero lost
        ("3", 1),  # county 03, Oslo
    ],
)
def test_resolve_area(data_dir: Path, area: object, count: int) -> None:
    codes = data.resolve_area(area, data_dir=data_dir)
    assert len(codes) == count
    assert list(codes) == sorted(set(codes))


@pytest.mark.parametrize("bad", ["5599", "99", "nowhere", "55,abc"])
def test_unknown_codes_are_named(data_dir: Path, bad: str) -> None:
    token = bad.split(",")[-1].strip()
    message = (f"unknown municipality or county code '{token}'" if token.isdigit()
               else f"unknown area '{token}'")  # names: tests/data/test_areas.py
    with pytest.raises(DataError, match=re.escape(message)):
        data.resolve_area(bad, data_dir=data_dir)


def test_empty_area(data_dir: Path) -> None:
    with pytest.raises(DataError, match="empty area"):
        data.load_municipalities(" , ", data_dir=data_dir)


def test_missing_source_file(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"municipalities-2025\.json: source file not found"):
        data.load_municipalities(data_dir=tmp_path)


def test_counties_and_country(data_dir: Path) -> None:
    counties = data.load_counties(["55", "56"], data_dir=data_dir)
    assert list(counties["county"]) == ["55", "56"]
    assert list(counties["county_name"]) == ["Troms", "Finnmark"]
    assert len(data.load_counties(data_dir=data_dir)) == 15
    with pytest.raises(DataError, match="unknown county code '57'"):
        data.load_counties(["57"], data_dir=data_dir)
    country = data.load_country(data_dir=data_dir)
    assert len(country) == 1 and country.is_valid.all()
    tromso = shapely.Point(18.95508, 69.6489)
    assert country.geometry.iloc[0].covers(tromso)


# -- bad content: these files would fail the checksum first, so the validators
# -- are exercised directly on small hand-made files.


def _ssb_file(tmp_path: Path, **changes: object) -> Path:
    record = {
        "id": "5616",
        "name": "Hasvik",
        "name_no": "Hasvik",
        "adm_center": "Breivikbotn",
        "population": 979,
        "area": 555.43,
    }
    record.update(changes)
    path = tmp_path / "municipalities.json"
    path.write_text(json.dumps([record]), encoding="utf-8")
    return path


def test_ssb_record_is_read(tmp_path: Path) -> None:
    frame = data._ssb_frame(_ssb_file(tmp_path), ["5616"])
    assert frame.to_dict("records") == [
        {
            "kommunenummer": "5616",
            "name": "Hasvik",
            "population": 979,
            "area_km2": 555.43,
            "admin_centre": "Breivikbotn",
        }
    ]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"population": None}, "municipality 5616 Hasvik has no valid 'population'"),
        ({"population": "979"}, "municipality 5616 Hasvik has no valid 'population'"),
        ({"area": -1}, "municipality 5616 Hasvik has no valid 'area'"),
        ({"adm_center": ""}, "municipality 5616 Hasvik has no 'adm_center'"),
        ({"id": "616"}, "record 0 has no 4-digit 'id'"),
    ],
)
def test_bad_ssb_records(tmp_path: Path, change: dict, message: str) -> None:
    path = _ssb_file(tmp_path, **change)
    with pytest.raises(DataError, match=re.escape(message)) as err:
        data._ssb_frame(path, ["5616"])
    assert str(err.value).startswith(str(path))


def test_unreadable_json(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('[{"id": "5616",', encoding="utf-8")
    with pytest.raises(DataError, match="cannot read municipality list"):
        data._ssb_frame(path, ["5616"])


def test_unreadable_geojson(tmp_path: Path) -> None:
    path = tmp_path / "broken.geojson"
    path.write_text('{"type": "FeatureCollection", "features": [', encoding="utf-8")
    with pytest.raises(DataError, match="cannot read GeoJSON"):
        data._polygons(path, ("5616",))


def _geojson(tmp_path: Path, geometry: dict) -> Path:
    feature = {"type": "Feature", "properties": {"kommunenummer": "5616"}, "geometry": geometry}
    path = tmp_path / "k.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    return path


def test_self_intersection_is_repaired(tmp_path: Path) -> None:
    # a square with a tiny spike crossing back over an edge: make_valid keeps the square
    ring = [[0, 0], [1, 0], [1, 1], [0.5, 1], [0.5, 0.999], [0.5001, 1.0001], [0, 1], [0, 0]]
    path = _geojson(tmp_path, {"type": "Polygon", "coordinates": [ring]})
    frame = data._polygons(path, ("5616",))
    assert frame.is_valid.all()
    assert frame.geometry.iloc[0].area == pytest.approx(1.0, rel=1e-3)


def test_bowtie_is_rejected(tmp_path: Path) -> None:
    # a figure-eight: repairing it changes the area completely
    ring = [[0, 0], [2, 2], [2, 0], [0, 2], [0, 0]]
    path = _geojson(tmp_path, {"type": "Polygon", "coordinates": [ring]})
    with pytest.raises(DataError, match="municipality 5616 has an invalid geometry"):
        data._polygons(path, ("5616",))


def test_missing_polygon(tmp_path: Path) -> None:
    path = _geojson(
        tmp_path, {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [0, 1], [0, 0]]]}
    )
    with pytest.raises(DataError, match="no polygon for municipality 5601"):
        data._polygons(path, ("5601", "5616"))
