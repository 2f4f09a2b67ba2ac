"""Commuting-area peer: the Coombes–Bond TTWA algorithm on all of Norway, scored by regionopt.

Runs ``peer_ttwa.ttwa`` (the UK/Eurostat labour-market-area method, written from its published
description) on Statistics Norway's table 03321 (commuting 2022, re-coded to the 357
municipalities of 2024, as ``regionopt.data.commuting`` loads it) with the UK parameters
(3 500 / 25 000 workers, self-containment 0.667 / 0.75) and with the size thresholds (same
ratio, same self-containment parameters) searched to give 159 areas (the BA-regioner's count)
and 85 (the economic regions'). Each plan is scored by ``regionopt.evaluate`` on the national
problem of ``network build --area norway`` (adjacency and travel matrix), with the criteria of
``data/geo/scenarios/norway-functional.toml``; a region's core is its most populous member,
as ``read_plan`` gives a plan CSV without cores. The BA-regioner 2020 and the economic regions
are scored the same way beside them (most-populous cores too, not the BA-regioner's named
centres, as the figures of issue 19 were computed). Each plan is written to ``--out`` as a plan CSV
(``kommunenummer,region``) for ``regionopt frontier --reference``. Prints a Markdown section;
with ``--write`` it replaces the "ttwa" section of ``docs/benchmarks.md``.

Usage::

    python benchmarks/bench_ttwa.py [--write] [--out benchmarks/results/ttwa] [--counts 159 85]
"""

from __future__ import annotations

import logging
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from _common import REPO, Machine, arg_parser, emit, machine
from peer_ttwa import Parameters, Result, count_for, ttwa

from regionopt.api import build_network, problem_from_network
from regionopt.data.reference import BA_2020, ECONOMIC_REGIONS, load_reference
from regionopt.evaluate.criteria import criteria_table
from regionopt.evaluate.metrics import evaluate
from regionopt.io import atomic_write_text
from regionopt.model.contiguity import components
from regionopt.plan import Plan, largest_member
from regionopt.problem import ProblemData
from regionopt.scenario import Scenario, load_scenario

SCENARIO = REPO / "data" / "geo" / "scenarios" / "norway-functional.toml"
OUT = REPO / "benchmarks" / "results" / "ttwa"


@dataclass
class Row:
    """One plan scored."""

    label: str
    plan: Plan
    file: str = ""
    params: Parameters | None = None
    result: Result | None = None
    seconds: float = float("nan")
    runs: int = 1
    figures: dict[str, Any] | None = None


def plan_from_areas(problem: ProblemData, labels: np.ndarray, name: str) -> Plan:
    """A plan of the areas ``labels``: each named after its member with the most workers.

    The core is the most populous member (what ``read_plan`` gives a CSV without cores).
    """
    assert problem.commuting is not None
    jobs = problem.commuting.jobs
    assignment: dict[str, str] = {}
    cores: dict[str, str] = {}
    for area in np.unique(labels):
        members = np.flatnonzero(labels == area)
        top = int(members[np.argmax(jobs[members])])  # argmax: ties to the lower code
        region = f"TTWA {problem.names[top]} ({problem.codes[top]})"
        codes = [problem.codes[i] for i in members]
        assignment.update(dict.fromkeys(codes, region))
        cores[region] = largest_member(codes, problem)
    return Plan(assignment=assignment, cores=cores, name=name)


def write_plan(plan: Plan, path: Path) -> None:
    """Write ``plan`` as a plan CSV ``kommunenummer,region`` (atomically)."""
    frame = pd.DataFrame(sorted(plan.assignment.items()), columns=["kommunenummer", "region"])
    atomic_write_text(path, frame.to_csv(index=False, lineterminator="\n"))


