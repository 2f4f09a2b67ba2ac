"""What makes a map page self-contained: inlined Leaflet, our script and styles.

Every map regionopt writes is one HTML file that works with no network:
Leaflet's JavaScript and stylesheet are read at run time from an installed
package and inlined, together with a small script of our own (tooltips,
labels, legends and the synchronised panes of the comparison page, all
building the DOM with ``textContent`` so that names from input files can never
become markup). Element ids are numbered in tree order, so the same inputs
give the same bytes.

Leaflet is looked for, in order, in the Python package ``django-js-lib-leaflet``
(a dependency of regionopt; Leaflet's own ``dist`` files and nothing else) and
in Debian's ``libjs-leaflet`` (``/usr/share/javascript/leaflet``).
"""

from __future__ import annotations

import base64
import functools
import html
import importlib.util
import re
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

from branca.element import Element, Figure, MacroElement
from folium.template import Template

from regionopt.errors import DataError

LEAFLET_PACKAGE = "django-js-lib-leaflet"
DEBIAN_LEAFLET_DIR = Path("/usr/share/javascript/leaflet")

_IMAGE_URL = re.compile(r"url\((images/[\w.-]+\.png)\)")
_SOURCE_MAP = re.compile(r"^//# sourceMappingURL=.*$", re.MULTILINE)


def _leaflet_dirs() -> list[Path]:
    """Folders that may hold ``leaflet.js`` and ``leaflet.css``, best first."""
    dirs = []
    spec = importlib.util.find_spec("js_lib_leaflet")  # locates without importing
    if spec is not None and spec.submodule_search_locations:
        for loc in spec.submodule_search_locations:
            dirs.append(Path(loc) / "static" / "js_lib_leaflet")
    dirs.append(DEBIAN_LEAFLET_DIR)
    return dirs


@functools.lru_cache(maxsize=1)
def leaflet_assets() -> tuple[str, str]:
    """Return Leaflet's JavaScript and stylesheet, ready to inline.

    The stylesheet's images (the layer-control icon, the default marker) are
    turned into ``data:`` URLs; the source-map comment is dropped from the
    script so that the browser asks for no other file.

    Returns
    -------
    tuple of str
        ``(javascript, css)``.

    Raises
    ------
    DataError
        If Leaflet is in none of the places looked in.
    """
    tried = _leaflet_dirs()
    for folder in tried:
        js, css = folder / "leaflet.js", folder / "leaflet.css"
        if js.is_file() and css.is_file():
            script = _SOURCE_MAP.sub("", js.read_text(encoding="utf-8"))
            if "</script" in script.lower():
                raise DataError(f"{js}: contains '</script' and cannot be inlined")
            return script, _inline_images(css.read_text(encoding="utf-8"), folder)
    raise DataError(
        "Leaflet (leaflet.js, leaflet.css) not found in "
        + ", ".join(str(p) for p in tried)
        + f": pip install {LEAFLET_PACKAGE} (or apt-get install libjs-leaflet)"
    )


def _inline_images(css: str, folder: Path) -> str:
    """Replace ``url(images/x.png)`` by a ``data:`` URL where the file exists."""

    def repl(match: re.Match[str]) -> str:
        path = folder / match.group(1)
        if not path.is_file():
            return "none"
        data = base64.b64encode(path.read_bytes()).decode("ascii")
        return f"url(data:image/png;base64,{data})"

    return _IMAGE_URL.sub(repl, css)


EDITOR_SCRIPTS = ("editor_metrics.js", "editor.js")


@functools.lru_cache(maxsize=1)
def editor_js() -> str:
    """Return the plan editor's scripts (shipped in the package), to inline after ours.

    ``editor_metrics.js`` recomputes the metrics and the audit of an edited
    plan; ``editor.js`` is the editor and its page API (``docs/maps.md``).

    Raises
    ------
    DataError
        If a script contains ``</script``.
    """
    folder = resources.files("regionopt.maps")
    parts = [(folder / name).read_text(encoding="utf-8") for name in EDITOR_SCRIPTS]
    for name, text in zip(EDITOR_SCRIPTS, parts, strict=True):
        if "</script" in text.lower():
            raise DataError(f"regionopt/maps/{name}: contains '</script' and cannot be inlined")
    return "\n".join(parts)


