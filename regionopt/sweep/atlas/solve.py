"""The atlas's solving: one case per county, on the sweep's machinery.

Each county is a :class:`~regionopt.sweep.cases.SweepCase` whose scenario is
the base scenario on that county alone (``area.counties = [code]``, rules
naming municipalities elsewhere dropped, as ``--area`` does). The national
problem goes to each worker once (process pool or Dask, as a sweep's), and
each case is solved on its county's part of it
(:func:`regionopt.sweep.run.area_problem`); finished counties are stored in
``plans/<id>/`` and reused on a re-run with the same scenario and problem
(:func:`regionopt.sweep.run.solve_cases`). The pages and tables are written by
:mod:`regionopt.cli.atlas`.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from regionopt.data.areas import scenario_for_area
from regionopt.plan import Plan, read_plan
from regionopt.problem import ProblemData
from regionopt.scenario import Scenario
from regionopt.sweep.cases import SweepCase, case_id
from regionopt.sweep.run import area_problem, solve_cases

if TYPE_CHECKING:
    # lazy: dask's distributed is heavy and only Dask runs need it
    from distributed import Client

AREA_KEY = "area.counties"


@dataclass(frozen=True)
class CountyResult:
    """One county of the atlas, solved.

    Attributes
    ----------
    county, name
        Its 2-digit code and name.
    case
        The sweep case (its scenario is the county's).
    record
        The case's stored record (``status``, ``objective``, ``bound``, ``gap``,
        ``seconds``, ``metrics``, ``assignment``, ``cores``, ``reason``).
    notes
        Rules of the base scenario dropped for naming municipalities elsewhere.
    """

    county: str
    name: str
    case: SweepCase
    record: dict[str, Any]
    notes: tuple[str, ...] = ()

    def plan(self, out_dir: str | os.PathLike[str], problem: ProblemData) -> Plan | None:
        """The county's stored plan (``plans/<id>/plan.csv``), or ``None`` without one."""
        path = self.record.get("plan_path")
        if not path:
            return None
        return read_plan(Path(out_dir) / path, problem=problem,
                         name=f"regionopt ({self.case.scenario.name})")

    def problem(self, national: ProblemData) -> ProblemData:
        """The county's part of the national problem, as it was solved."""
        return area_problem(national, self.case.scenario)


def county_cases(scenario: Scenario, counties: Sequence[tuple[str, str]], *,
                 data_dir: str | os.PathLike[str] | None = None
                 ) -> list[tuple[SweepCase, tuple[str, ...]]]:
    """One case per ``(code, name)`` county: the base scenario on that county alone.

    Returns
    -------
    list of (SweepCase, notes)
        In the order of ``counties``; the notes name the rules dropped.
    """
    out = []
    for code, _ in counties:
        county, notes = scenario_for_area(scenario, [code], data_dir=data_dir)
        overrides = ((AREA_KEY, code),)
        out.append((SweepCase(id=case_id(overrides), overrides=overrides, scenario=county),
                    tuple(notes)))
    return out


def solve_counties(scenario: Scenario, counties: Sequence[tuple[str, str]], *,
                   problem: ProblemData, out_dir: str | os.PathLike[str],
                   scheduler: str | Client | None = None, max_workers: int = 2,
                   resume: bool = True, progress: bool = True,
                   data_dir: str | os.PathLike[str] | None = None) -> list[CountyResult]:
    """Solve every county (see the module notes); stored in ``out_dir/plans/<id>/``.

    Parameters
    ----------
    scenario
        The base scenario (its own area is replaced by each county's).
    counties
        ``(code, name)`` of the counties to solve.
    problem
        The national problem (or any that holds the counties).
    out_dir, scheduler, max_workers, resume, progress
        As in :func:`regionopt.sweep.run_sweep`.
    data_dir
        Source data folder (to resolve each county's municipalities).

    Returns
    -------
    list of CountyResult
        In the order of ``counties``.
    """
    cases = county_cases(scenario, counties, data_dir=data_dir)
    records, _ = solve_cases([c for c, _ in cases], problem=problem, out_dir=out_dir,
                             scheduler=scheduler, max_workers=max_workers, resume=resume,
                             progress=progress)
    return [CountyResult(code, name, case, records[case.id], notes)
            for (code, name), (case, notes) in zip(counties, cases, strict=True)]
