"""Administrative centre placement: name folding, tiny hand-made cases, real data."""

from __future__ import annotations

import csv
import warnings
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from regionopt.data import centres
from regionopt.data import municipalities as data
from regionopt.data.centres import CentreWarning
from regionopt.errors import DataError

REPO = Path(__file__).resolve().parents[2]
ALIASES = REPO / "data" / "geo" / "centre_aliases.csv"


@pytest.mark.parametrize(
    ("name", "folded"),
    [
        ("Tromsø", "tromso"),
        ("Årstein", "arstein"),
        ("Kvæfjord", "kvaefjord"),
        ("Kárášjohka", "karasjohka"),
        ("Čáhcesuolu", "cahcesuolu"),
        ("Porsáŋgu", "porsangu"),
        ("Ávanuorri", "avanuorri"),
        ("Skániid", "skaniid"),
        ("Deatnu-Tana", "deatnu tana"),
        ("  Tana   bru ", "tana bru"),
        ("Sjøvegan", "sjovegan"),
        ("Đ ŧ", "d t"),
    ],
)
def test_fold_name(name: str, folded: str) -> None:
    assert centres.fold_name(name) == folded


# -- tiny hand-made cases: a 1° square near Tromsø and a few places -------------


def _square(kommune: str = "9999", centre: str = "Midtby") -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"kommunenummer": [kommune], "name": ["Test"], "admin_centre": [centre]},
        geometry=[shapely.box(18.0, 69.0, 19.0, 69.5)],
        crs=4326,
    )


def _places(*rows: tuple[str, float, float]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["name", "lon", "lat"])
    frame["key"] = frame["name"].map(centres.fold_name)
    return frame


NO_ALIASES = pd.DataFrame(columns=list(centres.ALIAS_COLUMNS))


def test_picks_the_matching_place_inside() -> None:
    places = _places(("Midtby", 20.0, 69.2), ("Midtby", 18.2, 69.1), ("Annenby", 18.5, 69.25))
    got = centres.place_centres(_square(), places, aliases=NO_ALIASES)
    assert got.iloc[0].to_dict() == {
        "centre_lon": 18.2,
        "centre_lat": 69.1,
        "centre_source": "geonames",
        "centre_place": "Midtby",
    }


def test_several_inside_nearest_representative_point_wins() -> None:
    square = _square()
    anchor = square.geometry.iloc[0].representative_point()
    places = _places(("Midtby", 18.05, 69.05), ("Midtby", anchor.x + 0.01, anchor.y))
    got = centres.place_centres(square, places, aliases=NO_ALIASES)
    assert got.iloc[0]["centre_lon"] == pytest.approx(anchor.x + 0.01)


def test_folded_name_matches_geonames_ascii() -> None:
    places = _places(("Sjovegan", 18.3, 69.2))
    got = centres.place_centres(_square(centre="Sjøvegan"), places, aliases=NO_ALIASES)
    assert got.iloc[0]["centre_place"] == "Sjovegan"


def test_alias_is_used() -> None:
    aliases = pd.DataFrame(
        [("9999", "Midtby", "Gaskasadji", "test")], columns=list(centres.ALIAS_COLUMNS)
    )
    places = _places(("Gaskasadji", 18.4, 69.3))
    got = centres.place_centres(_square(), places, aliases=aliases)
    assert got.iloc[0]["centre_place"] == "Gaskasadji"
    # an alias for another municipality does not apply
    other = aliases.assign(kommunenummer="1111")
    with pytest.warns(CentreWarning):
        centres.place_centres(_square(), places, aliases=other)


def test_place_just_offshore_is_moved_inside() -> None:
    # 0.003° of latitude south of the square: about 330 m
    places = _places(("Midtby", 18.5, 68.997))
    square = _square()
    got = centres.place_centres(square, places, aliases=NO_ALIASES).iloc[0]
    assert got["centre_source"] == "geonames"
    point = shapely.Point(got["centre_lon"], got["centre_lat"])
    assert square.geometry.iloc[0].covers(point)
    assert point.distance(shapely.Point(18.5, 68.997)) < 0.01


def test_no_match_falls_back_to_representative_point_with_warning() -> None:
    # 0.01° south of the square is about 1.1 km: too far to be the centre
    places = _places(("Midtby", 18.5, 68.99), ("Annenby", 18.5, 69.2))
    square = _square()
    with pytest.warns(CentreWarning, match="municipality 9999 Test: administrative centre"):
        got = centres.place_centres(square, places, aliases=NO_ALIASES).iloc[0]
    anchor = square.geometry.iloc[0].representative_point()
    assert (got["centre_lon"], got["centre_lat"]) == (anchor.x, anchor.y)
    assert (got["centre_source"], got["centre_place"]) == ("representative_point", "")


