"""The service analysis of a plan: service areas, balanced hosting, and their figures.

:func:`analyse_services` runs the model stage's service areas
(:mod:`regionopt.model.services`, one engine solve per distinct rule) and
hosting (:mod:`regionopt.model.hosting`) for the scenario's services;
:func:`services_table` and :func:`hosting_table` are the rows of
``services.csv`` and ``hosting.csv``; :func:`services_summary` the
``services`` entry of ``metrics.json``; :func:`format_services` the text
``evaluate`` and ``compare`` print. Definitions in ``docs/metrics.md``.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from regionopt.catalogue import Service, services_for
from regionopt.evaluate.reach import within
from regionopt.evaluate.report import frame_records, text_table
from regionopt.io import atomic_write_text
from regionopt.model.hosting import Hosting, balanced_hosting
from regionopt.model.services import ServiceAreas, region_graph, service_areas
from regionopt.plan import Plan
from regionopt.problem import ProblemData
from regionopt.reach_shares import REACH_MINUTES
from regionopt.scenario import Scenario

#: Seconds each engine solve and hosting MIP may take at most (its gap is reported).
SOLVE_LIMIT_S = 20.0
SERVICE_COLUMNS = ("service", "area", "regions", "members", "host", "inhabitants",
                   "longest_trip", "core_host", "core_longest_trip", "meets", "reason",
                   *(f"within_{m}" for m in REACH_MINUTES),
                   *(f"core_within_{m}" for m in REACH_MINUTES))
HOSTING_COLUMNS = ("kommunenummer", "name", "region", "services_hosted", "staff", "share",
                   "population_share", "target_staff", "core_staff", "core_share")


@dataclass(frozen=True)
class ServiceAnalysis:
    """Service areas of every service and their hosting, on one plan."""

    plan: Plan
    data: ProblemData
    areas: tuple[ServiceAreas, ...]
    hosting: Hosting


def analyse_services(plan: Plan, data: ProblemData, scenario: Scenario, *,
                     quiet: bool = True) -> ServiceAnalysis:
    """Service areas and hosting of ``plan`` for the services of ``scenario``.

    Services with the same floor, most inhabitants and travel limit share one
    engine solve. With ``services.balanced`` off, hosting is traditional. Each
    solve gets the scenario's time limit, at most :data:`SOLVE_LIMIT_S`.
    """
    cfg = scenario.services
    graph = region_graph(plan, data)
    solver = dataclasses.replace(scenario.solver, time_limit_s=min(
        scenario.solver.time_limit_s or SOLVE_LIMIT_S, SOLVE_LIMIT_S))
    solved: dict[tuple[int, int | None, float | None], ServiceAreas] = {}
    out = []
    for s in services_for(cfg):
        rule = (s.floor, s.max_population, s.limit)
        if rule not in solved:
            solved[rule] = service_areas(plan, data, s, solver=solver, graph=graph,
                                         shortfall_weight=cfg.shortfall_weight, quiet=quiet,
                                         staff_minutes=cfg.staff_minutes)
        out.append(dataclasses.replace(solved[rule], service=s))
    hosting = balanced_hosting(plan, data, out, balanced=cfg.balanced,
                               every_member_hosts=cfg.every_member_hosts,
                               minutes_weight=cfg.minutes_weight, solver=solver,
                               quiet=quiet)
    return ServiceAnalysis(plan, data, tuple(out), hosting)


def _trip(data: ProblemData, members: tuple[str, ...], host: str) -> tuple[float, float]:
    """Longest trip and person-minutes from ``members`` to ``host``."""
    idx = [data.index(c) for c in members]
    t = data.minutes[idx, data.index(host)]
    return float(t.max()), float((data.population[idx] * t).sum())


def _within(data: ProblemData, members: tuple[str, ...], host: str) -> dict[str, float]:
    """The share of the members' inhabitants within each band of ``host``
    (:func:`regionopt.evaluate.reach.within`), by band."""
    idx = sorted(data.index(c) for c in members)
    shares = within(data, idx, data.index(host))
    return {str(m): v for m, v in zip(REACH_MINUTES, shares, strict=True)}


def area_id(service: Service, k: int) -> str:
    """The name of area ``k`` of ``service`` in the tables (``legevakt-1``, ...)."""
    return f"{service.key}-{k + 1}"


def services_table(a: ServiceAnalysis) -> pd.DataFrame:
    """The rows of ``services.csv``: one per service and area (columns :data:`SERVICE_COLUMNS`)."""
    rows = []
    host_of = {(s.service, s.area): h for s, h in zip(a.hosting.slots, a.hosting.balanced,
                                                       strict=True)}
    for sa in a.areas:
        for k, area in enumerate(sa.areas):
            host = host_of[sa.service.key, k]
            near = _within(a.data, area.members, host)
            core = _within(a.data, area.members, area.host)
            rows.append({"service": sa.service.key, "area": area_id(sa.service, k),
                         "regions": "; ".join(area.regions), "members": " ".join(area.members),
                         "host": host, "inhabitants": area.population,
                         "longest_trip": _trip(a.data, area.members, host)[0],
                         "core_host": area.host, "core_longest_trip": area.longest_trip,
                         "meets": area.meets, "reason": area.reason,
                         **{f"within_{m}": v for m, v in near.items()},
                         **{f"core_within_{m}": v for m, v in core.items()}})
    return pd.DataFrame(rows, columns=list(SERVICE_COLUMNS))


def _hosted(a: ServiceAnalysis, hosts: tuple[str, ...]) -> tuple[dict[str, float],
                                                                 dict[str, list[str]]]:
    staff: dict[str, float] = dict.fromkeys(a.data.codes, 0.0)
    names: dict[str, list[str]] = {c: [] for c in a.data.codes}
    for slot, h in zip(a.hosting.slots, hosts, strict=True):
        staff[h] += slot.staff
        names[h].append(slot.service)
    return staff, names


def hosting_table(a: ServiceAnalysis) -> pd.DataFrame:
    """The rows of ``hosting.csv``: one per municipality (columns :data:`HOSTING_COLUMNS`).

    ``share`` is the municipality's part of the staff hosted in its region
    (balanced), ``core_share`` the same under traditional hosting,
    ``population_share`` its part of the region's inhabitants.
    """
    staff, names = _hosted(a, a.hosting.balanced)
    core, _ = _hosted(a, a.hosting.traditional)
    rows = []
    for r in a.plan.regions:
        members = a.plan.members(r)
        total, total_core = sum(staff[m] for m in members), sum(core[m] for m in members)
        pop = {m: int(a.data.population[a.data.index(m)]) for m in members}
        for m in members:
            rows.append({"kommunenummer": m, "name": a.data.names[a.data.index(m)],
                         "region": r, "services_hosted": " ".join(names[m]),
                         "staff": staff[m], "share": staff[m] / total if total else 0.0,
                         "population_share": pop[m] / sum(pop.values()),
                         "target_staff": a.hosting.targets[m], "core_staff": core[m],
                         "core_share": core[m] / total_core if total_core else 0.0})
    return pd.DataFrame(rows, columns=list(HOSTING_COLUMNS))


def _person_minutes(a: ServiceAnalysis, hosts: tuple[str, ...]) -> float:
    travel = {sa.service.key for sa in a.areas if sa.service.travel}
    return sum(_trip(a.data, slot.members, h)[1]
               for slot, h in zip(a.hosting.slots, hosts, strict=True) if slot.service in travel)


def _model_figures(a: ServiceAnalysis, hosts: tuple[str, ...]) -> dict[str, Any]:
    staff, names = _hosted(a, hosts)
    cores = set(a.plan.cores.values())
    big = [r for r in a.plan.regions if len(a.plan.members(r)) >= 3]
    at_core = [r for r in big if all(not names[m] for m in a.plan.members(r)
                                     if m != a.plan.cores[r])]
    total = sum(staff.values())
    return {"core_share": sum(staff[c] for c in cores) / total if total else 0.0,
            "deviation": sum(abs(staff[m] - a.hosting.targets[m]) for m in staff),
            "person_minutes": _person_minutes(a, hosts),
            "regions_all_at_core": at_core,
            "members_hosting_nothing": sum(1 for r in a.plan.regions
                                           if len(a.plan.members(r)) >= 2
                                           for m in a.plan.members(r) if not names[m])}


def _service_within(a: ServiceAnalysis, key: str, hosts: tuple[str, ...]) -> dict[str, float]:
    """The share of the inhabitants of every area of service ``key`` within each band of
    their area's host (members in kommunenummer order)."""
    host = {m: h for slot, h in zip(a.hosting.slots, hosts, strict=True)
            if slot.service == key for m in slot.members}
    idx = sorted(a.data.index(m) for m in host)
    shares = within(a.data, idx, [a.data.index(host[a.data.codes[i]]) for i in idx])
    return {str(m): v for m, v in zip(REACH_MINUTES, shares, strict=True)}


