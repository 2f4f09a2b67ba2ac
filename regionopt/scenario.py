"""Scenario files: what the optimiser is asked to do, as frozen dataclasses.

A scenario is a TOML file with the tables ``[area]``, ``[regions]``,
``[constraints]``, ``[objective]`` and ``[solver]`` (every key is documented in
``docs/scenarios.md``). :func:`load_scenario` reads one, :func:`parse_scenario`
validates an already-parsed mapping, :func:`scenario_to_toml` writes one back
with every default filled in, and :func:`replace_key` changes one dotted key
(for sweeps). Unknown keys, wrong types and impossible values raise
:class:`~regionopt.errors.ScenarioError` with one line naming the file and the
dotted key.
"""

from __future__ import annotations

import json
import math
import os
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from regionopt._resources import geo_file
from regionopt.errors import DataError, ScenarioError

DEFAULT_SCENARIO = "troms-finnmark-12.toml"
SOLVERS = ("cbc", "highs", "heuristic")
_CODE = re.compile(r"\d{4}")
_COUNTY = re.compile(r"\d{2}")

Pair = tuple[str, str]


@dataclass(frozen=True)
class AreaConfig:
    """The study area: the union of the listed counties and municipalities.

    Both empty means all of Norway. ``reference`` names the reference plan drawn beside a
    solve's plan (``"nivi"``, ``"ba-2020"``, ``"economic-regions"``, or ``"none"``); unset, the
    area picks it (NIVI for Troms og Finnmark, BA-regioner 2020 for all Norway).
    """

    counties: tuple[str, ...] = ()
    municipalities: tuple[str, ...] = ()
    reference: str | None = None


@dataclass(frozen=True)
class RegionsConfig:
    """How many regions: exactly ``count``, or between ``min_count`` and ``max_count``.

    ``count = "max"`` asks for as many regions as the rules allow (then the
    least objective among plans with that many).
    """

    count: int | str | None = None
    min_count: int | None = None
    max_count: int | None = None


@dataclass(frozen=True)
class ConstraintsConfig:
    """Constraints every region of a plan must meet (see ``docs/scenarios.md``)."""

    contiguity: bool = True
    core_is_largest: bool = False
    min_core_population: int = 0
    max_travel_minutes: float | None = None
    min_population: int = 0
    max_population: int | None = None
    respect_county_borders: bool = False
    must_link: tuple[Pair, ...] = ()
    cannot_link: tuple[Pair, ...] = ()
    fixed_cores: tuple[str, ...] = ()


@dataclass(frozen=True)
class ObjectiveConfig:
    """Weights on the travel term (person-minutes) and the balance term (persons)."""

    travel: float = 1.0
    balance: float = 0.0


@dataclass(frozen=True)
class SolverConfig:
    """MIP solver and its limits."""

    name: str = "cbc"
    time_limit_s: float | None = None
    mip_gap: float = 0.0
    threads: int = 1


@dataclass(frozen=True)
class Scenario:
    """A complete, validated scenario."""

    name: str = "scenario"
    area: AreaConfig = AreaConfig()
    regions: RegionsConfig = RegionsConfig()
    constraints: ConstraintsConfig = ConstraintsConfig()
    objective: ObjectiveConfig = ObjectiveConfig()
    solver: SolverConfig = SolverConfig()


_TABLES: dict[str, type] = {
    "area": AreaConfig,
    "regions": RegionsConfig,
    "constraints": ConstraintsConfig,
    "objective": ObjectiveConfig,
    "solver": SolverConfig,
}


def _show(value: Any) -> str:
    """Render a value the way it looks in TOML, for error messages."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "a table"
    return str(value)


class _Checker:
    """Converts raw TOML values, raising one-line errors naming ``source`` and the key."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, key: str, what: str, value: Any = None, *, show: bool = True) -> ScenarioError:
        got = f", got {_show(value)}" if show else ""
        return ScenarioError(f"{self.source}: {key} {what}{got}")

    def boolean(self, key: str, v: Any) -> bool:
        if not isinstance(v, bool):
            raise self.fail(key, "must be true or false", v)
        return v

    def integer(self, key: str, v: Any, *, low: int = 0, optional: bool = False) -> int | None:
        if v is None and optional:
            return None
        if isinstance(v, bool) or not isinstance(v, int):
            raise self.fail(key, "must be an integer", v)
        if v < low:
            raise self.fail(key, f"must be at least {low}", v)
        return v

    def number(self, key: str, v: Any, *, positive: bool = False) -> float:
        if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
            kind = "a positive number" if positive else "a non-negative number"
            raise self.fail(key, f"must be {kind}", v)
        if v < 0 or (positive and v == 0):
            raise self.fail(key, "must be a positive number" if positive
                            else "must not be negative", v)
        return float(v)

    def string(self, key: str, v: Any) -> str:
        if not isinstance(v, str) or not v.strip():
            raise self.fail(key, "must be a non-empty string", v)
        return v

    def codes(self, key: str, v: Any, pattern: re.Pattern[str], what: str) -> tuple[str, ...]:
        if not isinstance(v, list | tuple):
            raise self.fail(key, f"must be a list of {what}", v)
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
            if (not isinstance(item, list | tuple) or len(item) != 2
                    or not all(isinstance(c, str) and _CODE.fullmatch(c) for c in item)):
                raise self.fail(key, "must hold pairs of 4-digit kommunenummer", item)
            if item[0] == item[1]:
                raise self.fail(key, "pairs a municipality with itself", item)
            if frozenset(item) in {frozenset(p) for p in out}:
                raise self.fail(key, "lists a pair more than once", item)
            out.append((item[0], item[1]))
        return tuple(out)


