"""regionopt.server.page and tools.js in headless Chromium, offline, on the real server.

Lock Kvænangen to Alta and Lyngen to Nordreisa (Lyngen goes with Tromsø in the optimum on the
population-weighted matrix of issue 29), optimise the rest, see the proven proposal with
its price, accept, reload (the saved plan is on screen and listed), download its scenario.
Every request that leaves the server is aborted and counted as a failure; no console error.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from chromium import chromium
from serving import Served

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, data_dir: Path) -> Iterator[Served]:
    s = Served(tmp_path_factory.mktemp("workspace"))
    yield s
    s.stop()


def test_lock_optimise_accept_reload_download(served: Served, tmp_path: Path) -> None:
    outside: list[str] = []
    errors: list[str] = []
    own = f"{served.host}:{served.port}"

    def route(r: Any) -> None:
        if urlsplit(r.request.url).netloc == own:
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()

    with chromium() as browser:
        context = browser.new_context(viewport={"width": 1500, "height": 1000},
                                      accept_downloads=True)
        page = context.new_page()
        page.route("**/*", route)
        page.on("console", lambda m: m.type == "error" and errors.append(m.text))
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(served.url)
        assert "token" not in page.url  # the token went into a cookie
        page.wait_for_function("document.getElementById('rg-sv-line') && "
                               "document.body.classList.contains('rg-served')", timeout=30000)
        took = []
        for code, core in (("5546", "5601"), ("5536", "5544")):
            page.select_option("#rg-sv-muni", code)
            page.select_option("#rg-sv-core", core)
            began = time.perf_counter()
            page.click("#rg-sv-lock-with")
            took.append(time.perf_counter() - began)
        assert page.locator("#rg-sv-locks li").count() == 2
        assert "Kvænangen with Alta" in page.inner_text("#rg-sv-locks")
        page.click("#rg-sv-optimise")
        page.wait_for_function("document.getElementById('rg-sv-line').textContent"
                               ".startsWith('proposal: optimal')", timeout=60000)
        table = page.inner_text("#rg-sv-figures")
        assert "price" in table and "person-minutes" in table
        proposal = page.evaluate("window.regionopt.server.proposal()")
        assert proposal["plan"]["5536"] == proposal["plan"]["5544"]
        assert proposal["price"]["objective"] > 0
        # the proposal is drawn in the editor: its municipalities moved
        assert page.evaluate("window.regionopt.edited()") == bool(proposal["moved"])
        page.click("#rg-sv-accept")
        page.wait_for_function("document.getElementById('rg-sv-line') && document"
                               ".getElementById('rg-sv-line').textContent"
                               ".startsWith('on screen: save 0001')", timeout=60000)
        assert page.locator("#rg-sv-saves li").count() == 1
        state = page.evaluate("window.regionopt.server.state()")
        assert state["plan"] == proposal["plan"]
        with page.expect_download() as info:
            page.locator("#rg-sv-saves a", has_text="scenario.toml").first.click()
        path = tmp_path / "downloaded.toml"
        info.value.save_as(path)
        page.screenshot(path=str(tmp_path / "serve.png"))
        context.close()
    _, _, toml = served.request("GET", "/api/current/scenario.toml")
    assert path.read_bytes() == toml and b'"5536", "5544"' in toml
    assert not outside, outside
    assert not errors, errors
    assert max(took) < 1.0  # a lock is a page interaction (timed in benchmarks/bench_serve.py)
