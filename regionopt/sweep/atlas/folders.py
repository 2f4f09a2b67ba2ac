"""The atlas's files: every county's folder, the front page and the table of counties.

:func:`write_atlas` writes, for the solved counties (:mod:`regionopt.sweep.atlas.solve`):

* ``<county>/`` per county (:func:`slug`: ``nordland/``, ``more-og-romsdal/``): ``plan.csv``,
  ``plan.geojson``, ``metrics.json`` (status, gap, plan figures, every region's
  figures, the criteria table, the exceptions found with their reasons, and each
  reference's figures), ``scenario.toml`` (the county's rules as solved),
  ``map.html`` (with the editor) and ``compare_<reference>.html`` beside the
  BA-regioner 2020, the economic regions, in Troms and Finnmark NIVI 2023 and in
  the five counties with a stored regionråd plan that plan (``regionraad-<county>``;
  ``metrics.json`` adds the plan's nesting share in it),
  each cut at the county border (:func:`regionopt.data.reference.reference_in_area`;
  the page names the regions cut); on the pool's processes when there are several
  workers (:mod:`regionopt.sweep.pool`);
* ``index.html``: every county's plan on one map, with the editor, and the table
  of counties linking each county's map (:mod:`regionopt.sweep.atlas.page`);
* ``atlas.csv`` and ``atlas.parquet``: that table.
"""

from __future__ import annotations

import dataclasses
import html
import logging
from pathlib import Path
from typing import Any

import pandas as pd

from regionopt.data.areas import plain
from regionopt.data.municipalities import load_counties, load_country
from regionopt.data.reference import (
    BA_2020,
    ECONOMIC_REGIONS,
    NIVI_2023,
    REGIONRAAD_COUNTIES,
    reference_alias,
    reference_in_area,
)
from regionopt.errors import DataError
from regionopt.evaluate.agreement import agreement, nesting_share
from regionopt.evaluate.criteria import criteria_table
from regionopt.evaluate.metrics import compare, evaluate
from regionopt.evaluate.report import agreement_to_dict, criteria_to_dict, metrics_to_dict
from regionopt.io import atomic_write_text, atomic_write_with, staged_output_dir
from regionopt.maps import html as viz
from regionopt.maps.assets import Block, number_ids
from regionopt.maps.outputs import to_json, write_plan_files
from regionopt.model.rules import resolve_rules, rule_notes
from regionopt.plan import Plan, read_plan
from regionopt.problem import ProblemData
from regionopt.scenario import RegionsConfig, Scenario, scenario_to_toml
from regionopt.sweep.atlas.page import COLUMNS, SECOND_COLUMNS, atlas_page
from regionopt.sweep.atlas.solve import CountyResult
from regionopt.sweep.pool import run_tasks

log = logging.getLogger("regionopt")

FILES = ("index.html", "atlas.csv", "atlas.parquet")
_REFERENCES = (BA_2020, ECONOMIC_REGIONS, NIVI_2023, *REGIONRAAD_COUNTIES)
_CUT_NOTE = {"nb": "{ref}: regioner som krysser fylkesgrensen er delt ved den og vist med "
                   "kommunene i fylket: {names}.",
             "en": "{ref}: regions crossing the county border are cut at it and shown with "
                   "their municipalities in the county: {names}."}


def slug(name: str) -> str:
    """The folder name of a county (``Møre og Romsdal`` → ``more-og-romsdal``)."""
    return plain(name).replace(" ", "-") or "county"


