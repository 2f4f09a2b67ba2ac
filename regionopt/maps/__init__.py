"""Stage 5, maps: self-contained folium HTML maps and static PNGs of plans.

May import every earlier stage (data, network, model, evaluate), the ground
modules and this folder.
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
