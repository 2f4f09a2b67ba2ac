"""regionopt.server.page: the server's tools go before the page's last ``</body>``, as data."""

from __future__ import annotations

from regionopt.server.page import served, tools


def test_tools_are_added_before_the_end_of_the_body() -> None:
    page = "<html><body><p>map</p></body></html>"
    out = served(page, {"api": "/api", "name": "</script><script>alert(1)</script>"})
    assert out.startswith("<html><body><p>map</p>") and out.endswith("</body></html>")
    config = out.split("window.regionoptServer = ", 1)[1].split(";</script>", 1)[0]
    assert "</script" not in config and "\\u003c/script" in config
    js, css = tools()
    assert js in out and css in out
    assert "textContent" in js and "innerHTML" not in js


def test_a_page_without_a_body_gets_the_tools_at_its_end() -> None:
    assert served("<p>x</p>", {}).startswith("<p>x</p><style>")
