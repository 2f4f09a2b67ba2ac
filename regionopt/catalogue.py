"""The service catalogue (``data/geo/services.toml``) and a scenario's ``[services]`` table.

A :class:`Service` is one shared municipal service with its scale rule (least
inhabitants, optionally most), its travel rule, its staff per 1 000
inhabitants and whether it belongs at the core. :func:`load_catalogue` reads
the authored table (every number with its ``<key>_source``);
:func:`parse_services` validates a scenario's ``[services]`` table (switches
and ``[services.<id>]`` overrides) and :func:`services_for` applies the
overrides to the catalogue. Errors are one line naming the file, the service
and the key.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from functools import cache
from types import MappingProxyType
from typing import Any

from regionopt._checker import CODE, Checker, show_value
from regionopt._resources import geo_file
from regionopt.errors import DataError, ScenarioError

CATALOGUE_FILE = "services.toml"
_ID = re.compile(r"[a-z][a-z0-9_]*")
#: Keys a catalogue entry and a scenario override may set (``name``/``seed`` only the catalogue).
RULE_KEYS = ("min_population", "min_staff", "max_population", "travel", "max_travel_minutes",
             "staff_per_1000", "core")
_OVERRIDE_KEYS = (*RULE_KEYS, "enabled", "hosts")
_NONE = "none"
#: Most inhabitants a population rule may name: about twice Norway's 5.6 million.
MAX_INHABITANTS = 10_000_000
_INHABITANTS = "inhabitants; Norway has 5.6 million"
_DAY = "minutes; a whole day"
#: Each number's range, ``(low, high, least positive or None, integer, why)``: beyond it a
#: rule means nothing (more inhabitants than twice Norway's, more staff per 1 000 inhabitants
#: than a whole municipality employs, a trip over a day) and the solver's arithmetic breaks.
RANGES: dict[str, tuple[float, float, float | None, bool, str]] = {
    "min_population": (0, MAX_INHABITANTS, None, True, _INHABITANTS),
    "max_population": (1, MAX_INHABITANTS, None, True, _INHABITANTS),
    "min_staff": (0, 10_000, None, False, "årsverk at one host"),
    "staff_per_1000": (0, 100, 0.001, False, "årsverk per 1 000 inhabitants; a whole "
                       "municipality employs about 100"),
    "max_travel_minutes": (0, 24 * 60, None, False, _DAY),
    "shortfall_weight": (0, 1e6, None, False, "person-minutes per missing inhabitant; above "
                         "it the travel term drowns in the solver's tolerance"),
    "minutes_weight": (0, 1, 1e-12, False, "staff per person-minute; the default is 1e-7"),
    "staff_minutes": (0, 24 * 60, None, False, _DAY),
}


def _ranged(check: Checker, name: str, key: str, value: Any, *, positive: bool = False) -> Any:
    """``value`` checked against :data:`RANGES` for ``key``; ``name`` is the dotted key."""
    low, high, least, integer, why = RANGES[key]
    got = check.within(name, value, low=low, high=high, why=why, integer=integer,
                       least_positive=least)
    if positive and got == 0:
        raise check.fail(name, f"must be above 0 ({why})", value)
    return got if integer else float(got)


@dataclass(frozen=True)
class Service:
    """One shared service of the catalogue.

    Attributes
    ----------
    key
        Short id (``"legevakt"``).
    name
        Name in bokmål with an English gloss.
    min_population, min_staff
        The service area's floor is the larger of ``min_population`` and
        ``min_staff / staff_per_1000 * 1000`` (see :attr:`floor`).
    max_population
        Most inhabitants, or ``None``.
    travel
        Whether people travel between the members and the host.
    max_travel_minutes
        Longest acceptable trip from a member to the host (the matrix's minutes), or ``None``.
    staff_per_1000
        Staff (årsverk) per 1 000 inhabitants served.
    core
        Whether the service belongs at the core.
    hosts
        Municipalities a scenario forces to host the service for their area.
    sources
        Key → its source, or ``"assumption: ..."`` with the reasoning.
    """

    key: str
    name: str
    min_population: int = 0
    min_staff: float = 0.0
    max_population: int | None = None
    travel: bool = False
    max_travel_minutes: float | None = None
    staff_per_1000: float = 0.0
    core: bool = False
    hosts: tuple[str, ...] = ()
    seed: str = ""
    sources: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def floor(self) -> int:
        """Least inhabitants of a service area: the population rule or the staff rule."""
        by_staff = (math.ceil(self.min_staff * 1000 / self.staff_per_1000 - 1e-9)
                    if self.staff_per_1000 > 0 else 0)
        return max(self.min_population, by_staff)

    @property
    def limit(self) -> float | None:
        """The travel limit that applies: ``max_travel_minutes`` if people travel, else none."""
        return self.max_travel_minutes if self.travel else None


@dataclass(frozen=True)
class ServicesConfig:
    """A scenario's ``[services]`` table (see ``docs/scenarios.md``).

    ``overrides`` holds ``(service, ((key, value), ...))`` in sorted order,
    values as the TOML gives them (``"none"`` for no limit).
    """

    enabled: bool = False
    balanced: bool = True
    every_member_hosts: bool = True
    shortfall_weight: float = 1000.0
    minutes_weight: float = 1e-7
    staff_minutes: float | None = 120.0
    overrides: tuple[tuple[str, tuple[tuple[str, Any], ...]], ...] = ()


SWITCHES = tuple(f.name for f in fields(ServicesConfig) if f.name != "overrides")


def _rule(check: Checker, service: Service, key: str, value: Any, prefix: str) -> Any:
    """Validate one rule value of ``service``; ``prefix`` starts the dotted key."""
    name = f"{prefix}{service.key}.{key}"
    if key in ("travel", "core", "enabled"):
        return check.boolean(name, value)
    if key in ("max_population", "max_travel_minutes") and value == _NONE:
        return None
    if key == "hosts":
        return check.codes(name, value, CODE, "4-digit kommunenummer")
    return _ranged(check, name, key, value, positive=key == "max_travel_minutes")


def _consistent(check: Checker, s: Service, prefix: str) -> Service:
    """Refuse a service whose rules cannot hold together."""
    k = f"{prefix}{s.key}."
    if s.min_staff > 0 and s.staff_per_1000 == 0:
        raise check.fail(k + "min_staff", "needs a positive staff_per_1000", s.min_staff)
    if s.floor > MAX_INHABITANTS:
        raise check.fail(k + "min_staff", f"asks for at least {s.floor} inhabitants "
                         f"({s.min_staff:g} staff at {s.staff_per_1000:g} per 1 000), more "
                         f"than {MAX_INHABITANTS} ({_INHABITANTS})", show=False)
    if s.max_population is not None and s.floor > s.max_population:
        what = ("min_population" if s.min_population >= s.floor else "min_staff")
        raise check.fail(k + what, f"asks for at least {s.floor} inhabitants, more than "
                         f"{k}max_population ({s.max_population})", show=False)
    if s.max_travel_minutes is not None and not s.travel:
        raise check.fail(k + "max_travel_minutes", "needs travel = true", s.max_travel_minutes)
    return s


def _entry(check: Checker, key: str, raw: Any) -> Service:
    if not _ID.fullmatch(key) or not isinstance(raw, Mapping):
        raise check.fail(key, "must be a table named by a lower-case id", show=False)
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    base = Service(key=key, name=key)
    for k, v in raw.items():
        if k in ("name", "seed"):
            values[k] = check.string(f"{key}.{k}", v)
        elif k in RULE_KEYS:
            values[k] = _rule(check, base, k, v, "")
            src = raw.get(f"{k}_source")
            if not isinstance(src, str) or not src.strip():
                raise check.fail(f"{key}.{k}_source", "must name the source of "
                                 f"{key}.{k} (or say 'assumption: ...')", src)
            sources[k] = src
        elif not (k.endswith("_source") and k[:-7] in RULE_KEYS):
            raise check.fail(f"{key}.{k}", "is not a known key (known: name, seed, "
                             + ", ".join(RULE_KEYS) + " and their *_source)", show=False)
    if "name" not in values:
        raise check.fail(f"{key}.name", "is missing", show=False)
    return _consistent(check, Service(key=key, sources=MappingProxyType(sources), **values), "")


@cache
def _catalogue_cached(path: str) -> tuple[Service, ...]:
    check = Checker(path)
    try:
        with open(path, "rb") as fh:
            raw = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise DataError(f"{path}: cannot read the service catalogue ({exc})") from None
    try:
        return tuple(_entry(check, k, raw[k]) for k in raw)
    except ScenarioError as exc:
        raise DataError(str(exc)) from None


def load_catalogue(path: str | None = None) -> tuple[Service, ...]:
    """Read the service catalogue, in the file's order.

    Parameters
    ----------
    path
        A catalogue file; default ``data/geo/services.toml``.

    Raises
    ------
    DataError
        Naming the file, service and key of a missing, unknown or bad value.
    """
    return _catalogue_cached(str(path or geo_file(CATALOGUE_FILE)))


def parse_services(raw: Mapping[str, Any], check: Checker) -> ServicesConfig:
    """Validate a scenario's ``[services]`` table.

    Raises
    ------
    ScenarioError
        One line naming the scenario file, the service and the key.
    """
    known = {s.key: s for s in load_catalogue()}
    d = ServicesConfig()
    switches: dict[str, Any] = {}
    overrides = []
    for key, value in raw.items():
        if key in ("enabled", "balanced", "every_member_hosts"):
            switches[key] = check.boolean(f"services.{key}", value)
        elif key in ("shortfall_weight", "minutes_weight"):
            switches[key] = _ranged(check, f"services.{key}", key, value)
        elif key == "staff_minutes":
            switches[key] = (None if value == _NONE
                             else _ranged(check, f"services.{key}", key, value, positive=True))
        elif key in known:
            if not isinstance(value, Mapping):
                raise check.fail(f"services.{key}", "must be a table of overrides", value)
            base = known[key]
            pairs = []
            for k, v in value.items():
                if k not in _OVERRIDE_KEYS:
                    raise check.fail(f"services.{key}.{k}", "is not a known key (known: "
                                     + ", ".join(_OVERRIDE_KEYS) + ")", show=False)
                _rule(check, base, k, v, "services.")
                pairs.append((k, list(v) if isinstance(v, list | tuple) else v))
            _consistent(check, _apply(base, pairs), "services.")
            overrides.append((key, tuple(sorted(pairs))))
        else:
            raise check.fail(f"services.{key}", "is neither a switch ("
                             + ", ".join(SWITCHES) + ") nor a service of "
                             + CATALOGUE_FILE + " (" + ", ".join(known) + ")", show=False)
    return replace(d, **switches, overrides=tuple(sorted(overrides)))


def _apply(base: Service, pairs: Any) -> Service:
    values: dict[str, Any] = {}
    for k, v in pairs:
        if k == "enabled":
            continue
        values[k] = (None if v == _NONE else tuple(v) if k == "hosts"
                     else float(v) if k in ("min_staff", "staff_per_1000", "max_travel_minutes")
                     else v)
    return replace(base, **values) if values else base


def services_for(config: ServicesConfig) -> tuple[Service, ...]:
    """The catalogue with the scenario's overrides applied, services switched off left out."""
    over = dict(config.overrides)
    out = []
    for s in load_catalogue():
        pairs = over.get(s.key, ())
        if dict(pairs).get("enabled", True):
            out.append(_apply(s, pairs))
    return tuple(out)


def services_to_toml(config: ServicesConfig) -> list[str]:
    """The ``[services]`` table and its override tables, as TOML lines."""
    lines = ["", "[services]"]
    for name in SWITCHES:
        value = getattr(config, name)
        lines.append(f"{name} = {show_value(_NONE if value is None else value)}")
    for key, pairs in config.overrides:
        lines += ["", f"[services.{key}]"] + [f"{k} = {show_value(v)}" for k, v in pairs]
    return lines


def services_to_dict(config: ServicesConfig) -> dict[str, Any]:
    """The ``[services]`` table as plain TOML-ready data."""
    out: dict[str, Any] = {name: _NONE if getattr(config, name) is None else getattr(config, name)
                           for name in SWITCHES}
    for key, pairs in config.overrides:
        out[key] = {k: list(v) if isinstance(v, tuple) else v for k, v in pairs}
    return out
