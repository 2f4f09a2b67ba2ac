"""Debian's headless Chromium for the browser tests, started through Playwright.

Outside CI a missing Chromium or Playwright skips the test; in CI (``CI=true``) it fails,
since ``.ci/run`` installs both.
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
