"""What makes a map page self-contained: inlined Leaflet, our script and styles.

Every map regionopt writes is one HTML file that works with no network:
Leaflet's JavaScript and stylesheet are read at run time from an installed
package and inlined, together with our own scripts and stylesheet, shipped as
files beside this module (:data:`SCRIPTS`, :data:`STYLESHEET`): tooltips,
labels, legends, the synchronised panes of the comparison page and the editor,
all building the DOM with ``textContent`` so that names from input files can
never become markup. Names never become template code either: our elements
(:class:`Block`, :class:`Call`) place their text through :class:`Literal`,
which is never compiled as a Jinja template. Element ids are numbered in tree
order, so the same inputs give the same bytes.

Leaflet is looked for, in order, in the Python package ``django-js-lib-leaflet``
(a dependency of regionopt; Leaflet's own ``dist`` files and nothing else) and
in Debian's ``libjs-leaflet`` (``/usr/share/javascript/leaflet``).
"""

from __future__ import annotations

import base64
import functools
import html
import importlib.util
import json
import re
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

from branca.element import Element, Figure
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


#: Our own scripts, inlined in this order after Leaflet: the page runtime (tooltips, labels,
#: legends, synchronised panes), then the editor's metrics (the ``[delineation]`` checks first,
#: the criteria table and the inhabitants within reach after), the editor and its panel.
SCRIPTS = ("runtime.js", "editor_delineation.js", "editor_metrics.js", "editor_criteria.js",
           "editor_reach.js", "editor.js", "editor_panel.js")
#: Our stylesheet.
STYLESHEET = "page.css"


@functools.lru_cache(maxsize=1)
def page_assets() -> tuple[str, str]:
    """Return our own script and stylesheet (shipped in the package), ready to inline.

    The scripts are :data:`SCRIPTS`: ``runtime.js`` builds tooltips, labels
    and legends with ``textContent`` (names from input files never become
    markup); ``editor_metrics.js`` recomputes the metrics and the audit of an
    edited plan; ``editor.js`` and ``editor_panel.js`` are the editor and its
    page API (``docs/maps.md``).

    Returns
    -------
    tuple of str
        ``(javascript, css)``.

    Raises
    ------
    DataError
        If a script contains ``</script`` or the stylesheet ``</style``.
    """
    folder = resources.files("regionopt.maps")
    parts = [(folder / name).read_text(encoding="utf-8") for name in SCRIPTS]
    for name, text in zip(SCRIPTS, parts, strict=True):
        if "</script" in text.lower():
            raise DataError(f"regionopt/maps/{name}: contains '</script' and cannot be inlined")
    css = (folder / STYLESHEET).read_text(encoding="utf-8")
    if "</style" in css.lower():
        raise DataError(f"regionopt/maps/{STYLESHEET}: contains '</style' and cannot be inlined")
    return parts[0] + "\n".join(parts[1:]), css


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
<style>
{{ this.page_css }}</style>
<script>
{{ this.runtime_js }}</script>
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
        self.runtime_js, self.page_css = page_assets()


class Literal(Element):
    """Text placed in the page exactly as given: never compiled or rendered as a template.

    branca's :class:`~branca.element.MacroElement` hands each macro's output to
    ``Element(text)``, which compiles the text as a Jinja template and renders it
    a second time, so a name such as ``{{ 7*7 }}`` would be evaluated. Our own
    elements put their text in the page through this class instead.
    """

    def __init__(self, text: str) -> None:
        super().__init__()  # no template argument: nothing is compiled
        self._name = "Literal"
        self.text = text

    def render(self, **kwargs: Any) -> str:
        """Return the text as it is."""
        return self.text


def script_json(value: Any) -> str:
    """Return ``value`` as JSON safe inside a ``<script>`` element.

    Keys are sorted and ``<``, ``>``, ``&`` and ``'`` written as ``\\u`` escapes,
    as Jinja's ``tojson`` does, so data can never close the script element.
    """
    return (json.dumps(value, sort_keys=True).replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("&", "\\u0026").replace("'", "\\u0027"))


class _Part(Element):
    """An element that adds one :class:`Literal` to the page body or the page script."""

    _section = "html"

    def text(self) -> str:
        """Return the text to place in the page."""
        raise NotImplementedError

    def render(self, **kwargs: Any) -> str:
        """Add the text to the figure's section; then render the children."""
        figure = self.get_root()
        if not isinstance(figure, Figure):
            raise TypeError(f"{type(self).__name__} must be inside a Figure to render")
        getattr(figure, self._section).add_child(Literal(self.text()), name=self.get_name())
        for child in self._children.values():
            child.render(**kwargs)
        return ""


class Block(_Part):
    """Ready-made (already escaped) HTML placed in the page body, in child order."""

    def __init__(self, markup: str) -> None:
        super().__init__()
        self._name = "Block"
        self.markup = markup

    def text(self) -> str:
        """Return the markup."""
        return self.markup


class Call(_Part):
    """A call ``regionopt.<fn>(<target names...>, <payload as JSON>)`` in the page script.

    The payload is written by :func:`script_json`, and the line is placed as
    literal text: names in it are data, never template code, and can never
    close the script element.
    """

    _section = "script"

    def __init__(self, fn: str, *targets: Element, payload: Any = None) -> None:
        super().__init__()
        self._name = "Call"
        self.fn = fn
        self.targets = targets
        self.payload = payload

    def text(self) -> str:
        """Return the line of script."""
        args = "".join(f"{t.get_name()}, " for t in self.targets)
        return f"\nregionopt.{self.fn}({args}{script_json(self.payload)});"


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
