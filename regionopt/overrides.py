"""Scenario values on the command line: the one grammar of ``--set`` and ``--vary``.

``--set KEY=VALUE`` and each item of ``--vary KEY=VALUES`` are read by
:func:`parse_value`, as TOML reads the right-hand side of ``key = value``:

* integers (``12``, ``5_000``, ``+3``), floats (``0.5``, ``1e4``, ``inf``);
* booleans ``true`` and ``false`` (in any case: ``True`` too);
* quoted strings (``"highs"``, ``'5501'``: text even when it looks like a number);
* arrays (``["5501", "5502"]``, ``[["5501", "5502"]]``, ``[]``), returned as tuples;

with two additions of ours:

* ``none`` or ``null`` (any case) is no value: the key goes back to its default
  (no travel limit, no count, the area's own reference plan);
* anything else (text TOML does not read as one value, or reads as a date, a
  time or a table) is that text, so ``--set solver.name=highs`` needs no quotes.

:func:`format_value` writes a value back so that :func:`parse_value` reads the
same value; :func:`split_values` splits a ``--vary`` list at the commas outside
quotes and brackets.
"""

from __future__ import annotations

import json
import math
import tomllib
from typing import Any, TypeAlias

__all__ = ["Value", "format_value", "parse_value", "split_values"]

Value: TypeAlias = "int | float | bool | str | tuple[Value, ...] | None"
"""One value of a scenario key given on the command line."""

_NONE = ("none", "null")
_BOOLS = {"true": True, "false": False}
_NOT_PLAIN: Any = object()


def parse_value(text: str) -> Value:
    """Read one command-line value (see the module's grammar).

    Parameters
    ----------
    text
        The value as typed, e.g. ``"90"``, ``"none"``, ``'["5501", "5502"]'``.

    Returns
    -------
    int, float, bool, str, None or tuple
        Arrays as tuples (of the same kinds).
    """
    t = text.strip()
    low = t.lower()
    if low in _NONE:
        return None
    if low in _BOOLS:
        return _BOOLS[low]
    if not t or "\n" in t or "\r" in t:
        return t
    try:
        table = tomllib.loads(f"v = {t}")
    except tomllib.TOMLDecodeError:
        return t
    if list(table) != ["v"]:
        return t
    value = _plain(table["v"])
    return t if value is _NOT_PLAIN else value


def _plain(value: Any) -> Any:
    """The value with arrays as tuples, or ``_NOT_PLAIN`` for dates, times and tables."""
    if isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list):
        items = tuple(_plain(v) for v in value)
        return _NOT_PLAIN if any(v is _NOT_PLAIN for v in items) else items
    return _NOT_PLAIN


def format_value(value: Value) -> str:
    """Write ``value`` as on the command line; :func:`parse_value` reads it back unchanged.

    ``none``, ``true``, ``90``, ``0.5``, ``highs``; text that would read as
    something else is quoted (``"none"``, ``"12"``); arrays as TOML writes them.
    """
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else str(value)
    if isinstance(value, tuple):
        return "[" + ", ".join(_in_array(v) for v in value) + "]"
    bare = parse_value(value) == value and not any(c in value for c in ",'\"[]{}")
    return value if bare else json.dumps(value, ensure_ascii=False)


def _in_array(value: Value) -> str:
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if value is None:
        raise ValueError("an array cannot hold none")
    return format_value(value)


def split_values(text: str) -> list[str]:
    """Split a ``--vary`` list at the commas outside quotes and brackets, items stripped."""
    items, depth, quote, start = [], 0, "", 0
    for k, ch in enumerate(text):
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
        elif ch == "," and depth == 0:
            items.append(text[start:k].strip())
            start = k + 1
    items.append(text[start:].strip())
    return items
