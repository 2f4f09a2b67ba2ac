"""The Coombes–Bond travel-to-work-area algorithm, as a peer for regionopt's functional regions.

Written from the published descriptions, not from any implementation's code:

* M. Coombes and S. Bond (2008), *Travel-to-Work Areas: the 2007 review*, Office for National
  Statistics, London: the iterative dissolve-and-reallocate method and its UK parameters
  (3 500 / 25 000 workers, self-containment 0.667 / 0.75);
* L. Franconi, M. D'Alò and D. Ichim (2016), *Istat implementation of the algorithm to develop
  Labour Market Areas*, as documented for Eurostat's labour-market-area guidelines and the
  R package LabourMarketAreas (``findClusters``, ``getLeastSelfContained``,
  ``determineCohesion``): the validity function ("X-equation") and the tie measure below.

Definitions, for an area *A* with employed residents E(A) (its size: the supply side),
workers J(A) (the demand side) and residents working inside it L(A):

* self-containment SC(A) = min(L/E, L/J), regionopt's one definition
  (:func:`regionopt.model.containment.self_containment`: a side whose total is 0 counts as 1);
* validity (the X-equation), with t = max((target_size - E) / (target_size - min_size), 0):
  ``v = min(SC / target_sc, 1) * (1 - (1 - min_sc / target_sc) * t) * target_sc / min_sc``.
  An area is *valid* when v >= 1: at or above the target size it needs SC >= min_sc, at the
  minimum size SC >= target_sc, in between a trade-off; below the minimum size v < 1 whatever
  its SC. An area that keeps all its commuting (SC = 1) is valid whatever its size (nothing
  can be gained by merging it; as in the Istat implementation);
* tie between areas a and b: ``T = F_ab^2 / (E_a J_b) + F_ba^2 / (E_b J_a)`` (terms with a zero
  denominator count 0), where F_ab is the number living in a and working in b.

The algorithm (:func:`ttwa`): every municipality starts as its own area. While some area is
invalid, the least valid one (lowest v; ties to the lowest slot) is dissolved: its members
become pending singletons and are placed one at a time, always the least valid pending one
next, so every later member is judged against the areas as the earlier moves left them (the
reassignment step). A pending member joins the settled area (not pending) with which it has
the strongest tie, if that does not lower the receiving area's validity; otherwise, or when it
has no tie to a settled area yet, it is held on a reserve list, and at the end of the step each
held member joins its strongest-tie area as the areas then stand, without the validity check
(the Istat implementation's reserve list). A held member with no tie to any settled area even
then stays alone and is marked *stranded*, never dissolved again (a defensive rule: an area
with no commuting across its border has self-containment 1 and is valid, so the members of a
dissolved area always reach one). Each step removes one area or strands a member, so the loop
ends after at most n steps.

Pure functions of a residence x workplace flow matrix (numpy); the benchmark
``bench_ttwa.py`` feeds it regionopt's national flows and scores the plans. Needs the
repository root on ``sys.path`` (``_common`` puts it there; the tests run from the root).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from regionopt.model.containment import self_containment

#: The UK parameters of the 2007 review (Coombes & Bond 2008).
UK = (3_500.0, 25_000.0, 0.667, 0.75)


@dataclass(frozen=True)
class Parameters:
    """The four parameters of the validity function.

    Attributes
    ----------
    min_size, target_size
        Employed residents: below ``min_size`` no area is valid; from ``target_size`` on the
        minimum self-containment suffices.
    min_sc, target_sc
        Self-containment needed at the target size and at the minimum size.
    """

    min_size: float
    target_size: float
    min_sc: float
    target_sc: float

    def __post_init__(self) -> None:
        if not 0 < self.min_size < self.target_size:
            raise ValueError(f"need 0 < min_size < target_size, got {self.min_size}, "
                             f"{self.target_size}")
        if not 0 < self.min_sc <= self.target_sc <= 1:
            raise ValueError(f"need 0 < min_sc <= target_sc <= 1, got {self.min_sc}, "
                             f"{self.target_sc}")

    @classmethod
    def uk(cls) -> Parameters:
        """The UK 2007 review's parameters: 3 500 / 25 000 workers, SC 0.667 / 0.75."""
        return cls(*UK)

    @classmethod
    def scaled(cls, min_size: float, *, like: Parameters | None = None) -> Parameters:
        """``like`` (default UK) with ``min_size`` and the target size in the same ratio."""
        base = like or cls.uk()
        ratio = base.target_size / base.min_size
        return cls(min_size, min_size * ratio, base.min_sc, base.target_sc)


