"""Locks and knobs from a request, validated, written into the scenario the engine solves.

A lock is what a council has settled, written with the rules the engine already has:

* ``municipality``: the municipality stays in the region of its core
  (:func:`regionopt.sweep.options.bounds.fix_direction`: the core a fixed core, the pair a
  must-link; the very rule ``regionopt options`` prices a direction with);
* ``region``: the whole region of the plan on screen stays as it is (its core fixed, each
  member must-linked to it);
* ``core``: the municipality is a core (``fixed_cores``);
* ``forbid``: two municipalities never share a region (``cannot_link``).

Knobs are the scenario keys a planner tunes (:data:`KNOBS`), each with its help and range.
Every value is checked here: an unknown municipality, a knob out of range or a lock that
breaks a hard rule raises :class:`~regionopt.server.errors.RequestError` naming the field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from regionopt.errors import ScenarioError
from regionopt.model.candidates import candidate_sets
from regionopt.model.diagnose import diagnose
from regionopt.model.rules import rules_for_solve
from regionopt.plan import Plan
from regionopt.problem import ProblemData
from regionopt.scenario import Scenario, replace_key
from regionopt.server.errors import RequestError
from regionopt.sweep.options.bounds import fix_direction
from regionopt.sweep.options.price import rule_broken

KINDS = ("municipality", "region", "core", "forbid")
#: The most locks one request may carry.
MAX_LOCKS = 500


@dataclass(frozen=True)
class Knob:
    """A scenario key the page's panel sets: its help and its valid range."""

    key: str
    help: str
    kind: str  # "int", "float" or "count"
    low: float
    high: float
    optional: bool = False


KNOBS = (
    Knob("regions.count", "number of regions (empty: as the scenario says)", "count", 1, 1000,
         optional=True),
    Knob("constraints.min_population", "least inhabitants per region", "int", 0, 6_000_000),
    Knob("objective.population_shortfall",
         "0: the floor is hard; above 0: elastic, the weight per missing inhabitant",
         "float", 0, 1e6),
    Knob("constraints.min_self_containment",
         "least share of a region's workers and jobs kept inside it (0-1)", "float", 0, 1),
    Knob("constraints.max_travel_minutes", "longest trip to the core, minutes (empty: none)",
         "float", 1, 1440, optional=True),
    Knob("objective.commuting", "person-minutes one border commuter is worth", "float", 0, 1e6),
    Knob("objective.balance", "weight of the regions' population balance", "float", 0, 1e6),
)


def knob_schema(scenario: Scenario) -> list[dict[str, Any]]:
    """The knobs with their current values, for the page's panel."""
    out = []
    for k in KNOBS:
        table, name = k.key.split(".")
        value = getattr(getattr(scenario, table), name)
        out.append({"key": k.key, "help": k.help, "kind": k.kind, "low": k.low, "high": k.high,
                    "optional": k.optional, "value": value})
    return out


def apply_knobs(scenario: Scenario, raw: Any) -> Scenario:
    """``scenario`` with the knobs ``raw`` (``{key: value}``) set.

    Raises
    ------
    RequestError
        422 naming ``knobs.<key>`` when the key is not a knob or its value is out of range.
    """
    if raw is None:
        return scenario
    if not isinstance(raw, Mapping):
        raise RequestError("knobs: expected an object of scenario keys", status=422)
    known = {k.key: k for k in KNOBS}
    out = scenario
    for key, value in raw.items():
        knob = known.get(key)
        if knob is None:
            raise RequestError(f"knobs.{_shown(key)}: not a knob (known: {', '.join(known)})",
                               status=422)
        out = _set(out, knob, value)
    return out


def _set(scenario: Scenario, knob: Knob, value: Any) -> Scenario:
    field = f"knobs.{knob.key}"
    if value is None or value == "":
        if not knob.optional:
            raise RequestError(f"{field}: a value is required", status=422)
        return scenario if knob.kind == "count" else _replace(scenario, knob.key, None, field)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise RequestError(f"{field}: expected a number, got {_shown(value)!r}", status=422)
    if not knob.low <= value <= knob.high:
        raise RequestError(f"{field}: {value} is out of range {knob.low:g}-{knob.high:g}",
                           status=422)
    if knob.kind in ("int", "count"):
        if value != int(value):
            raise RequestError(f"{field}: expected a whole number, got {value}", status=422)
        value = int(value)
    if knob.kind == "count":
        scenario = _replace(scenario, "regions.min_count", None, field)
        scenario = _replace(scenario, "regions.max_count", None, field)
    return _replace(scenario, knob.key, value, field)


def _replace(scenario: Scenario, key: str, value: Any, field: str) -> Scenario:
    try:
        return replace_key(scenario, key, value, source=field)
    except ScenarioError as exc:
        raise RequestError(str(exc), status=422) from None


@dataclass(frozen=True)
class Lock:
    """A settled choice: ``code`` (and ``other``: its core, or the forbidden partner)."""

    kind: str
    code: str
    other: str = ""
    members: tuple[str, ...] = ()

    def describe(self, problem: ProblemData) -> str:
        """The lock in words, with names."""
        name = problem.names[problem.index(self.code)]
        if self.kind == "municipality":
            return f"{name} with {problem.names[problem.index(self.other)]}"
        if self.kind == "region":
            return f"the region of {name} ({len(self.members)} municipalities)"
        if self.kind == "core":
            return f"{name} a core"
        return f"{name} apart from {problem.names[problem.index(self.other)]}"

    def as_dict(self) -> dict[str, Any]:
        """The lock as the API writes it."""
        return {"kind": self.kind, "code": self.code, "other": self.other,
                "members": list(self.members)}


