"""``regionopt atlas``: every county's kommuneregioner, and one page to open them all.

Solves each county (all 15, or those ``--area`` names) with the first tier's scenario
(default ``data/geo/scenarios/kommuneregioner.toml``) and the second tier's
(``--second-scenario``, default ``functional.toml``: labour-market regions, a complete
atlas of its own in ``labour-market/``) on the sweep's machinery
(:mod:`regionopt.sweep.atlas.solve`: processes or Dask, stored per county, resumed),
then writes into ``--out`` a folder per county, ``index.html`` and the table of counties
(``atlas.csv``, ``atlas.parquet``), as :mod:`regionopt.sweep.atlas.folders` lists them.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import Any

from regionopt import api
from regionopt._resources import geo_file
from regionopt.cli.common import (
    add_area,
    add_common,
    add_lang,
    add_out,
    add_scenario,
    add_workers,
    overrides,
)
from regionopt.data.areas import area_choice
from regionopt.data.municipalities import load_counties
from regionopt.errors import DataError
from regionopt.io import check_output_owner, owned_files
from regionopt.sweep.atlas.folders import FILES, slug, write_atlas
from regionopt.sweep.atlas.solve import solve_counties
from regionopt.sweep.store import claim_folder

log = logging.getLogger("regionopt")

SCENARIO = "kommuneregioner.toml"
#: The second tier (labour-market regions) and the folder its atlas is written in.
SECOND, SECOND_FOLDER = "functional.toml", "labour-market"


def _counties(args: argparse.Namespace) -> list[tuple[str, str]]:
    frame = load_counties(data_dir=args.data_dir)
    names = dict(zip(frame["county"], frame["county_name"], strict=True))
    if args.area is None:
        return sorted(names.items())
    choice = area_choice(args.area, data_dir=args.data_dir)
    if choice.municipalities:
        raise DataError(f"--area {args.area!r}: the atlas takes whole counties, not "
                        f"municipalities ({', '.join(choice.municipalities[:3])})")
    chosen = choice.counties or tuple(sorted(names))
    return [(c, names[c]) for c in chosen]


def _solve(scenario: Any, counties: list[tuple[str, str]], problem: Any, out: Path,
           args: argparse.Namespace) -> list[Any]:
    return solve_counties(scenario, counties, problem=problem, out_dir=out,
                          scheduler=args.scheduler, max_workers=args.workers,
                          resume=not args.no_resume, progress=not args.quiet,
                          data_dir=args.data_dir)


def _tier(scenario: Any, counties: list[tuple[str, str]], net: Any, problem: Any, out: Path,
          args: argparse.Namespace) -> Any:
    """The second tier's atlas, complete in its own folder; returns its table of counties."""
    out.mkdir(parents=True, exist_ok=True)
    if owned_files(out) is None:
        claim_folder(out, [])
    results = _solve(scenario, counties, problem, out, args)
    table = write_atlas(results, net, problem, out, base=scenario, lang=args.lang,
                        progress=not args.quiet, workers=args.workers)
    claim_folder(out, [r.case.id for r in results], extra=FILES)
    return table


def run(args: argparse.Namespace, *, overrides: dict[str, Any]) -> int:
    """Run ``regionopt atlas`` (see the module notes) with the ``--set`` ``overrides``.

    Returns
    -------
    int
        The exit code.
    """
    out = check_output_owner(args.out, force=args.force)
    scenario = api.load_scenario(args.scenario or geo_file("scenarios", SCENARIO),
                                 overrides=overrides)
    tier2 = None if args.second_scenario == "none" else api.load_scenario(
        args.second_scenario or geo_file("scenarios", SECOND))
    counties = _counties(args)
    net = api.build_network("norway", data_dir=args.data_dir, progress=not args.quiet)
    problem = api.problem_from_network(net, data_dir=args.data_dir)
    out.mkdir(parents=True, exist_ok=True)
    if owned_files(out) is None:  # claim the folder now, so that an interrupted run resumes
        claim_folder(out, [])
    second = None if tier2 is None else _tier(tier2, counties, net, problem,
                                              out / SECOND_FOLDER, args)
    results = _solve(scenario, counties, problem, out, args)
    write_atlas(results, net, problem, out, base=scenario, lang=args.lang,
                progress=not args.quiet, workers=args.workers, second=second,
                second_folder=SECOND_FOLDER)
    claim_folder(out, [r.case.id for r in results], extra=FILES)
    for r in results:
        gap = r.record.get("gap")
        log.info("%s: %s, %s regions, gap %s", r.name, r.record.get("status"),
                 (r.record.get("metrics") or {}).get("regions"),
                 "n/a" if gap is None else f"{100 * gap:.3g} %")
    log.info("atlas: %d counties -> %s", len(results), out / "index.html")
    return 0


def add_atlas(p: argparse.ArgumentParser) -> None:
    """The arguments of ``regionopt atlas``."""
    add_out(p, "output folder: index.html, atlas.csv, atlas.parquet, one folder per county, "
               "plans/")
    add_scenario(p, "scenario TOML of the first tier (default: data/geo/scenarios/"
                    "kommuneregioner.toml); its area is replaced by each county's")
    p.add_argument("--second-scenario", metavar="TOML", default=None,
                   help="scenario TOML of the second tier, written in labour-market/ (default: "
                        "data/geo/scenarios/functional.toml, the labour-market regions); "
                        "'none' for one tier")
    add_area(p, default=None)
    add_lang(p, "page language")
    add_workers(p, resume="solve finished counties again")
    add_common(p)


def handle_atlas(args: argparse.Namespace) -> int:
    """Run ``regionopt atlas`` with its ``--set`` overrides; return the exit code."""
    return run(args, overrides=overrides(args))


COMMANDS = {"atlas": (add_atlas, handle_atlas)}


__all__ = ["COMMANDS", "FILES", "SCENARIO", "SECOND", "SECOND_FOLDER", "add_atlas", "handle_atlas",
           "run", "slug"]
