"""Write a solve's results to a folder, all files or none.

A solution folder holds ``plan.csv``, ``plan.geojson``, ``metrics.json``,
``scenario.toml``, ``inputs/`` (the three CSV files exactly as the model used
them) and, unless disabled, ``map.html``, ``compare_<reference>.html`` (the
reference plan the area or the scenario's ``area.reference`` picks:
``compare_nivi.html`` for Troms og Finnmark, ``compare_ba-2020.html`` for all
Norway) and ``plan.png``. Alternatives go to
``alternatives/<k>/plan.csv``.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from regionopt.data import municipalities as data
from regionopt.data.commuting import functional_problem
from regionopt.data.reference import reference_for
from regionopt.evaluate.agreement import agreement
from regionopt.evaluate.criteria import criteria_table
from regionopt.evaluate.metrics import compare, evaluate
from regionopt.evaluate.report import agreement_to_dict, criteria_to_dict, metrics_to_dict
from regionopt.evaluate.services import (
    ServiceAnalysis,
    analyse_services,
    services_summary,
    write_service_files,
)
from regionopt.io import atomic_write_text, staged_output_dir
from regionopt.maps import html as viz
from regionopt.maps.png import plan_png
from regionopt.maps.services import services_payload
from regionopt.network.reach import with_reach
from regionopt.plan import Plan
from regionopt.problem import (
    ADJACENCY_CSV,
    CENTRALITY_CSV,
    COMMUTING_CSV,
    MINUTES_CSV,
    MUNICIPALITIES_CSV,
    ProblemData,
    centrality_csv,
    commuting_csv,
    problem_from_network,
)
from regionopt.reach_shares import REACH_CSV, reach_csv
from regionopt.scenario import Scenario, scenario_to_toml

FLOAT_DIGITS = 6


def _clean(value: Any) -> Any:
    """Make a value JSON-safe and stable: round floats, inf/nan to None."""
    if isinstance(value, Mapping):
        return {str(k): _clean(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalar
        value = value.item()
    if isinstance(value, float):
        return None if not math.isfinite(value) else round(value, FLOAT_DIGITS)
    return value


def to_json(data: Mapping[str, Any]) -> str:
    """Serialise ``data`` deterministically (sorted keys, rounded floats)."""
    return json.dumps(_clean(data), indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def frame_to_csv(df: pd.DataFrame, *, index: bool = False) -> str:
    """Render a DataFrame as CSV text with ``\\n`` line ends."""
    return df.to_csv(index=index, lineterminator="\n")


def write_inputs(
    municipalities: pd.DataFrame,
    minutes: pd.DataFrame,
    adjacency: pd.DataFrame,
    folder: str | os.PathLike[str],
) -> None:
    """Write the three model input files into ``folder`` (which must be staged)."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    cols = [c for c in municipalities.columns if c != "geometry"]
    muni = pd.DataFrame(municipalities[cols]).sort_values("kommunenummer")
    atomic_write_text(out / MUNICIPALITIES_CSV, frame_to_csv(muni))
    mins = minutes.copy()
    mins.index.name = "origin"
    atomic_write_text(out / MINUTES_CSV, frame_to_csv(mins, index=True))
    atomic_write_text(out / ADJACENCY_CSV, frame_to_csv(adjacency[["a", "b", "kind"]]))


def write_functional_inputs(problem: ProblemData, folder: str | os.PathLike[str]) -> None:
    """Write ``commuting.csv``, ``centrality.csv`` and ``reach.csv`` (when ``problem`` carries
    them)."""
    out = Path(folder)
    if problem.reach is not None:
        atomic_write_text(out / REACH_CSV, reach_csv(problem.reach, problem.codes))
    if problem.commuting is not None:
        atomic_write_text(out / COMMUTING_CSV, commuting_csv(problem))
    if problem.centrality is not None:
        atomic_write_text(out / CENTRALITY_CSV, centrality_csv(problem))


