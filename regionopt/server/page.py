"""The served page: the very page ``regionopt solve`` writes, with the server's tools added.

:func:`render_page` draws the plan on screen with :func:`regionopt.maps.html.plan_map` (the
map, the editor and its live figures, as in a solve's ``map.html``). :func:`served` adds,
before ``</body>``, the server's configuration as JSON (``window.regionoptServer``, written by
:func:`regionopt.maps.assets.script_json`, so no name can close the script) and the tools'
script and style (``tools.js``, ``tools.css`` in this package). A page opened from a file has
neither, so the tools show only when the page is served.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from importlib import resources
from typing import Any

import geopandas as gpd

from regionopt.errors import DataError
from regionopt.evaluate.metrics import evaluate
from regionopt.maps import html as viz
from regionopt.maps.assets import number_ids, script_json
from regionopt.problem import ProblemData
from regionopt.server.session import Entry


def render_page(entry: Entry, problem: ProblemData, municipalities: gpd.GeoDataFrame,
                layers: Mapping[str, Any], *, lang: str = "nb",
                optimum: float | None = None) -> str:
    """The map page of ``entry``'s plan, as ``regionopt solve`` writes ``map.html``."""
    m = viz.plan_map(entry.plan, municipalities, metrics=evaluate(entry.plan, problem),
                     lang=lang, problem=problem, scenario=entry.scenario, optimum=optimum,
                     **layers)
    root = m.get_root()
    number_ids(root)
    return str(root.render())


@functools.lru_cache(maxsize=1)
def tools() -> tuple[str, str]:
    """The tools' script and stylesheet, ready to inline.

    Raises
    ------
    DataError
        If either could close its element.
    """
    folder = resources.files("regionopt.server")
    js = (folder / "tools.js").read_text(encoding="utf-8")
    css = (folder / "tools.css").read_text(encoding="utf-8")
    if "</script" in js.lower() or "</style" in css.lower():
        raise DataError("regionopt/server/tools.js or tools.css cannot be inlined")
    return js, css


def served(page: str, config: Mapping[str, Any]) -> str:
    """``page`` with the server's configuration and tools before its last ``</body>``."""
    js, css = tools()
    extra = (f"<style>{css}</style>\n<script>window.regionoptServer = {script_json(config)};"
             f"</script>\n<script>{js}</script>\n")
    at = page.rfind("</body>")
    return page[:at] + extra + page[at:] if at >= 0 else page + extra


__all__ = ["render_page", "served", "tools"]
