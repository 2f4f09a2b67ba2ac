"""What a scenario is: the frozen dataclasses of its tables and their defaults.

Every key is documented in ``docs/scenarios.md``; :mod:`regionopt.scenario` reads, validates and
writes them (and re-exports every name here, so ``from regionopt.scenario import Scenario``
keeps working).
"""

from __future__ import annotations

from dataclasses import dataclass

from regionopt._checker import Pair
from regionopt.catalogue import ServicesConfig
from regionopt.delineation import DelineationConfig

DEFAULT_SCENARIO = "troms-finnmark-12.toml"
SOLVERS = ("cbc", "highs", "heuristic")
#: ``solver.start``: the plans a solve may start from (see :mod:`regionopt.model.by_county`).
STARTS = ("heuristic", "counties")
CORE_MEASURES = ("population", "jobs", "centrality")
#: The longest ``solver.time_limit_s`` (a week; far larger ones overflow a solver's clock),
#: the most ``solver.threads`` and ``solver.max_nodes`` (HiGHS counts in 32 bits) accepted.
MAX_TIME_LIMIT_S, MAX_THREADS, MAX_NODES = 7 * 24 * 3600, 256, 2**31 - 1


@dataclass(frozen=True)
class AreaConfig:
    """The study area: the union of the listed counties and municipalities.

    Both empty means all of Norway. ``reference`` names the reference plan drawn beside a
    solve's plan (``"nivi"``, ``"ba-2020"``, ``"economic-regions"``, or ``"none"``); unset, the
    area picks it (NIVI for Troms og Finnmark, BA-regioner 2020 for all Norway).
    ``travel_times`` pins the minutes matrix (``"centre"`` or ``"grid"``,
    :mod:`regionopt.network.matrices`); unset, the network's defaults.
    """

    counties: tuple[str, ...] = ()
    municipalities: tuple[str, ...] = ()
    reference: str | None = None
    travel_times: str | None = None


@dataclass(frozen=True)
class RegionsConfig:
    """Exactly ``count`` regions (``"max"``: model/maxp.py; ``"auto"``: model/rules.py), or a range.
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
    min_self_containment: float = 0.0
    core_measure: str = "population"
    core_is_strongest: bool = False
    min_core_jobs: int = 0
    max_core_centrality_class: int | None = None
    exceptions: tuple[Pair, ...] = ()
    find_exceptions: bool = False  # these two: regionopt/model/rules.py
    attainable_self_containment: bool = False
    min_kept_share: float = 0.0
    min_criterion_regions: int = 0
    criterion_above_workers: int | None = None
    max_person_minutes: float | None = None
    min_median_self_containment: float = 0.0
    long_distance_minutes: float | None = None
    relative_self_containment: float = 0.0


@dataclass(frozen=True)
class ObjectiveConfig:
    """Weights of the objective terms (see ``docs/scenarios.md``).

    ``population_shortfall`` > 0 makes ``constraints.min_population`` elastic (weight per
    missing inhabitant); ``travel_excess`` > 0 makes ``constraints.max_travel_minutes``
    elastic (weight per minute over); ``criterion`` rewards each region meeting the criterion.
    """

    travel: float = 1.0
    balance: float = 0.0
    commuting: float = 0.0
    population_shortfall: float = 0.0
    travel_excess: float = 0.0
    criterion: float = 0.0


@dataclass(frozen=True)
class CriteriaConfig:
    """Thresholds of the criteria table (defaults and sources in ``docs/scenarios.md``)."""

    min_population: int = 5000
    municipal_minimum: int = 15000
    self_containment: float = 0.75
    self_containment_large: float = 0.667
    large_workers: int = 25000
    longest_trip_minutes: float = 75.0
    mean_trip_minutes: float = 45.0
    max_core_centrality_class: int = 5


@dataclass(frozen=True)
class SolverConfig:
    """MIP solver and its limits."""

    name: str = "cbc"
    time_limit_s: float | None = None
    mip_gap: float = 0.0
    threads: int = 1
    max_nodes: int | None = None
    start: str = "heuristic"


@dataclass(frozen=True)
class Scenario:
    """A complete, validated scenario."""

    name: str = "scenario"
    area: AreaConfig = AreaConfig()
    regions: RegionsConfig = RegionsConfig()
    constraints: ConstraintsConfig = ConstraintsConfig()
    objective: ObjectiveConfig = ObjectiveConfig()
    solver: SolverConfig = SolverConfig()
    criteria: CriteriaConfig = CriteriaConfig()
    services: ServicesConfig = ServicesConfig()  # noqa: RUF009 (frozen, like the others)
    delineation: DelineationConfig = DelineationConfig()  # noqa: RUF009 (frozen)