# -- the alias table and the real data -----------------------------------------


def test_alias_table_is_well_formed(data_dir: Path) -> None:
    with ALIASES.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert tuple(rows[0]) == centres.ALIAS_COLUMNS
    assert all(row["source"].strip() for row in rows)
    assert len({row["kommunenummer"] for row in rows}) == len(rows)
    known = set(data.resolve_area("norway", data_dir=data_dir))
    assert {row["kommunenummer"] for row in rows} <= known
    places = set(centres.read_places(data_dir / "geonames/cities1000-NO.csv")["name"])
    assert {row["geonames_name"] for row in rows} <= places


def test_alias_table_errors(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="cannot read centre alias table"):
        centres.read_aliases(tmp_path / "none.csv")
    bad = tmp_path / "bad.csv"
    bad.write_text("kommunenummer,admin_centre\n5610,Karasjok\n", encoding="utf-8")
    with pytest.raises(DataError, match="missing column 'geonames_name'"):
        centres.read_aliases(bad)


def test_default_alias_table_is_found() -> None:
    assert len(centres.read_aliases()) == len(centres.read_aliases(ALIASES))


def test_all_troms_finnmark_centres_are_geonames_places(data_dir: Path) -> None:
    tf = data.load_municipalities(data_dir=data_dir).set_index("kommunenummer")
    assert (tf["centre_source"] == "geonames").all()
    assert tf.loc["5610", "centre_place"] == "Karasjohka"  # Karasjok
    assert tf.loc["5634", "centre_place"] == "Vuorea"  # Vardø
    assert tf.loc["5618", "centre_place"] == "Avanuorri"  # Havøysund
    assert tf.loc["5636", "centre_place"] == "Vuonnabahta"  # Varangerbotn
    assert tf.loc["5501", "centre_place"] == "Tromso"
    # Hasvik's centre Breivikbotn is on Sørøya, west of Hammerfest
    assert tf.loc["5616", "centre_lon"] == pytest.approx(22.287, abs=0.01)


def test_national_resolution(data_dir: Path) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        norway = data.load_municipalities("norway", data_dir=data_dir)
    table = sorted(norway.loc[norway["centre_source"] == "table", "kommunenummer"])
    # centres GeoNames' cities1000 does not hold (villages under ~1000 people, or a same-named
    # place in another municipality) come from data/geo/centres.csv, and so does Ullensvang's
    # (Odda; the municipality list says Kinsarvik)
    assert table == sorted(centres.read_centre_table()["kommunenummer"])
    assert set(table) >= {"1528", "1566", "1578", "1853", "3222", "3440", "4222", "5033", "4618"}
    assert set(norway["centre_source"]) == {"geonames", "table"}
    assert not [w for w in caught if w.category is CentreWarning]
    assert norway.set_index("kommunenummer").loc["4618", "admin_centre"] == "Odda"
    assert norway.geometry.covers(data.centre_points(norway)).all()


def test_centre_table_rows_name_a_source_and_bad_rows_are_one_line(tmp_path: Path) -> None:
    table = centres.read_centre_table()
    assert (table["source"].str.strip() != "").all()
    good = "kommunenummer,admin_centre,lon,lat,source\n9999,Midtby,18.5,69.05,test\n"
    for bad, match in ((good.replace(",test", ","), "9999: no source"),
                       (good.replace("69.05", "99"), "9999: lat is not a coordinate"),
                       (good + "9999,Again,18.5,69.05,test\n", "9999 twice"),
                       (good.replace("source", "kilde"), "missing column 'source'")):
        path = tmp_path / "centres.csv"
        path.write_text(bad, encoding="utf-8")
        with pytest.raises(DataError, match=match):
            centres.read_centre_table(path)
    path.write_text(good, encoding="utf-8")
    got = centres.place_centres(_square(), _places(), aliases=NO_ALIASES,
                                table=centres.read_centre_table(path)).iloc[0]
    assert (got["centre_source"], got["centre_place"]) == ("table", "Midtby")
    outside = good.replace("69.05", "69.7")
    path.write_text(outside, encoding="utf-8")
    with pytest.raises(DataError, match="9999 Test: Midtby lies outside"):
        centres.place_centres(_square(), _places(), aliases=NO_ALIASES,
                              table=centres.read_centre_table(path))
