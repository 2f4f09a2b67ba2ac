"""Write a solve's results to a folder, all files or none.

A solution folder holds ``plan.csv``, ``plan.geojson``, ``metrics.json``,
``scenario.toml``, ``inputs/`` (the three CSV files exactly as the model used
them) and, unless disabled, ``map.html``, ``compare_nivi.html`` (when a
reference plan covers the area) and ``plan.png``. Alternatives go to
``alternatives/<k>/plan.csv``.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from regionopt.io import atomic_write_text, staged_output_dir
from regionopt.plan import Plan
from regionopt.problem import ADJACENCY_CSV, MINUTES_CSV, MUNICIPALITIES_CSV, ProblemData

FLOAT_DIGITS = 6


def _clean(value: Any) -> Any:
    """Make a value JSON-safe and stable: round floats, inf/nan to None."""
    if isinstance(value, Mapping):
        return {str(k): _clean(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalar
        value = value.item()
    if isinstance(value, float):
        return None if not math.isfinite(value) else round(value, FLOAT_DIGITS)
    return value


def to_json(data: Mapping[str, Any]) -> str:
    """Serialise ``data`` deterministically (sorted keys, rounded floats)."""
    return json.dumps(_clean(data), indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def frame_to_csv(df: pd.DataFrame, *, index: bool = False) -> str:
    """Render a DataFrame as CSV text with ``\\n`` line ends."""
    return df.to_csv(index=index, lineterminator="\n")


def write_inputs(
    municipalities: pd.DataFrame,
    minutes: pd.DataFrame,
    adjacency: pd.DataFrame,
    folder: str | os.PathLike[str],
) -> None:
    """Write the three model input files into ``folder`` (which must be staged)."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    cols = [c for c in municipalities.columns if c != "geometry"]
    muni = pd.DataFrame(municipalities[cols]).sort_values("kommunenummer")
    atomic_write_text(out / MUNICIPALITIES_CSV, frame_to_csv(muni))
    mins = minutes.copy()
    mins.index.name = "origin"
    atomic_write_text(out / MINUTES_CSV, frame_to_csv(mins, index=True))
    atomic_write_text(out / ADJACENCY_CSV, frame_to_csv(adjacency[["a", "b", "kind"]]))


def plan_table(plan: Plan, problem: ProblemData) -> pd.DataFrame:
    """Return ``plan.csv``'s rows: kommunenummer, name, region, core, population, minutes_to_core."""
    labels = plan.labels(problem)
    rows = []
    for i, code in enumerate(problem.codes):
        minutes = float(problem.minutes[i, labels[i]])
        rows.append(
            {
                "kommunenummer": code,
                "name": problem.names[i],
                "region": plan.assignment[code],
                "core": problem.codes[labels[i]],
                "population": int(problem.population[i]),
                "minutes_to_core": round(minutes, 2) if math.isfinite(minutes) else None,
            }
        )
    return pd.DataFrame(rows)


def plan_regions_geojson(plan: Plan, municipalities: gpd.GeoDataFrame,
                         problem: ProblemData) -> str:
    """Return GeoJSON text with one dissolved polygon per region and its totals."""
    table = plan_table(plan, problem)
    geo = municipalities[["kommunenummer", "geometry"]].merge(table, on="kommunenummer")
    geo["person_minutes"] = geo["population"] * geo["minutes_to_core"].astype(float)
    regions = geo.dissolve(
        by="region",
        aggfunc={"population": "sum", "kommunenummer": "count", "person_minutes": "sum",
                 "minutes_to_core": "max"},
    ).reset_index()
    regions = regions.rename(columns={"kommunenummer": "members",
                                      "minutes_to_core": "max_minutes_to_core"})
    regions["core"] = [plan.cores[r] for r in regions["region"]]
    regions["core_name"] = [problem.names[problem.index(c)] for c in regions["core"]]
    regions["members_list"] = [";".join(plan.members(r)) for r in regions["region"]]
    regions["geometry"] = regions.geometry.make_valid()
    regions = regions[["region", "core", "core_name", "population", "members", "members_list",
                       "person_minutes", "max_minutes_to_core", "geometry"]]
    return regions.sort_values("region").to_json(drop_id=True, to_wgs84=True) + "\n"


def write_plan_files(plan: Plan, problem: ProblemData, municipalities: gpd.GeoDataFrame,
                     folder: str | os.PathLike[str]) -> None:
    """Write ``plan.csv`` and ``plan.geojson`` for ``plan`` into ``folder``."""
    out = Path(folder)
    atomic_write_text(out / "plan.csv", frame_to_csv(plan_table(plan, problem)))
    atomic_write_text(out / "plan.geojson", plan_regions_geojson(plan, municipalities, problem))


__all__ = [
    "frame_to_csv",
    "plan_regions_geojson",
    "plan_table",
    "staged_output_dir",
    "to_json",
    "write_inputs",
    "write_plan_files",
]