def services_summary(a: ServiceAnalysis) -> dict[str, Any]:
    """The ``services`` entry of ``metrics.json``: per service, pass counts and hosting."""
    per = {}
    for sa in a.areas:
        s = sa.service
        per[s.key] = {"areas": len(sa.areas), "areas_meeting": sum(x.meets for x in sa.areas),
                      "floor": s.floor, "max_population": s.max_population,
                      "max_travel_minutes": s.limit, "status": sa.status,
                      "staff": sum(s.staff_per_1000 * x.population / 1000 for x in sa.areas),
                      "unmet": [f"{'; '.join(x.regions)}: {x.reason}"
                                for x in sa.areas if not x.meets],
                      "within": _service_within(a, s.key, a.hosting.balanced),
                      "core_within": _service_within(a, s.key, a.hosting.traditional)}
    h = a.hosting
    pop = int(a.data.population.sum())
    rate = sum(sa.service.staff_per_1000 for sa in a.areas)
    return {"services": len(a.areas),
            "services_all_met": sum(v["areas"] == v["areas_meeting"] for v in per.values()),
            "per_service": per,
            "hosting": {"status": h.status, "gap": h.gap, "notes": list(h.notes),
                        "staff_total": sum(s.staff for s in h.slots),
                        "staff_expected": rate * pop / 1000,
                        "balanced": _model_figures(a, h.balanced),
                        "traditional": _model_figures(a, h.traditional)}}


