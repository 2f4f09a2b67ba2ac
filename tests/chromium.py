"""Debian's headless Chromium for the browser tests, started through Playwright.

Outside CI a missing Chromium or Playwright skips the test; in CI (``CI=true``) it fails,
since ``.ci/run`` installs both. :class:`OfflinePage` opens a page from a file with every
other request aborted and every complaint recorded.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


def unavailable(reason: str) -> None:
    """Skip the test, or fail it in CI, where the browser is required."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (required in CI)")
    pytest.skip(reason)


@contextlib.contextmanager
def chromium() -> Iterator[Any]:
    """Yield a running headless Chromium (a Playwright ``Browser``), closed afterwards."""
    if not CHROMIUM.is_file() and not shutil.which("chromium"):
        unavailable("Chromium not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("Playwright not installed (pip install playwright)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


class OfflinePage:
    """A page opened from a file: every non-file request aborted and recorded, every console
    error, page error and dialog recorded (dialogs dismissed)."""

    def __init__(self, browser: Any, path: Path, *, ready: str,
                 size: tuple[int, int] = (1500, 1000)) -> None:
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.page = browser.new_page(viewport={"width": size[0], "height": size[1]})
        self.page.route("**/*", self._route)
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", self._dialog)
        self.page.goto(path.resolve().as_uri())
        self.page.wait_for_function(ready)

    def _route(self, route: Any) -> None:
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            self.requests.append(route.request.url)
            route.abort()

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def js(self, expression: str, arg: Any = None) -> Any:
        """Evaluate ``expression`` in the page."""
        return self.page.evaluate(expression, arg)

    def clean(self) -> bool:
        """No console error, no request off the file, no dialog."""
        return self.errors == [] and self.requests == [] and self.dialogs == []