def write_atlas(results: list[CountyResult], net: Any, problem: ProblemData, out: Path, *,
                base: Scenario, lang: str = "nb", progress: bool = True,
                workers: int = 1, second: pd.DataFrame | None = None,
                second_folder: str = "") -> pd.DataFrame:
    """Write every county's folder, ``index.html``, ``atlas.csv`` and ``atlas.parquet``.

    With ``workers`` > 1 the county folders are written on as many local processes.
    ``second`` is the table of counties of a second tier (another scenario's atlas, written
    in ``out/second_folder``): its figures join each county's row (columns
    :data:`~regionopt.sweep.atlas.page.SECOND_COLUMNS`, prefixed ``second_``) and the
    front page links its county pages and says which tier is which.

    Returns
    -------
    pandas.DataFrame
        The table of counties.
    """
    outlines, country = load_counties(), load_country()
    rows: list[dict[str, Any]] = []
    exceptions: list[tuple[str, str]] = []
    plans: list[tuple[str, Plan]] = []
    jobs = []
    for r in results:
        sub = r.problem(problem)
        plan = r.plan(out, sub)
        scenario = _as_solved(r, resolve_rules(sub, r.case.scenario))
        folder = slug(r.name)
        row = _row(r, sub, plan, scenario, folder)
        rows.append(row)
        if plan is None:
            log.warning("atlas: %s has no plan (%s)", r.name, r.record.get("reason"))
            row["link"] = ""  # no folder to link
            continue
        exceptions += list(scenario.constraints.exceptions)
        munis = net.municipalities[net.municipalities["kommunenummer"].isin(sub.codes)]
        parts = (dict(plan.assignment), dict(plan.cores), plan.name)  # a Plan does not pickle
        jobs.append((r, sub, parts, scenario, munis.reset_index(drop=True), out / folder,
                     {"lang": lang, "outlines": outlines[outlines["county"] == r.county],
                      "country": country}))
        plans.append((r.county, plan))
    _write_folders(jobs, workers=workers, progress=progress)
    if second is not None:
        _join_second(rows, second, second_folder)
    table = pd.DataFrame(rows)
    links = [c for c in ("link", "second_link") if c in table.columns]
    atomic_write_text(out / "atlas.csv", table.drop(columns=links).assign(
        exceptions=[";".join(e) for e in table["exceptions"]]).to_csv(
            index=False, lineterminator="\n"))
    atomic_write_with(out / "atlas.parquet", lambda p: table.drop(columns=links).assign(
        exceptions=[";".join(e) for e in table["exceptions"]]).to_parquet(p, index=False))
    if plans:
        whole = _whole(plans, name=f"regionopt ({base.name})")
        area = problem.subset(sorted(whole.assignment))
        editor_rules = dataclasses.replace(
            base, regions=RegionsConfig(),
            constraints=dataclasses.replace(base.constraints, exceptions=tuple(sorted(exceptions)),
                                            find_exceptions=False))
        munis = net.municipalities[net.municipalities["kommunenummer"].isin(area.codes)]
        tiers = None if second is None else (base.name, str(second.attrs.get("scenario", "")),
                                             second_folder)
        second_plan = None if second is None else _second_plan(results, problem,
                                                               out / second_folder)
        atomic_write_text(out / "index.html", atlas_page(
            whole, munis.reset_index(drop=True), metrics=evaluate(whole, area), problem=area,
            scenario=editor_rules, rows=rows, counties=outlines, country=country, lang=lang,
            tiers=tiers, second=second_plan))
    table.attrs["scenario"] = base.name
    return table


def _as_solved(r: CountyResult, scenario: Scenario) -> Scenario:
    """The county's rules with the self-containment floor its solve kept (a relative floor
    is lowered when no plan keeps it: :func:`regionopt.model.engine.solve`)."""
    floor = r.record.get("self_containment_floor")
    if floor is None or floor == scenario.constraints.min_self_containment:
        return scenario
    return dataclasses.replace(scenario, constraints=dataclasses.replace(
        scenario.constraints, min_self_containment=float(floor)))


def _floor_notes(r: CountyResult, sub: ProblemData) -> list[str]:
    """The notes of the county's rules, and the floor its solve kept when it was lowered."""
    notes = rule_notes(sub, r.case.scenario)
    kept = r.record.get("self_containment_floor")
    asked = resolve_rules(sub, r.case.scenario).constraints.min_self_containment
    if kept is not None and kept < asked:
        notes.append(f"no plan keeps {asked:g} in every region (proven by the solver): "
                     "constraints.relative_self_containment lowered in steps of 0.02, to a "
                     f"floor of {kept:g}")
    return notes


def _second_plan(results: list[CountyResult], problem: ProblemData, folder: Path) -> Plan | None:
    """The second tier's plans of every county in one, read from its county folders."""
    plans = []
    for r in results:
        path = folder / slug(r.name) / "plan.csv"
        if path.is_file():
            plans.append((r.county, read_plan(path, problem=r.problem(problem))))
    return _whole(plans, name="labour market") if plans else None


def _join_second(rows: list[dict[str, Any]], second: pd.DataFrame, folder: str) -> None:
    """Add the second tier's figures and link to each county's row (in place)."""
    by_county = {str(r["county"]): r for r in second.to_dict(orient="records")}
    for row in rows:
        other = by_county.get(str(row["county"]), {})
        for key, *_ in SECOND_COLUMNS:
            value = other.get(key)
            row[f"second_{key}"] = None if value is None or pd.isna(value) else value
        row["second_link"] = f"{folder}/{other['folder']}/map.html" \
            if other.get("status") and other.get("folder") else ""


def _whole(plans: list[tuple[str, Plan]], *, name: str) -> Plan:
    """Every county's plan in one; a region name used in two counties gets the county code."""
    seen: dict[str, int] = {}
    for _, plan in plans:
        for region in plan.regions:
            seen[region] = seen.get(region, 0) + 1
    assignment, cores = {}, {}
    for county, plan in plans:
        shown = {r: r if seen[r] == 1 else f"{r} ({county})" for r in plan.regions}
        assignment.update({c: shown[r] for c, r in plan.assignment.items()})
        cores.update({shown[r]: c for r, c in plan.cores.items()})
    return Plan(assignment, cores, name=name)


