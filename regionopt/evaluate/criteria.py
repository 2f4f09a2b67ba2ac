"""The criteria table: each region of a plan, pass or fail against the planners' criteria.

Thresholds come from the scenario's ``[criteria]`` table (defaults and sources in
``docs/scenarios.md``). One row per region and criterion:

* ``population``: population ≥ ``min_population`` (5 000, NIVI's smallest region);
* ``municipal_minimum``: population ≥ ``municipal_minimum`` (15 000, the 2014 expert
  committee's minimum of 15 000–20 000);
* ``self_containment``: ≥ ``self_containment`` (0.75), or ``self_containment_large``
  (0.667) for regions with more than ``large_workers`` (25 000) employed residents, as
  the UK travel-to-work areas;
* ``longest_trip`` and ``mean_trip``: the longest and the population-weighted mean
  minutes to the core ≤ ``longest_trip_minutes`` (75) and ``mean_trip_minutes`` (45);
  the ``band`` column says which of Statistics Norway's old bands (45/60/75 minutes)
  the value falls in;
* ``core_centrality_class``: the core's class ≤ ``max_core_centrality_class`` (5);
* ``inhabitants_within_45``, ``_60``, ``_75``: for information, without a threshold (the
  ``threshold`` is NaN and the row always passes): the share of the region's inhabitants
  within that many minutes of the core (:mod:`regionopt.evaluate.reach`); the ``band``
  says how they were counted, ``grid cells`` or ``whole municipalities``.

The ``note`` column names the scenario's exceptions in the region, with their reasons, its
long-distance members beyond the functional travel limit with their trips
(``constraints.long_distance_minutes``), and the divided municipality (Ålesund/Haram)
where its commuting flows are estimated.
Commuting and centrality rows need the problem to carry those data.
"""

from __future__ import annotations

import math

import pandas as pd

from regionopt.errors import figure
from regionopt.evaluate.metrics import PlanMetrics
from regionopt.evaluate.reach import WITHIN_COLUMNS, grid_based
from regionopt.model.families.criterion import criterion_threshold
from regionopt.model.families.travel import long_distance_mask
from regionopt.problem import ProblemData
from regionopt.scenario import Scenario

COLUMNS = ("region", "criterion", "value", "threshold", "passed", "band", "note")
#: The criteria, in the table's order (commuting and centrality ones need those data).
CRITERIA = ("population", "municipal_minimum", "self_containment", "longest_trip", "mean_trip",
            "core_centrality_class")
#: The rows shown for information, without a threshold (always passed).
INFORMATION = WITHIN_COLUMNS
#: The ``band`` of the information rows: how the inhabitants within reach were counted.
REACH_BASIS = {True: "grid cells", False: "whole municipalities"}
#: The pass counts of :func:`pass_counts`: one per criterion, then all of them.
PASS_COLUMNS = (*(f"criteria_{c}_passed" for c in CRITERIA), "criteria_all_passed")
_SPLIT = {"1508", "1580"}
#: The municipalities whose commuting flows are divided (``_SPLIT``), and the note saying so.
DIVIDED = frozenset(_SPLIT)
DIVIDED_NOTE = "commuting of Ålesund and Haram divided from 2022 Ålesund by population"


def _band(minutes: float) -> str:
    for limit in (45, 60, 75):
        if minutes <= limit:
            return f"<= {limit} min"
    return "> 75 min"


