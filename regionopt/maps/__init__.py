"""Stage 5, maps: self-contained folium HTML maps and static PNGs of plans.

Plan and comparison pages that work offline, their layers and tables, the plan
editor's data (its scripts recompute metrics and the families' audits in the
page), PNGs, labels in two languages, the service and options panels and the
atlas's front page.

Imports the ground modules, :mod:`regionopt.model` (the family registry, the
editor's parameters), :mod:`regionopt.evaluate` (metrics, audits, reports) and
this folder; pages take the municipalities' geometry as a GeoDataFrame. Only
``outputs`` (a solve's folder, built from a network) also reads
:mod:`regionopt.data` (commuting, reference plans) and
:func:`regionopt.network.reach.with_reach` (the reach shares of a grid network).
"""

from regionopt.maps.html import (
    compare_map,
    plan_map,
    region_colours,
    write_compare_map,
    write_plan_map,
)
from regionopt.maps.png import plan_png

__all__ = ["compare_map", "plan_map", "plan_png", "region_colours", "write_compare_map",
           "write_plan_map"]
