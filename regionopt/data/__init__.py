"""Stage 1, data: the source files, the municipalities and the reference plans.

May import the ground modules (``errors``, ``io``, ``_resources``,
``scenario``, ``problem``, ``plan``) and this folder only.
"""

from regionopt.data.areas import area_choice, scenario_for_area
from regionopt.data.centres import CentreWarning
from regionopt.data.info import data_info
from regionopt.data.municipalities import (
    centre_points,
    load_counties,
    load_country,
    load_municipalities,
    resolve_area,
)
from regionopt.data.reference import (
    ReferencePlan,
    load_reference,
    nivi_2023,
    reference_codes,
    reference_key,
    reference_keys_for,
    reference_plans_for,
)
from regionopt.data.sources import DATA_DIR_ENV, default_cache_dir, fetch

__all__ = [
    "DATA_DIR_ENV",
    "CentreWarning",
    "ReferencePlan",
    "area_choice",
    "centre_points",
    "data_info",
    "default_cache_dir",
    "fetch",
    "load_counties",
    "load_country",
    "load_municipalities",
    "load_reference",
    "nivi_2023",
    "reference_codes",
    "reference_key",
    "reference_keys_for",
    "reference_plans_for",
    "resolve_area",
    "scenario_for_area",
]
