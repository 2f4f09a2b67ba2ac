"""Score any region plan on the travel-time graph: metrics and comparison.

Every metric is a pure function of a :class:`~regionopt.plan.Plan` and a
:class:`~regionopt.problem.ProblemData`, so the optimiser's plans and reference
plans (NIVI's) are measured with the same numbers on the same graph. The exact
definition of each metric is in ``docs/metrics.md`` and in the docstrings below.

Minutes from a municipality to its core are ``problem.minutes[member, core]``
(row = member, column = core), exactly the coefficient of the model's travel
term. Where that is ``inf`` (no route), the municipality is *unreachable*: the
per-region and per-plan minutes that depend on it are ``inf`` and the
unreachable count says how many; nothing is replaced by a finite number.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from regionopt.evaluate.agreement import Agreement, agreement, match_regions
from regionopt.evaluate.reach import WITHIN_COLUMNS, reach_of, within
from regionopt.model.containment import self_containment
from regionopt.model.contiguity import is_connected
from regionopt.plan import Plan, check_coverage
from regionopt.problem import ProblemData

log = logging.getLogger(__name__)

REGION_COLUMNS = ("region", "core", "core_name", "population", "members", "member_codes",
                  "core_share", "mean_minutes", "max_minutes", "unreachable", "connected",
                  "counties", "n_counties")
#: Region columns added when the problem carries commuting flows, then centrality.
COMMUTING_COLUMNS = ("employed", "jobs", "live_work", "self_containment")
CENTRALITY_COLUMNS = ("core_centrality", "core_centrality_class")
MUNICIPALITY_COLUMNS = ("kommunenummer", "name", "county", "region", "core", "population",
                        "minutes_to_core")


@dataclass(frozen=True, eq=False)
class PlanMetrics:
    """The metrics of one plan on one problem (see :func:`evaluate`).

    Attributes
    ----------
    plan
        The plan measured.
    regions
        One row per region, sorted by region name; columns
        :data:`REGION_COLUMNS`.
    municipalities
        One row per municipality, sorted by kommunenummer; columns
        :data:`MUNICIPALITY_COLUMNS`.
    summary
        Plan-wide metrics by name (read-only mapping of Python scalars).
    """

    plan: Plan
    regions: pd.DataFrame
    municipalities: pd.DataFrame
    summary: Mapping[str, Any]


def evaluate(plan: Plan, problem: ProblemData) -> PlanMetrics:
    """Measure ``plan`` on ``problem``.

    Per municipality *i* with population *p_i* in a region with core *c*:
    ``minutes_to_core`` *m_i* = ``problem.minutes[i, c]``.

    Per region *R* (population *P_R* = Σ_{i∈R} p_i):

    - ``population`` *P_R*; ``members`` the member count; ``member_codes`` the
      sorted kommunenummer joined by ``;``;
    - ``core``, ``core_name``; ``core_share`` = p_c / P_R (NaN if P_R = 0);
    - ``mean_minutes`` = Σ p_i·m_i / P_R, the population-weighted mean minutes
      to the core (the plain mean over members if P_R = 0; ``inf`` if any
      member is unreachable);
    - ``max_minutes`` = max m_i; ``unreachable`` = number of members with
      m_i = ``inf``;
    - ``connected``: the members induce a connected subgraph of the adjacency
      graph (``problem.edges``); a one-member region is connected;
    - ``counties`` the sorted county codes of the members joined by ``;``,
      ``n_counties`` their number.

    Plan-wide (``summary``): ``plan`` (name), ``municipalities``,
    ``population`` (Σ p_i), ``regions`` (count), ``person_minutes``
    (Σ p_i·m_i; ``inf`` if any municipality is unreachable),
    ``mean_minutes_per_inhabitant`` (person_minutes / population),
    ``max_minutes`` (max m_i), ``smallest_region_population``,
    ``largest_region_population``, ``population_cv`` (population standard
    deviation, ddof = 0, of the region populations divided by their mean),
    ``regions_not_connected`` (count), ``unreachable_municipalities`` (count).

    Inhabitants within reach (:mod:`regionopt.evaluate.reach`): per region and plan-wide,
    ``inhabitants_within_45``, ``_60`` and ``_75``, the share of the inhabitants within
    that many minutes of their core (by the population grid's cells when the problem
    carries reach shares, else by whole municipalities).

    With commuting flows *F[o, d]* (persons living in *o*, working in *d*,
    every *d* in Norway), per region: ``employed`` E(R) = Σ_{o∈R} Σ_d F[o, d],
    ``jobs`` J(R) = Σ_{d∈R} Σ_o F[o, d], ``live_work`` L(R) = Σ_{o,d∈R} F[o, d],
    ``self_containment`` = min(L/E, L/J), a side whose total is 0 counting as 1
