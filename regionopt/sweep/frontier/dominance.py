"""Dominance, stated: which frontier plan beats a reference on every axis, or a proof that none can.

The axes (all at the reference's region count): commuters kept (``commuting_kept_share``,
more is better), regions meeting the self-containment criterion
(``criteria_self_containment_passed``, more), person-minutes (less), the longest trip to
the core (``max_minutes``, less) and regions not connected (less). For each reference:

1. a frontier plan with the same number of regions and at least as good on every axis
   already solved is named (the one with the least person-minutes);
2. otherwise the **match** case is solved: the least person-minutes with at least the
   reference's commuters kept and regions meeting the criterion, within its longest
   trip (``constraints.max_travel_minutes``, when the scenario's limit is looser) and
   warm-started from a frontier plan that meets both floors. Its plan dominates when its
   person-minutes are at most the reference's; its proven bound above them proves that
   no plan of the scenario can match the reference on the three at once;
3. then (no plan matched) two **bound** cases say which axis cannot be matched at the
   reference's person-minutes (``constraints.max_person_minutes``): the most regions
   meeting the criterion with the reference's commuters kept, and the most commuters
   kept with its regions meeting the criterion. A proven bound below the reference's
   figure is the proof; the best plan found is the closest.

Bounds are the solver's proven bounds on the scenario's model, so a statement "cannot be
matched" holds for every plan of the scenario (its region count, contiguity, travel
limit and core rules), not for plans outside it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from regionopt.evaluate.criteria import criteria_table, pass_counts
from regionopt.evaluate.metrics import evaluate
from regionopt.plan import Plan
from regionopt.problem import ProblemData
from regionopt.scenario import Scenario, replace_key
from regionopt.sweep.frontier.solve import (
    FrontierCase,
    Runner,
    frontier_case,
    kept_epsilon,
    maximum_case,
)

#: Axis → (metric column, +1 when more is better, -1 when less is).
AXES: dict[str, tuple[str, int]] = {
    "kept": ("commuting_kept_share", 1),
    "criterion": ("criteria_self_containment_passed", 1),
    "person_minutes": ("person_minutes", -1),
    "longest_trip": ("max_minutes", -1),
    "not_connected": ("regions_not_connected", -1),
}


def plan_figures(plan: Plan, problem: ProblemData, scenario: Scenario) -> dict[str, Any]:
    """The axes' figures of any plan (regionopt's metrics and criteria table), and its size."""
    m = evaluate(plan, problem)
    counts = pass_counts(criteria_table(m, problem, scenario))
    out = {col: m.summary.get(col) for col, _ in AXES.values() if col in m.summary}
    out["criteria_self_containment_passed"] = counts["criteria_self_containment_passed"]
    out["regions"] = len(plan.regions)
    out["kept_commuters"] = round(float(m.summary["commuting_kept_share"])
                                      * int(m.summary["employed"]))
    return out


def at_least_as_good(a: dict[str, Any], ref: dict[str, Any]) -> bool:
    """Whether figures ``a`` match or beat ``ref`` on every axis (same region count)."""
    if a.get("regions") != ref.get("regions"):
        return False
    for col, sign in AXES.values():
        if a.get(col) is None or ref.get(col) is None:
            return False
        if sign * (float(a[col]) - float(ref[col])) < -1e-9 * max(1.0, abs(float(ref[col]))):
            return False
    return True


def better_on(a: dict[str, Any], ref: dict[str, Any]) -> list[str]:
    """The axes on which ``a`` is strictly better than ``ref``."""
    return [name for name, (col, sign) in AXES.items()
            if sign * (float(a[col]) - float(ref[col])) > 1e-9 * max(1.0, abs(float(ref[col])))]


def _figures(runner: Runner, cid: str) -> dict[str, Any] | None:
    rec = runner.records.get(cid) or {}
    metrics = rec.get("metrics") or {}
    if not rec.get("plan_path") or not metrics:
        return None
    employed = int(metrics.get("employed") or 0)
    return {**{col: metrics.get(col) for col, _ in AXES.values()},
            "regions": metrics.get("regions"),
            "kept_commuters": round(float(metrics["commuting_kept_share"]) * employed)}


def _best_dominating(runner: Runner, ref: dict[str, Any]) -> str | None:
    found = [(float(f["person_minutes"]), cid) for cid in sorted(runner.records)
             if (f := _figures(runner, cid)) is not None and at_least_as_good(f, ref)]
    return min(found)[1] if found else None


def _slug(name: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in name.lower()).strip("-")


def _match_scenario(base: Scenario, ref: dict[str, Any], employed: int) -> Scenario:
    s = replace_key(base, "constraints.min_kept_share",
                    kept_epsilon(int(ref["kept_commuters"]), employed))
    s = replace_key(s, "constraints.min_criterion_regions",
                    int(ref["criteria_self_containment_passed"]))
    limit = base.constraints.max_travel_minutes
    longest = float(ref["max_minutes"])
    if math.isfinite(longest) and (limit is None or limit > longest):
        s = replace_key(s, "constraints.max_travel_minutes", longest)
    return s


def _start_for(runner: Runner, ref: dict[str, Any]) -> np.ndarray | None:
    """The frontier plan with the least person-minutes that meets both floors of the match."""
    best: tuple[float, str] | None = None
    for cid in sorted(runner.cores):
        f = _figures(runner, cid)
        if (f is not None and f["regions"] == ref["regions"]
                and f["kept_commuters"] >= ref["kept_commuters"]
                and (f["criteria_self_containment_passed"] or 0)
                >= ref["criteria_self_containment_passed"]
                and float(f["max_minutes"]) <= float(ref["max_minutes"])
                and (best is None or float(f["person_minutes"]) < best[0])):
            best = (float(f["person_minutes"]), cid)
    return None if best is None else runner.cores[best[1]]


def _bound_cases(base: Scenario, ref: dict[str, Any], slug: str,
                 employed: int) -> list[FrontierCase]:
    """Most regions meeting the criterion, and most kept, each at the reference's travel."""
    budget = replace_key(base, "constraints.max_person_minutes", float(ref["person_minutes"]))
    crit = maximum_case(replace_key(budget, "constraints.min_kept_share",
                                    kept_epsilon(int(ref["kept_commuters"]), employed)),
                        "criterion", f"bound-criterion-{slug}")
    kept = maximum_case(replace_key(budget, "constraints.min_criterion_regions",
                                    int(ref["criteria_self_containment_passed"])),
                        "kept", f"bound-kept-{slug}")
    crit.role = kept.role = "bound"
    return [crit, kept]


