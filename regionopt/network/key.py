"""The cache key of a network: a hash of every input that shapes it.

The key covers the road source and its files' checksums (Travel Mapping files,
or an OSM XML file's content), the municipalities (codes, centres, polygons),
the network settings (speeds included), the ferry table's content and the
source files of the code that builds a network (read by path, not imported).
Change any of them, a speed for instance, and the key changes, so the network
is rebuilt.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict
from importlib.metadata import version
from pathlib import Path

import geopandas as gpd
import shapely

from regionopt import _resources
from regionopt.data import sources
from regionopt.data.grid import GRID_1KM
from regionopt.network.cache import cache_key, hash_files, sha256_file
from regionopt.network.origins import LAND
from regionopt.network.settings import NORWAY_POLYGONS, NetworkSettings

#: Source files read only with ``origins="grid"``: the 1 km grid and the outline of Norway.
GRID_SOURCES = (GRID_1KM, LAND)

_PACKAGE = Path(__file__).resolve().parent.parent
#: The modules whose code shapes a built network, relative to the package folder.
CODE_FILES = ("network/roads.py", "network/junctions.py", "network/junction_labels.py",
              "network/osm.py", "network/travel.py", "network/ferries.py",
              "network/settings.py", "network/build.py", "data/municipalities.py",
              "data/centres.py")
#: The modules that shape a network only with ``origins="grid"`` (kept apart so that the
#: key of a centre-to-centre network does not change with them).
GRID_CODE_FILES = ("network/origins.py", "data/grid.py")


def network_key(munis: gpd.GeoDataFrame, settings: NetworkSettings) -> str:
    """Return the cache key of the network of ``munis`` under ``settings``.

    The key covers the municipalities (codes, centres, populations, polygons),
    every setting, the ferry table, the source of the building code and the
    road source: the Travel Mapping files' checksums, the OSM XML file's
    content (SHA-256, not its path), or for ``source="osm"`` only the area,
    the settings and the osmnx version -- when OpenStreetMap was downloaded is
    not knowable, so rebuild with ``use_cache=False`` to fetch it again.

    Raises
    ------
    DataError
        If the OSM XML or ferry file cannot be read.
    """
    grid = settings.origins == "grid"

    def used(name: str) -> bool:  # source files the build reads
        return (name == NORWAY_POLYGONS or (settings.source == "travelmapping"
                                            and name.startswith("travelmapping/"))
                or (grid and name in GRID_SOURCES))

    files = hashlib.sha256("".join(f"{k} {v}\n" for k, v in sorted(sources.registry().items())
                                   if used(k)).encode()).hexdigest()
    ferries = (hash_files([settings.ferries or _resources.geo_file("ferries.csv")])
               if settings.use_ferries else "")
    fields = {**asdict(settings), "osm_xml": None}
    if not grid:  # the centre-to-centre key stays what it was before origins existed
        del fields["origins"], fields["destinations"]
    return cache_key({"settings": fields,
                      "speeds": settings.speed_map, "source": _source_inputs(settings),
                      "municipalities": _munis_hash(munis), "source_files": files,
                      "ferries": ferries, "code": _code_hash(grid)})


def _source_inputs(settings: NetworkSettings) -> dict[str, str]:
    inputs = {"name": settings.source}
    if settings.source != "travelmapping":
        inputs["osmnx"] = version("osmnx")
    if settings.osm_xml is not None:
        inputs["osm_xml_sha256"] = sha256_file(settings.osm_xml)
    return inputs


def _code_hash(grid: bool = False) -> str:
    """Return a SHA-256 over the source files of the modules that build a network."""
    names = CODE_FILES + (GRID_CODE_FILES if grid else ())
    return hash_files(_PACKAGE / name for name in names)


def _munis_hash(munis: gpd.GeoDataFrame) -> str:
    digest = hashlib.sha256()
    table = munis[["kommunenummer", "centre_lon", "centre_lat", "population"]]
    digest.update(table.to_csv(index=False).encode())
    for geom in munis.geometry:
        digest.update(shapely.to_wkb(geom))
    return digest.hexdigest()
