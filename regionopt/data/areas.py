"""Area names as people write them: folding, matching and close names.

A county or municipality name is matched after *folding*: lower case, accents
dropped, ``æ ø å`` spelled out (``ae o a``, ``a oe aa``, or all three as ``a``),
hyphens, underscores and spaces made one space (``Møre og Romsdal``,
``more-og-romsdal``, ``mare og romsdal`` and ``MOERE OG ROMSDAL`` fold alike).
The names come from the data (Kartverket's county names, Statistics Norway's
municipality names); the only names written by hand are the aliases of
``data/geo/area_aliases.csv`` (each with its source), such as the former county
*Troms og Finnmark*.

:func:`resolve_area` turns names and codes into municipality codes,
:func:`area_choice` also says which counties and municipalities were named, and
:func:`scenario_for_area` puts a scenario on the area the user named (the
commands' ``--area``). :mod:`regionopt.data.municipalities` re-exports them.
"""

from __future__ import annotations

import csv
import dataclasses
import difflib
import functools
import json
import os
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from regionopt._checker import full_code
from regionopt._resources import geo_file
from regionopt.data import sources
from regionopt.errors import DataError
from regionopt.scenario import Scenario

DEFAULT_AREA = "troms-finnmark"
AREA_PRESETS: dict[str, tuple[str, ...]] = {"troms-finnmark": ("55", "56"), "norway": ()}
SSB_FILE = "ssb/municipalities-2025.json"
COUNTIES_FILE = "kartverket/Fylker-S.geojson"
ALIASES_FILE = "area_aliases.csv"

PathLike = str | os.PathLike[str]
# Each letter as typed with and without a Norwegian keyboard: "møre", "more", "moere", and
# "mare" (every one of æ ø å typed as a). No two areas of the data share a spelling that way
# unless they share their name (Herøy, Våler): tests/data/test_areas.py.
_SPELLINGS = ({"æ": "ae", "ø": "o", "å": "a"}, {"æ": "a", "ø": "oe", "å": "aa"},
              {"æ": "a", "ø": "a", "å": "a"})
_SEPARATORS = re.compile(r"[\s_\-–./']+")


@dataclass(frozen=True)
class AreaName:
    """One name an area goes by, and the area it names.

    Attributes
    ----------
    shown
        The name as printed (``"Herøy (1818, Nordland)"``).
    counties
        The 2-digit county codes it names (a county or an alias).
    municipalities
        The 4-digit kommunenummer it names (a municipality).
    """

    shown: str
    counties: tuple[str, ...] = ()
    municipalities: tuple[str, ...] = ()


def _spell(low: str, spelling: Mapping[str, str]) -> str:
    plain = "".join(spelling.get(ch, ch) for ch in low)
    plain = "".join(ch for ch in unicodedata.normalize("NFKD", plain)
                    if not unicodedata.combining(ch))
    return _SEPARATORS.sub(" ", plain).strip()


def fold(text: str) -> set[str]:
    """Return the folded spellings of ``text`` (see the module notes)."""
    low = unicodedata.normalize("NFC", text.strip().lower())
    return {s for s in (_spell(low, spelling) for spelling in _SPELLINGS) if s}


def plain(text: str) -> str:
    """Return the first folded spelling of ``text`` (``Møre og Romsdal`` → ``more og romsdal``)."""
    return _spell(unicodedata.normalize("NFC", text.strip().lower()), _SPELLINGS[0])


def name_parts(name: str) -> list[str]:
    """Return a name and its parts in other languages (``"Troms - Romsa - Tromssa"``)."""
    parts = [p.strip() for p in name.split(" - ") if p.strip()]
    return list(dict.fromkeys([name.strip(), *parts]))


