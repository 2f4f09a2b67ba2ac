"""Dominance, stated: which frontier plan beats a reference on every axis, or a proof that none can.

The axes (all at the reference's region count): commuters kept (``commuting_kept_share``,
more is better), regions meeting the self-containment criterion
(``criteria_self_containment_passed``, more), person-minutes (less), the longest trip to
the core (``max_minutes``, less), regions not connected (less), the weakest region's
self-containment (``self_containment_min``, more) and the median region's
(``self_containment_median``, more). For each reference:

1. a frontier plan with the same number of regions and at least as good on every axis
   already solved is named (the one with the least person-minutes);
2. otherwise the **match** case is solved: the least person-minutes with at least the
   reference's commuters kept and regions meeting the criterion, every region keeping at
   least the reference's weakest self-containment (``constraints.min_self_containment``)
   and at least half of them its median region's (``constraints.min_median_self_containment``:
   exact for an odd region count), within its longest trip
   (``constraints.max_travel_minutes``, when the scenario's limit is looser), offered the
   frontier plan nearest to the reference as a start (the solve uses it, improved by the
   heuristic's local search, when it meets every floor; otherwise the construction
   heuristic's own plan, or none). Its plan dominates when it matches the
   reference on every axis; its proven bound above the reference's person-minutes, or a
   proof of infeasibility, proves that no plan of the scenario can match the reference on
   those axes at once. The match is solved by the solver's own work, not the clock
   (:func:`deterministic`): one thread, a node limit (``solver.max_nodes``,
   :data:`MATCH_NODES` unless the scenario sets one), rounds of twice the nodes while the
   bound improves (:data:`MATCH_ROUNDS`), each warm-started from the last plan; a
   wall-clock limit (:data:`~regionopt.sweep.frontier.solve.SAFETY_S`) is only a safety net,
   and a statement says so when it was reached;
3. then (no plan matched) **bound** cases say which axis cannot be matched at the
   reference's person-minutes (``constraints.max_person_minutes``), each with the
   reference's weakest- and median-region floors: the most regions meeting the criterion
   with the reference's commuters kept, and the most commuters kept with its regions
   meeting the criterion; and the match without the two region floors says whether they
   are what cannot be met. A proven bound below the reference's figure is the proof; the
   **closest** plan (fewest axes short, then the least shortfall) is always named with its
   shortfall per axis.

Bounds are the solver's proven bounds on the scenario's model, so a statement "cannot be
matched" holds for every plan of the scenario (its region count, contiguity, travel
limit and core rules), not for plans outside it. For an even region count the median
floor is what a plan reaching the reference's median must meet, not all of it: a plan of
the match may then fall short of the median, and the verdict stays undecided (it says so).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from regionopt.evaluate.criteria import criteria_table, pass_counts
from regionopt.evaluate.metrics import evaluate
from regionopt.model.containment import self_containment
from regionopt.plan import Plan
from regionopt.problem import ProblemData
from regionopt.scenario import Scenario, replace_key
from regionopt.sweep.frontier.solve import (
    WORK_NODES,
    FrontierCase,
    Runner,
    frontier_case,
    kept_epsilon,
    maximum_case,
    work_limited,
)

#: Axis → (metric column, +1 when more is better, -1 when less is).
AXES: dict[str, tuple[str, int]] = {
    "kept": ("commuting_kept_share", 1),
    "criterion": ("criteria_self_containment_passed", 1),
    "person_minutes": ("person_minutes", -1),
    "longest_trip": ("max_minutes", -1),
    "not_connected": ("regions_not_connected", -1),
    "weakest_region": ("self_containment_min", 1),
    "median_region": ("self_containment_median", 1),
}
#: Nodes of the first match round when the scenario sets no ``solver.max_nodes``.
MATCH_NODES = WORK_NODES
#: Rounds of the match solve at most, each with twice the nodes of the one before.
MATCH_ROUNDS = 3


def containment_figures(problem: ProblemData, cores: np.ndarray) -> dict[str, float | None]:
    """The weakest and the median region's self-containment of the plan ``cores[i]``."""
    c = problem.commuting
    if c is None:
        return {"self_containment_min": None, "self_containment_median": None}
    values = []
    for j in sorted(set(cores.tolist())):
        idx = np.flatnonzero(cores == j)
        live = float(c.flows[np.ix_(idx, idx)].sum())
        values.append(self_containment(live, float(c.employed[idx].sum()),
                                       float(c.jobs[idx].sum())))
    return {"self_containment_min": float(min(values)),
            "self_containment_median": float(np.median(values))}


