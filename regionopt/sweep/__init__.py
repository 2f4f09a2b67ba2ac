"""Stage 6, sweep: many solves on one pool (serial, local processes or Dask), and their results.

May import every earlier stage, the ground modules and this folder. Every parallel run goes
through :mod:`regionopt.sweep.pool`. Modules: sweeps (:mod:`~regionopt.sweep.cases`,
:mod:`~regionopt.sweep.run`, :mod:`~regionopt.sweep.store`, :mod:`~regionopt.sweep.pareto`)
and calibration (:func:`regionopt.sweep.calibrate.calibrate`, not re-exported: the name is
its module's); a folder per feature family: :mod:`regionopt.sweep.frontier`,
:mod:`regionopt.sweep.options` and :mod:`regionopt.sweep.atlas`.
"""

from regionopt.sweep.atlas.solve import CountyResult, solve_counties
from regionopt.sweep.calibrate import Calibration
from regionopt.sweep.cases import SweepCase, check_varies, parse_vary, sweep_cases
from regionopt.sweep.frontier.dominance import state_dominance
from regionopt.sweep.frontier.solve import run_frontier
from regionopt.sweep.pareto import pareto_mask, write_pareto
from regionopt.sweep.pool import Pool, run_tasks
from regionopt.sweep.run import run_sweep

__all__ = ["Calibration", "CountyResult", "Pool", "SweepCase", "check_varies", "pareto_mask",
           "parse_vary", "run_frontier", "run_sweep", "run_tasks", "solve_counties",
           "state_dominance", "sweep_cases", "write_pareto"]