(:func:`regionopt.model.containment.self_containment`); plan-wide
    ``self_containment_min`` (over regions), ``commuting_kept_share`` = Σ L / Σ E
    and ``border_commuters`` = Σ F[o, d] over area pairs in different regions.
    With the centrality index: each region's ``core_centrality`` and
    ``core_centrality_class``, and plan-wide ``weakest_core_class`` (the largest
    class number of any core).

    Parameters
    ----------
    plan
        The plan; it must cover exactly ``problem``'s municipalities.
    problem
        Populations, travel minutes and adjacency.

    Returns
    -------
    PlanMetrics

    Raises
    ------
    DataError
        If the plan and the problem do not cover the same municipalities.
    """
    check_coverage(plan, problem)
    munis = _municipality_table(plan, problem)
    regions = _region_table(plan, problem, munis)
    summary = _summary(plan, munis, regions)
    summary.update(_reach(plan, problem, regions))
    if problem.commuting is not None:
        summary.update(_commuting(plan, problem, regions))
    if problem.centrality is not None:
        cores = [problem.index(c) for c in regions["core"]]
        regions["core_centrality"] = problem.centrality[cores, 0].astype("int64")
        regions["core_centrality_class"] = problem.centrality[cores, 1].astype("int64")
        summary["weakest_core_class"] = int(regions["core_centrality_class"].max())
    if summary["unreachable_municipalities"]:
        codes = munis.loc[np.isinf(munis["minutes_to_core"]), "kommunenummer"]
        log.warning("plan %r: %d municipalities cannot reach their core: %s", plan.name,
                    len(codes), ", ".join(codes))
    return PlanMetrics(plan=plan, regions=regions, municipalities=munis,
                       summary=MappingProxyType(summary))


def _municipality_table(plan: Plan, problem: ProblemData) -> pd.DataFrame:
    cores = plan.labels(problem)
    idx = np.arange(problem.n)
    return pd.DataFrame({
        "kommunenummer": list(problem.codes),
        "name": list(problem.names),
        "county": list(problem.counties),
        "region": [plan.assignment[c] for c in problem.codes],
        "core": [problem.codes[k] for k in cores],
        "population": problem.population.astype("int64"),
        "minutes_to_core": problem.minutes[idx, cores].astype("float64"),
    })


def _region_table(plan: Plan, problem: ProblemData, munis: pd.DataFrame) -> pd.DataFrame:
    nbrs = problem.neighbours()
    at = munis.groupby("region", sort=False).indices  # positions, in kommunenummer order
    codes = munis["kommunenummer"].to_numpy()
    county = munis["county"].to_numpy()
    population = munis["population"].to_numpy(dtype="int64")
    minutes = munis["minutes_to_core"].to_numpy(dtype="float64")
    rows = []
    for region in plan.regions:
        members = at[region]
        core = plan.cores[region]
        pop, mins = population[members], minutes[members]
        total = int(pop.sum())
        core_pop = int(problem.population[problem.index(core)])
        counties = sorted(set(county[members].tolist()))
        rows.append({
            "region": region,
            "core": core,
            "core_name": problem.names[problem.index(core)],
            "population": total,
            "members": len(members),
            "member_codes": ";".join(codes[members].tolist()),
            "core_share": core_pop / total if total else math.nan,
            "mean_minutes": _weighted_mean(mins, pop),
            "max_minutes": float(mins.max()),
            "unreachable": int(np.isinf(mins).sum()),
            "connected": is_connected(members.tolist(), nbrs),
            "counties": ";".join(counties),
            "n_counties": len(counties),
        })
    return pd.DataFrame(rows, columns=list(REGION_COLUMNS))


def _weighted_mean(values: np.ndarray, weights: np.ndarray) -> float:
    """Weighted mean that is ``inf`` when any value is (even with weight 0)."""
    if np.isinf(values).any():
        return math.inf
    if weights.sum() == 0:
        return float(values.mean())
    return float((values * weights).sum() / weights.sum())


def _summary(plan: Plan, munis: pd.DataFrame, regions: pd.DataFrame) -> dict[str, Any]:
    pop = munis["population"].to_numpy(dtype="int64")
    mins = munis["minutes_to_core"].to_numpy(dtype="float64")
    unreachable = int(np.isinf(mins).sum())
    person_minutes = math.inf if unreachable else float((pop * mins).sum())
    total = int(pop.sum())
    region_pop = regions["population"].to_numpy(dtype="float64")
    mean = region_pop.mean()
    return {
        "plan": plan.name,
        "municipalities": len(munis),
        "population": total,
        "regions": len(regions),
        "person_minutes": person_minutes,
        "mean_minutes_per_inhabitant": person_minutes / total if total else math.nan,
        "max_minutes": float(mins.max()),
        "smallest_region_population": int(region_pop.min()),
        "largest_region_population": int(region_pop.max()),
        "population_cv": float(region_pop.std(ddof=0) / mean) if mean else math.nan,
        "regions_not_connected": int((~regions["connected"]).sum()),
        "unreachable_municipalities": unreachable,
    }


def _reach(plan: Plan, problem: ProblemData, regions: pd.DataFrame) -> dict[str, Any]:
    """Add the shares within reach of the core to ``regions``; return the plan-wide ones."""
    reach = reach_of(problem)
    at: dict[str, list[int]] = {r: [] for r in regions["region"]}
    for i, code in enumerate(problem.codes):  # positions in kommunenummer order
        at[plan.assignment[code]].append(i)
    shares = [within(problem, at[r], problem.index(c), reach=reach)
              for r, c in zip(regions["region"], regions["core"], strict=True)]
    for k, col in enumerate(WITHIN_COLUMNS):
        regions[col] = [float(s[k]) for s in shares]
    plan_wide = within(problem, np.arange(problem.n), plan.labels(problem), reach=reach)
    return dict(zip(WITHIN_COLUMNS, plan_wide, strict=True))


def _commuting(plan: Plan, problem: ProblemData, regions: pd.DataFrame) -> dict[str, Any]:
    """Add E, J, L and self-containment to ``regions``; return the plan-wide figures."""
    assert problem.commuting is not None
    flows = problem.commuting.flows
    labels = plan.labels(problem)
    order = {c: k for k, c in enumerate(regions["core"])}
    member = np.zeros((len(regions), problem.n), dtype="int64")
    member[[order[problem.codes[j]] for j in labels], np.arange(problem.n)] = 1
    employed = member @ problem.commuting.employed
    jobs = member @ problem.commuting.jobs
    between = member @ flows @ member.T
    live = np.diag(between).copy()
    contained = self_containment(live, employed, jobs)
    regions["employed"], regions["jobs"], regions["live_work"] = employed, jobs, live
    regions["self_containment"] = contained.astype("float64")
    return {
        "self_containment_min": float(contained.min()),
        "commuting_kept_share": float(live.sum() / employed.sum()) if employed.sum() else 0.0,
        "border_commuters": int(between.sum() - live.sum()),
        "employed": int(employed.sum()),
        "jobs": int(jobs.sum()),
    }


# --------------------------------------------------------------------------- comparison

@dataclass(frozen=True, eq=False)
class Comparison:
    """Two plans of the same problem side by side (see :func:`compare`).

    Attributes
    ----------
    a, b
        The metrics of each plan.
    table
        Columns ``metric, a, b, difference`` (``b − a``), one row per numeric
        summary metric in :func:`evaluate`'s order.
    matching
        Columns ``region_a, region_b, shared_population, shared_members``: the
        matched region pairs, then regions of ``a`` left unmatched
        (``region_b`` empty), then regions of ``b`` left unmatched
        (``region_a`` empty).
    moves
        Columns ``kommunenummer, name, population, from_region, to_region,
        to_region_matches``: the municipalities whose grouping differs, sorted
        by kommunenummer.
    agreement
        How closely ``a`` groups the municipalities as ``b`` does
        (:func:`regionopt.evaluate.agreement.agreement`); its ``differing``
        are exactly the ``moves``.
    """

    a: PlanMetrics
    b: PlanMetrics
    table: pd.DataFrame
    matching: pd.DataFrame
    moves: pd.DataFrame
    agreement: Agreement

    @property
    def moved_population(self) -> int:
        """Inhabitants of the municipalities that move."""
        return int(self.moves["population"].sum())


def compare(a: Plan, b: Plan, problem: ProblemData) -> Comparison:
    """Compare plans ``a`` and ``b`` of the same problem.

    Region names differ between plans, so regions are first matched one to
    one (:func:`regionopt.evaluate.agreement.match_regions`): the matching
    that shares the most municipalities, and among those the most
    inhabitants. A municipality *moves*
    when its region in ``b`` is not the region matched to its region in ``a``
    (in particular, every member of an unmatched region of ``b`` moves).
    ``from_region`` is its region in ``a``, ``to_region`` its region in
    ``b``, ``to_region_matches`` the region of ``a`` that ``to_region`` is
    matched to (empty if none). Identical groupings give no moves whatever
    the names.

    Returns
    -------
    Comparison

    Raises
    ------
    DataError
        If either plan does not cover exactly ``problem``'s municipalities.
    """
    ma, mb = evaluate(a, problem), evaluate(b, problem)
    population = dict(zip(problem.codes, (int(p) for p in problem.population), strict=True))
    pairs = match_regions(a, b, population=population)
    return Comparison(a=ma, b=mb, table=_summary_table(ma, mb),
                      matching=_matching_table(a, b, problem, pairs),
                      moves=_moves(a, b, problem, pairs),
                      agreement=agreement(a, b, population=population))


def moves(a: Plan, b: Plan, problem: ProblemData) -> pd.DataFrame:
    """The municipalities that move from ``a`` to ``b``: :func:`compare`'s ``moves`` alone.

    Without the metrics of either plan (``regionopt options`` asks it for every direction).
    """
    check_coverage(a, problem)
    check_coverage(b, problem)
    population = dict(zip(problem.codes, (int(p) for p in problem.population), strict=True))
    return _moves(a, b, problem, match_regions(a, b, population=population))


def _moves(a: Plan, b: Plan, problem: ProblemData,
           pairs: list[tuple[str, str]]) -> pd.DataFrame:
    b_to_a = {rb: ra for ra, rb in pairs}
    rows = []
    for i, code in enumerate(problem.codes):
        ra, rb = a.assignment[code], b.assignment[code]
        if b_to_a.get(rb) != ra:
            rows.append((code, problem.names[i], int(problem.population[i]), ra, rb,
                         b_to_a.get(rb, "")))
    out = pd.DataFrame(rows, columns=["kommunenummer", "name", "population",
                                      "from_region", "to_region", "to_region_matches"])
    out["population"] = out["population"].astype("int64")
    return out


def _overlaps(a: Plan, b: Plan, problem: ProblemData) -> dict[tuple[str, str], tuple[int, int]]:
    shared: dict[tuple[str, str], tuple[int, int]] = {}
    for i, code in enumerate(problem.codes):
        key = (a.assignment[code], b.assignment[code])
        pop, count = shared.get(key, (0, 0))
        shared[key] = (pop + int(problem.population[i]), count + 1)
    return shared


def _matching_table(a: Plan, b: Plan, problem: ProblemData,
                    pairs: list[tuple[str, str]]) -> pd.DataFrame:
    shared = _overlaps(a, b, problem)
    rows = [(ra, rb, *shared[(ra, rb)]) for ra, rb in pairs]
    matched_a = {ra for ra, _ in pairs}
    matched_b = {rb for _, rb in pairs}
    rows += [(ra, "", 0, 0) for ra in a.regions if ra not in matched_a]
    rows += [("", rb, 0, 0) for rb in b.regions if rb not in matched_b]
    return pd.DataFrame(rows, columns=["region_a", "region_b", "shared_population",
                                       "shared_members"])


def _summary_table(ma: PlanMetrics, mb: PlanMetrics) -> pd.DataFrame:
    rows = []
    for key, va in ma.summary.items():
        if key == "plan":
            continue
        vb = mb.summary[key]
        rows.append((key, va, vb, vb - va))  # inf - inf gives NaN: shown, not hidden
    # object columns keep counts as ints beside float metrics
    return pd.DataFrame(rows, columns=["metric", "a", "b", "difference"], dtype=object)


# --------------------------------------------------------------------------- audit


__all__ = ["CENTRALITY_COLUMNS", "COMMUTING_COLUMNS", "MUNICIPALITY_COLUMNS", "REGION_COLUMNS",
           "Comparison", "PlanMetrics", "compare",
           "evaluate", "is_connected", "moves"]
