"""Notebook facade: the command line's steps as plain functions.

The path a notebook follows mirrors ``regionopt solve``::

    import regionopt.api as ro

    net = ro.build_network("troms-finnmark")          # municipalities + travel graph
    problem = ro.problem_from_network(net)            # arrays the model uses
    scenario = ro.load_scenario()                     # default: 12 regions, contiguous
    result = ro.solve(problem, scenario)              # exact MIP (CBC)
    nivi = ro.reference_plan(problem)                 # NIVI's 12 regions, same graph
    table = ro.compare(result.plan, nivi, problem).table
    ro.write_solution(result, net, "results/tf")      # plan.csv, maps, metrics ...

Every function here is a thin wrapper; the work is done in the pipeline
stages (``data`` → ``network`` → ``model`` → ``evaluate`` → ``maps`` → ``sweep``).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd

from regionopt import model as _model
from regionopt import network as _network
from regionopt import scenario as _scenario
from regionopt.data import municipalities as _data
from regionopt.data import reference as _reference
from regionopt.data.commuting import functional_problem
from regionopt.errors import DataError, ScenarioError
from regionopt.evaluate import metrics as _evaluate
from regionopt.evaluate import services as _services
from regionopt.maps import html as viz
from regionopt.maps import outputs as _outputs
from regionopt.network.matrices import matrix_settings
from regionopt.network.reach import with_reach
from regionopt.overrides import format_value
from regionopt.plan import Plan, read_plan
from regionopt.problem import ProblemData
from regionopt.problem import problem_from_network as _problem_from_network

log = logging.getLogger(__name__)

__all__ = [
    "area_of",
    "build_network",
    "compare",
    "compare_map",
    "evaluate",
    "load_area",
    "load_scenario",
    "map_layers",
    "network_for_scenario",
    "plan_map",
    "problem_from_network",
    "read_plan",
    "reference_plan",
    "solve",
    "write_solution",
]


def load_area(area: str | Sequence[str] = "troms-finnmark", *,
              data_dir: str | os.PathLike[str] | None = None) -> gpd.GeoDataFrame:
    """Return the municipalities of ``area`` (see :func:`regionopt.data.load_municipalities`)."""
    return _data.load_municipalities(area, data_dir=data_dir)


def build_network(area: str | Sequence[str] = "troms-finnmark", *,
                  settings: _network.NetworkSettings | None = None,
                  data_dir: str | os.PathLike[str] | None = None,
                  use_cache: bool = True, progress: bool = True) -> _network.Network:
    """Build (or load from cache) the travel network of ``area``.

    Returns
    -------
    regionopt.network.Network
        Municipalities, road graph, minutes matrix and functional adjacency.
    """
    return _network.build_network(
        area, settings=settings or _network.NetworkSettings(), data_dir=data_dir,
        use_cache=use_cache, progress=progress,
    )


def load_scenario(path: str | os.PathLike[str] | None = None, *,
                  overrides: Mapping[str, Any] | None = None) -> _scenario.Scenario:
    """Load a scenario file (default: the packaged Troms og Finnmark scenario).

    Parameters
    ----------
    path
        A TOML scenario file; ``None`` for :func:`regionopt.scenario.default_scenario_path`.
    overrides
        Dotted keys to replace, e.g. ``{"regions.count": 8}``. Unless ``name`` is
        among them, the keys show in the scenario's name, so that outputs do not
        carry the file's name for another scenario:
        ``troms-finnmark-12 [regions.count=8]``.
    """
    scen = _scenario.load_scenario(path or _scenario.default_scenario_path())
    changed = []
    for key, value in (overrides or {}).items():
        new = _scenario.replace_key(scen, key, value)
        if new != scen:
            changed.append(f"{key}={format_value(value)}")
        scen = new
    if changed and "name" not in (overrides or {}):
        scen = _scenario.replace_key(scen, "name", f"{scen.name} [{', '.join(changed)}]")
    return scen


def area_of(scenario: _scenario.Scenario) -> str | list[str]:
    """Return the area a scenario names, as :func:`regionopt.data.resolve_area` takes it.

    The union of the listed county and municipality codes; ``"norway"`` when
    both lists are empty.
    """
    codes = list(scenario.area.counties) + list(scenario.area.municipalities)
    return codes or "norway"


def network_for_scenario(scenario: _scenario.Scenario, **kwargs: Any) -> _network.Network:
    """Build the network of the scenario's area (keywords as :func:`build_network`).

    The scenario's ``area.travel_times``, when set, names the settings (unless ``settings``
    is given).

    Raises
    ------
    ScenarioError
        If the scenario's area names an unknown county or municipality.
    """
    area = area_of(scenario)
    try:
        _data.resolve_area(area, data_dir=kwargs.get("data_dir"))
    except DataError as exc:
        if "unknown municipality or county code" not in str(exc):
            raise
        raise ScenarioError(f"scenario {scenario.name!r}: area: {exc}") from None
    if scenario.area.travel_times is not None and kwargs.get("settings") is None:
        kwargs["settings"] = matrix_settings(scenario.area.travel_times)
    return build_network(area, **kwargs)


def solve(problem: ProblemData, scenario: _scenario.Scenario, *, quiet: bool = False,
          alternatives: int = 0) -> _model.SolveResult:
    """Solve ``scenario`` on ``problem`` to proven optimality (or report the gap)."""
    return _model.solve(problem, scenario, quiet=quiet, alternatives=alternatives)


def problem_from_network(network: _network.Network, *,
                         data_dir: str | os.PathLike[str] | None = None) -> ProblemData:
    """Return the optimisation input of ``network``, with its commuting flows and centrality,
    and with ``origins="grid"`` its reach shares (:mod:`regionopt.network.reach`).

    Raises
    ------
    DataError
        If a commuting source file is missing or corrupt.
    """
    return with_reach(functional_problem(_problem_from_network(network), data_dir=data_dir),
                      network, data_dir=data_dir)


def services(plan: Plan, problem: ProblemData, scenario: _scenario.Scenario | None = None, *,
             quiet: bool = True) -> _services.ServiceAnalysis:
    """Service areas and balanced hosting of ``plan`` (``regionopt evaluate``'s analysis).

    Without ``scenario``, the catalogue's services with the default switches. The tables
    are ``_services.services_table(result)`` and ``hosting_table(result)``.
    """
    chosen = scenario if scenario is not None else _services.service_defaults()
    return _services.analyse_services(plan, problem, chosen, quiet=quiet)


def evaluate(plan: Plan, problem: ProblemData) -> _evaluate.PlanMetrics:
    """Score any plan with the same metrics on the same graph."""
    return _evaluate.evaluate(plan, problem)


def compare(a: Plan, b: Plan, problem: ProblemData) -> _evaluate.Comparison:
    """Put two plans side by side, with the municipalities that move."""
    return _evaluate.compare(a, b, problem)


def reference_plan(problem: ProblemData, name: str | None = None) -> Plan | None:
    """Return the reference plan ``name`` (``"ba-2020"``), or the one the area picks, or ``None``.

    Unnamed, the area picks it: NIVI 2023 for Troms og Finnmark, BA-regioner 2020 for all
    Norway (:func:`regionopt.data.reference.reference_for`).
    """
    chosen = _reference.reference_for(problem, name)
    return None if chosen is None else chosen[1]


def map_layers(network: _network.Network) -> dict[str, gpd.GeoDataFrame | None]:
    """Return the extra map layers of a network: ``roads``, ``counties``, ``country``.

    Pass them as keywords to :func:`regionopt.maps.html.plan_map` or
    :func:`regionopt.maps.html.compare_map`.
    """
    return _outputs.map_layers(network)


def plan_map(plan: Plan, network: _network.Network, *, lang: str = "nb",
             tiles: str | None = None) -> Any:
    """Draw ``plan`` on ``network``'s municipalities as a folium map (shows inline)."""
    problem = problem_from_network(network)
    return viz.plan_map(plan, network.municipalities, metrics=evaluate(plan, problem),
                        lang=lang, tiles=tiles, problem=problem, **map_layers(network))


def compare_map(a: Plan, b: Plan, network: _network.Network, *, lang: str = "nb",
                tiles: str | None = None) -> Any:
    """Draw plans ``a`` and ``b`` side by side with their metrics and moves.

    Returns
    -------
    branca.element.Figure
        Shows inline in a notebook; ``.render()`` gives the HTML page.
    """
    problem = problem_from_network(network)
    return viz.compare_map(a, b, network.municipalities, metrics_a=evaluate(a, problem),
                           metrics_b=evaluate(b, problem), comparison=compare(a, b, problem),
                           lang=lang, tiles=tiles, problem=problem, **map_layers(network))


def write_solution(result: _model.SolveResult, network: _network.Network,
                   out_dir: str | os.PathLike[str], *, maps: bool = True, png: bool = False,
                   lang: str = "nb", force: bool = False) -> Path:
    """Write a solve's folder (see :mod:`regionopt.maps.outputs`); all files or none.

    The folder then holds exactly this solve's files; a non-empty folder that
    regionopt did not write is refused unless ``force``.

    Returns
    -------
    pathlib.Path
        The output folder.
    """
    return _outputs.write_solution(result, network, out_dir, maps=maps, png=png, lang=lang,
                                   force=force)