def score(plan: Plan, problem: ProblemData, scenario: Scenario) -> dict[str, Any]:
    """regionopt's figures of ``plan``, with the regions and members that break a rule."""
    m = evaluate(plan, problem)
    s = m.summary
    table = criteria_table(m, problem, scenario)
    sc = table[table["criterion"] == "self_containment"]
    nbrs = problem.neighbours()
    broken = []
    for row in m.regions[~m.regions["connected"]].itertuples():
        parts = components([problem.index(c) for c in row.member_codes.split(";")], nbrs)
        pieces = sorted(", ".join(sorted(problem.names[i] for i in part)) for part in parts)
        broken.append(f"{row.region} in {len(parts)} pieces ({' / '.join(pieces)})")
    limit = scenario.constraints.max_travel_minutes
    exempt = {code for code, _ in scenario.constraints.exceptions}
    far = m.municipalities[m.municipalities["minutes_to_core"] > (limit or np.inf)]
    over = [f"{r.name} ({r.kommunenummer}) {r.minutes_to_core:.0f} min to "
            f"{problem.names[problem.index(r.core)]}"
            + (" [an exception of the scenario]" if r.kommunenummer in exempt else "")
            for r in far.sort_values("minutes_to_core", ascending=False).itertuples()]
    return {"regions": s["regions"], "kept": s["commuting_kept_share"],
            "sc_min": s["self_containment_min"], "meeting": int(sc["passed"].sum()),
            "not_contiguous": s["regions_not_connected"],
            "mean": s["mean_minutes_per_inhabitant"], "longest": s["max_minutes"],
            "person_minutes": s["person_minutes"], "limit": limit, "over": over,
            "broken": broken}


def run_peers(problem: ProblemData, counts: list[int]) -> list[Row]:
    """Run the algorithm with the UK parameters and for each of ``counts``."""
    assert problem.commuting is not None
    flows = np.asarray(problem.commuting.flows)
    rows = []
    start = time.perf_counter()
    uk = ttwa(flows, Parameters.uk())
    rows.append(Row("UK parameters", plan_from_areas(problem, uk.labels, "ttwa-uk"),
                    "ttwa_uk.csv", Parameters.uk(), uk, time.perf_counter() - start))
    for count in counts:
        start = time.perf_counter()
        params, result = count_for(flows, count)
        seconds = time.perf_counter() - start
        rows.append(Row(f"size thresholds for {count} areas",
                        plan_from_areas(problem, result.labels, f"ttwa-{count}"),
                        f"ttwa_{count}.csv", params, result, seconds))
        logging.getLogger("bench_ttwa").info("%d areas asked: %d found, %.0f / %.0f workers",
                                             count, result.n_areas, params.min_size,
                                             params.target_size)
    return rows


def _fmt(x: float) -> str:
    return f"{x:,.0f}".replace(",", " ")


def _params(r: Row) -> str:
    if r.params is None:
        return "—"
    p = r.params
    return (f"{_fmt(p.min_size)} / {_fmt(p.target_size)} workers, SC {p.min_sc:g} / "
            f"{p.target_sc:g}")