def plan_table(plan: Plan, problem: ProblemData) -> pd.DataFrame:
    """Return the rows of ``plan.csv``.

    Columns: kommunenummer, name, region, core, population, minutes_to_core.
    """
    labels = plan.labels(problem)
    rows = []
    for i, code in enumerate(problem.codes):
        minutes = float(problem.minutes[i, labels[i]])
        rows.append(
            {
                "kommunenummer": code,
                "name": problem.names[i],
                "region": plan.assignment[code],
                "core": problem.codes[labels[i]],
                "population": int(problem.population[i]),
                "minutes_to_core": round(minutes, 2) if math.isfinite(minutes) else None,
            }
        )
    return pd.DataFrame(rows)


def plan_regions_geojson(plan: Plan, municipalities: gpd.GeoDataFrame,
                         problem: ProblemData) -> str:
    """Return GeoJSON text with one dissolved polygon per region and its totals."""
    table = plan_table(plan, problem)
    geo = municipalities[["kommunenummer", "geometry"]].merge(table, on="kommunenummer")
    geo["person_minutes"] = geo["population"] * geo["minutes_to_core"].astype(float)
    regions = geo.dissolve(
        by="region",
        aggfunc={"population": "sum", "kommunenummer": "count", "person_minutes": "sum",
                 "minutes_to_core": "max"},
    ).reset_index()
    regions = regions.rename(columns={"kommunenummer": "members",
                                      "minutes_to_core": "max_minutes_to_core"})
    regions["core"] = [plan.cores[r] for r in regions["region"]]
    regions["core_name"] = [problem.names[problem.index(c)] for c in regions["core"]]
    regions["members_list"] = [";".join(plan.members(r)) for r in regions["region"]]
    regions["geometry"] = regions.geometry.make_valid()
    regions = regions[["region", "core", "core_name", "population", "members", "members_list",
                       "person_minutes", "max_minutes_to_core", "geometry"]]
    return regions.sort_values("region").to_json(drop_id=True, to_wgs84=True) + "\n"


def write_plan_files(plan: Plan, problem: ProblemData, municipalities: gpd.GeoDataFrame,
                     folder: str | os.PathLike[str]) -> None:
    """Write ``plan.csv`` and ``plan.geojson`` for ``plan`` into ``folder``."""
    out = Path(folder)
    atomic_write_text(out / "plan.csv", frame_to_csv(plan_table(plan, problem)))
    atomic_write_text(out / "plan.geojson", plan_regions_geojson(plan, municipalities, problem))


def _outlines() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    return data.load_counties(), data.load_country()


def _roads(network: Any) -> gpd.GeoDataFrame | None:
    """Road lines of the network's graph for the map's roads layer (access legs left out)."""
    # lazy: osmnx is slow to import; only the roads layer needs it
    import osmnx as ox

    edges = ox.graph_to_gdfs(network.graph, nodes=False)
    if "access" in edges.columns:
        edges = edges[edges["access"] != True]  # noqa: E712 - column holds True or NaN
    return edges


def map_layers(network: Any) -> dict[str, Any]:
    """Roads (without access legs), county borders and the country outline for the maps."""
    counties, country = _outlines()
    return {"roads": _roads(network), "counties": counties, "country": country}