def read_aliases() -> list[tuple[str, tuple[str, ...]]]:
    """Return ``(alias, counties)`` from ``data/geo/area_aliases.csv`` (no counties: Norway).

    Raises
    ------
    DataError
        If the file is missing, or a row lacks its alias, counties or source.
    """
    path = geo_file(ALIASES_FILE)
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    out = []
    for number, row in enumerate(rows, start=2):
        alias, counties, source = (row.get(k) or "" for k in ("alias", "counties", "source"))
        codes = tuple(c.strip() for c in counties.split(";") if c.strip())
        if not alias.strip() or not source.strip() or not all(
                len(c) == 2 and c.isdigit() for c in codes):
            raise DataError(f"{path}: row {number} needs alias, counties (2-digit codes "
                            "separated by ';') and source")
        out.append((alias.strip(), codes))
    return out


def name_index(names: Iterable[AreaName], spellings: Mapping[str, Iterable[str]]
               ) -> dict[str, list[AreaName]]:
    """Index ``names`` by every folded spelling of the texts ``spellings`` gives each one."""
    index: dict[str, list[AreaName]] = {}
    for area in names:
        for text in spellings[area.shown]:
            for key in fold(text):
                bucket = index.setdefault(key, [])
                if area not in bucket:
                    bucket.append(area)
    return index


def match(token: str, index: Mapping[str, list[AreaName]], *,
          prefer: str = "county") -> AreaName:
    """Return the one area ``token`` names in ``index``.

    Where a county and a municipality share a name (Oslo; Troms and Tromsø in Sami,
    Romsa), ``prefer`` picks: ``"county"`` (``--area``) or ``"municipality"``.

    Raises
    ------
    DataError
        In one line: for an ambiguous name (listing what it may mean) or an
        unknown one (listing the close names).
    """
    found: list[AreaName] = []
    for key in fold(token):
        found += [a for a in index.get(key, []) if a not in found]
    first = [a for a in found if (a.counties if prefer == "county" else a.municipalities)]
    if first:  # a county before a municipality of its name (Oslo), or the other way round
        found = first
    distinct = {(a.counties, a.municipalities): a for a in found}
    if len(distinct) == 1:
        return next(iter(distinct.values()))
    if distinct:
        listing = ", ".join(sorted(a.shown for a in distinct.values()))
        raise DataError(f"area {token!r} is ambiguous: {listing}; give the kommunenummer")
    close: list[str] = []
    for key in sorted(fold(token)):
        for near in difflib.get_close_matches(key, list(index), n=5, cutoff=0.7):
            close += [a.shown for a in index[near] if a.shown not in close]
    hint = f" (close: {', '.join(close[:6])})" if close else ""
    raise DataError(f"unknown area {token!r}{hint}; give county or municipality names or "
                    "codes, 'norway' or 'troms-finnmark'")


# --------------------------------------------------------------------------- areas


def fetch_file(relpath: str, opts: dict[str, Any]) -> Path:
    return sources.fetch(relpath, **opts)


def source_options(
    data_dir: PathLike | None, cache_dir: PathLike | None, base_url: str | None
) -> dict[str, Any]:
    return {"data_dir": data_dir, "cache_dir": cache_dir, "base_url": base_url}


def read_ssb_records(path: Path) -> list[dict[str, Any]]:
    try:
        records = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataError(f"{path}: cannot read municipality list ({exc})") from None
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise DataError(f"{path}: expected a JSON list of municipality records")
    for number, record in enumerate(records):
        code = record.get("id")
        if not isinstance(code, str) or not (len(code) == 4 and code.isdigit()):
            raise DataError(f"{path}: record {number} has no 4-digit 'id' (got {code!r})")
    return records


def _all_codes(opts: dict[str, Any]) -> tuple[str, ...]:
    return tuple(sorted(r["id"] for r in read_ssb_records(fetch_file(SSB_FILE, opts))))


def _tokens(area: str | Iterable[str]) -> list[str]:
    raw = area.split(",") if isinstance(area, str) else list(area)
    tokens = [str(t).strip() for t in raw if str(t).strip()]
    if not tokens:
        raise DataError(f"empty area {area!r}: give 'troms-finnmark', 'norway', names or codes")
    return tokens