def _shown(value: Any) -> str:
    """A client's value as an answer may quote it: short, letters and digits only."""
    return re.sub(r"[^\w .,-]", "?", str(value)[:24])


def _code(problem: ProblemData, value: Any, field: str) -> str:
    if not isinstance(value, str) or value not in problem.codes:
        raise RequestError(f"{field}: unknown municipality {_shown(value)!r} (expected a "
                           "kommunenummer of the area)", status=422)
    return value


def parse_locks(problem: ProblemData, plan: Plan, raw: Any) -> tuple[Lock, ...]:
    """The locks of a request over the plan on screen.

    Raises
    ------
    RequestError
        422 naming ``locks[k].<field>``.
    """
    if raw is None:
        return ()
    if not isinstance(raw, Sequence) or isinstance(raw, str) or len(raw) > MAX_LOCKS:
        raise RequestError(f"locks: expected a list of at most {MAX_LOCKS} locks", status=422)
    out = []
    for k, item in enumerate(raw):
        where = f"locks[{k}]"
        if not isinstance(item, Mapping):
            raise RequestError(f"{where}: expected an object", status=422)
        kind = item.get("kind")
        if kind not in KINDS:
            raise RequestError(f"{where}.kind: expected one of {', '.join(KINDS)}", status=422)
        code = _code(problem, item.get("code"), f"{where}.code")
        if kind == "municipality":
            other = item.get("other") or plan.core_of(code)
            out.append(Lock(kind, code, _code(problem, other, f"{where}.other")))
        elif kind == "region":
            core = plan.core_of(code)
            out.append(Lock(kind, core, members=plan.members(plan.assignment[code])))
        elif kind == "core":
            out.append(Lock(kind, code))
        else:
            other = _code(problem, item.get("other"), f"{where}.other")
            if other == code:
                raise RequestError(f"{where}.other: a municipality cannot be kept apart from "
                                   "itself", status=422)
            out.append(Lock(kind, code, other))
    return tuple(dict.fromkeys(out))


def locked_scenario(scenario: Scenario, locks: Sequence[Lock]) -> Scenario:
    """``scenario`` with ``locks`` written as ``fixed_cores``, ``must_link``, ``cannot_link``.

    Raises
    ------
    RequestError
        422 when the locks contradict each other or the scenario (a pair both linked and
        kept apart).
    """
    out = scenario
    try:
        for lock in locks:
            c = out.constraints
            if lock.kind == "municipality" and _linked(c.must_link, lock.code, lock.other):
                # the pair is a rule already: only the core is added
                out = replace_key(out, "constraints.fixed_cores",
                                  sorted({*c.fixed_cores, lock.other}))
            elif lock.kind == "municipality":
                out = fix_direction(out, lock.code, lock.other)
            elif lock.kind == "core":
                out = replace_key(out, "constraints.fixed_cores",
                                  sorted({*c.fixed_cores, lock.code}))
            elif lock.kind == "region":
                out = replace_key(out, "constraints.fixed_cores",
                                  sorted({*c.fixed_cores, lock.code}))
                pairs = [list(p) for p in c.must_link]
                pairs += [[m, lock.code] for m in lock.members if m != lock.code
                          and not _linked(c.must_link, m, lock.code)]
                out = replace_key(out, "constraints.must_link", pairs)
            else:
                pair = tuple(sorted((lock.code, lock.other)))
                if pair not in {tuple(sorted(p)) for p in c.cannot_link}:
                    out = replace_key(out, "constraints.cannot_link",
                                      [list(p) for p in c.cannot_link] + [list(pair)])
    except ScenarioError as exc:
        raise RequestError(f"locks: {exc}", status=422) from None
    return out


def _linked(pairs: Sequence[tuple[str, ...]], a: str, b: str) -> bool:
    return a == b or any({a, b} == set(p) for p in pairs)


def check_locks(problem: ProblemData, scenario: Scenario, locks: Sequence[Lock]) -> None:
    """Refuse locks that break a hard rule before anything is solved.

    A municipality lock whose pair the rules' pruning excludes is named with the rule
    (:func:`regionopt.sweep.options.price.rule_broken`); then the engine's cheap proofs of
    infeasibility (:func:`regionopt.model.diagnose`) run on the locked scenario.

    Raises
    ------
    RequestError
        422 naming the lock and the rule.
    """
    locked = rules_for_solve(problem, locked_scenario(scenario, locks))
    cands = candidate_sets(problem, locked)
    for k, lock in enumerate(locks):
        if lock.kind != "municipality":
            continue
        i, j = problem.index(lock.code), problem.index(lock.other)
        if j not in cands or i not in cands[j]:
            why = rule_broken(problem, rules_for_solve(problem, scenario), lock.code,
                              lock.other)
            raise RequestError(f"locks[{k}]: {lock.describe(problem)} breaks a hard rule: "
                               f"{why}", status=422)
    reasons = diagnose(problem, locked, cands=cands)
    if reasons:
        raise RequestError(f"locks: no plan meets every rule with these locks: {reasons[0]}",
                           status=422)


__all__ = ["KINDS", "KNOBS", "Knob", "Lock", "apply_knobs", "check_locks", "knob_schema",
           "locked_scenario", "parse_locks"]