def write_maps(plan: Plan, problem: ProblemData, network: Any, folder: str | os.PathLike[str],
               *, lang: str = "nb", html: bool = True, png: bool = False,
               reference: Plan | None = None, reference_alias: str = "nivi",
               tiles: str | None = None, scenario: Scenario | None = None,
               optimum: float | None = None, services: ServiceAnalysis | None = None) -> None:
    """Write ``map.html``, ``compare_<alias>.html`` (if ``reference``) and ``plan.png`` (if asked).

    Parameters
    ----------
    plan, problem
        The plan and the problem it was evaluated on.
    network
        The :class:`regionopt.network.Network` (municipality polygons, roads).
    folder
        Destination folder.
    lang
        ``"nb"`` (bokmål) or ``"en"``.
    html
        Write the HTML maps.
    png
        Also write ``plan.png``.
    reference
        A reference plan to draw beside ``plan`` in ``compare_<reference_alias>.html``.
    reference_alias
        The reference's plan name (``"nivi"``, ``"ba-2020"``), naming the comparison page.
    tiles
        Optional online background tiles.
    scenario, optimum
        The scenario the map's editor checks an edited plan against, and its
        proven optimal travel term (the editor's gap).
    services
        The plan's service analysis: ``map.html`` gets the service selector.
    """
    out = Path(folder)
    munis = network.municipalities
    extra = map_layers(network)
    metrics = evaluate(plan, problem)
    edit = {"problem": problem, "scenario": scenario, "optimum": optimum}
    if html:
        viz.write_plan_map(plan, munis, path=out / "map.html", metrics=metrics, lang=lang,
                           tiles=tiles, **edit, **extra,
                           services=(None if services is None
                                     else services_payload(services, lang=lang)))
    if html and reference is not None:
        viz.write_compare_map(plan, reference, munis, path=out / f"compare_{reference_alias}.html",
                              metrics_a=metrics, metrics_b=evaluate(reference, problem),
                              comparison=compare(plan, reference, problem), lang=lang,
                              tiles=tiles, **edit, **extra)
    if png:
        plan_png(plan, munis, path=out / "plan.png", metrics=metrics, lang=lang,
                 counties=extra["counties"], country=extra["country"])


def result_summary(result: Any, problem: ProblemData, reference: Plan | None = None,
                   services: ServiceAnalysis | None = None) -> dict[str, Any]:
    """Return ``metrics.json``'s content: solver status, objective, terms, bound, gap, metrics."""
    summary: dict[str, Any] = {
        "scenario": result.scenario.name,
        "status": result.status,
        "objective": result.objective,
        "terms": dict(result.terms),
        "bound": result.bound,
        "gap": result.gap,
        "solve_seconds": result.seconds,
        "solver": result.solver,
        "model": dict(getattr(result, "model", {})),
        "heuristic": dict(getattr(result, "heuristic", {})),
        **({"regions_max": dict(result.regions_max)} if getattr(result, "regions_max", None)
           else {}),
        "plan": metrics_to_dict(evaluate(result.plan, problem))["summary"],
        "regions": metrics_to_dict(evaluate(result.plan, problem))["regions"],
        "criteria": criteria_to_dict(criteria_table(evaluate(result.plan, problem), problem,
                                                    result.scenario)),
        "exceptions": [{"kommunenummer": code, "name": problem.names[problem.index(code)],
                        "reason": reason} for code, reason in result.scenario.constraints.exceptions
                       if code in problem.codes],
        "alternatives": [
            {"rank": k, "objective": alt.objective, "differs": list(alt.differs)}
            for k, alt in enumerate(result.alternatives, start=1)
        ],
        **({} if services is None else {"services": services_summary(services)}),
    }
    if reference is not None:
        population = dict(zip(problem.codes, (int(p) for p in problem.population), strict=True))
        summary["reference"] = {
            "name": reference.name,
            **metrics_to_dict(evaluate(reference, problem))["summary"],
            "criteria": criteria_to_dict(criteria_table(evaluate(reference, problem), problem,
                                                        result.scenario)),
            "agreement": agreement_to_dict(agreement(result.plan, reference,
                                                     population=population)),
        }
    return summary