def _proof(runner: Runner, fc: FrontierCase, ref: dict[str, Any]) -> dict[str, Any] | None:
    """The unmatched axis a bound case proves, or ``None`` when it proves nothing."""
    rec = runner.records.get(fc.case.id) or {}
    bound = rec.get("bound")
    status = rec.get("status")
    problem = runner.problem
    if status == "infeasible":
        return {"axis": "person_minutes", "reference": ref["person_minutes"], "bound": None,
                "proof": fc.case.id, "sentence": (
                    f"{fc.case.id}: no plan of the scenario has at most "
                    f"{ref['person_minutes']:.0f} person-minutes with the reference's other "
                    "floor (the solver proves it infeasible)")}
    if bound is None:
        return None
    if fc.axis == "criterion":
        most = math.floor(-float(bound) + 1e-6)
        want = int(ref["criteria_self_containment_passed"])
        if most < want:
            return {"axis": "criterion", "reference": want, "bound": most, "proof": fc.case.id,
                    "sentence": f"at most {most} regions can meet the criterion (proven bound, "
                                f"{fc.case.id}), the reference has {want}"}
        return None
    flows = problem.commuting.flows if problem.commuting is not None else np.zeros((0, 0))
    most = int(flows.sum()) - math.ceil(float(bound) - 1e-6)
    if most < int(ref["kept_commuters"]):
        employed = int(problem.commuting.employed.sum()) if problem.commuting is not None else 1
        return {"axis": "kept", "reference": ref["commuting_kept_share"],
                "bound": most / employed, "proof": fc.case.id,
                "sentence": f"at most {most} commuters can be kept ({most / employed:.4f}, "
                            f"proven bound, {fc.case.id}), the reference keeps "
                            f"{int(ref['kept_commuters'])}"}
    return None


