"""Network settings: how the travel network is built (road source, speeds, access legs).

:class:`NetworkSettings` is validated when created; an unknown road class, a
non-positive speed or an OSM source without its file is one
:class:`~regionopt.errors.DataError` line.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from regionopt.errors import DataError
from regionopt.network import osm, roads

FERRY_COLUMNS = ("id", "name", "from_name", "from_lon", "from_lat", "to_name", "to_lon",
                 "to_lat", "crossing_minutes", "wait_minutes", "operator", "approximate",
                 "source", "source_date")
#: A ferry terminal farther than this from every road node becomes a node of its own.
FERRY_SNAP_KM = 1.0
#: Where trips start: the administrative centre or the population grid.
ORIGINS = ("centre", "grid")
#: Speeds of the main Travel Mapping systems fitted to TØI's drive times with
#: ``origins="grid"``, ``destinations="grid"`` (:mod:`regionopt.network.fit`,
#: ``benchmarks/fit_speeds.py``, ``docs/travel_validation.md``): the defaults of the
#: population-weighted network, under any override in ``speeds``.
GRID_SPEEDS_KPH: Mapping[str, float] = {"normot": 88.0, "eure": 78.4, "norrv": 80.2,
                                        "norfv": 73.2, "norntv": 65.9}
#: The access legs' speed fitted with :data:`GRID_SPEEDS_KPH`: the default with ``origins="grid"``.
GRID_ACCESS_SPEED_KPH = 29.0
#: The access legs' speed of the centre-to-centre network (``origins="centre"``).
CENTRE_ACCESS_SPEED_KPH = 40.0
#: Boundaries of every municipality, used to tell whether a fastest route enters a third one.
NORWAY_POLYGONS = "kartverket/Kommuner-S.geojson"


@dataclass(frozen=True)
class NetworkSettings:
    """How the travel network is built.

    Attributes
    ----------
    speeds
        Speed overrides in km/h. For Travel Mapping, by system (``"norfv"``)
        or ``"<system>:<ref>"``, over :data:`regionopt.network.roads.DEFAULT_SPEEDS_KPH`;
        for the OSM sources, fallback speeds by ``highway`` value
        (:data:`regionopt.network.osm.OSM_HIGHWAYS`) for ways without ``maxspeed``.
        Given as a mapping or pairs; stored as sorted pairs.
    margin_km
        Roads are kept within this distance of the area's convex hull (for
        ``source="osm"`` this is the area downloaded).
    detour_factor
        Access legs (centre to nearest road node) are the great-circle
        distance times this factor. 1.3 is the usual ratio of road to
        straight-line distance over short distances in rural road networks
        (circuity studies report 1.2-1.4; Ballou et al. 2002, Giacomin &
        Levinson 2015); it also covers local streets missing from the
        Travel Mapping data.
    access_speed_kph
        Speed on access legs; None (the default) means :data:`GRID_ACCESS_SPEED_KPH` (29 km/h,
        fitted) with ``origins="grid"`` and :data:`CENTRE_ACCESS_SPEED_KPH` (40 km/h, between
        the 30-50 km/h limits of built-up areas and the 60-80 km/h of the local roads
        outside them) with ``origins="centre"``.
    ferries
        Ferry table (CSV); None means the bundled ``data/geo/ferries.csv``.
    use_ferries
        Add ferry edges at all. osmnx's drive networks leave out OSM ferry
        routes, so the ferry table is added to every source without counting
        a crossing twice.
    source
        Where the roads come from: ``"travelmapping"`` (the Travel Mapping
        files in the data folder, offline), ``"osm"`` (OpenStreetMap downloaded
        with osmnx, needs internet) or ``"osm-xml"`` (an OpenStreetMap XML file).
    osm_xml
        The OSM XML file; required exactly when ``source="osm-xml"``.
    origins
        Where a trip starts: ``"grid"`` (the default: the population-weighted mean over the
        municipality's cells of Statistics Norway's population grid,
        :mod:`regionopt.network.origins`, with the fitted speeds :data:`GRID_SPEEDS_KPH`
        under the Travel Mapping source) or ``"centre"`` (the administrative centre, with
        :data:`regionopt.network.roads.DEFAULT_SPEEDS_KPH`: the matrix before issue 29).
    destinations
        Where a trip ends: ``"grid"`` (weighted over the destination's most populous places
        too, :data:`regionopt.network.origins.DESTINATION_NODES`) or ``"centre"`` (the
        destination's administrative centre). None (the default) means ``"grid"`` with
        ``origins="grid"`` and ``"centre"`` with ``origins="centre"``; ``"grid"`` needs
        ``origins="grid"``.
    """

    speeds: tuple[tuple[str, float], ...] | Mapping[str, float] = ()
    margin_km: float = 50.0
    detour_factor: float = 1.3
    access_speed_kph: float | None = None
    ferries: str | None = None
    use_ferries: bool = True
    source: str = "travelmapping"
    osm_xml: str | None = None
    origins: str = "grid"
    destinations: str | None = None

    def __post_init__(self) -> None:
        self._check_source()
        if self.origins not in ORIGINS:
            raise DataError(f"network settings: origins must be one of {', '.join(ORIGINS)}, "
                            f"got {self.origins!r}")
        if self.destinations is None:
            object.__setattr__(self, "destinations", self.origins)
        if self.access_speed_kph is None:
            object.__setattr__(self, "access_speed_kph", GRID_ACCESS_SPEED_KPH
                               if self.origins == "grid" else CENTRE_ACCESS_SPEED_KPH)
        if self.destinations not in ORIGINS or (self.destinations == "grid"
                                                and self.origins != "grid"):
            raise DataError("network settings: destinations must be 'centre', or 'grid' with "
                            f"origins='grid'; got {self.destinations!r}")
        pairs = dict(self.speeds.items() if isinstance(self.speeds, Mapping) else self.speeds)
        for key, value in pairs.items():
            self._check_road_class(str(key))
            if not (isinstance(value, int | float) and value > 0):
                raise DataError(f"network settings: speed {key!r} must be positive, got {value!r}")
        object.__setattr__(self, "speeds", tuple(sorted((str(k), float(v))
                                                        for k, v in pairs.items())))
        for name in ("margin_km", "detour_factor", "access_speed_kph"):
            value = getattr(self, name)
            if not (isinstance(value, int | float) and value > 0):
                raise DataError(f"network settings: {name} must be positive, got {value!r}")
        if self.detour_factor < 1:
            raise DataError(f"network settings: detour_factor must be >= 1, "
                            f"got {self.detour_factor}")
        if self.ferries is not None:
            object.__setattr__(self, "ferries", str(self.ferries))

    def _check_source(self) -> None:
        if self.source not in roads.SOURCES:
            raise DataError(f"network settings: unknown source {self.source!r} "
                            f"(expected one of {', '.join(roads.SOURCES)})")
        if (self.source == "osm-xml") != (self.osm_xml is not None):
            raise DataError("network settings: osm_xml (an OSM XML file) is required with "
                            "source='osm-xml' and only then")
        if self.osm_xml is not None:
            object.__setattr__(self, "osm_xml", str(self.osm_xml))

    def _check_road_class(self, key: str) -> None:
        if self.source == "travelmapping":
            if key.split(":", 1)[0] not in roads.DEFAULT_SPEEDS_KPH:
                raise DataError(f"network settings: unknown road class {key!r} in speeds "
                                f"(expected one of {', '.join(roads.DEFAULT_SPEEDS_KPH)}, "
                                f"optionally with ':<ref>')")
        elif key not in osm.OSM_HIGHWAYS:
            raise DataError(f"network settings: unknown OSM highway {key!r} in speeds "
                            f"(expected one of {', '.join(osm.OSM_HIGHWAYS)})")

    @property
    def access_kph(self) -> float:
        """The access legs' speed in km/h (``access_speed_kph`` resolved)."""
        return float(self.access_speed_kph or GRID_ACCESS_SPEED_KPH)

    def with_speeds(self, speeds: Mapping[str, float]) -> NetworkSettings:
        """Return a copy with ``speeds`` added to (overriding) the current overrides."""
        return replace(self, speeds={**dict(self.speeds), **dict(speeds)})

    @property
    def speed_map(self) -> dict[str, float]:
        """Default speeds merged with the overrides (for OSM sources: the overrides only).

        The defaults are :data:`regionopt.network.roads.DEFAULT_SPEEDS_KPH`, with
        :data:`GRID_SPEEDS_KPH` over them when ``origins="grid"``.
        """
        if self.source != "travelmapping":
            return dict(self.speeds)
        fitted = GRID_SPEEDS_KPH if self.origins == "grid" else {}
        return {**roads.DEFAULT_SPEEDS_KPH, **fitted, **dict(self.speeds)}
