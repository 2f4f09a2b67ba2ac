"""The functional frontier and the dominance verdicts against reference plans.

* :mod:`~regionopt.sweep.frontier.solve`: the ε-constraint points, solved on the pool
  (:mod:`regionopt.sweep.pool`) and resumed case by case;
* :mod:`~regionopt.sweep.frontier.dominance`: which frontier plan beats a reference on every
  axis, or a proof that none can;
* :mod:`~regionopt.sweep.frontier.page`: the frontier's files (table, JSON, maps, page, plots).
"""

from regionopt.sweep.frontier.dominance import state_dominance
from regionopt.sweep.frontier.page import write_frontier
from regionopt.sweep.frontier.solve import FrontierCase, Runner, run_frontier

__all__ = ["FrontierCase", "Runner", "run_frontier", "state_dominance", "write_frontier"]
