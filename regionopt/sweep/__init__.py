"""Stage 6, sweep: many scenarios solved on processes or Dask, and their Pareto front.

May import every earlier stage, the ground modules and this folder. Calibration
is :func:`regionopt.sweep.calibrate.calibrate` (not re-exported: the name is
its module's).
"""

from regionopt.sweep.atlas import CountyResult, solve_counties
from regionopt.sweep.calibrate import Calibration
from regionopt.sweep.cases import SweepCase, check_varies, parse_vary, sweep_cases
from regionopt.sweep.dominance import state_dominance
from regionopt.sweep.frontier import run_frontier
from regionopt.sweep.pareto import pareto_mask, write_pareto
from regionopt.sweep.run import run_sweep

__all__ = ["Calibration", "CountyResult", "SweepCase", "check_varies", "pareto_mask", "parse_vary",
           "run_frontier", "run_sweep", "solve_counties", "state_dominance", "sweep_cases",
           "write_pareto"]