# Our own client-side code. Every name from data is set with textContent.
RUNTIME_JS = r"""
var regionopt = (function () {
  "use strict";
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    if (cls) { e.className = cls; }
    return e;
  }
  function tooltips(layer, fields) {
    layer.bindTooltip(function (l) {
      var p = l.feature.properties, t = el("table", null, "rg-tip");
      fields.forEach(function (f) {
        if (p[f[1]] === undefined || p[f[1]] === "") { return; }
        var tr = el("tr");
        tr.appendChild(el("th", f[0]));
        tr.appendChild(el("td", p[f[1]]));
        t.appendChild(tr);
      });
      return t;
    }, {sticky: true, className: "rg-tooltip", direction: "auto"});
  }
  function labels(group, items) {
    items.forEach(function (it) {
      var span = el("span", it.text);
      span.setAttribute("data-rank", String(it.rank));
      var icon = L.divIcon({html: span, className: "rg-label rg-label-" + it.kind,
                            iconSize: null});
      L.marker([it.lat, it.lon], {icon: icon, interactive: false, keyboard: false}).addTo(group);
    });
  }
  function cores(group, items) {
    items.forEach(function (it) {
      L.circleMarker([it.lat, it.lon], {radius: 5, color: "#1b1f24", weight: 2,
        fillColor: "#ffffff", fillOpacity: 1, interactive: false, className: "rg-core"})
        .addTo(group);
    });
    labels(group, items.map(function (it) {
      return {lat: it.lat, lon: it.lon, text: it.text, kind: "core", rank: it.rank};
    }));
  }
  function legendBox(data) {
    var d = el("div", null, "rg-legend");
    d.appendChild(el("div", data.title, "rg-legend-title"));
    if (data.hint) { d.appendChild(el("div", data.hint, "rg-legend-hint")); }
    var list = el("ul");
    data.rows.forEach(function (r) {
      var li = el("li", null, "rg-legend-row"), sw = el("span", null, "rg-swatch");
      sw.style.background = r.colour;
      li.appendChild(sw);
      li.appendChild(el("span", r.name, "rg-legend-name"));
      li.appendChild(el("span", r.detail, "rg-legend-detail"));
      list.appendChild(li);
    });
    d.appendChild(list);
    (data.notes || []).forEach(function (t) { d.appendChild(el("div", t, "rg-legend-note")); });
    return d;
  }
  function legend(map, data) {
    var slot = data.slot ? document.getElementById(data.slot) : null;
    if (slot) { slot.appendChild(legendBox(data)); return; }
    var c = L.control({position: data.position || "bottomleft"});
    c.onAdd = function () {
      var d = legendBox(data);
      L.DomEvent.disableClickPropagation(d);
      L.DomEvent.disableScrollPropagation(d);
      return d;
    };
    c.addTo(map);
  }
  function sync(a, b) {
    var busy = false;
    function follow(src, dst) {
      return function () {
        if (busy) { return; }
        busy = true;
        dst.setView(src.getCenter(), src.getZoom(), {animate: false});
        busy = false;
      };
    }
    a.on("move zoomend", follow(a, b));
    b.on("move zoomend", follow(b, a));
    window.regionoptMaps = [a, b];
  }
  function register(map) {
    window.regionoptMaps = (window.regionoptMaps || []).concat([map]);
  }
  function overlap(a, b) {
    return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
  }
  // Hide every label that would overlap one of higher rank (lower number) shown at this zoom.
  function declutter(box) {
    var spans = Array.prototype.slice.call(box.querySelectorAll(".rg-label span"));
    spans.forEach(function (s) { s.classList.remove("rg-clash"); });
    var items = spans.map(function (s) {
      return {span: s, rank: Number(s.getAttribute("data-rank")), rect: s.getBoundingClientRect()};
    }).filter(function (it) { return it.rect.width > 0 && it.rect.height > 0; });
    items.sort(function (a, b) { return a.rank - b.rank; });
    var shown = [];
    items.forEach(function (it) {
      if (shown.some(function (r) { return overlap(r, it.rect); })) {
        it.span.classList.add("rg-clash");
      } else {
        shown.push(it.rect);
      }
    });
  }
  function decorate(map, opts) {
    // Fit without animation: labels added during an animated zoom were measured mid-flight.
    if (opts.bounds) { map.fitBounds(opts.bounds, {padding: [8, 8], animate: false}); }
    L.control.scale({imperial: false}).addTo(map);
    var box = map.getContainer();
    function mark() {
      box.classList.toggle("rg-far", map.getZoom() < opts.detailZoom);
      declutter(box);
    }
    var pending = null;
    function settle() {  // again once the zoom animation's CSS transitions have run out
      mark();
      if (pending !== null) { clearTimeout(pending); }
      pending = setTimeout(function () { pending = null; declutter(box); }, 300);
    }
    map.on("zoomend viewreset overlayadd overlayremove resize", settle);
    window.addEventListener("load", mark);
    mark();
  }
  return {tooltips: tooltips, labels: labels, cores: cores, legend: legend, sync: sync,
          register: register, decorate: decorate, declutter: declutter};
})();
"""