def _table(raw: Any, table: str, check: _Checker) -> dict[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise check.fail(table, "must be a table", raw)
    known = {f.name for f in fields(_TABLES[table])}
    for key in raw:
        if key not in known:
            listing = ", ".join(sorted(known))
            raise check.fail(f"{table}.{key}", f"is not a known key (known: {listing})",
                             show=False)
    return dict(raw)


def _parse_area(raw: dict[str, Any], c: _Checker) -> AreaConfig:
    return AreaConfig(
        counties=c.codes("area.counties", raw.get("counties", []), _COUNTY, "2-digit county codes"),
        municipalities=c.codes("area.municipalities", raw.get("municipalities", []), _CODE,
                               "4-digit kommunenummer"),
        reference=(None if raw.get("reference") is None
                   else c.string("area.reference", raw["reference"]).strip().lower()),
    )


def _parse_regions(raw: dict[str, Any], c: _Checker) -> RegionsConfig:
    count: int | str | None
    if raw.get("count") == "max":
        count = "max"
    elif isinstance(raw.get("count"), str):
        raise c.fail("regions.count", "must be an integer", raw.get("count"))
    else:
        count = c.integer("regions.count", raw.get("count"), low=1, optional=True)
    lo = c.integer("regions.min_count", raw.get("min_count"), low=1, optional=True)
    hi = c.integer("regions.max_count", raw.get("max_count"), low=1, optional=True)
    if count is not None and (lo is not None or hi is not None):
        key = "regions.min_count" if lo is not None else "regions.max_count"
        raise c.fail(key, "cannot be given together with regions.count", show=False)
    if lo is not None and hi is not None and lo > hi:
        raise c.fail("regions.min_count", f"must not exceed regions.max_count ({hi})", lo)
    return RegionsConfig(count=count, min_count=lo, max_count=hi)


def _parse_constraints(raw: dict[str, Any], c: _Checker) -> ConstraintsConfig:
    k = "constraints."
    limit = raw.get("max_travel_minutes")
    lo = c.integer(k + "min_population", raw.get("min_population", 0))
    hi = c.integer(k + "max_population", raw.get("max_population"), low=1, optional=True)
    if hi is not None and lo is not None and lo > hi:
        raise c.fail(k + "min_population", f"must not exceed {k}max_population ({hi})", lo)
    must = c.pairs(k + "must_link", raw.get("must_link", []))
    cannot = c.pairs(k + "cannot_link", raw.get("cannot_link", []))
    both = {frozenset(p) for p in must} & {frozenset(p) for p in cannot}
    if both:
        pair = sorted(sorted(p) for p in both)[0]
        raise c.fail(k + "cannot_link", "repeats a pair of constraints.must_link", pair)
    return ConstraintsConfig(
        contiguity=c.boolean(k + "contiguity", raw.get("contiguity", True)),
        core_is_largest=c.boolean(k + "core_is_largest", raw.get("core_is_largest", False)),
        min_core_population=c.integer(k + "min_core_population",
                                      raw.get("min_core_population", 0)) or 0,
        max_travel_minutes=None if limit is None
        else c.number(k + "max_travel_minutes", limit, positive=True),
        min_population=lo or 0,
        max_population=hi,
        respect_county_borders=c.boolean(k + "respect_county_borders",
                                         raw.get("respect_county_borders", False)),
        must_link=must,
        cannot_link=cannot,
        fixed_cores=c.codes(k + "fixed_cores", raw.get("fixed_cores", []), _CODE,
                            "4-digit kommunenummer"),
    )


def _parse_objective(raw: dict[str, Any], c: _Checker) -> ObjectiveConfig:
    return ObjectiveConfig(
        travel=c.number("objective.travel", raw.get("travel", 1.0)),
        balance=c.number("objective.balance", raw.get("balance", 0.0)),
    )


def _parse_solver(raw: dict[str, Any], c: _Checker) -> SolverConfig:
    name = c.string("solver.name", raw.get("name", "cbc"))
    if name not in SOLVERS:
        raise c.fail("solver.name", f"must be one of {', '.join(SOLVERS)}", name)
    limit = raw.get("time_limit_s")
    gap = c.number("solver.mip_gap", raw.get("mip_gap", 0.0))
    if gap >= 1:
        raise c.fail("solver.mip_gap", "must be at least 0 and below 1", raw.get("mip_gap"))
    return SolverConfig(
        name=name,
        time_limit_s=None if limit is None else c.number("solver.time_limit_s", limit,
                                                          positive=True),
        mip_gap=gap,
        threads=c.integer("solver.threads", raw.get("threads", 1), low=1) or 1,
    )


_PARSERS: dict[str, Callable[[dict[str, Any], _Checker], Any]] = {
    "area": _parse_area,
    "regions": _parse_regions,
    "constraints": _parse_constraints,
    "objective": _parse_objective,
    "solver": _parse_solver,
}


def parse_scenario(data: Mapping[str, Any], *, source: str = "<scenario>") -> Scenario:
    """Validate a parsed scenario mapping and return a :class:`Scenario`.

    Parameters
    ----------
    data
        The mapping ``tomllib`` returns for a scenario file.
    source
        File name used in error messages.

    Returns
    -------
    Scenario
        With every default filled in.

    Raises
    ------
    ScenarioError
        On the first unknown key, wrong type or impossible value, in one line
        naming ``source`` and the dotted key.
    """
    check = _Checker(source)
    if not isinstance(data, Mapping):
        raise ScenarioError(f"{source}: a scenario must be a table of keys")
    for key in data:
        if key != "name" and key not in _TABLES:
            raise check.fail(key, "is not a known key (known: name, "
                             + ", ".join(_TABLES) + ")", show=False)
    name = check.string("name", data.get("name", "scenario"))
    parts = {t: _PARSERS[t](_table(data.get(t), t, check), check) for t in _TABLES}
    return Scenario(name=name, **parts)


def load_scenario(path: str | os.PathLike[str]) -> Scenario:
    """Read and validate a scenario TOML file.

    A file without ``name`` is named after its stem.

    Parameters
    ----------
    path
        The TOML file.

    Returns
    -------
    Scenario

    Raises
    ------
    ScenarioError
        If the file is missing, not valid TOML, or not a valid scenario.
    """
    p = Path(path)
    try:
        with p.open("rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise ScenarioError(f"{p}: file not found") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"{p}: not valid TOML ({exc})") from None
    data.setdefault("name", p.stem)
    return parse_scenario(data, source=str(p))


def scenario_to_dict(scenario: Scenario) -> dict[str, Any]:
    """Return the scenario as plain TOML-ready data (``None`` values left out).

    Tuples become lists; :func:`parse_scenario` turns the result back into an
    equal scenario.
    """
    out: dict[str, Any] = {"name": scenario.name}
    for table in _TABLES:
        cfg = getattr(scenario, table)
        out[table] = {
            f.name: _plain(getattr(cfg, f.name))
            for f in fields(cfg)
            if getattr(cfg, f.name) is not None
        }
    return out


def _plain(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)  # shortest round-tripping form, always with '.' or 'e'
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a valid TOML basic string
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} to TOML")


def scenario_to_toml(scenario: Scenario) -> str:
    """Write the scenario as TOML with every default filled in.

    Keys whose value is "none" (TOML has no null) are written as comments, so
    the file still lists every key. Output is deterministic.

    Returns
    -------
    str
        TOML text that :func:`load_scenario` reads back to an equal scenario.
    """
    lines = [f"name = {_toml_value(scenario.name)}"]
    for table in _TABLES:
        cfg = getattr(scenario, table)
        lines += ["", f"[{table}]"]
        for f in fields(cfg):
            value = getattr(cfg, f.name)
            if value is None:
                lines.append(f"# {f.name} = (none)")
            else:
                lines.append(f"{f.name} = {_toml_value(_plain(value))}")
    return "\n".join(lines) + "\n"


def replace_key(scenario: Scenario, key: str, value: Any, *,
                source: str | None = None) -> Scenario:
    """Return a copy of ``scenario`` with one dotted key changed, validated.

    Parameters
    ----------
    scenario
        The scenario to start from (not modified).
    key
        Dotted key such as ``"regions.count"`` or ``"constraints.max_travel_minutes"``.
    value
        The new value, as it would appear in TOML; ``None`` removes the key
        (back to its default).
    source
        Name used in error messages (default: the scenario's name).

    Returns
    -------
    Scenario

    Raises
    ------
    ScenarioError
        If the key is unknown or the changed scenario is invalid.
    """
    src = source or f"scenario {scenario.name!r}"
    data = scenario_to_dict(scenario)
    parts = key.split(".")
    if len(parts) == 1 and key == "name":
        target = data
    elif len(parts) == 2 and parts[0] in _TABLES:
        target = data[parts[0]]
        if parts[1] not in {f.name for f in fields(_TABLES[parts[0]])}:
            raise ScenarioError(f"{src}: {key} is not a known key")
    else:
        raise ScenarioError(f"{src}: {key} is not a known key")
    if value is None:
        target.pop(parts[-1], None)
    else:
        target[parts[-1]] = _plain(value)
    return parse_scenario(data, source=src)


def default_scenario_path() -> Path:
    """Return the path of the default scenario (Troms og Finnmark, 12 regions).

    Raises
    ------
    ScenarioError
        If the file cannot be found.
    """
    try:
        return geo_file("scenarios", DEFAULT_SCENARIO)
    except DataError as exc:
        raise ScenarioError(str(exc)) from None
