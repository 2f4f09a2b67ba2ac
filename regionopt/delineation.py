"""A scenario's ``[delineation]`` table: the rules official delineation methods state on shares.

Statistical offices draw functional regions by thresholds on commuting *shares* (TØI's
BA-regioner, SCB's local labour markets, Statistics Finland's commuting areas, the EU-OECD
functional urban areas, the Coombes–Bond travel-to-work areas; ``docs/methods.md``). This
table holds those rules; the families of :mod:`regionopt.model.families` that read it are
``share_join``, ``share_admit``, ``share_travel``, ``centre_rule``, ``restkommune`` and
``coombes_bond``. Every default switches its rule off, and a scenario without the table is
the scenario it always was (the table is written back only when a key differs from its
default). :func:`parse_delineation` validates the table (one line naming the file and key),
:func:`delineation_to_dict` and :func:`delineation_to_toml` write it back.

Shares of a pair (``i`` a member, ``j`` a core), with ``F[a, b]`` the employed persons living
in ``a`` and working in ``b``, ``E`` the employed residents and ``J`` the jobs
(``docs/methods.md``):

* ``out``: ``F[i, j] / E[i]``, the share of ``i``'s employed residents working in ``j``;
* ``in``: ``F[i, j] / J[j]``, the share of ``j``'s jobs held by ``i``'s residents;
* ``sum``: the two added (TØI's "sum pendling").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

from regionopt._checker import CODE, Checker, show_value

MEASURES = ("out", "in", "sum")
TARGETS = ("core", "region")
#: Most steps of the Coombes–Bond curve (each step is a binary per region in the model).
MAX_STEPS = 64
_DAY = 24 * 60


@dataclass(frozen=True)
class DelineationConfig:
    """The ``[delineation]`` table; every default switches its rule off.

    Attributes
    ----------
    join_share, join_measure
        A municipality that is not a core and sends more than ``join_share`` (by
        ``join_measure``) to an open core is in the region of the open core to which its
        share is largest (ties to the lower kommunenummer); 0 is off. ``join_weight`` above 0
        makes it elastic: each breach costs that many objective units (no audit then).
    admit_share, admit_measure, admit_to
        A member may join a core only when its share to the core (``admit_to = "core"``) or
        its out-commuting share to the rest of the region (``"region"``) is above
        ``admit_share``; 0 is off. With travel steps, either admits.
    admit_weight
        0: the admission is a hard rule. Above 0 it is elastic: a member no pair rule admits
        costs this many objective units (person-minutes) instead, and may join a core within
        the farthest travel step's minutes (any core without steps), so a plan breaks the rule
        only where nothing else can hold (TØI's repair of a non-contiguous region by hand);
        the audit names only members beyond those minutes. Pair rules only (not ``"region"``).
    travel_steps, travel_measure
        ``(minutes, share)`` steps: a member may join a core within ``minutes`` only when its
        share (by ``travel_measure``) to the core is above ``share``; empty is off.
    travel_join
        With ``travel_steps``: a municipality that is not a core and that no open core takes by
        the join is in the region of the open core a travel step admits it to to which its
        ``travel_measure`` share is largest (ties to the lower kommunenummer): TØI's order of
        rules, its step 3 choosing between centres as its step 2 does. ``False`` is off.
    share_max_minutes
        The join and the share admission to the core hold only for a core within this many
        minutes (TØI: no municipality joins a centre by its share beyond 75 minutes by car);
        a core farther away neither takes the member by the join nor admits it by the share
        (the travel steps still may). ``None`` is no limit.
    centres, centre_max_out, centre_max_flow, centre_min_jobs_ratio
        Centres by name (``centres``, kommunenummer: a method whose centre rule reads data
        regionopt lacks, such as TØI's) and by rule: a municipality is a centre when it is
        named (if any are) and sends at most ``centre_max_out`` of its employed residents
        out, at most ``centre_max_flow`` to any one municipality, and has at least
        ``centre_min_jobs_ratio`` jobs per employed resident and at least
        ``centre_min_population`` inhabitants (each ``None`` is no condition;
        no name and all ``None`` is off). Only centres may be cores.
    centres_open
        Every centre is a core.
    twin_centres
        ``[head, twin]`` pairs, each a region with two centres (TØI's "Senterkommune
        (sammen med ...)"): the twin is in the head's region whenever the head is a core, and
        a share to the head counts both: ``out`` ``(F[i, h] + F[i, t]) / E[i]``, ``in``
        ``(F[i, h] + F[i, t]) / (J[h] + J[t])``; the twin's own shares stay its own.
    restkommune
        A core with no other member stands alone only when no open core admits it; a
        non-centre may be a core of itself alone (with the centre rule).
    cb_min_size, cb_target_size, cb_min_sc, cb_target_sc, cb_steps
        The Coombes–Bond validity curve per region in ``cb_steps`` steps
        (:mod:`regionopt.model.families.coombes_bond`); ``cb_min_size`` 0 is off.
    kept_min_flow
        The model counts a pair's commuters as kept in a region only when the two exchange at
        least this many (both ways); smaller flows count as crossing a border. The commuters
        a region keeps are then understated in the model by at most those small flows, so a
        region the self-containment rows accept keeps at least what they ask (conservative);
        a smaller model for all of Norway. 0 (the default): every flow.
    """

    join_share: float = 0.0
    join_measure: str = "out"
    join_weight: float = 0.0
    admit_share: float = 0.0
    admit_measure: str = "out"
    admit_to: str = "core"
    admit_weight: float = 0.0
    travel_steps: tuple[tuple[float, float], ...] = ()
    travel_measure: str = "sum"
    travel_join: bool = False
    share_max_minutes: float | None = None
    centres: tuple[str, ...] = ()
    centre_max_out: float | None = None
    centre_max_flow: float | None = None
    centre_min_jobs_ratio: float | None = None
    centre_min_population: int | None = None
    centres_open: bool = False
    twin_centres: tuple[tuple[str, str], ...] = ()
    restkommune: bool = False
    cb_min_size: float = 0.0
    cb_target_size: float = 25_000.0
    cb_min_sc: float = 0.667
    cb_target_sc: float = 0.75
    cb_steps: int = 8
    kept_min_flow: int = 0

    @property
    def centre_rule(self) -> bool:
        """Whether centres are designated by rule."""
        return bool(self.centres) or any(v is not None for v in (
            self.centre_max_out, self.centre_max_flow, self.centre_min_jobs_ratio,
            self.centre_min_population))

    @property
    def admission(self) -> bool:
        """Whether a pair rule (share or travel step) limits which members may join a core."""
        return (self.admit_share > 0 and self.admit_to == "core") or bool(self.travel_steps)


_NONE = "none"


def _optional_share(check: Checker, key: str, v: Any) -> float | None:
    return None if v is None or v == _NONE else check.share(key, v)


def _steps(check: Checker, key: str, v: Any) -> tuple[tuple[float, float], ...]:
    if not isinstance(v, list | tuple):
        raise check.fail(key, "must be a list of [minutes, share] steps", v)
    out = []
    for step in v:
        if not isinstance(step, list | tuple) or len(step) != 2:
            raise check.fail(key, "must hold [minutes, share] pairs", step)
        minutes = check.number(key, step[0], most=_DAY, why=" minutes (a day)")
        out.append((minutes, check.share(key, step[1])))
    if len({m for m, _ in out}) < len(out):
        raise check.fail(key, "names a number of minutes more than once", v)
    return tuple(sorted(out))


def _twins(check: Checker, key: str, v: Any) -> tuple[tuple[str, str], ...]:
    pairs = check.pairs(key, v)
    seen = [code for pair in pairs for code in pair]
    twice = sorted({code for code in seen if seen.count(code) > 1})
    if twice:
        raise check.fail(key, f"names {twice[0]} in more than one pair (or twice in one)",
                         show=False)
    return tuple((a, b) for a, b in pairs)


def parse_delineation(raw: Mapping[str, Any], check: Checker) -> DelineationConfig:
    """Validate a scenario's ``[delineation]`` table (its keys are checked by the caller).

    Raises
    ------
    ScenarioError
        One line naming the scenario file and the key.
    """
    k, d = "delineation.", DelineationConfig()
    values: dict[str, Any] = {}
    for name in ("join_share", "admit_share"):
        values[name] = check.share(k + name, raw.get(name, 0.0))
    for name in ("join_measure", "admit_measure", "travel_measure"):
        values[name] = check.choice(k + name, raw.get(name, getattr(d, name)), MEASURES)
    values["admit_to"] = check.choice(k + "admit_to", raw.get("admit_to", d.admit_to), TARGETS)
    if values["admit_to"] == "region" and values["admit_measure"] != "out":
        raise check.fail(k + "admit_measure", "must be \"out\" with admit_to = \"region\" "
                         "(a region's share is of the member's employed residents)",
                         values["admit_measure"])
    values["join_weight"] = check.number(k + "join_weight", raw.get("join_weight", 0.0),
                                         most=1e9, why=" person-minutes per breach")
    values["admit_weight"] = check.number(k + "admit_weight", raw.get("admit_weight", 0.0),
                                          most=1e9, why=" person-minutes per member")
    values["travel_steps"] = _steps(check, k + "travel_steps", raw.get("travel_steps", []))
    cap = raw.get("share_max_minutes")
    values["share_max_minutes"] = None if cap is None or cap == _NONE else check.number(
        k + "share_max_minutes", cap, most=_DAY, why=" minutes (a day)")
    values["centres"] = check.codes(k + "centres", raw.get("centres", []), CODE,
                                    "4-digit kommunenummer")
    values["twin_centres"] = _twins(check, k + "twin_centres", raw.get("twin_centres", []))
    for name in ("centre_max_out", "centre_max_flow"):
        values[name] = _optional_share(check, k + name, raw.get(name))
    ratio = raw.get("centre_min_jobs_ratio")
    values["centre_min_jobs_ratio"] = None if ratio is None or ratio == _NONE else check.number(
        k + "centre_min_jobs_ratio", ratio, most=100.0, why=" jobs per employed resident")
    pop = raw.get("centre_min_population")
    values["centre_min_population"] = None if pop is None or pop == _NONE else check.integer(
        k + "centre_min_population", pop, low=1, high=10_000_000)
    for name in ("centres_open", "restkommune", "travel_join"):
        values[name] = check.boolean(k + name, raw.get(name, False))
    if values["travel_join"] and not values["travel_steps"]:
        raise check.fail(k + "travel_join", "needs travel_steps (the pairs it ranks)", True)
    for name in ("cb_min_size", "cb_target_size"):
        values[name] = check.number(k + name, raw.get(name, getattr(d, name)), most=1e8,
                                    why=" employed residents")
    for name in ("cb_min_sc", "cb_target_sc"):
        values[name] = check.share(k + name, raw.get(name, getattr(d, name)))
    values["kept_min_flow"] = check.integer(k + "kept_min_flow", raw.get("kept_min_flow", 0),
                                            low=0, high=1_000_000)
    values["cb_steps"] = check.integer(k + "cb_steps", raw.get("cb_steps", d.cb_steps), low=1,
                                       high=MAX_STEPS)
    if values["cb_min_size"] > 0:
        if values["cb_target_size"] < values["cb_min_size"]:
            raise check.fail(k + "cb_target_size", "must be at least cb_min_size",
                             values["cb_target_size"])
        if not 0 < values["cb_min_sc"] <= values["cb_target_sc"]:
            raise check.fail(k + "cb_min_sc", "must be above 0 and at most cb_target_sc",
                             values["cb_min_sc"])
    return replace(d, **values)


def _plain(value: Any) -> Any:
    return [_plain(v) for v in value] if isinstance(value, tuple) else value


def delineation_to_dict(config: DelineationConfig) -> dict[str, Any]:
    """The keys that differ from their defaults, as plain TOML-ready data (empty: all default)."""
    d = DelineationConfig()
    return {f.name: _NONE if getattr(config, f.name) is None else _plain(getattr(config, f.name))
            for f in fields(config) if getattr(config, f.name) != getattr(d, f.name)}


def delineation_to_toml(config: DelineationConfig) -> list[str]:
    """The ``[delineation]`` table as TOML lines, every key; none when all keys are default."""
    if config == DelineationConfig():
        return []
    lines = ["", "[delineation]"]
    for f in fields(config):
        value = getattr(config, f.name)
        lines.append(f"{f.name} = {show_value(_NONE if value is None else _plain(value))}")
    return lines


def differs(config: DelineationConfig) -> bool:
    """Whether any key differs from its default (only then is the table written back)."""
    return config != DelineationConfig()


def to_toml(scenario: Any) -> list[str]:
    """The scenario's ``[delineation]`` table as TOML lines (none when all keys are default)."""
    return delineation_to_toml(scenario.delineation)
