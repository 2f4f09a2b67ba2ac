"""Checks of raw TOML values for :mod:`regionopt.scenario`, raising one-line errors.

Each check names the scenario file and the dotted key, shows the value as
TOML writes it, and raises :class:`~regionopt.errors.ScenarioError`.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from typing import Any

from regionopt.errors import ScenarioError

CODE = re.compile(r"\d{4}")

Pair = tuple[str, str]


def full_code(value: Any, width: int = 4) -> Any:
    """Restore the leading zero a spreadsheet strips from a code.

    Norwegian codes start with the county number, 01 to 56, so at most one zero
    is lost: ``"301"`` gives ``"0301"`` (``width`` 4, kommunenummer) and ``"3"``
    gives ``"03"`` (``width`` 2, fylkesnummer). Anything else is returned
    unchanged (stripped if text), for the caller to check and refuse.
    """
    if not isinstance(value, str):
        return value
    text = value.strip()
    if len(text) == width - 1 and text.isascii() and text.isdigit() and text[0] != "0":
        return "0" + text
    return text


def show_value(value: Any) -> str:
    """Render a value the way it looks in TOML, for error messages."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(show_value(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "a table"
    return str(value)


def _figure(x: float) -> str:
    """A bound as people read it: ``10 000 000``, ``0.001``, ``1e-12``."""
    return f"{int(x):,}".replace(",", " ") if float(x).is_integer() else f"{x:g}"


class Checker:
    """Converts raw TOML values, raising one-line errors naming ``source`` and the key."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, key: str, what: str, value: Any = None, *, show: bool = True) -> ScenarioError:
        got = f", got {show_value(value)}" if show else ""
        return ScenarioError(f"{self.source}: {key} {what}{got}")

    def boolean(self, key: str, v: Any) -> bool:
        if not isinstance(v, bool):
            raise self.fail(key, "must be true or false", v)
        return v

    def integer(self, key: str, v: Any, *, low: int = 0, optional: bool = False,
                high: int | None = None) -> int | None:
        if v is None and optional:
            return None
        if isinstance(v, bool) or not isinstance(v, int):
            raise self.fail(key, "must be an integer", v)
        if v < low:
            raise self.fail(key, f"must be at least {low}", v)
        if high is not None and v > high:
            raise self.fail(key, f"must be at most {high}", v)
        return v

    def number(self, key: str, v: Any, *, positive: bool = False, most: float | None = None,
               why: str = "") -> float:
        if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
            kind = "a positive number" if positive else "a non-negative number"
            raise self.fail(key, f"must be {kind}", v)
        if v < 0 or (positive and v == 0):
            raise self.fail(key, "must be a positive number" if positive
                            else "must not be negative", v)
        if most is not None and v > most:
            raise self.fail(key, f"must be at most {most:g}{why}", v)
        return float(v)

    def within(self, key: str, v: Any, *, low: float, high: float, why: str,
               integer: bool = False, least_positive: float | None = None) -> float:
        """A number from ``low`` to ``high`` (``why`` says what the range stands for).

        ``least_positive``: a value above 0 must be at least this (0 itself is allowed).
        The message states the whole range: ``must be 0 or from 0.001 to 100 (...)``.
        """
        span = (f"at least {_figure(low)} and at most {_figure(high)} ({why})"
                if least_positive is None else
                f"0, or at least {_figure(least_positive)} and at most {_figure(high)} ({why})")
        wrong_type = not isinstance(v, int) if integer else not isinstance(v, int | float)
        if isinstance(v, bool) or wrong_type or not math.isfinite(v):
            raise self.fail(key, f"must be {'an integer' if integer else 'a number'}, {span}", v)
        if not low <= v <= high or (least_positive is not None and 0 < v < least_positive):
            raise self.fail(key, f"must be {span}", v)
        return v

    def share(self, key: str, v: Any) -> float:
        value = self.number(key, v)
        if value > 1:
            raise self.fail(key, "must be a share from 0 to 1", v)
        return value

    def klass(self, key: str, v: Any, *, optional: bool = False) -> int | None:
        value = self.integer(key, v, low=1, optional=optional)
        if value is not None and value > 6:
            raise self.fail(key, "must be a centrality class from 1 to 6", v)
        return value

    def string(self, key: str, v: Any) -> str:
        if not isinstance(v, str) or not v.strip():
            raise self.fail(key, "must be a non-empty string", v)
        return v

    def codes(self, key: str, v: Any, pattern: re.Pattern[str], what: str) -> tuple[str, ...]:
        if not isinstance(v, list | tuple):
            raise self.fail(key, f"must be a list of {what}", v)
        width = 2 if pattern.pattern == r"\d{2}" else 4
        v = [full_code(item, width) for item in v]
        for item in v:
            if not isinstance(item, str) or not pattern.fullmatch(item):
                raise self.fail(key, f"must list {what}", item)
        dup = sorted({c for c in v if list(v).count(c) > 1})
        if dup:
            raise self.fail(key, f"lists {dup[0]} more than once", show=False)
        return tuple(v)

    def pairs(self, key: str, v: Any) -> tuple[Pair, ...]:
        if not isinstance(v, list | tuple):
            raise self.fail(key, "must be a list of [code, code] pairs", v)
        out: list[Pair] = []
        for item in v:
            if isinstance(item, list | tuple):
                item = [full_code(c) for c in item]
            if (not isinstance(item, list | tuple) or len(item) != 2
                    or not all(isinstance(c, str) and CODE.fullmatch(c) for c in item)):
                raise self.fail(key, "must hold pairs of 4-digit kommunenummer", item)
            if item[0] == item[1]:
                raise self.fail(key, "pairs a municipality with itself", item)
            if frozenset(item) in {frozenset(p) for p in out}:
                raise self.fail(key, "lists a pair more than once", item)
            out.append((item[0], item[1]))
        return tuple(out)

    def choice(self, key: str, v: Any, options: tuple[str, ...]) -> str:
        if v not in options:
            raise self.fail(key, f"must be one of {', '.join(options)}", v)
        return str(v)

    def frontier_floors(self, raw: dict[str, Any], k: str) -> dict[str, Any]:
        """The constraint keys of the frontier (commuters kept, the criterion, a travel budget)."""
        budget = raw.get("max_person_minutes")
        return {
            "min_kept_share": self.share(k + "min_kept_share", raw.get("min_kept_share", 0.0)),
            "min_criterion_regions": self.integer(k + "min_criterion_regions",
                                                  raw.get("min_criterion_regions", 0)) or 0,
            "criterion_above_workers": self.integer(k + "criterion_above_workers",
                                                    raw.get("criterion_above_workers"),
                                                    optional=True),
            "max_person_minutes": None if budget is None
            else self.number(k + "max_person_minutes", budget, positive=True),
            "min_median_self_containment": self.share(
                k + "min_median_self_containment", raw.get("min_median_self_containment", 0.0)),
        }
