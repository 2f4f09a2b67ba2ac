"""Explain an infeasible scenario: the proofs, else which constraint family is to blame.

:func:`explain_infeasible` returns the proofs of
:func:`~regionopt.model.diagnose.diagnose`; when there are none, it solves the
scenario again without each active constraint family in turn (each family's
``relax`` switches it off) and names every family whose removal makes it
feasible.
"""

from __future__ import annotations

from regionopt.budget import Budget
from regionopt.model.build import build_model
from regionopt.model.diagnose import diagnose
from regionopt.model.families import FAMILIES, Candidates
from regionopt.model.optimise import optimise
from regionopt.problem import ProblemData
from regionopt.scenario import Scenario, replace_key

#: Seconds each relaxation probe may take at most (less when the budget has less left).
PROBE_S = 30.0


def explain_infeasible(data: ProblemData, scenario: Scenario, *, method: str = "flow",
                       time_limit_s: float = PROBE_S, cands: Candidates | None = None,
                       budget: Budget | None = None) -> list[str]:
    """Return reasons for an infeasible scenario, probing relaxations if needed.

    First the proofs of :func:`~regionopt.model.diagnose.diagnose`; if there
    are none, the scenario is solved again without each constraint family in
    turn (quietly, at most ``time_limit_s`` each and within what is left of
    ``budget``) and every family whose removal makes it feasible is named.
    Probes stop when the budget is spent, and the reasons say so.

    Returns
    -------
    list of str
        At least one sentence.
    """
    reasons = diagnose(data, scenario, cands=cands)
    if reasons:
        return reasons
    if budget is None:
        budget = Budget(scenario.solver.time_limit_s)
    skipped = []
    for fam in FAMILIES:
        relaxed = scenario
        for key, value in fam.relax:
            relaxed = replace_key(relaxed, key, value)
        if _same_constraints(relaxed, scenario):
            continue
        if budget.expired():
            skipped.append(fam.name)
            continue
        _, cores = optimise(build_model(data, relaxed, method=method), quiet=True,
                            budget=budget, cap_s=time_limit_s)
        if cores is not None:
            reasons.append(f"{fam.name} cannot hold together with the other constraints "
                           f"(the scenario is feasible without {fam.name})")
    if reasons:
        return reasons
    if skipped:
        return [f"no single constraint family was found to blame before the time limit "
                f"(solver.time_limit_s) ran out; not probed: {', '.join(skipped)}"]
    return ["the constraints conflict jointly; no single constraint family is to blame"]


def _same_constraints(a: Scenario, b: Scenario) -> bool:
    return a.constraints == b.constraints and a.regions == b.regions