def state_dominance(runner: Runner, base: Scenario, name: str,
                    ref: dict[str, Any]) -> dict[str, Any]:
    """Solve what is needed and return the dominance statement of one reference plan.

    Returns
    -------
    dict
        ``reference``, ``figures`` (the reference's), ``verdict`` (``"dominated"``,
        ``"not dominated"``, ``"undecided"`` or ``"other region count"``), ``plan`` (the
        dominating plan's id), ``plan_figures``, ``better_on``, ``unmatched`` (axis,
        reference figure, proven bound, proof case, sentence), ``closest`` and ``sentence``.
    """
    out: dict[str, Any] = {"reference": name, "figures": ref, "verdict": "undecided",
                           "plan": None, "plan_figures": None, "better_on": [],
                           "unmatched": [], "closest": None}
    regions = {f["regions"] for cid in runner.records if (f := _figures(runner, cid))}
    if ref["regions"] not in regions:
        out.update(verdict="other region count", sentence=(
            f"{name} has {ref['regions']} regions; the frontier's plans have "
            f"{', '.join(map(str, sorted(regions)))}: no comparison at the same region count"))
        return out
    problem = runner.problem
    employed = int(problem.commuting.employed.sum()) if problem.commuting is not None else 1
    slug = _slug(name)
    found = _best_dominating(runner, ref)
    if found is None:
        match = frontier_case(f"match-{slug}", _match_scenario(base, ref, employed), "match")
        runner.run([[match]], [_start_for(runner, ref)])
        found = _best_dominating(runner, ref)
        if found is None:
            return _undominated(runner, base, out, match, ref, slug, employed)
    figures = _figures(runner, found)
    assert figures is not None
    out.update(verdict="dominated", plan=found, plan_figures=figures,
               better_on=better_on(figures, ref))
    out["sentence"] = (f"{found} matches or beats {name} on every axis"
                       + (f", and is better on {', '.join(out['better_on'])}"
                          if out["better_on"] else ""))
    return out


def _undominated(runner: Runner, base: Scenario, out: dict[str, Any], match: FrontierCase,
                 ref: dict[str, Any], slug: str, employed: int) -> dict[str, Any]:
    rec = runner.records.get(match.case.id) or {}
    unmatched = []
    bound = rec.get("bound")
    if bound is not None and float(bound) > float(ref["person_minutes"]) * (1 + 1e-9):
        unmatched.append({"axis": "person_minutes", "reference": ref["person_minutes"],
                          "bound": float(bound), "proof": match.case.id, "sentence": (
                              f"with the reference's commuters kept and regions meeting the "
                              f"criterion, at least {float(bound):.0f} person-minutes are "
                              f"needed (proven bound, {match.case.id}), the reference has "
                              f"{float(ref['person_minutes']):.0f}")})
    bounds = _bound_cases(base, ref, slug, employed)
    runner.run([[fc] for fc in bounds])
    unmatched += [p for fc in bounds if (p := _proof(runner, fc, ref)) is not None]
    closest = [cid for cid in (match.case.id, *(fc.case.id for fc in bounds))
               if cid in runner.cores]
    out.update(unmatched=unmatched, closest=closest[0] if closest else None)
    if unmatched:
        out["verdict"] = "not dominated"
        out["sentence"] = "; ".join(u["sentence"] for u in unmatched)
    else:
        out["sentence"] = (f"no plan found that matches {out['reference']} on every axis, and "
                           "no bound proves that none exists (time limit); see the "
                           f"closest plan {out['closest']}")
    return out


def state_all(runner: Runner, base: Scenario, references: Sequence[Plan]) -> list[dict[str, Any]]:
    """The dominance statement of every reference plan, in order."""
    return [state_dominance(runner, base, plan.name,
                            plan_figures(plan, runner.problem, base)) for plan in references]


def format_dominance(statements: Sequence[dict[str, Any]]) -> str:
    """One line per reference: its verdict and why."""
    return "\n".join(f"{s['reference']}: {s['verdict']}: {s['sentence']}" for s in statements)


__all__ = ["AXES", "at_least_as_good", "better_on", "format_dominance", "plan_figures",
           "state_all", "state_dominance"]