PAGE_CSS = """
html, body { margin: 0; padding: 0; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif;
  color: #1d2329; background: #f4f5f7; }
body.rg-plan { display: grid; grid-template-rows: auto minmax(0, 1fr) auto; height: 100vh; }
body.rg-compare { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr);
  grid-template-rows: auto auto clamp(420px, 66vh, 760px) auto auto auto; column-gap: 10px;
  align-content: start; height: auto; min-height: 100vh; padding: 0 10px;
  box-sizing: border-box; }
.rg-head { grid-column: 1 / -1; padding: 10px 6px 4px; }
.rg-head h1 { font-size: 1.35rem; margin: 0 0 2px; font-weight: 650; }
.rg-head p { margin: 0; color: #4a5562; font-size: .9rem; }
.rg-pane-title { font-size: 1.1rem; margin: 6px 2px; font-weight: 600; }
.folium-map { border: 1px solid #c8ced6; border-radius: 4px; box-sizing: border-box; }
.leaflet-container { background: #dfe5ea; font-family: inherit; }
.rg-tooltip table.rg-tip { border-collapse: collapse; font-size: 12.5px; }
.rg-tip th { text-align: left; padding: 1px 10px 1px 0; font-weight: 600; color: #4a5562; }
.rg-tip td { padding: 1px 0; }
.rg-label span { position: absolute; transform: translate(-50%, -50%); width: max-content;
  max-width: 96px; text-align: center; line-height: 1.1; pointer-events: none; }
.rg-far .rg-label-core { display: none; }
.rg-label span.rg-clash { visibility: hidden; }
.leaflet-control-layers { font-size: 13px; }
.rg-label-region span { font-size: 12.5px; font-weight: 700; letter-spacing: .02em; color: #14181d;
  text-shadow: 0 0 3px #fff, 0 0 3px #fff, 0 0 2px #fff; }
.rg-label-core span { transform: translate(8px, -50%); white-space: nowrap; font-size: 11px;
  font-style: italic; color: #1b1f24; text-shadow: 0 0 2px #fff, 0 0 2px #fff; }
.rg-legend { background: rgba(255, 255, 255, .93); padding: 7px 9px; border-radius: 5px;
  box-shadow: 0 1px 4px rgba(0, 0, 0, .3); font-size: 12px; line-height: 1.35;
  max-height: 60vh; overflow-y: auto; }
.rg-legend-title { font-weight: 700; font-size: 13px; }
.rg-legend-hint, .rg-legend-note { color: #5b6672; font-size: 11px; margin-bottom: 3px; }
.rg-legend ul { list-style: none; margin: 0; padding: 0; }
.rg-legend-slot { padding-top: 8px; }
.rg-legend-slot .rg-legend { max-height: none; box-shadow: none; border: 1px solid #d5dae0; }
.rg-legend-slot ul { display: grid; grid-template-columns: repeat(auto-fill, minmax(230px, 1fr));
  column-gap: 18px; }
.rg-legend-row { display: grid; grid-template-columns: 14px 1fr auto; column-gap: 6px;
  align-items: center; }
.rg-swatch { width: 12px; height: 12px; border: 1px solid #555; border-radius: 2px; }
.rg-legend-detail { color: #4a5562; text-align: right; font-variant-numeric: tabular-nums; }
.rg-tables { grid-column: 1 / -1; display: grid; grid-template-columns: 1.3fr 1fr; gap: 18px;
  padding: 14px 4px 24px; }
.rg-tables h2 { font-size: 1.05rem; margin: 0 0 6px; }
.rg-tables table { border-collapse: collapse; width: 100%; font-size: 13px; background: #fff; }
.rg-tables th, .rg-tables td { border-bottom: 1px solid #dde2e8; padding: 4px 8px;
  text-align: left; }
.rg-tables td.num, .rg-tables th.num { text-align: right; font-variant-numeric: tabular-nums; }
.rg-tables thead th { background: #eef1f4; }
.rg-outline { pointer-events: none; }
.rg-stale .rg-outline, .rg-stale .rg-label-region, .rg-stale .rg-label-core,
.rg-stale .rg-core { display: none; }
.rg-label-live span { font-size: 12.5px; font-weight: 700; color: #14181d;
  text-shadow: 0 0 3px #fff, 0 0 3px #fff, 0 0 2px #fff; transform: translate(-50%, -140%); }
.rg-editing .leaflet-interactive.rg-muni { cursor: pointer; }
.rg-editor { background: #fff; border: 1px solid #c8ced6; border-radius: 4px; padding: 8px 10px;
  font-size: 13px; box-sizing: border-box; overflow-y: auto; }
body.rg-plan.rg-has-editor { grid-template-columns: minmax(0, 1fr) clamp(300px, 30vw, 430px); }
body.rg-plan .rg-editor { grid-column: 2; grid-row: 2; margin: 0 6px 0 8px; min-height: 0; }
body.rg-compare .rg-editor { grid-column: 1 / -1; margin-top: 12px; }
body.rg-compare .rg-ed-body { display: grid; grid-template-columns: minmax(0, 1.2fr) minmax(0, 1fr);
  column-gap: 22px; }
body.rg-compare .rg-ed-controls p, body.rg-compare .rg-ed-find { flex: 0 1 auto; }
.rg-editor h2 { font-size: 1.05rem; margin: 0 0 6px; }
.rg-editor h3 { font-size: .95rem; margin: 10px 0 4px; }
.rg-ed-controls { display: flex; flex-wrap: wrap; gap: 6px; align-items: center;
  align-content: start; }
.rg-ed-controls p, .rg-ed-selected, .rg-ed-row, .rg-ed-find { flex: 1 1 100%; }
.rg-ed-row { display: flex; flex-wrap: wrap; gap: 6px; }
.rg-editor button, .rg-editor select, .rg-editor input { font: inherit; padding: 3px 7px; }
.rg-editor button[aria-pressed="true"] { background: #1864ab; color: #fff; border-color: #1864ab; }
.rg-ed-selected { font-weight: 600; }
.rg-ed-hint { color: #5b6672; font-size: 11.5px; margin: 4px 0; }
.rg-ed-status { margin: 6px 0; padding: 4px 6px; border-radius: 3px; background: #eef1f4; }
.rg-ed-status.rg-ed-is-edited { background: #fff0e6; border-left: 4px solid #e8590c;
  font-weight: 600; }
.rg-plan-edited .rg-head h1::after { content: " ✎"; color: #e8590c; }
.rg-ed-figures { border-collapse: collapse; width: 100%; font-size: 12.5px; }
.rg-ed-figures th, .rg-ed-figures td { border-bottom: 1px solid #dde2e8; padding: 3px 6px;
  text-align: left; }
.rg-ed-figures .num { text-align: right; font-variant-numeric: tabular-nums;
  white-space: nowrap; }
.rg-ed-figures td.rg-ed-live { font-weight: 650; }
.rg-ed-split li { color: #c92a2a; }
.rg-ed-figures td.rg-ed-fail { color: #c92a2a; font-weight: 650; }
.rg-ed-criteria { grid-column: 1 / -1; overflow-x: auto; }
.rg-ed-violations { padding-left: 18px; margin: 4px 0; }
.rg-ed-violations code { font-size: 11.5px; background: #f1f3f5; padding: 0 3px; }
.rg-ed-ok { color: #2b8a3e; }
.rg-foot { grid-column: 1 / -1; color: #5b6672; font-size: 11.5px; padding: 4px 6px 10px; }
"""


