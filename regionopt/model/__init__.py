"""Stage 3, model: the region MIP, its constraint families, solving and diagnosis.

May import the ground modules, :mod:`regionopt.data`, :mod:`regionopt.network`
and this folder. Each constraint family lives in one module of
:mod:`regionopt.model.families`.
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
