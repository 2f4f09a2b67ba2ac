"""Contiguity: ``constraints.contiguity``, every region connected in the adjacency graph.

Pruning: a candidate that cannot reach its core through other candidates is
dropped. Rows: ``nbr_<i>_<j>`` (a member other than the core has a neighbour
in its region) and, for ``method="flow"``, the flow rows; for ``"cuts"``,
separator cuts added while solving. The formulations themselves live in
:mod:`regionopt.model.contiguity`. Audit: each region connected.
"""

from __future__ import annotations

from collections.abc import Sequence

from regionopt.model import contiguity as contig
from regionopt.model.families.base import Candidates, Family, ModelParts, PlanView, Violation
from regionopt.problem import ProblemData
from regionopt.scenario import Scenario


def _refine(cands: Candidates, data: ProblemData, s: Scenario) -> bool:
    return contig.prune_unreachable(cands, data.neighbours())


def _rows(m: ModelParts) -> None:
    contig.add_neighbour_support(m.prob, m.x, m.data.codes, m.nbrs)
    if m.method == "flow":
        contig.add_flow(m.prob, m.x, {j: set(c) for j, c in m.cands.items()}, m.data.codes,
                        m.nbrs)


def _separate(m: ModelParts, cores: Sequence[int], round_no: int) -> int:
    if m.method != "cuts":
        return 0
    cuts = contig.separator_cuts(cores, {j: set(c) for j, c in m.cands.items()}, m.nbrs)
    contig.add_cuts(m.prob, m.x, cuts, m.data.codes, round_no)
    return len(cuts)


def _check(view: PlanView, s: Scenario) -> list[Violation]:
    nbrs = view.data.neighbours()
    return [Violation("constraints.contiguity", r,
                      f"region {r} is not connected in the adjacency graph")
            for r, _, members in view.regions if not contig.is_connected(members, nbrs)]


FAMILY = Family(
    name="contiguity",
    keys=("constraints.contiguity",),
    relax=(("constraints.contiguity", False),),
    active=lambda s: s.constraints.contiguity,
    refine=_refine,
    rows=_rows,
    separate=_separate,
    check=_check,
    page_check="contiguity",
)
