"""Agreement between two plans of the same municipalities, whatever their region names.

Four figures say how closely a plan reproduces a reference plan (NIVI's, say);
their definitions are in ``docs/metrics.md``:

- the **adjusted Rand index** of the two partitions (1 for the same grouping,
  about 0 for groupings no closer than chance), computed here from the
  contingency table;
- the municipalities **placed as the reference does** under the best one-to-one
  matching of regions (:func:`match_regions`, a Hungarian assignment on the
  overlap table);
- the regions **identical in membership**;
- the municipalities that **differ**: the others.

Only the grouping matters: region names, cores and populations do not enter
the index, and population only breaks ties between equally good matchings.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment

from regionopt.errors import DataError
from regionopt.plan import Plan


@dataclass(frozen=True)
class Agreement:
    """How closely ``plan`` groups the municipalities as ``reference`` does.

    Attributes
    ----------
    plan, reference
        The two plans' names.
    municipalities
        Municipalities in both plans.
    adjusted_rand
        Adjusted Rand index of the two groupings.
    placed
        Municipalities whose region in ``plan`` is matched to their region in
        ``reference`` (see :func:`match_regions`).
    identical_regions
        Regions of ``plan`` with exactly the members of a region of ``reference``.
    plan_regions, reference_regions
        Region counts.
    differing
        Kommunenummer of the municipalities not placed as the reference does, sorted.
    matching
        ``(region of plan, region of reference)`` matched pairs, sorted.
    """

    plan: str
    reference: str
    municipalities: int
    adjusted_rand: float
    placed: int
    identical_regions: int
    plan_regions: int
    reference_regions: int
    differing: tuple[str, ...]
    matching: tuple[tuple[str, str], ...]

    @property
    def placed_share(self) -> float:
        """``placed`` / ``municipalities``."""
        return self.placed / self.municipalities


def _comb2(values: np.ndarray) -> float:
    """Σ C(v, 2) = Σ v(v − 1)/2 over ``values``."""
    v = values.astype("float64")
    return float((v * (v - 1) / 2).sum())


def adjusted_rand_index(table: np.ndarray) -> float:
    """Adjusted Rand index of two groupings from their contingency table.

    With *n_ij* the municipalities in region *i* of one plan and *j* of the
    other, row sums *a_i*, column sums *b_j* and *n* in all: index
    *I* = Σ C(n_ij, 2), expected *E* = Σ C(a_i, 2) · Σ C(b_j, 2) / C(n, 2),
    maximum *M* = (Σ C(a_i, 2) + Σ C(b_j, 2)) / 2, and
    ARI = (*I* − *E*) / (*M* − *E*). *M* = *E* only when both groupings are
    the same trivial one (one region each, or every municipality alone); the
    index is then 1.

    Parameters
    ----------
    table
        Contingency table of counts (rows: regions of one plan, columns: of
        the other).

    Returns
    -------
    float
    """
    n = float(table.sum())
    index = _comb2(table)
    rows, cols = _comb2(table.sum(axis=1)), _comb2(table.sum(axis=0))
    pairs = n * (n - 1) / 2
    expected = rows * cols / pairs if pairs else 0.0
    maximum = (rows + cols) / 2
    if maximum == expected:
        return 1.0
    return (index - expected) / (maximum - expected)


def _check_same(plan: Plan, reference: Plan) -> list[str]:
    codes = sorted(plan.assignment)
    if codes != sorted(reference.assignment):
        only = sorted(set(plan.assignment) ^ set(reference.assignment))
        raise DataError(f"plans {plan.name!r} and {reference.name!r} do not cover the same "
                        f"municipalities (e.g. {only[0]})")
    return codes


def overlap_table(plan: Plan, reference: Plan, *,
                  population: Mapping[str, int] | None = None
                  ) -> tuple[tuple[str, ...], tuple[str, ...], np.ndarray, np.ndarray]:
    """Return the regions of both plans and their shared members and inhabitants.

    Returns
    -------
    tuple
        ``(plan regions, reference regions, counts, inhabitants)``, regions
        sorted by name, ``counts[i, j]`` the municipalities in region *i* of
        ``plan`` and *j* of ``reference``, ``inhabitants`` the same in
        inhabitants (zeros without ``population``).

    Raises
    ------
    DataError
        If the plans cover different municipalities.
    """
    codes = _check_same(plan, reference)
    rows, cols = plan.regions, reference.regions
    r_at = {r: k for k, r in enumerate(rows)}
    c_at = {r: k for k, r in enumerate(cols)}
    counts = np.zeros((len(rows), len(cols)), dtype="int64")
    people = np.zeros_like(counts)
    for code in codes:
        i, j = r_at[plan.assignment[code]], c_at[reference.assignment[code]]
        counts[i, j] += 1
        people[i, j] += int(population[code]) if population is not None else 0
    return rows, cols, counts, people


def match_regions(plan: Plan, reference: Plan, *,
                  population: Mapping[str, int] | None = None) -> list[tuple[str, str]]:
    """Match regions of ``plan`` one to one with regions of ``reference``.

    The matching maximises the municipalities the matched pairs share (a
    Hungarian assignment on the overlap table); among matchings that share as
    many, the one sharing the most inhabitants (with ``population``). Pairs
    that share nothing are not matched. Both plans' regions are taken in
    name order, so remaining ties always resolve the same way.

    Returns
    -------
    list of tuple
        ``(region of plan, region of reference)`` pairs, sorted.

    Raises
    ------
    DataError
        If the plans cover different municipalities.
    """
    rows, cols, counts, people = overlap_table(plan, reference, population=population)
    # members first, inhabitants only among equals: one member outweighs every inhabitant
    weight = counts.astype("float64") * (float(people.sum()) + 1.0) + people
    r, c = linear_sum_assignment(weight, maximize=True)
    return sorted((rows[i], cols[j]) for i, j in zip(r, c, strict=True) if counts[i, j] > 0)


def agreement(plan: Plan, reference: Plan, *,
              population: Mapping[str, int] | None = None) -> Agreement:
    """Measure how closely ``plan`` groups the municipalities as ``reference`` does.

    Parameters
    ----------
    plan
        The plan measured.
    reference
        The plan it is measured against (same municipalities).
    population
        Inhabitants by kommunenummer, to break ties between equally good
        matchings (see :func:`match_regions`); without it, names break them.

    Returns
    -------
    Agreement

    Raises
    ------
    DataError
        If the plans cover different municipalities.
    """
    _, _, counts, _ = overlap_table(plan, reference)
    pairs = match_regions(plan, reference, population=population)
    to_ref = dict(pairs)
    differing = tuple(c for c, r in plan.assignment.items()
                      if to_ref.get(r) != reference.assignment[c])
    sizes_ref = {r: len(reference.members(r)) for r in reference.regions}
    identical = sum(1 for p, q in pairs
                    if len(plan.members(p)) == sizes_ref[q] == _shared(plan, reference, p, q))
    n = len(plan.assignment)
    return Agreement(plan=plan.name, reference=reference.name, municipalities=n,
                     adjusted_rand=adjusted_rand_index(counts), placed=n - len(differing),
                     identical_regions=identical, plan_regions=len(plan.regions),
                     reference_regions=len(reference.regions), differing=differing,
                     matching=tuple(pairs))


def nesting_share(plan: Plan, reference: Plan) -> float:
    """The share of municipalities whose region in ``plan`` lies inside one ``reference`` region.

    Over the municipalities both plans cover: Σ over the regions *i* of ``plan`` whose
    members all share one region of ``reference`` of their size *a_i*, divided by *n*
    (``docs/metrics.md``). 1 when ``plan`` refines ``reference``; a region of ``plan`` that
    crosses a border of ``reference`` counts none of its members.

    Raises
    ------
    DataError
        If the plans cover different municipalities.
    """
    _, _, counts, _ = overlap_table(plan, reference)
    n = int(counts.sum())
    nested = counts.sum(axis=1)[(counts > 0).sum(axis=1) == 1]
    return float(nested.sum()) / n if n else 1.0


def _shared(plan: Plan, reference: Plan, p: str, q: str) -> int:
    return len(set(plan.members(p)) & set(reference.members(q)))


AGREEMENT_COLUMNS = ("agreement_ari", "agreement_placed", "agreement_identical_regions",
                     "agreement_differing")
"""Column names of the agreement figures in sweep tables."""


def agreement_columns(result: Agreement) -> dict[str, float | int | str]:
    """The agreement as sweep-table cells (:data:`AGREEMENT_COLUMNS`).

    ``agreement_differing`` is the differing kommunenummer joined by ``;``.
    """
    return {"agreement_ari": result.adjusted_rand, "agreement_placed": result.placed,
            "agreement_identical_regions": result.identical_regions,
            "agreement_differing": ";".join(result.differing)}


__all__ = ["AGREEMENT_COLUMNS", "Agreement", "adjusted_rand_index", "agreement",
           "agreement_columns", "match_regions", "nesting_share", "overlap_table"]