@dataclass(frozen=True)
class AreaChoice:
    """An area as the user named it.

    Attributes
    ----------
    codes
        Its kommunenummer, sorted.
    counties, municipalities
        The whole counties and the further municipalities named (a scenario's
        ``area.counties`` and ``area.municipalities``; both empty: all Norway).
    label
        The names, as printed (``"Nordland"``, ``"Troms + Finnmark"``).
    """

    codes: tuple[str, ...]
    counties: tuple[str, ...]
    municipalities: tuple[str, ...]
    label: str


def _names(opts: dict[str, Any]) -> dict[str, list[AreaName]]:
    """Every county, alias and municipality name, folded (see :mod:`regionopt.data.areas`)."""
    files = (fetch_file(COUNTIES_FILE, opts), fetch_file(SSB_FILE, opts), geo_file(ALIASES_FILE))
    return _name_index_of(tuple((str(p), p.stat().st_mtime_ns) for p in files))


@functools.lru_cache(maxsize=4)
def _name_index_of(files: tuple[tuple[str, int], ...]) -> dict[str, list[AreaName]]:
    """The name index of the county, municipality and alias files (path, mtime), read once."""
    (counties_path, _), (ssb_path, _), _ = files
    counties = json.loads(Path(counties_path).read_text(encoding="utf-8"))["features"]
    county_name: dict[str, str] = {}
    spellings: dict[str, list[str]] = {}
    names: list[AreaName] = []
    for feature in counties:
        props = feature.get("properties") or {}
        code = str(props.get("fylkesnummer", "")).zfill(2)
        county_name[code] = str(props.get("name") or props.get("fylkesnavn"))
        names.append(AreaName(county_name[code], counties=(code,)))
        spellings[county_name[code]] = name_parts(county_name[code]) + name_parts(
            str(props.get("fylkesnavn") or ""))
    for alias, codes in read_aliases():
        names.append(AreaName(alias, counties=codes))
        spellings[alias] = [alias]
    for record in read_ssb_records(Path(ssb_path)):
        code = record["id"]
        name = str(record.get("name_no") or record.get("name") or code)
        shown = f"{name} ({code}, {county_name.get(code[:2], code[:2])})"
        names.append(AreaName(shown, municipalities=(code,)))
        spellings[shown] = name_parts(name) + name_parts(str(record.get("name", "")))
    return name_index(names, spellings)


def area_choice(
    area: str | Iterable[str] = DEFAULT_AREA,
    *,
    data_dir: PathLike | None = None,
    cache_dir: PathLike | None = None,
    base_url: str | None = None,
    prefer: str = "county",
) -> AreaChoice:
    """Resolve an area given by names or codes (see :func:`resolve_area`).

    ``prefer``: what a name shared by a county and a municipality means (see :func:`match`).

    Returns
    -------
    AreaChoice

    Raises
    ------
    DataError
        In one line, for an unknown or ambiguous name (listing the close
        ones), an unknown code or an empty area.
    """
    opts = source_options(data_dir, cache_dir, base_url)
    known = _all_codes(opts)
    counties: set[str] = set()
    munis: set[str] = set()
    labels: list[str] = []
    index: dict[str, list[AreaName]] | None = None
    everything = False
    for token in _tokens(area):
        low = token.lower()
        if low.isdigit() and len(low) in (1, 3):  # a leading zero lost: 3 -> 03, 301 -> 0301
            low = full_code(low, len(low) + 1)
        if low in AREA_PRESETS:
            everything |= not AREA_PRESETS[low]
            counties.update(AREA_PRESETS[low])
            labels.append(token)
        elif low.isdigit() and len(low) == 2 and any(c[:2] == low for c in known):
            counties.add(low)
            labels.append(low)
        elif low.isdigit() and low in known:
            munis.add(low)
            labels.append(low)
        elif low.isdigit():
            raise DataError(f"unknown municipality or county code {low!r}")
        else:
            index = _names(opts) if index is None else index
            found = match(token, index, prefer=prefer)
            everything |= not found.counties and not found.municipalities
            counties.update(found.counties)
            munis.update(found.municipalities)
            labels.append(found.shown.split(" (")[0])
    if everything:
        return AreaChoice(known, (), (), " + ".join(dict.fromkeys(labels)))
    munis -= {c for c in munis if c[:2] in counties}
    codes = tuple(c for c in known if c[:2] in counties or c in munis)
    return AreaChoice(codes, tuple(sorted(counties)), tuple(sorted(munis)),
                      " + ".join(dict.fromkeys(labels)))


