"""Reference plans shipped with regionopt (``data/geo/reference``).

A reference plan is a hand-drawn grouping of municipalities published by
someone else, encoded as a plan CSV (``kommunenummer, region, source``) so that
it can be scored with exactly the same metrics and travel-time graph as the
optimiser's plans (:mod:`regionopt.evaluate`). Where a reference file names no
core for a region, the core is the region's most populous member (ties to the
lower kommunenummer), as :func:`regionopt.plan.read_plan` does.

Eight references are shipped, each with a plan name that works wherever a plan
file does (``regionopt evaluate --plan ba-2020``):

* ``nivi``: NIVI's proposal of 12 municipal regions for Troms og Finnmark (2023);
* ``ba-2020``: the official BA-regioner 2020 (TØI-rapport 1713/2019), 159 regions
  of all Norway in the 2024 structure, cores the regions' centre municipalities;
* ``economic-regions``: Statistics Norway's 85 economic regions (Klass 108);
* ``regionraad-more-og-romsdal``, ``regionraad-nordland``, ``regionraad-buskerud``,
  ``regionraad-telemark``, ``regionraad-agder``: the regional councils (regionråd,
  interkommunale politiske råd) of five counties as published by the councils,
  every municipality of the county in one (out-of-sample references for the
  kommuneregioner of Troms og Finnmark).

``data/geo/reference/README.md`` gives the source of each file, how its
members were identified and the faults corrected.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

import numpy as np
import pandas as pd

from regionopt._checker import full_code
from regionopt._resources import geo_file
from regionopt.data.municipalities import load_municipalities
from regionopt.errors import DataError
from regionopt.plan import Plan, largest_member, read_plan
from regionopt.problem import ProblemData, problem_from_frames

NIVI_2023 = "nivi_2023"
BA_2020 = "ba_2020"
ECONOMIC_REGIONS = "economic_regions"
REGIONRAAD_MORE_OG_ROMSDAL = "regionraad_more_og_romsdal"
REGIONRAAD_NORDLAND = "regionraad_nordland"
REGIONRAAD_TELEMARK = "regionraad_telemark"
REGIONRAAD_AGDER = "regionraad_agder"
REGIONRAAD_BUSKERUD = "regionraad_buskerud"
_REGIONRAAD = (
    (REGIONRAAD_MORE_OG_ROMSDAL, "Møre og Romsdal", "15"),
    (REGIONRAAD_NORDLAND, "Nordland", "18"),
    (REGIONRAAD_BUSKERUD, "Buskerud", "33"),
    (REGIONRAAD_TELEMARK, "Telemark", "40"),
    (REGIONRAAD_AGDER, "Agder", "42"),
)
REGIONRAAD_COUNTIES: Mapping[str, str] = MappingProxyType(
    {key: county for key, _, county in _REGIONRAAD})
"""The regional-council (regionråd) reference plans, by key: the county each covers in full."""


@dataclass(frozen=True)
class ReferencePlan:
    """A reference plan file and what it covers.

    Attributes
    ----------
    key
        Short identifier (``"nivi_2023"``).
    file
        File name under ``data/geo/reference``.
    name
        Plan name shown in tables and maps.
    area
        The study area the plan covers, as understood by
        :func:`regionopt.data.resolve_area`.
    alias
        The plan name users give (``"nivi"``, ``"ba-2020"``); the comparison map
        beside it is ``compare_<alias>.html``.
    """

    key: str
    file: str
    name: str
    area: str
    alias: str


REFERENCE_PLANS: Mapping[str, ReferencePlan] = MappingProxyType(
    {
        NIVI_2023: ReferencePlan(
            key=NIVI_2023,
            file="nivi_2023_troms_finnmark.csv",
            name="NIVI 2023",
            area="troms-finnmark",
            alias="nivi",
        ),
        BA_2020: ReferencePlan(
            key=BA_2020,
            file="ba_2020.csv",
            name="BA-regioner 2020",
            area="norway",
            alias="ba-2020",
        ),
        ECONOMIC_REGIONS: ReferencePlan(
            key=ECONOMIC_REGIONS,
            file="economic_regions_2024.csv",
            name="Økonomiske regioner",
            area="norway",
            alias="economic-regions",
        ),
        **{
            key: ReferencePlan(key=key, file=f"{key}.csv", name=f"Regionråd {county}",
                               area=number, alias=key.replace("_", "-"))
            for key, county, number in _REGIONRAAD
        },
    }
)
"""Every reference plan shipped, by key."""

REFERENCE_NAMES = ", ".join(spec.alias for spec in REFERENCE_PLANS.values())
"""The plan names users give for the reference plans, for help texts and errors."""


def reference_key(name: str) -> str | None:
    """Return the key of the reference plan called ``name``, or ``None`` if none is.

    ``name`` is an alias (``"nivi"``, ``"ba-2020"``, ``"economic-regions"``) or a key
    (``"nivi_2023"``), in any case.
    """
    folded = name.strip().lower()
    for spec in REFERENCE_PLANS.values():
        if folded in (spec.alias, spec.key):
            return spec.key
    return None


def reference_alias(key: str) -> str:
    """Return the plan name users give for reference plan ``key`` (``"ba-2020"``).

    Raises
    ------
    DataError
        If ``key`` is unknown.
    """
    return _spec(key).alias


def reference_path(key: str) -> Path:
    """Return the CSV file of reference plan ``key``.

    Raises
    ------
    DataError
        If ``key`` is unknown or its file is missing.
    """
    spec = _spec(key)
    return geo_file("reference", spec.file)


def reference_codes(key: str) -> tuple[str, ...]:
    """Return the sorted kommunenummer listed in reference plan ``key``.

    Raises
    ------
    DataError
        If ``key`` is unknown or its file is missing or unreadable.
    """
    path = reference_path(key)
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, usecols=["kommunenummer"])
    except (ValueError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise DataError(f"{path}: cannot read ({exc})") from None
    return tuple(sorted(full_code(c) for c in df["kommunenummer"]))


def load_reference(key: str, problem: ProblemData | None = None, *,
                   data_dir: str | os.PathLike[str] | None = None) -> Plan:
    """Read reference plan ``key``.

    Parameters
    ----------
    key
        A key of :data:`REFERENCE_PLANS`.
    problem
        Supplies the populations that pick each region's core (its most
        populous member). It must contain every municipality of the plan; it
        may contain more (the plan is then a plan of a sub-area). When omitted,
        populations come from :func:`regionopt.data.load_municipalities` for
        the plan's area.
    data_dir
        Source data folder passed to :func:`regionopt.data.load_municipalities`
        when ``problem`` is omitted.

    Returns
    -------
    Plan
        Named after the reference (e.g. ``"NIVI 2023"``).

    Raises
    ------
    DataError
        If ``key`` is unknown, the file is invalid, or a municipality of the
        plan is not in ``problem`` (naming it).
    """
    spec = _spec(key)
    path = reference_path(key)
    codes = reference_codes(key)
    if problem is None:
        problem = _population_problem(spec.area, data_dir=data_dir)
    missing = sorted(set(codes) - set(problem.codes))
    if missing:
        raise DataError(f"{path}: municipality {missing[0]} is not in the study area")
    return read_plan(path, problem=problem.subset(codes), name=spec.name)


def nivi_2023(problem: ProblemData | None = None, *,
              data_dir: str | os.PathLike[str] | None = None) -> Plan:
    """Return NIVI's 12 municipal regions for Troms og Finnmark (2023).

    Parameters
    ----------
    problem
        Supplies populations to pick cores; see :func:`load_reference`.
    data_dir
        Source data folder, used only when ``problem`` is omitted.

    Returns
    -------
    Plan
        39 municipalities in 12 regions, named ``"NIVI 2023"``.

    Raises
    ------
    DataError
        As :func:`load_reference`.
    """
    return load_reference(NIVI_2023, problem, data_dir=data_dir)


def reference_keys_for(codes: Iterable[str]) -> list[str]:
    """Return the keys of the reference plans that list exactly ``codes``.

    NIVI 2023 applies exactly when the study area is Troms og Finnmark
    (counties 55 and 56, 2024 structure); BA-regioner 2020 and the economic
    regions when it is all of Norway.

    Returns
    -------
    list of str
        Sorted: the first is the one a comparison map shows by default
        (``ba_2020`` for Norway, ``nivi_2023`` for Troms og Finnmark).
    """
    want = set(codes)
    return [key for key in sorted(REFERENCE_PLANS) if set(reference_codes(key)) == want]


def reference_plans_for(problem: ProblemData) -> list[Plan]:
    """Return the reference plans that cover exactly ``problem``'s municipalities.

    Returns
    -------
    list of Plan
        In the order of :func:`reference_keys_for`; empty if none applies.
    """
    return [load_reference(key, problem) for key in reference_keys_for(problem.codes)]


def reference_for(problem: ProblemData, name: str | None = None) -> tuple[str, Plan] | None:
    """Return the reference plan to draw beside a plan of ``problem``, with its alias.

    Parameters
    ----------
    problem
        The study area's problem.
    name
        A reference plan's name (a scenario's ``area.reference``), or ``"none"`` for none;
        ``None`` lets the area choose: the first of :func:`reference_keys_for` (NIVI 2023 for
        Troms og Finnmark, BA-regioner 2020 for all Norway).

    Returns
    -------
    tuple of str and Plan, or None
        The alias (``"ba-2020"``, naming ``compare_ba-2020.html``) and the plan.

    Raises
    ------
    DataError
        If ``name`` is not a reference plan, or the plan lists a municipality outside the area.
    """
    if name is not None and name.strip().lower() == "none":
        return None
    if name is not None:
        key = reference_key(name)
        if key is None:
            raise DataError(f"area.reference = {name!r}: not a reference plan (known: "
                            f"{REFERENCE_NAMES}, none)")
    else:
        keys = reference_keys_for(problem.codes)
        if not keys:
            return None
        key = keys[0]
    return _spec(key).alias, load_reference(key, problem)


def reference_in_area(key: str, problem: ProblemData) -> tuple[Plan, list[str]]:
    """Return reference plan ``key`` cut to ``problem``'s municipalities, and the regions cut.

    A region that crosses the area's border (a BA-region or economic region
    reaching into the next county) keeps only its members inside; its core is
    the file's core when inside, else its most populous member inside.

    Returns
    -------
    tuple
        The plan (named after the reference) and the names of the regions cut
        at the border, sorted.

    Raises
    ------
    DataError
        If ``key`` is unknown, its file unreadable, or it lists none of the area.
    """
    path = reference_path(key)
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (ValueError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise DataError(f"{path}: cannot read ({exc})") from None
    inside = df[df["kommunenummer"].isin(problem.codes)]
    if inside.empty:
        raise DataError(f"{path}: lists no municipality of the study area")
    cut = sorted(set(df.loc[~df["kommunenummer"].isin(problem.codes), "region"])
                 & set(inside["region"]))
    assignment = dict(zip(inside["kommunenummer"], inside["region"], strict=True))
    cores = {}
    for region, members in inside.groupby("region")["kommunenummer"]:
        named = set(df.loc[df["region"] == region, "core"]) if "core" in df.columns else set()
        chosen = [c for c in members if c in named]
        cores[str(region)] = chosen[0] if chosen else largest_member(list(members), problem)
    return Plan(assignment, cores, name=_spec(key).name), cut


def nivi_2023_region_populations() -> pd.DataFrame:
    """Return NIVI's own 2023 population per region, as printed in the seed document.

    Returns
    -------
    pandas.DataFrame
        Columns ``region``, ``table`` (``Troms`` or ``Finnmark``, the table
        the region is listed under), ``members`` (member count stated),
        ``population_2023`` (int64), ``source``; one row per region in the
        document's order.

    Raises
    ------
    DataError
        If the file is missing or unreadable.
    """
    path = geo_file("reference", "nivi_2023_region_populations.csv")
    try:
        df = pd.read_csv(path, dtype={"region": str, "table": str, "source": str},
                         keep_default_na=False)
        df["members"] = df["members"].astype("int64")
        df["population_2023"] = df["population_2023"].astype("int64")
    except (KeyError, ValueError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise DataError(f"{path}: cannot read ({exc})") from None
    return df


def _spec(key: str) -> ReferencePlan:
    try:
        return REFERENCE_PLANS[key]
    except KeyError:
        raise DataError(
            f"unknown reference plan {key!r}; known: {', '.join(sorted(REFERENCE_PLANS))}"
        ) from None


def population_problem(municipalities: pd.DataFrame) -> ProblemData:
    """Return a :class:`ProblemData` that carries populations but no travel data.

    Enough to pick reference cores by population; every travel minute is
    ``inf`` (unknown) and there is no adjacency, so it must not be evaluated.

    Parameters
    ----------
    municipalities
        Columns ``kommunenummer``, ``name``, ``county``, ``population`` (e.g.
        :func:`regionopt.data.load_municipalities`).

    Returns
    -------
    ProblemData
    """
    cols = ["kommunenummer", "name", "county", "population"]
    table = pd.DataFrame(municipalities[cols])
    codes = [str(c) for c in table["kommunenummer"]]
    minutes = pd.DataFrame(np.nan, index=codes, columns=codes)
    return problem_from_frames(table, minutes, pd.DataFrame(columns=["a", "b", "kind"]))


def _population_problem(area: str, *, data_dir: str | os.PathLike[str] | None) -> ProblemData:
    return population_problem(load_municipalities(area, data_dir=data_dir))
