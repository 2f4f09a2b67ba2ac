"""The page's own elements put text in the page literally; our script and stylesheet ship as files.

Exercises regionopt.maps.assets: :class:`Literal`, :class:`Block` and :class:`Call` (never a
template: branca compiles a macro's output as Jinja a second time, ours must not), the
script-safe JSON, and the inlined ``.js``/``.css`` files. The commands that draw are run with
the same hostile names in ``tests/test_names.py``.
"""

from __future__ import annotations

import html
import json
from importlib import resources

import folium
import pytest

from regionopt.maps import assets

PAYLOADS = ["{{ 7*7 }}", "Alta {{", "B {%", "C {#", "{% set c=dict(id=1)|first %}"
            "{{ cycler.__init__.__globals__.os.popen(c).read() }}", "</script><b>x</b>",
            "E \"q\" 'q'", "F $x^2$", "{% raw %}", "{{ this }}"]


@pytest.mark.parametrize("text", PAYLOADS)
def test_literal_is_never_a_template(text: str) -> None:
    assert assets.Literal(text).render() == text


def test_block_and_call_put_names_in_the_page_as_given() -> None:
    fig = assets.OfflineFigure(page_title=" | ".join(PAYLOADS), lang="en", body_class="rg-plan")
    fig.add_child(assets.Block("".join(f"<p>{html.escape(p)}</p>" for p in PAYLOADS)))
    m = folium.Map(tiles=None)
    m.default_js, m.default_css = [], []
    fig.add_child(m)
    m.add_child(assets.Call("legend", m, payload={"title": PAYLOADS, "rows": []}))
    assets.number_ids(fig)
    page = fig.render()
    assert "49" not in page.replace(assets.page_assets()[0], "").replace(
        assets.leaflet_assets()[0], "")
    assert "uid=" not in page and "<b>x</b>" not in page
    for p in PAYLOADS:
        assert f"<p>{html.escape(p)}</p>" in page
    data = assets.script_json({"title": PAYLOADS, "rows": []})
    assert f"regionopt.legend({m.get_name()}, {data});" in page
    assert f"<title>{html.escape(' | '.join(PAYLOADS))}</title>" in page
    assert fig.render() == page  # rendering again adds nothing twice


def test_script_json_cannot_close_the_script_and_reads_back() -> None:
    value = {"b": PAYLOADS, "a": "</SCRIPT><!-- & '"}
    text = assets.script_json(value)
    assert "<" not in text and ">" not in text and "&" not in text and "'" not in text
    assert json.loads(text) == value and text.index('"a"') < text.index('"b"')


def test_our_script_and_stylesheet_are_the_package_files() -> None:
    js, css = assets.page_assets()
    folder = resources.files("regionopt.maps")
    for name in assets.SCRIPTS:
        assert (folder / name).read_text(encoding="utf-8") in js, name
    assert css == (folder / assets.STYLESHEET).read_text(encoding="utf-8")
    order = ["var regionopt = ", "R.editorParts = ", "Editor.prototype.buildPanel = "]
    assert [js.index(s) for s in order] == sorted(js.index(s) for s in order)