def services_to_dict(a: ServiceAnalysis) -> dict[str, Any]:
    """The summary with both tables' rows, for ``--json``."""
    return {**services_summary(a), "areas": frame_records(services_table(a)),
            "hosting_rows": frame_records(hosting_table(a))}


def format_services(a: ServiceAnalysis) -> str:
    """The service analysis as text: pass counts per service, hosting under both models."""
    summary = services_summary(a)
    per = pd.DataFrame([{"service": k, "floor": v["floor"], "most": v["max_population"] or "",
                         "limit": "" if v["max_travel_minutes"] is None
                         else f"{v['max_travel_minutes']:.0f} min",
                         "areas": v["areas"], "meeting": v["areas_meeting"],
                         "staff": v["staff"], "within 60 min of host": v["within"]["60"],
                         "of core host": v["core_within"]["60"]}
                        for k, v in summary["per_service"].items()])
    h = summary["hosting"]
    both = pd.DataFrame([{"model": name, "core share": f"{100 * m['core_share']:.1f} %",
                          "deviation (staff)": m["deviation"],
                          "person-minutes": m["person_minutes"],
                          "regions (3+) all at core": len(m["regions_all_at_core"])}
                         for name, m in (("balanced", h["balanced"]),
                                         ("traditional", h["traditional"]))])
    table = hosting_table(a)
    lines = [f"Services of {a.plan.name!r}: {summary['services_all_met']} of "
             f"{summary['services']} services met in every area", "",
             text_table(per, digits={"staff": 1, "within 60 min of host": 3,
                                     "of core host": 3}), ""]
    lines += [f"  {k}: {u}" for k, v in summary["per_service"].items() for u in v["unmet"]]
    lines += ["", f"Hosting ({h['status']}): {h['staff_total']:.1f} staff hosted, "
              f"{h['staff_expected']:.1f} by the catalogue's rates", "",
              text_table(both, digits={"deviation (staff)": 1, "person-minutes": 0}), "",
              text_table(table.drop(columns=["name", "target_staff"]),
                         digits={"staff": 1, "share": 3, "population_share": 3,
                                 "core_staff": 1, "core_share": 3})]
    lines += [f"  note: {n}" for n in h["notes"]]
    return "\n".join(lines) + "\n"


def region_hosting(a: ServiceAnalysis) -> Mapping[str, list[dict[str, Any]]]:
    """Per region, its members' hosting rows (for the maps)."""
    table = hosting_table(a)
    return {r: frame_records(table[table["region"] == r].drop(columns=["region"]))
            for r in a.plan.regions}


def service_hosts(a: ServiceAnalysis) -> dict[str, list[dict[str, Any]]]:
    """Per service, its areas with members, host and whether they meet the rules (for maps)."""
    rows = services_table(a)
    out: dict[str, list[dict[str, Any]]] = {}
    for key, part in rows.groupby("service", sort=False):
        out[str(key)] = [{"area": r.area, "members": r.members.split(), "host": r.host,
                          "inhabitants": int(r.inhabitants), "meets": bool(r.meets),
                          "reason": r.reason, "longest_trip": float(np.round(r.longest_trip, 2)),
                          "within": [_share(getattr(r, f"within_{m}")) for m in REACH_MINUTES]}
                         for r in part.itertuples()]
    return out


def _share(value: float) -> float | None:
    return float(np.round(value, 4)) if np.isfinite(value) else None


def service_defaults() -> Scenario:
    """The default scenario with services on: the catalogue, the default switches, and HiGHS.

    HiGHS runs in-process: the many small service MIPs then cost no process start each.
    """
    base = Scenario()
    return dataclasses.replace(base, services=dataclasses.replace(base.services, enabled=True),
                               solver=dataclasses.replace(base.solver, name="highs"))


def services_scenario(scenario: Scenario | None) -> Scenario | None:
    """The scenario to analyse a plan's services with: ``None`` when it switches them off.

    Without a scenario (``regionopt evaluate`` on a plan file alone), :func:`service_defaults`.
    """
    if scenario is None:
        return service_defaults()
    return scenario if scenario.services.enabled else None


def _csv(df: pd.DataFrame) -> str:
    return df.round(4).to_csv(index=False, lineterminator="\n")


def write_service_files(a: ServiceAnalysis, folder: str | os.PathLike[str]) -> None:
    """Write ``services.csv`` and ``hosting.csv`` into ``folder`` (atomically)."""
    out = Path(folder)
    atomic_write_text(out / "services.csv", _csv(services_table(a)))
    atomic_write_text(out / "hosting.csv", _csv(hosting_table(a)))