def render(rows: list[Row], m: Machine, problem: ProblemData, scenario: Scenario,
           out: Path) -> str:
    """Return the Markdown section."""
    lines = [
        "## Commuting-area peer: the Coombes–Bond TTWA algorithm",
        "",
        "`python benchmarks/bench_ttwa.py --write`: `benchmarks/peer_ttwa.py`, the UK/Eurostat "
        "labour-market-area method (Coombes & Bond 2008; validity by the X-equation of size "
        "and self-containment, the least valid area dissolved and its members placed one at a "
        "time by the tie F²ab/(Ea·Jb) + F²ba/(Eb·Ja), later members judged against the areas "
        "the earlier moves left, with the Istat reserve list), written from the published "
        "description, on SSB 03321 (2022, re-coded to the 357 municipalities of 2024). Size "
        "thresholds for 159 and 85 areas: the minimum size searched by bisection on whole "
        "workers with the target size in the UK ratio (25 000 / 3 500) and the UK "
        "self-containment parameters. Every plan scored by `regionopt.evaluate` on the "
        "national matrix and adjacency (`network build --area norway`); core = most populous "
        "member; criterion = the criteria table of `norway-functional.toml` (self-containment "
        f"{scenario.criteria.self_containment:g}, {scenario.criteria.self_containment_large:g} "
        f"over {_fmt(scenario.criteria.large_workers)} workers); travel limit = its "
        f"{scenario.constraints.max_travel_minutes:g} minutes to the core. Plans written to "
        f"`{out.relative_to(REPO) if out.is_relative_to(REPO) else out}` as "
        "`kommunenummer,region` CSVs (`regionopt frontier --reference`).",
        "",
        m.describe(),
        "",
        "| plan | parameters | regions | commuters kept | self-containment, min | regions "
        "meeting the SC criterion | not contiguous | mean minutes to core "
        "(population-weighted) | longest | person-minutes | municipalities over the travel limit "
        "| run (s) |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        f = r.figures or {}
        seconds = "—" if np.isnan(r.seconds) else f"{r.seconds:.1f}"
        lines.append(
            f"| {r.label} | {_params(r)} | {f['regions']} | {f['kept']:.3f} | "
            f"{f['sc_min']:.3f} | {f['meeting']} | {f['not_contiguous']} | {f['mean']:.1f} | "
            f"{f['longest']:.0f} | {_fmt(f['person_minutes'])} | {len(f['over'])} | {seconds} |")
    lines += ["", "Where the peers break contiguity (on regionopt's adjacency: borders, roads, "
              "ferries) or the travel limit:", ""]
    for r in rows:
        f = r.figures or {}
        if r.result is None:
            continue
        res = r.result
        what = [f"{res.steps} dissolutions, {res.moves} placements, {res.reserved} via the "
                f"reserve list"]
        if res.stranded:
            what.append("stranded: " + ", ".join(problem.names[i] for i in res.stranded))
        lines.append(f"- **{r.label}** ({'; '.join(what)}). Not contiguous: "
                     + ("; ".join(f["broken"]) or "none") + ". Over "
                     f"{f['limit']:g} minutes: " + ("; ".join(f["over"]) or "none") + ".")
    lines += ["", "Run (s) for the searched rows covers every run of the bisection. Rows "
              "without a run are the reference plans, scored the same way for comparison "
              "(cores: the most populous member, as for the peers)."]
    return "\n".join(lines) + "\n"


def main() -> int:
    """Run the benchmark; print (and with ``--write`` store) its section."""
    parser = arg_parser(__doc__)
    parser.add_argument("--out", type=Path, default=OUT,
                        help=f"folder for the plan CSVs (default {OUT.relative_to(REPO)})")
    parser.add_argument("--counts", type=int, nargs="*", default=[159, 85],
                        help="area counts to search size thresholds for (default 159 85)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    warnings.simplefilter("ignore")  # centre placement warnings are not the subject here
    m = machine()
    problem = problem_from_network(build_network("norway", progress=False))
    scenario = load_scenario(SCENARIO)
    rows = run_peers(problem, args.counts)
    args.out.mkdir(parents=True, exist_ok=True)
    for r in rows:
        write_plan(r.plan, args.out / r.file)
    for name, key in (("BA-regioner 2020 (TØI)", BA_2020),
                      ("economic regions (SSB)", ECONOMIC_REGIONS)):
        ref = load_reference(key, problem)  # scored with most-populous cores, as the peers
        rows.append(Row(name, Plan(assignment=dict(ref.assignment), name=ref.name, cores={
            r: largest_member(list(ref.members(r)), problem) for r in ref.regions})))
    for r in rows:
        r.figures = score(r.plan, problem, scenario)
    emit("ttwa", render(rows, m, problem, scenario, args.out), write=args.write)
    return 0


if __name__ == "__main__":
    sys.exit(main())