def plan_figures(plan: Plan, problem: ProblemData, scenario: Scenario) -> dict[str, Any]:
    """The axes' figures of any plan (regionopt's metrics and criteria table), and its size."""
    m = evaluate(plan, problem)
    counts = pass_counts(criteria_table(m, problem, scenario))
    out = {col: m.summary.get(col) for col, _ in AXES.values() if col in m.summary}
    out.update(containment_figures(problem, plan.labels(problem)))
    out["criteria_self_containment_passed"] = counts["criteria_self_containment_passed"]
    out["regions"] = len(plan.regions)
    out["kept_commuters"] = round(float(m.summary["commuting_kept_share"])
                                      * int(m.summary["employed"]))
    return out


def _short(a: dict[str, Any], ref: dict[str, Any], col: str, sign: int) -> float | None:
    """How far ``a`` falls short of ``ref`` on one column (0: matched; None: unknown)."""
    if a.get(col) is None or ref.get(col) is None:
        return None
    worse = sign * (float(ref[col]) - float(a[col]))
    return worse if worse > 1e-9 * max(1.0, abs(float(ref[col]))) else 0.0


def at_least_as_good(a: dict[str, Any], ref: dict[str, Any]) -> bool:
    """Whether figures ``a`` match or beat ``ref`` on every axis (same region count)."""
    if a.get("regions") != ref.get("regions"):
        return False
    return all(_short(a, ref, col, sign) == 0.0 for col, sign in AXES.values())


def better_on(a: dict[str, Any], ref: dict[str, Any]) -> list[str]:
    """The axes on which ``a`` is strictly better than ``ref``."""
    return [name for name, (col, sign) in AXES.items()
            if sign * (float(a[col]) - float(ref[col])) > 1e-9 * max(1.0, abs(float(ref[col])))]


