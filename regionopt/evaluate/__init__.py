"""Stage 4, evaluate: metrics of any plan, comparisons, audits against a scenario, reports.

Metrics and comparisons of plans on one problem, the share of inhabitants within
45/60/75 minutes of a core or a host (``reach``), agreement between plans, the
planners' criteria, a plan's audit against a scenario's families, the service
analysis, and their text, CSV and JSON renderings.

Imports the ground modules, :mod:`regionopt.model` (self-containment, the
families' audits, the objective's terms, service areas) and this folder; not
:mod:`regionopt.data` nor :mod:`regionopt.network`.
"""

from regionopt.evaluate.agreement import Agreement, agreement
from regionopt.evaluate.metrics import Comparison, PlanMetrics, compare, evaluate
from regionopt.evaluate.report import (
    agreement_to_dict,
    audit_to_dict,
    comparison_to_dict,
    format_audit,
    format_comparison,
    format_metrics,
    metrics_to_dict,
)
from regionopt.evaluate.scenario_audit import Audit, audit, gap_percent
from regionopt.evaluate.services import (
    ServiceAnalysis,
    analyse_services,
    format_services,
    hosting_table,
    services_summary,
    services_table,
)

__all__ = ["Agreement", "Audit", "Comparison", "PlanMetrics", "ServiceAnalysis", "agreement",
           "agreement_to_dict", "analyse_services", "audit", "audit_to_dict", "compare",
           "comparison_to_dict", "evaluate", "format_audit", "format_comparison",
           "format_metrics", "format_services", "gap_percent", "hosting_table",
           "metrics_to_dict", "services_summary", "services_table"]