def _row(r: CountyResult, sub: ProblemData, plan: Plan | None, scenario: Scenario,
         folder: str) -> dict[str, Any]:
    metrics = r.record.get("metrics") or {}
    row: dict[str, Any] = {"county": r.county, "county_name": r.name, "folder": folder,
                           "link": f"{folder}/map.html", "status": r.record.get("status"),
                           "population": int(sub.population.sum()),
                           "municipalities": sub.n}
    for key, *_ in COLUMNS:
        if key not in row and key != "exceptions":
            row[key] = r.record.get(key) if key == "gap" else metrics.get(key)
    row["exceptions"] = [sub.names[sub.index(c)] for c, _ in scenario.constraints.exceptions
                         if c in sub.codes]
    row["objective"], row["bound"] = r.record.get("objective"), r.record.get("bound")
    row["seconds"] = r.record.get("seconds")
    return row


def _write_folders(jobs: list[tuple[Any, ...]], *, workers: int, progress: bool) -> None:
    """Write the county folders, here or on ``workers`` processes of the pool (largest first)."""
    order = sorted(jobs, key=lambda job: -job[1].n) if workers > 1 else jobs
    stream = run_tasks(_county_job, [(job[0].county, job) for job in order],
                       workers=workers, what="atlas pages", progress=progress, unit="county")
    try:
        for _ in stream:
            pass
    finally:
        stream.close()  # left early, the pool stops now, not when collected


def _county_job(*job: Any) -> None:
    """A pool task: :func:`_county_folder` of one job (its options last)."""
    _county_folder(*job[:-1], **job[-1])


def _county_folder(r: CountyResult, sub: ProblemData, parts: tuple[Any, ...], scenario: Scenario,
                   munis: Any, folder: Path, *, lang: str, outlines: Any, country: Any) -> None:
    """Write one county's folder, all files or none (see the module notes).

    ``parts`` are the plan's assignment, cores and name.
    """
    plan = Plan(*parts)
    metrics = evaluate(plan, sub)
    optimal = r.record.get("status") == "optimal"
    edit: dict[str, Any] = {"problem": sub, "scenario": scenario,
                            "optimum": r.record.get("travel") if optimal else None}
    layers: dict[str, Any] = {"counties": outlines, "country": country}
    summary: dict[str, Any] = {
        "county": r.county, "county_name": r.name, "scenario": scenario.name,
        **{k: r.record.get(k) for k in ("status", "objective", "bound", "gap", "seconds",
                                        "solver", "reason")},
        "plan": metrics_to_dict(metrics)["summary"], "regions": metrics_to_dict(metrics)["regions"],
        "criteria": criteria_to_dict(criteria_table(metrics, sub, scenario)),
        "exceptions": [{"kommunenummer": c, "name": sub.names[sub.index(c)], "reason": why}
                       for c, why in scenario.constraints.exceptions if c in sub.codes],
        "notes": [*r.notes, *_floor_notes(r, sub)], "references": {}}
    population = dict(zip(sub.codes, (int(p) for p in sub.population), strict=True))
    with staged_output_dir(folder) as stage:
        write_plan_files(plan, sub, munis, stage)
        atomic_write_text(stage / "scenario.toml", scenario_to_toml(scenario))
        viz.write_plan_map(plan, munis, path=stage / "map.html", metrics=metrics, lang=lang,
                           **layers, **edit)
        for key in _REFERENCES:
            try:
                ref, cut = reference_in_area(key, sub)
            except DataError:
                continue  # the reference does not cover this county (NIVI outside Troms og F.)
            if set(ref.assignment) != set(sub.codes):
                continue
            alias = reference_alias(key)
            ref_metrics = evaluate(ref, sub)
            summary["references"][alias] = {
                "name": ref.name, "cut_at_border": cut, **metrics_to_dict(ref_metrics)["summary"],
                "criteria": criteria_to_dict(criteria_table(ref_metrics, sub, scenario)),
                "agreement": agreement_to_dict(agreement(plan, ref, population=population)),
                "nesting_share": nesting_share(plan, ref)}
            fig = viz.compare_map(plan, ref, munis, metrics_a=metrics, metrics_b=ref_metrics,
                                  comparison=compare(plan, ref, sub), lang=lang, **layers, **edit)
            if cut:
                note = _CUT_NOTE[lang].format(ref=ref.name, names=", ".join(cut))
                fig.add_child(Block(f'<p class="rg-note rg-cut">{html.escape(note)}</p>'))
            number_ids(fig)
            atomic_write_text(stage / f"compare_{alias}.html", fig.render())
        atomic_write_text(stage / "metrics.json", to_json(summary))


__all__ = ["FILES", "slug", "write_atlas"]
