"""The cases of a sweep: parsing ``--vary`` specifications and expanding their product.

``--vary KEY=VALUES`` takes a comma-separated list (``60,90,120``), a range
(``8..16`` or ``0.5..2.0:0.5``) or a single value, each value in the grammar of
``--set`` (:mod:`regionopt.overrides`); :func:`parse_vary` reads one,
:func:`sweep_cases` expands the cartesian product into validated
:class:`SweepCase` values, each with a stable id (:func:`case_id`).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from regionopt.errors import ScenarioError
from regionopt.overrides import Value, format_value, parse_value, split_values
from regionopt.scenario import Scenario, replace_key


def single_thread(scenario: Scenario) -> Scenario:
    """Return ``scenario`` with one solver thread (several solves share the cores)."""
    try:
        return replace_key(scenario, "solver.threads", 1)
    except ScenarioError:  # a scenario format without the key: leave the solver's default
        return scenario


__all__ = ["MAX_RANGE_VALUES", "SweepCase", "VaryValue", "case_id", "check_varies",
           "format_value", "parse_value", "parse_vary", "single_thread", "sweep_cases"]

VaryValue = Value
"""One value a varied key takes (:data:`regionopt.overrides.Value`)."""

MAX_RANGE_VALUES = 10_000
_KEY_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+")


@dataclass(frozen=True)
class SweepCase:
    """One combination of a sweep.

    Attributes
    ----------
    id
        Stable identifier: a hash of ``overrides`` (see :func:`case_id`).
    overrides
        ``(dotted key, value)`` pairs in the order of the ``--vary`` options.
    scenario
        The base scenario with ``overrides`` applied.
    """

    id: str
    overrides: tuple[tuple[str, VaryValue], ...]
    scenario: Scenario

    def label(self) -> str:
        """Short text such as ``count=10, max_travel_minutes=120``."""
        return ", ".join(f"{k.rsplit('.', 1)[-1]}={format_value(v)}" for k, v in self.overrides)


# --------------------------------------------------------------------------- parsing


def parse_vary(spec: str) -> tuple[str, tuple[VaryValue, ...]]:
    """Parse ``KEY=VALUES`` into the dotted key and its values.

    ``VALUES`` is a comma-separated list (``60,90,120``; commas inside quotes or
    brackets belong to the value: ``["5501"],["5502", "5503"]``), each item read
    by :func:`regionopt.overrides.parse_value` as ``--set`` reads its value, or
    an inclusive range ``a..b`` with an optional step ``a..b:step`` (step 1 for
    integers; floats need a step, counted exactly in decimal).

    Parameters
    ----------
    spec
        For example ``"regions.count=8..16"`` or
        ``"constraints.max_travel_minutes=60,90,120"``.

    Returns
    -------
    tuple
        ``(key, values)``, values in the order given.

    Raises
    ------
    ScenarioError
        Naming ``spec`` when it is malformed, empty, has duplicate values or
        an empty or reversed range.
    """
    key, sep, rhs = spec.partition("=")
    key, rhs = key.strip(), rhs.strip()
    if not sep or not _KEY_RE.fullmatch(key):
        raise ScenarioError(f"--vary {spec!r}: expected KEY=VALUES with a dotted key "
                            "such as regions.count=8..16")
    if not rhs:
        raise ScenarioError(f"--vary {spec!r}: no values after '='")
    items = split_values(rhs)
    if len(items) == 1 and ".." in rhs and rhs[0] not in "\"'[{":
        values = _parse_range(spec, rhs)
    else:
        if any(not s for s in items):
            raise ScenarioError(f"--vary {spec!r}: empty value in the list")
        values = tuple(parse_value(s) for s in items)
    seen: set[str] = set()
    for v in values:
        canon = json.dumps(v)
        if canon in seen:
            raise ScenarioError(f"--vary {spec!r}: value {format_value(v)} is listed twice")
        seen.add(canon)
    return key, values


def _parse_range(spec: str, rhs: str) -> tuple[VaryValue, ...]:
    lo_s, _, rest = rhs.partition("..")
    hi_s, _, step_s = rest.partition(":")
    parsed = [parse_value(t) for t in (lo_s, hi_s, step_s or "1")]
    numbers = [v for v in parsed if isinstance(v, int | float) and not isinstance(v, bool)
               and math.isfinite(v)]
    if len(numbers) < 3:
        raise ScenarioError(f"--vary {spec!r}: a range needs numbers, as in 8..16 or 0.5..1.5:0.25")
    kind: Callable[[Decimal], VaryValue] = int
    if not all(isinstance(v, int) for v in numbers):
        if not step_s.strip():
            raise ScenarioError(f"--vary {spec!r}: a range of decimals needs a step (a..b:step)")
        kind = float
    lo, hi, st = (Decimal(repr(v)) for v in numbers)  # repr: 0.1 is exactly 1/10 here
    if st <= 0:
        raise ScenarioError(f"--vary {spec!r}: the step must be positive")
    if lo > hi:
        raise ScenarioError(f"--vary {spec!r}: the range is empty (start above end)")
    count = int((hi - lo) / st) + 1
    if count > MAX_RANGE_VALUES:
        raise ScenarioError(f"--vary {spec!r}: {count} values, more than {MAX_RANGE_VALUES}")
    return tuple(kind(lo + i * st) for i in range(count))


def check_varies(scenario: Scenario,
                 varies: Sequence[tuple[str, Sequence[VaryValue]]]) -> None:
    """Check each varied value on its own against ``scenario``, before any work.

    Raises
    ------
    ScenarioError
        Naming the first key and value the scenario rejects (unknown key, wrong
        type, impossible value); combinations are checked by :func:`sweep_cases`.
    """
    for key, values in varies:
        for value in values:
            replace_key(scenario, key, value, source=f"--vary {key}={format_value(value)}")


def case_id(overrides: Iterable[tuple[str, VaryValue]]) -> str:
    """Return the stable id of a combination: 12 hex digits of a SHA-256.

    The hash covers the overrides sorted by key, in canonical JSON, so ``1``,
    ``1.0`` and ``true`` give different ids and the order of ``--vary``
    options does not matter.
    """
    canon = json.dumps(sorted(overrides), separators=(",", ":"), sort_keys=True)
    return hashlib.sha256(canon.encode("utf-8")).hexdigest()[:12]


def sweep_cases(scenario: Scenario,
                varies: Sequence[tuple[str, Sequence[VaryValue]]]) -> list[SweepCase]:
    """Expand the cartesian product of ``varies`` into validated cases.

    Parameters
    ----------
    scenario
        The base scenario.
    varies
        ``(key, values)`` pairs, as returned by :func:`parse_vary`.

    Returns
    -------
    list of SweepCase
        In ``itertools.product`` order of ``varies``.

    Raises
    ------
    ScenarioError
        If a key is varied twice, or a combination is not a valid scenario
        (unknown key, wrong type, impossible value), naming it.
    """
    keys = [k for k, _ in varies]
    twice = sorted({k for k in keys if keys.count(k) > 1})
    if twice:
        raise ScenarioError(f"--vary: key {twice[0]} is varied more than once")
    cases = []
    for combo in itertools.product(*(tuple(v) for _, v in varies)):
        overrides = tuple(zip(keys, combo, strict=True))
        s = scenario
        for key, value in overrides:
            s = replace_key(s, key, value)
        cases.append(SweepCase(id=case_id(overrides), overrides=overrides, scenario=s))
    return cases