class OfflineFigure(Figure):
    """A branca figure whose page inlines Leaflet and our code, with no links.

    Parameters
    ----------
    page_title
        Text of ``<title>`` (escaped here).
    lang
        Value of ``<html lang>``.
    body_class
        ``"rg-plan"`` or ``"rg-compare"`` (the page layout).
    """

    _template = Template(
        """<!DOCTYPE html>
<html lang="{{ this.lang }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ this.page_title }}</title>
<style>{{ this.leaflet_css }}</style>
<script>{{ this.leaflet_js }}</script>
{{ this.header.render(**kwargs) }}
<style>{{ this.page_css }}</style>
<script>{{ this.runtime_js }}</script>
</head>
<body class="{{ this.body_class }}">
{{ this.html.render(**kwargs) }}
<script>
{{ this.script.render(**kwargs) }}
</script>
</body>
</html>
"""
    )

    def __init__(self, *, page_title: str, lang: str, body_class: str) -> None:
        super().__init__()
        self.header._children.clear()  # our template writes the charset itself
        self.page_title = html.escape(page_title)
        self.lang = html.escape(lang)
        self.body_class = html.escape(body_class)
        self.leaflet_js, self.leaflet_css = leaflet_assets()
        self.page_css = PAGE_CSS
        self.runtime_js = RUNTIME_JS + editor_js()