def validity(size: np.ndarray | float, sc: np.ndarray | float,
             params: Parameters) -> np.ndarray:
    """The X-equation: validity of areas with ``size`` employed residents and ``sc``.

    Returns
    -------
    numpy.ndarray
        One value per area; an area is valid when its value is at least 1.
    """
    size, sc = np.asarray(size, dtype=float), np.asarray(sc, dtype=float)
    p = params
    y = np.minimum(sc / p.target_sc, 1.0)
    t = np.maximum((p.target_size - size) / (p.target_size - p.min_size), 0.0)
    z = 1.0 - (1.0 - p.min_sc / p.target_sc) * t
    v = y * z * p.target_sc / p.min_sc
    return np.where(sc >= 1.0, np.maximum(v, 1.0), v)


def ties(between: np.ndarray, a: int) -> np.ndarray:
    """Tie of area ``a`` with every area, from the area-to-area flow matrix ``between``.

    ``between[x, y]`` counts those living in area x and working in y; its row sums are the
    areas' employed residents and its column sums their workers. Entry ``a`` is 0.
    """
    g = np.asarray(between, dtype=float)
    employed, jobs = g.sum(axis=1), g.sum(axis=0)
    out_den = employed[a] * jobs           # E_a J_b
    in_den = employed * jobs[a]            # E_b J_a
    t = np.zeros(len(g))
    np.divide(g[a, :] ** 2, out_den, out=t, where=out_den > 0)
    back = np.zeros(len(g))
    np.divide(g[:, a] ** 2, in_den, out=back, where=in_den > 0)
    t += back
    t[a] = 0.0
    return t


def aggregate(flows: np.ndarray, slot: np.ndarray) -> np.ndarray:
    """Area-to-area flows: ``out[slot[o], slot[d]] += flows[o, d]`` (n x n over slots)."""
    n = len(slot)
    o, d = np.nonzero(flows)
    keys = slot[o] * n + slot[d]
    return np.bincount(keys, weights=flows[o, d].astype(float), minlength=n * n).reshape(n, n)


def area_validity(between: np.ndarray, params: Parameters) -> np.ndarray:
    """Validity of every slot of an area-to-area matrix (empty slots give NaN)."""
    employed, jobs = between.sum(axis=1), between.sum(axis=0)
    v = validity(employed, self_containment(np.diag(between), employed, jobs), params)
    return np.where((employed > 0) | (jobs > 0), v, np.nan)


@dataclass
class Result:
    """What :func:`ttwa` returns.

    Attributes
    ----------
    labels
        ``labels[i]``: the area of municipality ``i``, as the position of one of its members
        (the slot it was built in), so equal labels mean the same area.
    steps
        Dissolutions made.
    moves
        Pending members placed (each dissolution places all its members).
    reserved
        Members held on the reserve list at some step and placed at its end.
    stranded
        Positions of municipalities left alone because they have no tie to any other area.
    """

    labels: np.ndarray
    steps: int = 0
    moves: int = 0
    reserved: int = 0
    stranded: list[int] = field(default_factory=list)

    @property
    def n_areas(self) -> int:
        """Number of areas."""
        return len(np.unique(self.labels))


def place(flows: np.ndarray, slot: np.ndarray, member: int, settled: np.ndarray,
          params: Parameters, *, check: bool) -> tuple[int | None, bool]:
    """Choose the area a pending ``member`` (alone in its slot) joins.

    Parameters
    ----------
    flows
        Municipality flows.
    slot
        Each municipality's slot; ``slot[member] == member``.
    member
        The pending municipality.
    settled
        Boolean per slot: may receive members (areas that are not pending).
    params
        The validity parameters.
    check
        Refuse (return the target with ``False``) when joining lowers the target's validity.

    Returns
    -------
    tuple
        The target slot (None when the member has no tie to a settled area) and whether the
        move is accepted.
    """
    between = aggregate(flows, slot)
    tie = ties(between, member)
    tie[~settled] = 0.0
    if not (tie > 0).any():
        return None, False
    target = int(np.argmax(tie))  # ties in strength go to the lowest slot
    if not check:
        return target, True
    before = area_validity(between, params)[target]
    trial = slot.copy()
    trial[member] = target
    after = area_validity(aggregate(flows, trial), params)[target]
    return target, bool(after >= before)


