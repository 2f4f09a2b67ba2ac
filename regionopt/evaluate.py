"""Score any region plan on the travel-time graph: metrics, comparison, audit.

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
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from regionopt.errors import ScenarioError
from regionopt.plan import Plan, check_coverage
from regionopt.problem import ProblemData

log = logging.getLogger(__name__)

FLOAT_DIGITS = 4
"""Decimal places of floats in :func:`metrics_to_dict` and the other ``*_to_dict``."""

REGION_COLUMNS = ("region", "core", "core_name", "population", "members", "member_codes",
                  "core_share", "mean_minutes", "max_minutes", "unreachable", "connected",
                  "counties", "n_counties")
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
    rows = []
    for region in plan.regions:
        sub = munis[munis["region"] == region]
        core = plan.cores[region]
        pop = sub["population"].to_numpy(dtype="int64")
        mins = sub["minutes_to_core"].to_numpy(dtype="float64")
        total = int(pop.sum())
        core_pop = int(problem.population[problem.index(core)])
        counties = sorted(set(sub["county"]))
        members = [problem.index(c) for c in sub["kommunenummer"]]
        rows.append({
            "region": region,
            "core": core,
            "core_name": problem.names[problem.index(core)],
            "population": total,
            "members": len(sub),
            "member_codes": ";".join(sub["kommunenummer"]),
            "core_share": core_pop / total if total else math.nan,
            "mean_minutes": _weighted_mean(mins, pop),
            "max_minutes": float(mins.max()),
            "unreachable": int(np.isinf(mins).sum()),
            "connected": is_connected(members, nbrs),
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


def is_connected(members: list[int], neighbours: list[list[int]]) -> bool:
    """Return whether positions ``members`` induce a connected subgraph.

    Parameters
    ----------
    members
        Positions in the problem (non-empty).
    neighbours
        ``problem.neighbours()``.

    Returns
    -------
    bool
        ``True`` for a single member.
    """
    inside = set(members)
    seen = {members[0]}
    stack = [members[0]]
    while stack:
        for j in neighbours[stack.pop()]:
            if j in inside and j not in seen:
                seen.add(j)
                stack.append(j)
    return len(seen) == len(inside)


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
    """

    a: PlanMetrics
    b: PlanMetrics
    table: pd.DataFrame
    matching: pd.DataFrame
    moves: pd.DataFrame

    @property
    def moved_population(self) -> int:
        """Inhabitants of the municipalities that move."""
        return int(self.moves["population"].sum())