class Block(MacroElement):
    """Ready-made (already escaped) HTML placed in the page body, in child order."""

    _template = Template("{% macro html(this, kwargs) %}{{ this.markup }}{% endmacro %}")

    def __init__(self, markup: str) -> None:
        super().__init__()
        self._name = "Block"
        self.markup = markup


class Call(MacroElement):
    """A call ``regionopt.<fn>(<target names...>, <payload as JSON>)`` in the page script.

    The payload goes through Jinja's ``tojson`` (keys sorted, ``<``, ``>``,
    ``&`` and quotes escaped), so data can never close the script element.
    """

    _template = Template(
        "{% macro script(this, kwargs) %}\n"
        "regionopt.{{ this.fn }}({% for t in this.targets %}{{ t.get_name() }}, {% endfor %}"
        "{{ this.payload|tojson }});\n"
        "{% endmacro %}"
    )

    def __init__(self, fn: str, *targets: Element, payload: Any = None) -> None:
        super().__init__()
        self._name = "Call"
        self.fn = fn
        self.targets = targets
        self.payload = payload


def _walk(element: Element) -> Iterator[Element]:
    yield element
    if isinstance(element, Figure):
        for part in (element.header, element.html, element.script):
            yield from _walk(part)
    for child in list(element._children.values()):
        yield from _walk(child)


def number_ids(root: Element) -> None:
    """Give every element under ``root`` an id from its position in the tree.

    branca draws random ids; the page then differs between runs. Numbering in
    tree order makes the same inputs render to the same bytes.
    """
    for n, element in enumerate(_walk(root)):
        element._id = f"{n:04d}"