def write_solution(result: Any, network: Any, out_dir: str | os.PathLike[str], *,
                   maps: bool = True, png: bool = False, lang: str = "nb",
                   force: bool = False, quiet: bool = True) -> Path:
    """Write a solve's whole folder; all files appear together or none do.

    Parameters
    ----------
    result
        :class:`regionopt.model.SolveResult`.
    network
        The :class:`regionopt.network.Network` the problem was built from.
    out_dir
        Destination folder (created). Afterwards it holds exactly this solve's
        files: those an earlier run of regionopt wrote there are removed
        (:func:`regionopt.io.staged_output_dir`).
    force
        Write into a non-empty folder regionopt did not write (its files stay).
    maps
        Write the HTML maps.
    png
        Also write ``plan.png``.
    lang
        Map language, ``"nb"`` or ``"en"``.
    quiet
        Hide the service analysis' solver logs (``services.enabled``: ``services.csv``,
        ``hosting.csv`` and ``metrics.json``'s ``services``).

    Returns
    -------
    pathlib.Path
        ``out_dir``.
    """
    problem = with_reach(functional_problem(problem_from_network(network)), network)
    chosen = reference_for(problem, result.scenario.area.reference)
    alias, reference = chosen if chosen is not None else ("", None)
    services = (analyse_services(result.plan, problem, result.scenario, quiet=quiet)
                if result.scenario.services.enabled else None)
    with staged_output_dir(out_dir, force=force) as stage:
        write_inputs(network.municipalities, network.minutes, network.adjacency,
                     stage / "inputs")
        write_functional_inputs(problem, stage / "inputs")
        write_plan_files(result.plan, problem, network.municipalities, stage)
        atomic_write_text(stage / "scenario.toml", scenario_to_toml(result.scenario))
        atomic_write_text(stage / "metrics.json",
                          to_json(result_summary(result, problem, reference, services)))
        if services is not None:
            write_service_files(services, stage)
        for k, alt in enumerate(result.alternatives, start=1):
            write_plan_files(alt.plan, problem, network.municipalities,
                             stage / "alternatives" / str(k))
        if maps or png:
            plan = result.plan.renamed(f"regionopt ({result.scenario.name})")
            optimum = float(result.terms["travel"]) if result.status == "optimal" else None
            write_maps(plan, problem, network, stage, lang=lang, html=maps, png=png,
                       reference=reference, reference_alias=alias, scenario=result.scenario,
                       optimum=optimum, services=services)
    return Path(out_dir)


def write_map(plan: Plan, network: Any, path: str | os.PathLike[str], *,
              beside: Plan | None = None, lang: str = "nb", png: bool = False,
              tiles: bool = False) -> Path:
    """Write one plan, or two side by side, as a self-contained HTML map (``regionopt map``).

    With ``png``, also ``<name>.png`` of the plan and, with ``beside``,
    ``<name>-beside.png`` of the second plan.

    Returns
    -------
    pathlib.Path
        The HTML file written.
    """
    problem = with_reach(functional_problem(problem_from_network(network)), network)
    dest = Path(path)
    tile_name = "OpenStreetMap" if tiles else None
    extra = map_layers(network)
    metrics = evaluate(plan, problem)
    if beside is None:
        viz.write_plan_map(plan, network.municipalities, path=dest, metrics=metrics, lang=lang,
                           tiles=tile_name, problem=problem, **extra)
    else:
        viz.write_compare_map(plan, beside, network.municipalities, path=dest,
                              metrics_a=metrics, metrics_b=evaluate(beside, problem),
                              comparison=compare(plan, beside, problem), lang=lang,
                              tiles=tile_name, problem=problem, **extra)
    if png:
        plan_png(plan, network.municipalities, path=dest.with_suffix(".png"), metrics=metrics,
                 lang=lang, counties=extra["counties"], country=extra["country"])
        if beside is not None:
            plan_png(beside, network.municipalities,
                     path=dest.with_name(f"{dest.stem}-beside.png"),
                     metrics=evaluate(beside, problem), lang=lang,
                     counties=extra["counties"], country=extra["country"])
    return dest


__all__ = [
    "frame_to_csv",
    "map_layers",
    "plan_regions_geojson",
    "plan_table",
    "result_summary",
    "staged_output_dir",
    "to_json",
    "write_inputs",
    "write_map",
    "write_maps",
    "write_plan_files",
    "write_solution",
]
