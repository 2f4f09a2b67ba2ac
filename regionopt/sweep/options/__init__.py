"""``regionopt options``: every direction a municipality could take, priced exactly.

One module per responsibility:

* :mod:`~regionopt.sweep.options.price`: a municipality's directions and their prices;
* :mod:`~regionopt.sweep.options.bounds`: bounds that prune a direction (reduced costs,
  the relaxation);
* :mod:`~regionopt.sweep.options.region`: the proof that no region around a core can
  take the municipality;
* :mod:`~regionopt.sweep.options.local`: directions proven on a neighbourhood alone;
* :mod:`~regionopt.sweep.options.start`: warm starts (the base plan with the municipality
  moved, repaired);
* :mod:`~regionopt.sweep.options.figures`: a direction's plan figures and what it changes;
* :mod:`~regionopt.sweep.options.run`: every municipality on the pool
  (:mod:`regionopt.sweep.pool`), resumable, and the run's files.
"""

from regionopt.sweep.options.price import COLUMNS, Base, municipality_options, solve_base
from regionopt.sweep.options.run import OptionsRun, run_options, write_options

__all__ = ["COLUMNS", "Base", "OptionsRun", "municipality_options", "run_options", "solve_base",
           "write_options"]
