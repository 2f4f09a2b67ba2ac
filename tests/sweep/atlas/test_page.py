"""The atlas's front page (regionopt.sweep.atlas.page): the map, and the table of counties."""

from __future__ import annotations

import pytest
from maps.test_html import XSS, tf  # noqa: F401  (the shared module fixture)

from regionopt.sweep.atlas.page import COLUMNS, SECOND_COLUMNS, atlas_page, county_table_html


def _row(**extra: object) -> dict:
    row = {"county": "55", "county_name": "Troms", "link": "troms/map.html", "regions": 10,
           "population": 169123, "commuting_kept_share": 0.89123, "self_containment_min": 0.7,
           "gap": 0.0, "exceptions": []}
    return {**row, **extra}


def test_the_table_escapes_names_and_links_each_county() -> None:
    text = county_table_html([_row(county_name=XSS, exceptions=[XSS], link='a"b/map.html'),
                              _row(county="56", gap=0.0042, link="finnmark/map.html")])
    assert XSS not in text and "&lt;img src=x onerror=alert(1)&gt;" in text
    assert 'href="a&quot;b/map.html"' in text and 'href="finnmark/map.html"' in text
    assert "169\xa0123" in text and "0.891" in text  # bokmål grouping, three decimals
    assert "bevist optimal" in text and "0.42 %" in text
    assert text.count("<th>") == len(COLUMNS)
    assert "Regions" in county_table_html([_row()], lang="en")


def test_the_page_draws_the_plan_with_the_editor_and_the_table(tf: dict) -> None:  # noqa: F811
    page = atlas_page(tf["opt"], tf["munis"], metrics=tf["metrics_opt"], problem=tf["problem"],
                      scenario=None, rows=[_row()], counties=tf["counties"],
                      country=tf["country"])
    assert "Kommuneregioner i alle fylker" in page and 'data-county="55"' in page
    assert "rg-has-editor" in page
    assert page == atlas_page(tf["opt"], tf["munis"], metrics=tf["metrics_opt"],
                              problem=tf["problem"], scenario=None, rows=[_row()],
                              counties=tf["counties"], country=tf["country"])


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_every_column_has_a_heading_in_both_languages(lang: str) -> None:
    assert all(len(c) == 3 and c[1] and c[2] for c in COLUMNS)
    assert county_table_html([], lang=lang).count("<th>") == len(COLUMNS)


def test_a_county_without_a_plan_has_no_link() -> None:
    text = county_table_html([_row(link="", regions=None, gap=None)])
    assert "<a " not in text and ">Troms<" in text and "<td>–</td>" in text


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_the_second_tier_has_its_columns_link_and_note(lang: str) -> None:
    tiers = ("kommuneregioner", "functional", "labour-market")
    row = _row(second_regions=25, second_commuting_kept_share=0.8, second_self_containment_min=0.6,
               second_link="labour-market/troms/map.html")
    text = county_table_html([row, _row(county="56", second_link="")], lang=lang, tiers=tiers)
    assert text.count("<th>") == len(COLUMNS) + len(SECOND_COLUMNS)
    assert 'href="labour-market/troms/map.html"' in text and "0.800" in text
    assert "kommuneregioner" in text and "functional" in text and "labour-market/" in text
    assert county_table_html([row], lang=lang).count("<th>") == len(COLUMNS)  # one tier