def criteria_table(metrics: PlanMetrics, problem: ProblemData,
                   scenario: Scenario) -> pd.DataFrame:
    """Return the criteria table of a plan (columns :data:`COLUMNS`), by region then criterion.

    Parameters
    ----------
    metrics
        The plan's metrics (:func:`~regionopt.evaluate.metrics.evaluate`) on ``problem``.
    problem
        The problem the metrics were computed on.
    scenario
        Supplies the thresholds (``[criteria]``) and the named exceptions.

    Returns
    -------
    pandas.DataFrame
    """
    cr = scenario.criteria
    basis = REACH_BASIS[grid_based(problem)]
    reasons = dict(scenario.constraints.exceptions)
    far = long_distance_mask(problem, scenario)
    rows = []
    for region in metrics.regions.to_dict(orient="records"):
        codes = str(region["member_codes"]).split(";")
        notes = [f"{problem.names[problem.index(c)]} ({c}) is an exception: {reasons[c]}"
                 for c in codes if c in reasons]
        notes += [long_distance_note(problem, scenario, problem.index(c),
                                     problem.index(str(region["core"])))
                  for c in codes if far[problem.index(c)]
                  and problem.minutes[problem.index(c), problem.index(str(region["core"]))]
                  > float(scenario.constraints.max_travel_minutes or 0)]
        if problem.commuting is not None and _SPLIT & set(codes) and problem.commuting.note:
            notes.append(DIVIDED_NOTE)
        note = "; ".join(notes)
        pop = int(region["population"])
        checks: list[tuple[str, float, float, bool, str]] = [
            ("population", pop, cr.min_population, pop >= cr.min_population, ""),
            ("municipal_minimum", pop, cr.municipal_minimum, pop >= cr.municipal_minimum, ""),
        ]
        if "self_containment" in region:
            need = criterion_threshold(region["employed"], cr)
            value = float(region["self_containment"])
            checks.append(("self_containment", value, need, value >= need, ""))
        for key, col, limit in (("longest_trip", "max_minutes", cr.longest_trip_minutes),
                                ("mean_trip", "mean_minutes", cr.mean_trip_minutes)):
            value = float(region[col])
            checks.append((key, value, limit, value <= limit,
                           _band(value) if math.isfinite(value) else "unreachable"))
        if "core_centrality_class" in region:
            klass = int(region["core_centrality_class"])
            checks.append(("core_centrality_class", klass, cr.max_core_centrality_class,
                           klass <= cr.max_core_centrality_class, ""))
        checks += [(col, float(region[col]), math.nan, True, basis) for col in INFORMATION]
        rows += [(region["region"], name, value, limit, bool(ok), band, note)
                 for name, value, limit, ok, band in checks]
    return pd.DataFrame(rows, columns=list(COLUMNS))


def long_distance_note(problem: ProblemData, scenario: Scenario, i: int, core: int) -> str:
    """The criteria table's note on a long-distance member ``i`` of the region of ``core``.

    See :mod:`regionopt.model.families.travel` (``constraints.long_distance_minutes``).
    """
    c = scenario.constraints
    return (f"{problem.names[i]} ({problem.codes[i]}) is a long-distance member: "
            f"{problem.minutes[i, core]:.2f} min to its core (no other possible core within "
            f"{c.max_travel_minutes:g} minutes; limit {c.long_distance_minutes:g})")


def pass_counts(table: pd.DataFrame) -> dict[str, int | None]:
    """Return how many regions meet each criterion, and all of them (keys :data:`PASS_COLUMNS`).

    A criterion the table does not check (no commuting or centrality data) counts ``None``.
    """
    passed = table.groupby("criterion", sort=False)["passed"].sum()
    counts: dict[str, int | None] = {
        f"criteria_{c}_passed": int(passed[c]) if c in passed.index else None for c in CRITERIA}
    counts["criteria_all_passed"] = int(table.groupby("region", sort=False)["passed"].all().sum())
    return counts


def shortfalls(table: pd.DataFrame) -> list[str]:
    """Return one sentence per failed criterion: which region falls short of what, and why."""
    out = []
    for row in table[~table["passed"]].itertuples(index=False):
        why = f" ({row.note})" if row.note else ""
        out.append(f"{row.region}: {row.criterion} {figure(row.value)} vs "
                   f"{figure(row.threshold)}{why}")
    return out


__all__ = ["COLUMNS", "CRITERIA", "DIVIDED", "DIVIDED_NOTE", "INFORMATION", "PASS_COLUMNS",
           "REACH_BASIS", "criteria_table",
           "long_distance_note", "pass_counts", "shortfalls"]