def shortfall(a: dict[str, Any], ref: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every axis on which ``a`` falls short of ``ref``: the plan's figure, the reference's,
    and by how much (``None`` when the plan's figure is unknown)."""
    out = {}
    for name, (col, sign) in AXES.items():
        short = _short(a, ref, col, sign)
        if short != 0.0:
            out[name] = {"plan": a.get(col), "reference": ref.get(col), "short": short}
    return out


def _figures(runner: Runner, cid: str) -> dict[str, Any] | None:
    rec = runner.records.get(cid) or {}
    metrics = rec.get("metrics") or {}
    if not rec.get("plan_path") or not metrics:
        return None
    employed = int(metrics.get("employed") or 0)
    out = {**{col: metrics.get(col) for col, _ in AXES.values()},
           "regions": metrics.get("regions"),
           "kept_commuters": round(float(metrics["commuting_kept_share"]) * employed)}
    if cid in runner.cores:
        out.update(containment_figures(runner.problem, runner.cores[cid]))
    return out


def _best_dominating(runner: Runner, ref: dict[str, Any]) -> str | None:
    found = [(float(f["person_minutes"]), cid) for cid in sorted(runner.records)
             if (f := _figures(runner, cid)) is not None and at_least_as_good(f, ref)]
    return min(found)[1] if found else None


def _closeness(f: dict[str, Any], ref: dict[str, Any]) -> tuple[int, float]:
    """Axes short, then the sum of the shortfalls relative to the reference's figures."""
    short = shortfall(f, ref)
    rel = sum(math.inf if v["short"] is None else v["short"] / max(abs(float(v["reference"])),
                                                                     1e-3)
              for v in short.values())
    return len(short), rel


def closest_plan(runner: Runner, ref: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """The solved plan at the reference's region count nearest to it: fewest axes short,
    then the least relative shortfall (ties: the smaller id); ``None`` only when no plan
    has the reference's region count."""
    found = sorted((_closeness(f, ref), cid, f) for cid in sorted(runner.records)
                   if (f := _figures(runner, cid)) is not None
                   and f.get("regions") == ref.get("regions"))
    return (found[0][1], found[0][2]) if found else None


def _slug(name: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in name.lower()).strip("-")


def deterministic(s: Scenario, nodes: int | None = None) -> Scenario:
    """``s`` solved by work, not by the clock (:func:`~regionopt.sweep.frontier.solve.work_limited`,
    :data:`MATCH_NODES` nodes unless ``nodes`` or the scenario says otherwise)."""
    return work_limited(s, nodes or s.solver.max_nodes or MATCH_NODES)


def _floors(base: Scenario, ref: dict[str, Any], employed: int, *, kept: bool = True,
            criterion: bool = True, weakest: bool = True) -> Scenario:
    s = base
    if kept:
        s = replace_key(s, "constraints.min_kept_share",
                        kept_epsilon(int(ref["kept_commuters"]), employed))
    if criterion:
        s = replace_key(s, "constraints.min_criterion_regions",
                        int(ref["criteria_self_containment_passed"]))
    floor = float(ref.get("self_containment_min") or 0.0)
    if weakest and floor > max(0.0, base.constraints.min_self_containment):
        s = replace_key(s, "constraints.min_self_containment", floor)
    median = float(ref.get("self_containment_median") or 0.0)
    if weakest and median > max(0.0, base.constraints.min_median_self_containment):
        s = replace_key(s, "constraints.min_median_self_containment", median)
    return s


def _match_scenario(base: Scenario, ref: dict[str, Any], employed: int, *,
                    weakest: bool = True, nodes: int | None = None) -> Scenario:
    s = _floors(base, ref, employed, weakest=weakest)
    limit = base.constraints.max_travel_minutes
    longest = float(ref["max_minutes"])
    if math.isfinite(longest) and (limit is None or limit > longest):
        s = replace_key(s, "constraints.max_travel_minutes", longest)
    return deterministic(s, nodes)


def _start_for(runner: Runner, ref: dict[str, Any]) -> np.ndarray | None:
    """The plan to start the match from: the least person-minutes among the plans that meet
    its floors, else the plan nearest to them (fewest floors short, then the least shortfall);
    the solve uses it only when it meets every floor (:func:`regionopt.model.solve`)."""
    floors = ("kept", "criterion", "longest_trip", "weakest_region", "median_region")
    best: tuple[int, float, float, str] | None = None
    for cid in sorted(runner.cores):
        f = _figures(runner, cid)
        if f is None or f["regions"] != ref["regions"]:
            continue
        short = {k: v for k, v in shortfall(f, ref).items() if k in floors}
        rel = sum(math.inf if v["short"] is None else v["short"]
                  / max(abs(float(v["reference"])), 1e-3) for v in short.values())
        key = (len(short), rel, float(f["person_minutes"]), cid)
        if best is None or key < best:
            best = key
    return None if best is None else runner.cores[best[3]]


def _safety_net(runner: Runner, fc: FrontierCase) -> bool:
    """Whether the case stopped at its wall-clock safety net rather than by its own work."""
    rec = runner.records.get(fc.case.id) or {}
    limit = fc.case.scenario.solver.time_limit_s
    return (limit is not None and rec.get("seconds") is not None
            and float(rec["seconds"]) >= 0.98 * limit)


def _goes_on(rec: dict[str, Any], ref: dict[str, Any], last: float | None) -> bool:
    """Whether another, larger round of the match may decide what this one did not."""
    if rec.get("status") in ("optimal", "infeasible", "error"):
        return False
    bound = rec.get("bound")
    if bound is None:
        return last is None
    if float(bound) > float(ref["person_minutes"]) * (1 + 1e-9):
        return False
    return last is None or float(bound) > float(last) * (1 + 1e-6)


def _solve_match(runner: Runner, base: Scenario, ref: dict[str, Any], slug: str,
                 employed: int) -> list[FrontierCase]:
    """The match's rounds: twice the nodes each, from the last plan, while the bound rises."""
    nodes = base.solver.max_nodes or MATCH_NODES
    start, last, cases = _start_for(runner, ref), None, []
    for k in range(MATCH_ROUNDS):
        cid = f"match-{slug}" if k == 0 else f"match-{slug}-round-{k + 1}"
        fc = frontier_case(cid, _match_scenario(base, ref, employed, nodes=nodes * 2**k), "match")
        runner.run([[fc]], [start])
        cases.append(fc)
        rec = runner.records.get(cid) or {}
        if (_best_dominating(runner, ref) is not None or _safety_net(runner, fc)
                or not _goes_on(rec, ref, last)):
            break
        start = runner.cores.get(cid, start)
        last = rec.get("bound")
    return cases


def _bound_cases(base: Scenario, ref: dict[str, Any], slug: str,
                 employed: int) -> list[FrontierCase]:
    """Most regions meeting the criterion, and most kept, each at the reference's travel and
    weakest and median region; and the match without those two region floors."""
    budget = replace_key(base, "constraints.max_person_minutes", float(ref["person_minutes"]))
    crit = maximum_case(deterministic(_floors(budget, ref, employed, criterion=False)),
                        "criterion", f"bound-criterion-{slug}")
    kept = maximum_case(deterministic(_floors(budget, ref, employed, kept=False)),
                        "kept", f"bound-kept-{slug}")
    crit.role = kept.role = "bound"
    loose = frontier_case(f"match-{slug}-without-region-floors",
                  _match_scenario(base, ref, employed, weakest=False), "bound")
    return [crit, kept, loose]


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
                    "floors (the solver proves it infeasible)")}
    if bound is None:
        return None
    weakest = (f"every region keeping at least {float(ref['self_containment_min']):.4f} "
               f"and more than half at least {float(ref['self_containment_median']):.4f}")
    if fc.axis == "criterion":
        most = math.floor(-float(bound) + 1e-6)
        want = int(ref["criteria_self_containment_passed"])
        if most < want:
            return {"axis": "criterion", "reference": want, "bound": most, "proof": fc.case.id,
                    "sentence": f"at most {most} regions can meet the criterion with the "
                                f"reference's commuters kept, person-minutes and {weakest} "
                                f"(proven bound, {fc.case.id}), the reference has {want}"}
        return None
    flows = problem.commuting.flows if problem.commuting is not None else np.zeros((0, 0))
    most = int(flows.sum()) - math.ceil(float(bound) - 1e-6)
    if most < int(ref["kept_commuters"]):
        employed = int(problem.commuting.employed.sum()) if problem.commuting is not None else 1
        return {"axis": "kept", "reference": ref["commuting_kept_share"],
                "bound": most / employed, "proof": fc.case.id,
                "sentence": f"at most {most} commuters can be kept ({most / employed:.4f}) "
                            f"with the reference's regions meeting the criterion, "
                            f"person-minutes and {weakest} (proven bound, {fc.case.id}), "
                            f"the reference keeps {int(ref['kept_commuters'])}"}
    return None


def _match_proof(runner: Runner, match: FrontierCase, ref: dict[str, Any],
                 what: str) -> dict[str, Any] | None:
    """What a match case proves: no plan with ``what`` within the reference's person-minutes."""
    rec = runner.records.get(match.case.id) or {}
    pm = float(ref["person_minutes"])
    if rec.get("status") == "infeasible":
        return {"axis": "person_minutes", "reference": pm, "bound": None,
                "proof": match.case.id, "sentence": (
                    f"no plan of the scenario has {what} (the solver proves it infeasible, "
                    f"{match.case.id})")}
    bound = rec.get("bound")
    if bound is not None and float(bound) > pm * (1 + 1e-9):
        return {"axis": "person_minutes", "reference": pm, "bound": float(bound),
                "proof": match.case.id, "sentence": (
                    f"with {what}, at least {float(bound):.0f} person-minutes are needed "
                    f"(proven bound, {match.case.id}), the reference has {pm:.0f}")}
    return None


def _describe_floors(ref: dict[str, Any]) -> str:
    return ("the reference's commuters kept, regions meeting the criterion and longest trip, "
            f"every region keeping at least {float(ref['self_containment_min']):.4f} (its "
            "weakest region's self-containment) and more than half of them at least "
            f"{float(ref['self_containment_median']):.4f} (its median region's)")


def state_dominance(runner: Runner, base: Scenario, name: str,
                    ref: dict[str, Any]) -> dict[str, Any]:
    """Solve what is needed and return the dominance statement of one reference plan.

    Returns
    -------
    dict
        ``reference``, ``figures`` (the reference's), ``verdict`` (``"dominated"``,
        ``"not dominated"``, ``"undecided"`` or ``"other region count"``), ``plan`` (the
        dominating plan's id), ``plan_figures``, ``better_on``, ``unmatched`` (axis,
        reference figure, proven bound, proof case, sentence), ``closest`` (the nearest
        plan's id, never ``None`` at the reference's region count), ``closest_figures``,
        ``shortfall`` (per axis: the closest plan's figure, the reference's, how far
        short), ``safety_net`` (whether a solve stopped at its wall-clock safety net) and
        ``sentence``.
    """
    out: dict[str, Any] = {"reference": name, "figures": ref, "verdict": "undecided",
                           "axes": list(AXES), "plan": None, "plan_figures": None,
                           "better_on": [], "unmatched": [], "closest": None,
                           "closest_figures": None, "shortfall": {}, "safety_net": False}
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
        matches = _solve_match(runner, base, ref, slug, employed)
        out["safety_net"] = any(_safety_net(runner, fc) for fc in matches)
        found = _best_dominating(runner, ref)
        if found is None:
            return _undominated(runner, base, out, matches, ref, slug, employed)
    figures = _figures(runner, found)
    assert figures is not None
    out.update(verdict="dominated", plan=found, plan_figures=figures,
               better_on=better_on(figures, ref), closest=found, closest_figures=figures)
    out["sentence"] = (f"{found} matches or beats {name} on every axis"
                       + (f", and is better on {', '.join(out['better_on'])}"
                          if out["better_on"] else ""))
    return out


def _undominated(runner: Runner, base: Scenario, out: dict[str, Any],
                 matches: list[FrontierCase], ref: dict[str, Any], slug: str,
                 employed: int) -> dict[str, Any]:
    unmatched = [p for p in (_match_proof(runner, matches[-1], ref, _describe_floors(ref)),)
                 if p is not None]
    bounds = _bound_cases(base, ref, slug, employed)
    runner.run([[fc] for fc in bounds])
    out["safety_net"] = out["safety_net"] or any(_safety_net(runner, fc) for fc in bounds)
    unmatched += [p for fc in bounds[:2] if (p := _proof(runner, fc, ref)) is not None]
    loose = bounds[2]
    if unmatched and (f := _figures(runner, loose.case.id)) is not None:
        short = shortfall(f, ref)
        regional = [k for k in short if k in ("weakest_region", "median_region")]
        if regional and len(regional) == len(short):
            told = " and ".join(f"the {k.replace('_', ' ')} (it keeps "
                                f"{float(short[k]['plan']):.4f}, the reference "
                                f"{float(short[k]['reference']):.4f})" for k in regional)
            unmatched.insert(0, {
                "axis": regional[0], "reference": short[regional[0]]["reference"],
                "bound": short[regional[0]]["plan"], "proof": unmatched[0]["proof"],
                "sentence": (
                    f"{loose.case.id} matches or beats {out['reference']} on every axis but "
                    f"{told}, and no plan matches every axis with the weakest and the median "
                    "region too")})
    near = closest_plan(runner, ref)
    assert near is not None  # the reference's region count is among the plans'
    short = shortfall(near[1], ref)
    out.update(unmatched=unmatched, closest=near[0], closest_figures=near[1], shortfall=short)
    gaps = ", ".join(f"{axis} {_fmt(v['plan'])} against {_fmt(v['reference'])}"
                     for axis, v in short.items())
    see = f"the closest plan is {near[0]}, short on {gaps}" if short else ""
    if unmatched:
        out["verdict"] = "not dominated"
        out["sentence"] = "; ".join(u["sentence"] for u in unmatched) + (
            f"; {see}" if see else "")
    else:
        why = ("a solve stopped at its wall-clock safety net, not by its work limit: rerun "
               "with a larger solver.max_nodes or on a freer machine"
               if out["safety_net"] else "within the solver's work limit (solver.max_nodes)")
        out["sentence"] = (f"no plan found that matches {out['reference']} on every axis, and "
                           f"no bound proves that none exists ({why}); {see}")
    return out


def _fmt(value: Any) -> str:
    if value is None:
        return "unknown"
    v = float(value)
    return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:.4g}"


def state_all(runner: Runner, base: Scenario, references: Sequence[Plan]) -> list[dict[str, Any]]:
    """The dominance statement of every reference plan, in order."""
    return [state_dominance(runner, base, plan.name,
                            plan_figures(plan, runner.problem, base)) for plan in references]


def format_dominance(statements: Sequence[dict[str, Any]]) -> str:
    """One line per reference: its verdict and why."""
    return "\n".join(f"{s['reference']}: {s['verdict']}: {s['sentence']}" for s in statements)


__all__ = ["AXES", "MATCH_NODES", "MATCH_ROUNDS", "at_least_as_good", "better_on",
           "closest_plan", "containment_figures", "deterministic", "format_dominance",
           "plan_figures", "shortfall", "state_all", "state_dominance"]
