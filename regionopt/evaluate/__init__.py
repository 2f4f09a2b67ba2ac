"""Stage 4, evaluate: metrics of any plan, comparisons, audits against a scenario, reports.

May import the ground modules, :mod:`regionopt.data`, :mod:`regionopt.network`,
:mod:`regionopt.model` and this folder.
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

__all__ = ["Agreement", "Audit", "Comparison", "PlanMetrics", "agreement", "agreement_to_dict",
           "audit", "audit_to_dict", "compare", "comparison_to_dict", "evaluate",
           "format_audit", "format_comparison", "format_metrics", "gap_percent",
           "metrics_to_dict"]
