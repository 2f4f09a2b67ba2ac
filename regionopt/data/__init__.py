"""Stage 1, data: the source files and what is read from them.

The source files, from a data folder or downloaded and verified against
``registry.txt`` (:mod:`~regionopt.data.sources`); the municipalities with their
administrative centres (:mod:`~regionopt.data.municipalities`,
:mod:`~regionopt.data.centres`), areas by county or name
(:mod:`~regionopt.data.areas`), Statistics Norway's commuting flows as
:class:`regionopt.flows.Commuting` and the centrality index
(:mod:`~regionopt.data.commuting`), the reference plans
(:mod:`~regionopt.data.reference`) and ``regionopt data info``
(:mod:`~regionopt.data.info`).

Imports the ground modules only (``errors``, ``io``, ``_resources``,
``_checker``, ``scenario``, ``flows``, ``problem``, ``plan``) and this folder.
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