def compare(a: Plan, b: Plan, problem: ProblemData) -> Comparison:
    """Compare plans ``a`` and ``b`` of the same problem.

    Region names differ between plans, so regions are first matched one to
    one: over all pairs (region of ``a``, region of ``b``) that share at
    least one municipality, taken in order of shared population (largest
    first), then shared member count (largest first), then the two names, a
    pair is matched if neither region is matched yet. A municipality *moves*
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
    pairs = _match_regions(a, b, problem)
    b_to_a = {rb: ra for ra, rb in pairs}
    moves = []
    for i, code in enumerate(problem.codes):
        ra, rb = a.assignment[code], b.assignment[code]
        if b_to_a.get(rb) != ra:
            moves.append((code, problem.names[i], int(problem.population[i]), ra, rb,
                          b_to_a.get(rb, "")))
    moves_df = pd.DataFrame(moves, columns=["kommunenummer", "name", "population",
                                            "from_region", "to_region", "to_region_matches"])
    moves_df["population"] = moves_df["population"].astype("int64")
    return Comparison(a=ma, b=mb, table=_summary_table(ma, mb),
                      matching=_matching_table(a, b, problem, pairs), moves=moves_df)


def _overlaps(a: Plan, b: Plan, problem: ProblemData) -> dict[tuple[str, str], tuple[int, int]]:
    shared: dict[tuple[str, str], tuple[int, int]] = {}
    for i, code in enumerate(problem.codes):
        key = (a.assignment[code], b.assignment[code])
        pop, count = shared.get(key, (0, 0))
        shared[key] = (pop + int(problem.population[i]), count + 1)
    return shared


def _match_regions(a: Plan, b: Plan, problem: ProblemData) -> list[tuple[str, str]]:
    shared = _overlaps(a, b, problem)
    order = sorted(shared, key=lambda k: (-shared[k][0], -shared[k][1], k[0], k[1]))
    used_a: set[str] = set()
    used_b: set[str] = set()
    pairs = []
    for ra, rb in order:
        if ra not in used_a and rb not in used_b:
            pairs.append((ra, rb))
            used_a.add(ra)
            used_b.add(rb)
    return sorted(pairs)


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

@dataclass(frozen=True)
class Violation:
    """One broken scenario constraint.

    Attributes
    ----------
    constraint
        The scenario key (``"constraints.max_travel_minutes"``, ``"regions.count"``).
    where
        The region name, kommunenummer or ``"a-b"`` pair at fault; empty when
        the whole plan is at fault.
    detail
        One sentence with the numbers.
    """

    constraint: str
    where: str
    detail: str


@dataclass(frozen=True)
class Audit:
    """A plan checked against a scenario (see :func:`audit`).

    Attributes
    ----------
    plan, scenario
        Names of the plan and the scenario.
    violations
        Every broken constraint, in the order of the checks, then by place.
    travel_term
        The plan's person-minutes (``inf`` if a municipality is unreachable).
    optimum
        The scenario's proven optimal travel term, if given.
    gap_percent
        ``(travel_term − optimum) / optimum · 100``; ``None`` without optimum.
    """

    plan: str
    scenario: str
    violations: tuple[Violation, ...]
    travel_term: float
    optimum: float | None
    gap_percent: float | None

    @property
    def ok(self) -> bool:
        """Whether the plan meets every constraint of the scenario."""
        return not self.violations

    def to_frame(self) -> pd.DataFrame:
        """Return the violations as a table ``constraint, where, detail``."""
        return pd.DataFrame([(v.constraint, v.where, v.detail) for v in self.violations],
                            columns=["constraint", "where", "detail"])


_Check = Callable[[PlanMetrics, ProblemData, Any], list[Violation]]


def audit(plan: Plan, problem: ProblemData, scenario: Any, *,
          optimum: float | None = None) -> Audit:
    """Check ``plan`` against every constraint of ``scenario``.

    Checked (keys as in the scenario file): ``regions.count`` /
    ``min_count`` / ``max_count`` (number of regions); ``constraints.contiguity``
    (each region connected); ``core_is_largest`` (no member more populous than
    the core; a tie is allowed); ``min_core_population`` (core population);
    ``max_travel_minutes`` (each municipality's minutes to its core, unreachable
    counts as over); ``min_population`` / ``max_population`` (each region);
    ``respect_county_borders`` (each region within one county); ``must_link``
    (pair in one region); ``cannot_link`` (pair in different regions);
    ``fixed_cores`` (municipality is a core). The area itself is not checked:
    the plan must cover ``problem``, which the caller built for the scenario.

    Parameters
    ----------
    plan
        The plan to audit.
    problem
        The problem it covers.
    scenario
        A :class:`regionopt.scenario.Scenario`.
    optimum
        The scenario's proven optimal travel term (person-minutes), from a
        solve; gives ``gap_percent``.

    Returns
    -------
    Audit

    Raises
    ------
    ScenarioError
        If a constraint names a municipality that is not in the plan.
    DataError
        If the plan does not cover exactly ``problem``'s municipalities.
    """
    metrics = evaluate(plan, problem)
    found: list[Violation] = []
    for check in _CHECKS:
        found.extend(check(metrics, problem, scenario))
    travel = float(metrics.summary["person_minutes"])
    return Audit(plan=plan.name, scenario=str(scenario.name), violations=tuple(found),
                 travel_term=travel, optimum=optimum, gap_percent=gap_percent(travel, optimum))


def gap_percent(value: float, optimum: float | None) -> float | None:
    """Return ``(value − optimum) / optimum · 100`` (``None`` without optimum).

    With ``optimum == 0`` the gap is 0 if ``value`` is 0, else ``inf``.
    """
    if optimum is None:
        return None
    if optimum == 0:
        return 0.0 if value == 0 else math.inf
    return (value - optimum) / optimum * 100.0


def _check_count(m: PlanMetrics, problem: ProblemData, s: Any) -> list[Violation]:
    n, r = int(m.summary["regions"]), s.regions
    tests = (("regions.count", r.count, n != r.count, "exactly"),
             ("regions.min_count", r.min_count, r.min_count is not None and n < r.min_count,
              "at least"),
             ("regions.max_count", r.max_count, r.max_count is not None and n > r.max_count,
              "at most"))
    return [Violation(key, "", f"plan has {n} regions, scenario asks for {word} {want}")
            for key, want, broken, word in tests if want is not None and broken]


def _check_regions(m: PlanMetrics, problem: ProblemData, s: Any) -> list[Violation]:
    c, out = s.constraints, []
    for row in m.regions.itertuples(index=False):
        r, pop = str(row.region), int(row.population)
        if c.contiguity and not row.connected:
            out.append(Violation("constraints.contiguity", r,
                                 f"region {r} is not connected in the adjacency graph"))
        if c.min_population and pop < c.min_population:
            out.append(Violation("constraints.min_population", r,
                                 f"region {r} has {pop} inhabitants < {c.min_population}"))
        if c.max_population is not None and pop > c.max_population:
            out.append(Violation("constraints.max_population", r,
                                 f"region {r} has {pop} inhabitants > {c.max_population}"))
        if c.respect_county_borders and row.n_counties > 1:
            out.append(Violation("constraints.respect_county_borders", r,
                                 f"region {r} spans counties {row.counties.replace(';', ', ')}"))
    return out


def _check_cores(m: PlanMetrics, problem: ProblemData, s: Any) -> list[Violation]:
    c, out = s.constraints, []
    munis = m.municipalities
    for row in m.regions.itertuples(index=False):
        r, core = str(row.region), str(row.core)
        core_pop = int(problem.population[problem.index(core)])
        if c.core_is_largest:
            sub = munis[munis["region"] == r]
            big = sub[sub["population"] > core_pop]
            if len(big):
                top = big.sort_values(["population", "kommunenummer"],
                                      ascending=[False, True]).iloc[0]
                out.append(Violation("constraints.core_is_largest", r,
                                     f"core {core} ({core_pop}) of region {r} is smaller than "
                                     f"member {top['kommunenummer']} ({top['population']})"))
        if c.min_core_population and core_pop < c.min_core_population:
            out.append(Violation("constraints.min_core_population", r,
                                 f"core {core} of region {r} has {core_pop} inhabitants "
                                 f"< {c.min_core_population}"))
    cores = set(m.plan.cores.values())
    for code in c.fixed_cores:
        _require(code, m.plan, "constraints.fixed_cores")
        if code not in cores:
            out.append(Violation("constraints.fixed_cores", code,
                                 f"{code} is not a core (its core is {m.plan.core_of(code)})"))
    return out


def _check_travel(m: PlanMetrics, problem: ProblemData, s: Any) -> list[Violation]:
    limit = s.constraints.max_travel_minutes
    if limit is None:
        return []
    munis = m.municipalities
    over = munis[munis["minutes_to_core"] > limit]
    return [Violation("constraints.max_travel_minutes", str(row.kommunenummer),
                      f"{row.kommunenummer} is "
                      + ("unreachable from" if math.isinf(row.minutes_to_core)
                         else f"{row.minutes_to_core:.2f} min from")
                      + f" its core {row.core} (limit {limit:g})")
            for row in over.itertuples(index=False)]


def _check_links(m: PlanMetrics, problem: ProblemData, s: Any) -> list[Violation]:
    plan, out = m.plan, []
    for key, pairs, want_same in (("constraints.must_link", s.constraints.must_link, True),
                                  ("constraints.cannot_link", s.constraints.cannot_link, False)):
        for x, y in pairs:
            rx, ry = _require(x, plan, key), _require(y, plan, key)
            if (rx == ry) != want_same:
                detail = (f"{x} ({rx}) and {y} ({ry}) are in different regions" if want_same
                          else f"{x} and {y} are both in region {rx}")
                out.append(Violation(key, f"{x}-{y}", detail))
    return out


def _require(code: str, plan: Plan, key: str) -> str:
    try:
        return plan.assignment[code]
    except KeyError:
        raise ScenarioError(f"{key}: municipality {code} is not in plan {plan.name!r}") from None


_CHECKS: tuple[_Check, ...] = (_check_count, _check_regions, _check_cores, _check_travel,
                               _check_links)


# --------------------------------------------------------------------------- rendering

def _clean(value: Any) -> Any:
    """JSON-safe scalar: numpy → Python, floats rounded, ``inf``/NaN → ``None``."""
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    if isinstance(value, float):
        return round(value, FLOAT_DIGITS) if math.isfinite(value) else None
    return value


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    return [{k: _clean(v) for k, v in row.items()} for row in df.to_dict(orient="records")]


def metrics_to_dict(metrics: PlanMetrics) -> dict[str, Any]:
    """Return ``metrics`` as JSON-able data.

    Floats are rounded to :data:`FLOAT_DIGITS` decimals; non-finite floats
    (``inf`` minutes of unreachable municipalities, NaN shares) become
    ``None``, and the ``unreachable`` counts say why. Keys are sorted.

    Returns
    -------
    dict
        ``{"plan", "summary", "regions": [...], "municipalities": [...]}``.
    """
    return _sorted({"plan": metrics.plan.name,
                    "summary": {k: _clean(v) for k, v in metrics.summary.items()},
                    "regions": _records(metrics.regions),
                    "municipalities": _records(metrics.municipalities)})


def comparison_to_dict(cmp: Comparison) -> dict[str, Any]:
    """Return ``cmp`` as JSON-able data (rounding as :func:`metrics_to_dict`).

    Returns
    -------
    dict
        ``{"a", "b", "table", "matching", "moves", "moved_population"}``;
        ``a`` and ``b`` are plan names, ``table`` rows ``{metric, a, b,
        difference}``.
    """
    return _sorted({"a": cmp.a.plan.name, "b": cmp.b.plan.name,
                    "table": _records(cmp.table), "matching": _records(cmp.matching),
                    "moves": _records(cmp.moves), "moved_population": cmp.moved_population})


def audit_to_dict(result: Audit) -> dict[str, Any]:
    """Return ``result`` as JSON-able data (rounding as :func:`metrics_to_dict`)."""
    return _sorted({"plan": result.plan, "scenario": result.scenario, "ok": result.ok,
                    "travel_term": _clean(result.travel_term),
                    "optimum": _clean(result.optimum),
                    "gap_percent": _clean(result.gap_percent),
                    "violations": _records(result.to_frame())})


def _sorted(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _sorted(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [_sorted(v) for v in value]
    return value


def frame_to_csv(df: pd.DataFrame) -> str:
    """Render a metrics table as CSV (``\\n`` line ends, floats to :data:`FLOAT_DIGITS`).

    ``inf`` is written as ``inf``, NaN as an empty cell.
    """
    return df.to_csv(index=False, lineterminator="\n", float_format=f"%.{FLOAT_DIGITS}f")


def _cell(value: Any, digits: int) -> str:
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "NO"
    if isinstance(value, float | np.floating):
        if math.isinf(value):
            return "unreachable" if value > 0 else "-inf"
        return "" if math.isnan(value) else f"{value:,.{digits}f}"
    if isinstance(value, int | np.integer):
        return f"{value:,}"
    return str(value)


def text_table(df: pd.DataFrame, *, digits: Mapping[str, int] | None = None,
               right: Sequence[str] | None = None) -> str:
    """Render ``df`` as an aligned plain-text table (numbers right-aligned).

    Parameters
    ----------
    df
        The table.
    digits
        Decimals per float column (default 2); ``inf`` shows as ``unreachable``.
    right
        Columns to right-align; default the numeric (not boolean) columns.
    """
    digits = dict(digits or {})
    cols = [str(c) for c in df.columns]
    cells = [[_cell(v, digits.get(c, 2)) for c, v in zip(cols, row, strict=True)]
             for row in df.itertuples(index=False)]
    if right is None:
        right = [c for c in df.columns if pd.api.types.is_numeric_dtype(df[c])
                 and not pd.api.types.is_bool_dtype(df[c])]
    align = [c in right for c in df.columns]
    width = [max([len(c)] + [len(r[k]) for r in cells]) for k, c in enumerate(cols)]

    def line(values: list[str]) -> str:
        return "  ".join(v.rjust(w) if r else v.ljust(w)
                         for v, w, r in zip(values, width, align, strict=True)).rstrip()

    return "\n".join([line(cols), line(["-" * w for w in width])] + [line(r) for r in cells])


def format_metrics(metrics: PlanMetrics) -> str:
    """Return a plain-text report: one line per region, then the plan summary."""
    cols = ["region", "core_name", "population", "members", "core_share", "mean_minutes",
            "max_minutes", "connected", "counties"]
    table = text_table(metrics.regions[cols], digits={"core_share": 3, "mean_minutes": 1,
                                                      "max_minutes": 1})
    lines = [f"Plan {metrics.plan.name!r}", "", table, "",
             *(f"{k}: {_cell(v, _digits(k))}" for k, v in metrics.summary.items()
               if k != "plan")]
    return "\n".join(lines) + "\n"


def _digits(metric: str) -> int:
    """Decimals shown in text for a summary metric (ratios need more)."""
    return 4 if metric == "population_cv" else 2


def format_comparison(cmp: Comparison) -> str:
    """Return a plain-text report: summary metrics side by side, then the moves."""
    table = cmp.table.rename(columns={"a": cmp.a.plan.name, "b": cmp.b.plan.name})
    lines = [f"{cmp.a.plan.name!r} (a) vs {cmp.b.plan.name!r} (b)", "",
             _object_table(table), "",
             f"{len(cmp.moves)} municipalities ({cmp.moved_population:,} inhabitants) "
             "are grouped differently:"]
    if len(cmp.moves):
        lines += ["", text_table(cmp.moves)]
    return "\n".join(lines) + "\n"


def _object_table(df: pd.DataFrame) -> str:
    """Text table of the summary comparison: mixed ints and floats, digits by metric."""
    shown = df.copy()
    for col in shown.columns[1:]:
        shown[col] = [_cell(v, _digits(str(k))) for k, v in zip(shown.iloc[:, 0], shown[col],
                                                                  strict=True)]
    return text_table(shown, right=list(shown.columns[1:]))


def format_audit(result: Audit) -> str:
    """Return a plain-text audit report: the gap to the optimum and each violation."""
    lines = [f"Audit of {result.plan!r} against scenario {result.scenario!r}",
             f"travel term: {_cell(result.travel_term, 2)} person-minutes"]
    if result.optimum is not None:
        lines.append(f"optimum: {_cell(float(result.optimum), 2)} person-minutes, "
                     f"gap {_cell(result.gap_percent, 2)} %")
    if result.ok:
        lines.append("no constraint is broken")
    else:
        lines += [f"{len(result.violations)} constraint violations:", "",
                  text_table(result.to_frame())]
    return "\n".join(lines) + "\n"


__all__ = ["FLOAT_DIGITS", "Audit", "Comparison", "PlanMetrics", "Violation",
           "audit", "audit_to_dict", "compare", "comparison_to_dict", "evaluate",
           "format_audit", "format_comparison", "format_metrics", "frame_to_csv",
           "gap_percent", "is_connected", "metrics_to_dict", "text_table"]