def resolve_area(
    area: str | Iterable[str] = DEFAULT_AREA,
    *,
    data_dir: PathLike | None = None,
    cache_dir: PathLike | None = None,
    base_url: str | None = None,
) -> tuple[str, ...]:
    """Turn an area description into sorted municipality codes.

    Parameters
    ----------
    area
        ``"troms-finnmark"`` (counties 55 and 56), ``"norway"`` (all 357),
        2-digit county and 4-digit municipality codes, or county and
        municipality names as people write them (``"Møre og Romsdal"``,
        ``"more-og-romsdal"``, ``"nordland"``, ``"Tromsø"``), as a sequence or a
        comma-separated string (``"55,5601"``, ``"nordland, troms"``).
    data_dir, cache_dir, base_url
        Where the municipality list comes from (see :func:`sources.fetch`).

    Returns
    -------
    tuple of str
        The kommunenummer, sorted, without duplicates.

    Raises
    ------
    DataError
        For an unknown code (``unknown municipality or county code '5599'``),
        an unknown or ambiguous name (listing the close ones) or an empty area.
    """
    return area_choice(area, data_dir=data_dir, cache_dir=cache_dir, base_url=base_url).codes


def scenario_for_area(scenario: Scenario, area: str | Iterable[str] | None = None, *,
                      data_dir: PathLike | None = None) -> tuple[Scenario, list[str]]:
    """Return ``scenario`` on the area the user named, with what had to be dropped.

    The area named (names or codes, as :func:`resolve_area` takes them) replaces
    the scenario's ``area.counties`` and ``area.municipalities`` and shows in its
    name (``functional (Nordland)``). Without ``area`` the scenario's own area is
    kept. Either way, a ``must_link`` or ``cannot_link`` pair, a fixed core or a
    named exception outside the area is dropped, each with a note, since the
    user narrowed the area on purpose.

    Returns
    -------
    tuple
        The scenario, and one sentence per rule dropped.

    Raises
    ------
    DataError
        For an unknown or ambiguous area name (one line, listing close names).
    """
    if area is not None:
        choice = area_choice(area, data_dir=data_dir)
        region = dataclasses.replace(scenario.area, counties=choice.counties,
                                     municipalities=choice.municipalities)
        scenario = dataclasses.replace(scenario, area=region,
                                       name=f"{scenario.name} ({choice.label})")
    wanted = list(scenario.area.counties) + list(scenario.area.municipalities)
    codes = set(resolve_area(wanted or "norway", data_dir=data_dir))
    c, notes = scenario.constraints, []
    kept: dict[str, Any] = {}
    for key in ("must_link", "cannot_link", "exceptions", "fixed_cores"):
        items = getattr(c, key)
        inside = tuple(item for item in items
                       if ({item} if isinstance(item, str) else
                           set(item[:1] if key == "exceptions" else item)) <= codes)
        for item in items:
            if item not in inside:
                shown = item if isinstance(item, str) else "-".join(
                    item[:1] if key == "exceptions" else item)
                notes.append(f"constraints.{key}: {shown} dropped, outside the study area")
        kept[key] = inside
    return dataclasses.replace(scenario, constraints=dataclasses.replace(c, **kept)), notes


