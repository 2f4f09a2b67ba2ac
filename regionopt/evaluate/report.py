"""Render metrics, comparisons and audits as text tables, CSV and JSON-able dicts.

All renderers are deterministic: sorted keys, floats rounded to
:data:`FLOAT_DIGITS` decimals (JSON) or a per-metric precision (text).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from regionopt.errors import figure, whole
from regionopt.evaluate.agreement import Agreement
from regionopt.evaluate.criteria import INFORMATION, shortfalls
from regionopt.evaluate.metrics import Comparison, PlanMetrics
from regionopt.evaluate.reach import WITHIN_COLUMNS
from regionopt.evaluate.scenario_audit import Audit

FLOAT_DIGITS = 4
"""Decimal places of floats in :func:`metrics_to_dict` and the other ``*_to_dict``."""

def _clean(value: Any) -> Any:
    """JSON-safe scalar: numpy → Python, floats rounded, ``inf``/NaN → ``None``."""
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    if isinstance(value, float):
        return round(value, FLOAT_DIGITS) if math.isfinite(value) else None
    return value


def frame_records(df: pd.DataFrame) -> list[dict[str, Any]]:
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
                    "regions": frame_records(metrics.regions),
                    "municipalities": frame_records(metrics.municipalities)})


def comparison_to_dict(cmp: Comparison) -> dict[str, Any]:
    """Return ``cmp`` as JSON-able data (rounding as :func:`metrics_to_dict`).

    Returns
    -------
    dict
        ``{"a", "b", "table", "matching", "moves", "moved_population",
        "agreement"}``; ``a`` and ``b`` are plan names, ``table`` rows
        ``{metric, a, b, difference}``, ``agreement`` as
        :func:`agreement_to_dict` (``b`` is the reference).
    """
    return _sorted({"a": cmp.a.plan.name, "b": cmp.b.plan.name,
                    "table": frame_records(cmp.table), "matching": frame_records(cmp.matching),
                    "moves": frame_records(cmp.moves), "moved_population": cmp.moved_population,
                    "agreement": agreement_to_dict(cmp.agreement)})


def agreement_to_dict(result: Agreement) -> dict[str, Any]:
    """Return ``result`` as JSON-able data (rounding as :func:`metrics_to_dict`).

    Returns
    -------
    dict
        ``{"plan", "reference", "municipalities", "adjusted_rand_index",
        "placed_as_reference", "identical_regions", "plan_regions",
        "reference_regions", "differing"}`` (``differing``: kommunenummer).
    """
    return _sorted({"plan": result.plan, "reference": result.reference,
                    "municipalities": result.municipalities,
                    "adjusted_rand_index": _clean(result.adjusted_rand),
                    "placed_as_reference": result.placed,
                    "identical_regions": result.identical_regions,
                    "plan_regions": result.plan_regions,
                    "reference_regions": result.reference_regions,
                    "differing": list(result.differing)})


def format_agreement(result: Agreement) -> str:
    """Return the agreement as three lines of text (the differing codes listed)."""
    return (f"agreement with {result.reference!r}: adjusted Rand index "
            f"{result.adjusted_rand:.4f}; {result.placed} of {result.municipalities} "
            f"municipalities placed as {result.reference!r} places them\n"
            f"regions identical in membership: {result.identical_regions} "
            f"(of {result.plan_regions} and {result.reference_regions})\n"
            f"differing municipalities: {', '.join(result.differing) or 'none'}\n")


def audit_to_dict(result: Audit) -> dict[str, Any]:
    """Return ``result`` as JSON-able data (rounding as :func:`metrics_to_dict`)."""
    return _sorted({"plan": result.plan, "scenario": result.scenario, "ok": result.ok,
                    "travel_term": _clean(result.travel_term),
                    "optimum": _clean(result.optimum),
                    "gap_percent": _clean(result.gap_percent),
                    "objective": _clean(result.objective),
                    "optimum_objective": _clean(result.optimum_objective),
                    "objective_gap_percent": _clean(result.objective_gap_percent),
                    "violations": frame_records(result.to_frame())})


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
            "max_minutes", "inhabitants_within_60", "connected", "counties"]
    cols += [c for c in ("jobs", "self_containment", "core_centrality_class")
             if c in metrics.regions.columns]
    table = text_table(metrics.regions[cols], digits={"core_share": 3, "mean_minutes": 1,
                                                      "max_minutes": 1, "self_containment": 3,
                                                      "inhabitants_within_60": 3})
    lines = [f"Plan {metrics.plan.name!r}", "", table, "",
             *(f"{k}: {_cell(v, _digits(k))}" for k, v in metrics.summary.items()
               if k != "plan")]
    return "\n".join(lines) + "\n"


def _digits(metric: str) -> int:
    """Decimals shown in text for a summary metric (ratios need more)."""
    return 4 if metric in ("population_cv", "self_containment_min", "commuting_kept_share",
                           *WITHIN_COLUMNS) else 2


def format_criteria(table: pd.DataFrame, *, plan: str) -> str:
    """Return the criteria table as text: one line per region and criterion, then the failures."""
    failed = shortfalls(table)
    shown = table.copy()
    right = [c for c in shown.columns if pd.api.types.is_numeric_dtype(shown[c])
             and not pd.api.types.is_bool_dtype(shown[c])]
    for col in ("value", "threshold"):
        shown[col] = [figure(v) for v in shown[col]]
    info = shown["criterion"].isin(INFORMATION)  # no threshold: shown for information
    shown["threshold"] = shown["threshold"].where(~info, "")
    shown["passed"] = shown["passed"].map(lambda ok: "yes" if ok else "NO").where(~info, "info")
    lines = [f"Criteria of {plan!r}", "", text_table(shown, right=right), "",
             f"{len(failed)} criteria not met" + (":" if failed else "")]
    lines += [f"  {line}" for line in failed]
    return "\n".join(lines) + "\n"


def criteria_to_dict(table: pd.DataFrame) -> dict[str, Any]:
    """Return the criteria table as JSON-able data: ``{"rows": [...], "shortfalls": [...]}``."""
    return {"rows": frame_records(table), "shortfalls": shortfalls(table)}


def format_comparison(cmp: Comparison) -> str:
    """Return a plain-text report: summary metrics side by side, then the moves."""
    table = cmp.table.rename(columns={"a": cmp.a.plan.name, "b": cmp.b.plan.name})
    lines = [f"{cmp.a.plan.name!r} (a) vs {cmp.b.plan.name!r} (b)", "",
             _object_table(table), "", format_agreement(cmp.agreement).rstrip("\n"), "",
             f"{len(cmp.moves)} municipalities ({whole(cmp.moved_population)} inhabitants) "
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
             f"travel term: {whole(result.travel_term)} person-minutes"]
    if result.optimum is not None:
        lines.append(f"optimum: {whole(float(result.optimum))} person-minutes, "
                     f"gap {_cell(result.gap_percent, 2)} %")
    if result.optimum_objective is not None and not math.isclose(
            result.objective, result.travel_term, rel_tol=1e-12):
        lines.append(f"objective as the scenario weighs it: {whole(result.objective)}, "
                     f"optimum {whole(float(result.optimum_objective))}, "
                     f"gap {_cell(result.objective_gap_percent, 2)} % (the travel gap above "
                     "counts person-minutes only)")
    if result.ok:
        lines.append("no constraint is broken")
    else:
        lines += [f"{len(result.violations)} constraint violations:", "",
                  text_table(result.to_frame())]
    return "\n".join(lines) + "\n"


__all__ = ["FLOAT_DIGITS", "agreement_to_dict", "audit_to_dict", "comparison_to_dict",
           "format_agreement", "format_audit", "format_comparison", "format_metrics",
           "frame_to_csv", "metrics_to_dict", "text_table"]
