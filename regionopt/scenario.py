"""Scenario files: what the optimiser is asked to do, as frozen dataclasses.

A TOML file with the tables ``[area]``, ``[regions]``, ``[constraints]``, ``[objective]``,
``[solver]`` (keys in ``docs/scenarios.md``), ``[services]`` and ``[delineation]`` (their own
modules). :func:`load_scenario` reads one, :func:`parse_scenario` validates a parsed mapping,
:func:`scenario_to_toml` writes it back with every default, :func:`replace_key` changes one
dotted key (sweeps). Bad keys and values raise :class:`~regionopt.errors.ScenarioError`.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import fields
from pathlib import Path
from typing import Any

from regionopt import delineation as dl
from regionopt._checker import CODE, Checker, Pair, full_code
from regionopt._resources import geo_file
from regionopt.catalogue import ServicesConfig, parse_services, services_to_dict, services_to_toml
from regionopt.errors import DataError, ScenarioError
from regionopt.scenario_config import (
    CORE_MEASURES,
    DEFAULT_SCENARIO,
    MAX_NODES,
    MAX_THREADS,
    MAX_TIME_LIMIT_S,
    SOLVERS,
    STARTS,
    AreaConfig,
    ConstraintsConfig,
    CriteriaConfig,
    ObjectiveConfig,
    RegionsConfig,
    Scenario,
    SolverConfig,
)

__all__ = ["CORE_MEASURES", "DEFAULT_SCENARIO", "MAX_NODES", "MAX_THREADS", "MAX_TIME_LIMIT_S",
           "SOLVERS", "STARTS", "AreaConfig", "ConstraintsConfig", "CriteriaConfig",
           "ObjectiveConfig", "RegionsConfig", "Scenario", "ServicesConfig", "SolverConfig",
           "default_scenario_path", "load_scenario", "parse_scenario", "replace_key",
           "scenario_to_dict", "scenario_to_toml"]

_COUNTY = re.compile(r"\d{2}")
#: The minutes matrices ``area.travel_times`` may name (regionopt.network.matrices.MATRICES).
TRAVEL_TIMES = ("centre", "grid")
_AREA_RULES = ("find_exceptions", "attainable_self_containment")

_TABLES: dict[str, type] = {
    "area": AreaConfig,
    "regions": RegionsConfig,
    "constraints": ConstraintsConfig,
    "objective": ObjectiveConfig,
    "solver": SolverConfig,
    "criteria": CriteriaConfig,
    "services": ServicesConfig,
    "delineation": dl.DelineationConfig,
}


def _table(raw: Any, table: str, check: Checker) -> dict[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise check.fail(table, "must be a table", raw)
    known = {f.name for f in fields(_TABLES[table])}
    for key in raw:
        if key not in known and table != "services":  # parse_services checks its own
            listing = ", ".join(sorted(known))
            raise check.fail(f"{table}.{key}", f"is not a known key (known: {listing})",
                             show=False)
    return dict(raw)


def _parse_area(raw: dict[str, Any], c: Checker) -> AreaConfig:
    return AreaConfig(
        counties=c.codes("area.counties", raw.get("counties", []), _COUNTY, "2-digit county codes"),
        municipalities=c.codes("area.municipalities", raw.get("municipalities", []), CODE,
                               "4-digit kommunenummer"),
        reference=(None if raw.get("reference") is None
                   else c.string("area.reference", raw["reference"]).strip().lower()),
        travel_times=(None if raw.get("travel_times") is None
                      else c.choice("area.travel_times", raw["travel_times"], TRAVEL_TIMES)),
    )


def _parse_regions(raw: dict[str, Any], c: Checker) -> RegionsConfig:
    count: int | str | None
    if raw.get("count") in ("max", "auto"):
        count = str(raw["count"])
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


def _parse_constraints(raw: dict[str, Any], c: Checker) -> ConstraintsConfig:
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
        fixed_cores=c.codes(k + "fixed_cores", raw.get("fixed_cores", []), CODE,
                            "4-digit kommunenummer"),
        min_self_containment=c.share(k + "min_self_containment",
                                     raw.get("min_self_containment", 0.0)),
        core_measure=c.choice(k + "core_measure", raw.get("core_measure", "population"),
                             CORE_MEASURES),
        core_is_strongest=c.boolean(k + "core_is_strongest", raw.get("core_is_strongest", False)),
        min_core_jobs=c.integer(k + "min_core_jobs", raw.get("min_core_jobs", 0)) or 0,
        max_core_centrality_class=c.klass(k + "max_core_centrality_class",
                                          raw.get("max_core_centrality_class"), optional=True),
        exceptions=_exceptions(c, k + "exceptions", raw.get("exceptions", [])),
        **{key: c.boolean(k + key, raw.get(key, False)) for key in _AREA_RULES},
        **c.frontier_floors(raw, k),
        **_kommuneregion_rules(raw, c, k, limit),
    )


def _kommuneregion_rules(raw: dict[str, Any], c: Checker, k: str,
                         limit: Any) -> dict[str, Any]:
    """``long_distance_minutes`` and ``relative_self_containment`` (model/families/travel.py,
    model/rules.py), checked against the keys they build on."""
    far = raw.get("long_distance_minutes")
    out: dict[str, Any] = {
        "long_distance_minutes": None if far is None
        else c.number(k + "long_distance_minutes", far, positive=True),
        "relative_self_containment": c.share(k + "relative_self_containment",
                                             raw.get("relative_self_containment", 0.0)),
    }
    if out["long_distance_minutes"] is not None:
        if limit is None:
            raise c.fail(k + "long_distance_minutes", f"needs {k}max_travel_minutes (the "
                         "functional limit it extends)", show=False)
        if out["long_distance_minutes"] <= float(limit):
            raise c.fail(k + "long_distance_minutes", f"must exceed {k}max_travel_minutes "
                         f"({limit})", far)
    if out["relative_self_containment"] > 0 and (
            raw.get("min_self_containment", 0.0) or raw.get("attainable_self_containment")):
        raise c.fail(k + "relative_self_containment", f"cannot be given together with "
                     f"{k}min_self_containment or {k}attainable_self_containment (it sets "
                     "the floor itself)", show=False)
    return out


def _exceptions(c: Checker, key: str, v: Any) -> tuple[Pair, ...]:
    if not isinstance(v, list | tuple):
        raise c.fail(key, "must be a list of [kommunenummer, reason] pairs", v)
    out: list[Pair] = []
    for item in v:
        if isinstance(item, list | tuple) and item:
            item = [full_code(item[0]), *item[1:]]
        if (not isinstance(item, list | tuple) or len(item) != 2
                or not isinstance(item[0], str) or not CODE.fullmatch(item[0])
                or not isinstance(item[1], str) or not item[1].strip()):
            raise c.fail(key, "must hold [kommunenummer, reason] pairs", item)
        if item[0] in {code for code, _ in out}:
            raise c.fail(key, f"names {item[0]} more than once", show=False)
        out.append((item[0], item[1].strip()))
    return tuple(out)


def _parse_criteria(raw: dict[str, Any], c: Checker) -> CriteriaConfig:
    k, d = "criteria.", CriteriaConfig()
    return CriteriaConfig(
        min_population=c.integer(k + "min_population",
                                 raw.get("min_population", d.min_population)) or 0,
        municipal_minimum=c.integer(k + "municipal_minimum",
                                    raw.get("municipal_minimum", d.municipal_minimum)) or 0,
        self_containment=c.share(k + "self_containment",
                                 raw.get("self_containment", d.self_containment)),
        self_containment_large=c.share(k + "self_containment_large", raw.get(
            "self_containment_large", d.self_containment_large)),
        large_workers=c.integer(k + "large_workers",
                                raw.get("large_workers", d.large_workers)) or 0,
        longest_trip_minutes=c.number(k + "longest_trip_minutes", raw.get(
            "longest_trip_minutes", d.longest_trip_minutes), positive=True),
        mean_trip_minutes=c.number(k + "mean_trip_minutes",
                                   raw.get("mean_trip_minutes", d.mean_trip_minutes),
                                   positive=True),
        max_core_centrality_class=c.klass(k + "max_core_centrality_class", raw.get(
            "max_core_centrality_class", d.max_core_centrality_class)) or 6,
    )


def _parse_objective(raw: dict[str, Any], c: Checker) -> ObjectiveConfig:
    return ObjectiveConfig(**{f.name: c.number(f"objective.{f.name}", raw.get(f.name, f.default))
                              for f in fields(ObjectiveConfig)})


def _parse_solver(raw: dict[str, Any], c: Checker) -> SolverConfig:
    name = c.string("solver.name", raw.get("name", "cbc"))
    if name not in SOLVERS:
        raise c.fail("solver.name", f"must be one of {', '.join(SOLVERS)}", name)
    limit = raw.get("time_limit_s")
    gap = c.number("solver.mip_gap", raw.get("mip_gap", 0.0))
    if gap >= 1:
        raise c.fail("solver.mip_gap", "must be at least 0 and below 1", raw.get("mip_gap"))
    return SolverConfig(
        name=name,
        time_limit_s=None if limit is None else c.number(
            "solver.time_limit_s", limit, positive=True, most=MAX_TIME_LIMIT_S,
            why=" seconds (a week); leave it out for no limit"),
        mip_gap=gap,
        threads=c.integer("solver.threads", raw.get("threads", 1), low=1, high=MAX_THREADS) or 1,
        max_nodes=c.integer("solver.max_nodes", raw.get("max_nodes"), low=1,
                            high=MAX_NODES, optional=True),
        start=_start(raw, c),
    )


def _start(raw: dict[str, Any], c: Checker) -> str:
    start = c.string("solver.start", raw.get("start", "heuristic"))
    if start not in STARTS:
        raise c.fail("solver.start", f"must be one of {', '.join(STARTS)}", start)
    return start


_PARSERS: dict[str, Callable[[dict[str, Any], Checker], Any]] = {
    "area": _parse_area,
    "regions": _parse_regions,
    "constraints": _parse_constraints,
    "objective": _parse_objective,
    "solver": _parse_solver,
    "criteria": _parse_criteria,
    "services": parse_services,
    "delineation": dl.parse_delineation,
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
    check = Checker(source)
    if not isinstance(data, Mapping):
        raise ScenarioError(f"{source}: a scenario must be a table of keys")
    for key in data:
        if key != "name" and key not in _TABLES:
            raise check.fail(key, "is not a known key (known: name, "
                             + ", ".join(_TABLES) + ")", show=False)
    name = check.string("name", data.get("name", "scenario"))
    parts = {t: _PARSERS[t](_table(data.get(t), t, check), check) for t in _TABLES}
    if parts["delineation"].kept_min_flow > 0 and parts["objective"].commuting > 0:
        raise check.fail("delineation.kept_min_flow", "cannot be used with objective.commuting "
                         "(the model's count of border commuters would miss the small flows)",
                         show=False)
    return Scenario(name=name, **parts)


def load_scenario(path: str | os.PathLike[str]) -> Scenario:
    """Read and validate a scenario TOML file.

    A file without ``name`` is named after its stem. A file without any table
    (empty, or only a name) is refused: it would solve all of Norway unconstrained.

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
        If the file is missing, not valid TOML, empty, or not a valid scenario.
    """
    p = Path(path)
    try:
        # utf-8-sig: a byte order mark (Notepad writes one) is not part of the TOML
        data = tomllib.loads(p.read_bytes().decode("utf-8-sig"))
    except FileNotFoundError:
        raise ScenarioError(f"{p}: file not found") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"{p}: not valid TOML ({exc})") from None
    if not set(data) - {"name"} and isinstance(data.get("name", ""), str):
        raise ScenarioError(f"{p}: the scenario has no [area], [regions], [constraints], "
                            "[objective] or [solver] table; an empty scenario would split all "
                            "of Norway into one region per municipality (see docs/scenarios.md)")
    data.setdefault("name", p.stem)
    return parse_scenario(data, source=str(p))


def scenario_to_dict(scenario: Scenario) -> dict[str, Any]:
    """Return the scenario as plain TOML-ready data (``None`` values left out).

    Tuples become lists; :func:`parse_scenario` turns the result back into an equal scenario.
    """
    out: dict[str, Any] = {"name": scenario.name}
    for table in (t for t in _TABLES if t != "delineation" or dl.differs(scenario.delineation)):
        cfg = getattr(scenario, table)
        out[table] = services_to_dict(cfg) if table == "services" else {
            f.name: _plain(getattr(cfg, f.name)) for f in fields(cfg)
            if getattr(cfg, f.name) is not None}
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

    Keys whose value is "none" (TOML has no null) are written as comments, so the file still
    lists every key; ``[delineation]`` only when it differs from its defaults. Deterministic.

    Returns
    -------
    str
        TOML text that :func:`load_scenario` reads back to an equal scenario.
    """
    lines = [f"name = {_toml_value(scenario.name)}"]
    for table in (t for t in _TABLES if t not in ("services", "delineation")):  # their own
        cfg = getattr(scenario, table)
        lines += ["", f"[{table}]"]
        for f in fields(cfg):
            value = getattr(cfg, f.name)
            if value is None:
                lines.append(f"# {f.name} = (none)")
            else:
                lines.append(f"{f.name} = {_toml_value(_plain(value))}")
    return "\n".join(lines + services_to_toml(scenario.services) + dl.to_toml(scenario)) + "\n"


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
        The new value, as it would appear in TOML; ``None`` removes the key (its default).
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
    elif len(parts) == 3 and parts[0] == "services":
        target = data["services"].setdefault(parts[1], {})
    elif len(parts) == 2 and parts[0] in _TABLES:
        target = data.setdefault(parts[0], {})
        if parts[1] not in {f.name for f in fields(_TABLES[parts[0]])} - {"overrides"}:
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