def dissolve(flows: np.ndarray, slot: np.ndarray, area: int, params: Parameters,
             result: Result) -> None:
    """Dissolve the area in slot ``area`` and place its members (updates ``slot`` in place)."""
    members = np.flatnonzero(slot == area)
    slot[members] = members  # each member alone in its own slot (that slot is free)
    pending = set(int(m) for m in members)
    occupied = np.zeros(len(slot), dtype=bool)
    occupied[slot] = True
    settled = occupied.copy()
    settled[list(pending)] = False
    reserve: list[int] = []
    while pending:
        v = area_validity(aggregate(flows, slot), params)
        member = min(pending, key=lambda m: (v[m], m))
        pending.discard(member)
        target, accepted = place(flows, slot, member, settled, params, check=True)
        if accepted:
            slot[member] = target
            result.moves += 1
        else:
            reserve.append(member)
    result.reserved += len(reserve)
    while reserve:  # held members join their strongest tie, as the areas now stand
        waiting = len(reserve)
        for member in list(reserve):
            target, _ = place(flows, slot, member, settled, params, check=False)
            if target is not None:
                slot[member] = target
                reserve.remove(member)
                result.moves += 1
        if len(reserve) == waiting:  # no tie to any settled area: left alone
            for member in reserve:
                _strand(member, settled, result)
            break


def _strand(member: int, settled: np.ndarray, result: Result) -> None:
    settled[member] = True
    result.stranded.append(member)


def ttwa(flows: np.ndarray, params: Parameters, *, max_steps: int | None = None) -> Result:
    """Run the Coombes–Bond algorithm on a residence x workplace flow matrix.

    Parameters
    ----------
    flows
        ``flows[o, d]``: employed persons living in ``o`` and working in ``d`` (square,
        non-negative); the diagonal holds those working where they live.
    params
        The four validity parameters.
    max_steps
        Stop after this many dissolutions (default: no limit; the loop ends by itself after
        at most n steps).

    Returns
    -------
    Result
        The areas and counts of what was done.
    """
    f = np.asarray(flows)
    if f.ndim != 2 or f.shape[0] != f.shape[1] or (f < 0).any():
        raise ValueError("flows must be a square non-negative matrix")
    n = len(f)
    slot = np.arange(n)
    result = Result(labels=slot)
    limit = n + 1 if max_steps is None else max_steps
    while result.steps < limit:
        v = area_validity(aggregate(f, slot), params)
        v[result.stranded] = np.nan  # a stranded member is never dissolved again
        candidates = np.flatnonzero(v < 1)  # NaN (empty slots) compares False
        if not len(candidates):
            break
        worst = int(candidates[np.argmin(v[candidates])])
        dissolve(f, slot, worst, params, result)
        result.steps += 1
    result.labels = slot.copy()
    return result


def count_for(flows: np.ndarray, target: int, *, like: Parameters | None = None,
              low: float = 100.0, high: float = 200_000.0,
              rounds: int = 40) -> tuple[Parameters, Result]:
    """Search the minimum size (target size in ``like``'s ratio) giving ``target`` areas.

    Bisection on the minimum size (larger sizes give fewer areas, though not strictly), on
    whole workers; returns the parameters whose area count is closest to ``target`` (the
    smaller size on a tie) and their result.
    """
    cache: dict[int, Result] = {}

    def run(size: int) -> Result:
        if size not in cache:
            cache[size] = ttwa(flows, Parameters.scaled(size, like=like))
        return cache[size]

    lo, hi = int(low), int(high)
    for _ in range(rounds):
        if hi - lo <= 1:
            break
        mid = (lo + hi) // 2
        if run(mid).n_areas > target:
            lo = mid
        else:
            hi = mid
    best = min(cache, key=lambda s: (abs(cache[s].n_areas - target), s))
    return Parameters.scaled(best, like=like), cache[best]
