"""``regionopt atlas``: every county solved, its folder written, and one page for them all.

* :mod:`~regionopt.sweep.atlas.solve`: one sweep case per county, on the pool
  (:mod:`regionopt.sweep.pool`), stored and resumed;
* :mod:`~regionopt.sweep.atlas.folders`: each county's folder, the table of counties and the
  front page;
* :mod:`~regionopt.sweep.atlas.page`: the front page's HTML (the map and the table).
"""

from regionopt.sweep.atlas.folders import write_atlas
from regionopt.sweep.atlas.page import atlas_page
from regionopt.sweep.atlas.solve import CountyResult, solve_counties

__all__ = ["CountyResult", "atlas_page", "solve_counties", "write_atlas"]
