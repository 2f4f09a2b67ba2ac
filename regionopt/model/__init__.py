"""Stage 3, model: the region MIP, its constraint families, solving and diagnosis.

Works on a :class:`regionopt.problem.ProblemData` and a scenario, whoever built
them: candidate pairs, one module per constraint family
(:mod:`regionopt.model.families`), the PuLP model and its solvers, the
heuristic, diagnosis of infeasible scenarios, the rules a scenario leaves to the
area, service areas and hosting.

Imports the ground modules only (``errors``, ``_checker``, ``scenario``,
``catalogue``, ``flows``, ``problem``, ``plan``, ``budget``, ``interrupts``)
and this folder: not :mod:`regionopt.data` nor :mod:`regionopt.network`,
which only build its input.
"""

from regionopt.model.build import METHODS, RegionModel, build_model
from regionopt.model.candidates import candidate_sets, check_codes, rank_order
from regionopt.model.containment import self_containment
from regionopt.model.diagnose import diagnose
from regionopt.model.engine import Alternative, SolveResult, solve
from regionopt.model.explain import explain_infeasible
from regionopt.model.families import FAMILIES, Family, Violation
from regionopt.model.hosting import Hosting, balanced_hosting
from regionopt.model.objective import objective_value, plan_terms
from regionopt.model.services import ServiceArea, ServiceAreas, region_graph, service_areas

__all__ = ["FAMILIES", "METHODS", "Alternative", "Family", "Hosting", "RegionModel",
           "ServiceArea", "ServiceAreas", "SolveResult", "Violation", "balanced_hosting",
           "build_model", "candidate_sets", "check_codes", "diagnose", "explain_infeasible",
           "objective_value", "plan_terms", "rank_order", "region_graph", "self_containment",
           "service_areas", "solve"]
