"""Brute force for the model tests: small random instances and every plan they admit.

Shared by ``tests/model/test_engine.py`` (optimum against enumeration) and
``tests/model/test_families.py`` (each constraint family against its own
definition). The definitions here are written independently of the package's
families, from the scenario keys' documented meaning.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from regionopt.flows import Commuting
from regionopt.model import plan_terms
from regionopt.model.candidates import rank_order
from regionopt.problem import ProblemData
from regionopt.scenario import Scenario, replace_key

# ---------------------------------------------------------------- instances


def make_problem(pop, minutes, edges, counties=None) -> ProblemData:
    n = len(pop)
    return ProblemData(
        codes=tuple(f"{5501 + i}" for i in range(n)),
        names=tuple(f"M{i}" for i in range(n)),
        counties=tuple(counties or ["55"] * n),
        population=np.asarray(pop, dtype="int64"),
        minutes=np.asarray(minutes, dtype="float64"),
        edges=tuple((min(i, j), max(i, j), "road") for i, j in edges),
    )


def random_problem(seed: int, n: int, *, p_edge: float = 0.35, two_counties: bool = False,
                   split: bool = False) -> ProblemData:
    """A random connected (or, with ``split``, two-part) graph with road-like minutes."""
    rng = np.random.default_rng(seed)
    edges = {(i - 1, i) if split and i == n // 2 else (int(rng.integers(0, i)), i)
             for i in range(1, n)}
    if split:
        edges = {(a, b) for a, b in edges if (a < n // 2) == (b < n // 2)}
    edges |= {(i, j) for i in range(n) for j in range(i + 1, n) if rng.random() < p_edge / 3}
    if split:
        edges = {(a, b) for a, b in edges if (a < n // 2) == (b < n // 2)}
    w = np.full((n, n), np.inf)
    np.fill_diagonal(w, 0)
    for i, j in edges:
        w[i, j] = w[j, i] = float(rng.integers(5, 60))
    for k in range(n):  # road minutes: shortest paths, then a little asymmetry
        w = np.minimum(w, w[:, [k]] + w[[k], :])
    w = np.where(np.isfinite(w), np.round(w * (1 + 0.1 * rng.random((n, n))), 2), np.inf)
    np.fill_diagonal(w, 0)
    pop = rng.integers(100, 5000, size=n)
    pop[rng.integers(0, n)] = pop[rng.integers(0, n)]  # a population tie now and then
    counties = ["55" if i < n // 2 else "56" for i in range(n)] if two_counties else None
    data = make_problem(pop, w, sorted(edges), counties)
    return with_made_up_commuting(data, seed)


def with_made_up_commuting(data: ProblemData, seed: int) -> ProblemData:
    """The same problem with made-up commuting flows and centrality (own random stream).

    Flows: most employed residents work at home, some in random other municipalities;
    every municipality also sends commuters to and receives them from outside the area.
    """
    rng = np.random.default_rng(10_000 + seed)
    n = data.n
    flows = np.where(rng.random((n, n)) < 0.5, rng.integers(0, 120, size=(n, n)), 0)
    np.fill_diagonal(flows, rng.integers(100, 900, size=n))
    employed = flows.sum(axis=1) + rng.integers(0, 60, size=n)
    jobs = flows.sum(axis=0) + rng.integers(0, 60, size=n)
    index = rng.integers(300, 1000, size=n)
    klass = 6 - np.searchsorted([565, 670, 775, 870, 925], index, side="right")
    return ProblemData(codes=data.codes, names=data.names, counties=data.counties,
                       population=data.population.copy(), minutes=data.minutes.copy(),
                       edges=data.edges, commuting=Commuting(flows, employed, jobs),
                       centrality=np.column_stack([index, klass]).astype("int64"))


def scen(**keys) -> Scenario:
    s = replace_key(Scenario(name="test"), "solver.threads", 1)
    for key, value in keys.items():
        s = replace_key(s, key.replace("__", "."), value)
    return s


# ---------------------------------------------------------------- brute force


def set_partitions(items):
    if not items:
        yield []
        return
    first, rest = items[0], items[1:]
    for part in set_partitions(rest):
        for k in range(len(part)):
            yield [*part[:k], [first, *part[k]], *part[k + 1:]]
        yield [[first], *part]


def connected(block, nbrs) -> bool:
    block = set(block)
    seen, stack = {min(block)}, [min(block)]
    while stack:
        u = stack.pop()
        for v in nbrs[u]:
            if v in block and v not in seen:
                seen.add(v)
                stack.append(v)
    return seen == block


def exceptions(data, s) -> set[int]:
    return {data.index(code) for code, _ in s.constraints.exceptions}


def exempt(data, s, block) -> bool:
    """A block of exceptions only is exempt from floors and core minimums."""
    return bool(s.constraints.exceptions) and set(block) <= exceptions(data, s)


def strength_values(data, measure):
    if measure == "jobs":
        return data.commuting.jobs
    if measure == "centrality":
        return data.centrality[:, 0]
    return data.population


def strongest(data, s, block):
    values = strength_values(data, s.constraints.core_measure)
    return max(block, key=lambda i: (values[i], -int(data.codes[i])))


def core_strong_enough(data, s, block, j) -> bool:
    c = s.constraints
    if exempt(data, s, block):
        return True
    if data.population[j] < c.min_core_population:
        return False
    if c.min_core_jobs and data.commuting.jobs[j] < c.min_core_jobs:
        return False
    limit = c.max_core_centrality_class
    return limit is None or data.centrality[j, 1] <= limit


def member_limit(data, s, i) -> float:
    """Municipality i's travel limit, written out: the functional limit, or the long-distance
    limit when no other municipality meeting the core thresholds (and not an exception) lies within
    the functional limit of i."""
    c = s.constraints
    if c.max_travel_minutes is None or s.objective.travel_excess > 0:
        return math.inf
    if c.long_distance_minutes is None or i in exceptions(data, s):
        return c.max_travel_minutes
    for k in range(data.n):
        if k == i or k in exceptions(data, s) or not math.isfinite(data.minutes[k, k]):
            continue
        if data.population[k] < c.min_core_population:
            continue
        if c.min_core_jobs and data.commuting.jobs[k] < c.min_core_jobs:
            continue
        klass = c.max_core_centrality_class
        if klass is not None and data.centrality[k, 1] > klass:
            continue
        if data.minutes[i, k] <= c.max_travel_minutes:
            return c.max_travel_minutes
    return c.long_distance_minutes


def block_cores(data, s, block, rank):
    """Every admissible core of a block (all members reach it within their limit)."""
    c = s.constraints
    fixed = {data.index(k) for k in c.fixed_cores} & set(block)
    options = [max(block, key=lambda i: rank[i])] if c.core_is_largest else list(block)
    if c.core_is_strongest:
        options = [j for j in options if j == strongest(data, s, block)]
    free = exceptions(data, s)
    out = []
    for j in options:
        if not core_strong_enough(data, s, block, j) or (fixed and fixed != {j}):
            continue
        if j in free and not set(block) <= free:
            continue  # an exception may be the core of exceptions only
        if all(data.minutes[i, j] <= member_limit(data, s, i)
               or (i in free and math.isfinite(data.minutes[i, j])) for i in block):
            out.append(j)
    return out


def self_contained(data, s, block) -> bool:
    alpha = s.constraints.min_self_containment
    if not alpha or exempt(data, s, block):
        return True
    f = data.commuting.flows
    live = sum(int(f[o, d]) for o in block for d in block)
    employed = sum(int(data.commuting.employed[o]) for o in block)
    jobs = sum(int(data.commuting.jobs[d]) for d in block)
    return live >= alpha * employed and live >= alpha * jobs


def block_ok(data, s, block, nbrs) -> bool:
    c = s.constraints
    size = int(data.population[block].sum())
    floor = 0 if s.objective.population_shortfall > 0 or exempt(data, s, block) \
        else c.min_population
    if size < floor or (c.max_population is not None and size > c.max_population):
        return False
    if not self_contained(data, s, block):
        return False
    if c.respect_county_borders and len({data.counties[i] for i in block}) > 1:
        return False
    return not c.contiguity or connected(block, nbrs)


def containment_share(data, block) -> float:
    """min(L/E, L/J) of a block, a side whose total is 0 counting as 1."""
    f = data.commuting.flows
    live = sum(int(f[o, d]) for o in block for d in block)
    employed = sum(int(data.commuting.employed[o]) for o in block)
    jobs = sum(int(data.commuting.jobs[d]) for d in block)
    return min(live / employed if employed else 1.0, live / jobs if jobs else 1.0)


def meets_criterion(data, s, block) -> bool:
    """The criteria table's self-containment test, written out (0.75; 0.667 over 25 000)."""
    f, cr = data.commuting.flows, s.criteria
    live = sum(int(f[o, d]) for o in block for d in block)
    employed = sum(int(data.commuting.employed[o]) for o in block)
    jobs = sum(int(data.commuting.jobs[d]) for d in block)
    value = min(live / employed if employed else 1.0, live / jobs if jobs else 1.0)
    return value >= (cr.self_containment_large if employed > cr.large_workers
                     else cr.self_containment)


def plan_rules_ok(data, s, part, cores) -> bool:
    """The plan-wide rules: commuters kept, regions meeting the criterion, person-minutes."""
    c = s.constraints
    if c.min_kept_share:
        f = data.commuting.flows
        kept = sum(int(f[o, d]) for b in part for o in b for d in b)
        if kept < c.min_kept_share * int(data.commuting.employed.sum()):
            return False
    if c.min_criterion_regions and sum(meets_criterion(data, s, b) for b in part) \
            < c.min_criterion_regions:
        return False
    if c.criterion_above_workers is not None and any(
            int(data.commuting.employed[b].sum()) > c.criterion_above_workers
            and not meets_criterion(data, s, b) for b in part):
        return False
    if c.min_median_self_containment:  # at least half the regions keep the floor
        keeping = sum(containment_share(data, b) >= c.min_median_self_containment for b in part)
        if 2 * keeping < len(part):
            return False
    if c.max_person_minutes is not None:
        used = sum(float(data.population[i] * data.minutes[i, cores[i]]) for i in range(data.n))
        if used > c.max_person_minutes:
            return False
    return delineation_ok(data, s, cores)


def partition_ok(data, s, part) -> bool:
    r, c = s.regions, s.constraints
    k = len(part)
    if r.count is not None and k != r.count:
        return False
    if (r.min_count and k < r.min_count) or (r.max_count and k > r.max_count):
        return False
    where = {i: b for b, block in enumerate(part) for i in block}
    if any(where[data.index(a)] != where[data.index(b)] for a, b in c.must_link):
        return False
    return all(where[data.index(a)] != where[data.index(b)] for a, b in c.cannot_link)


def brute_force(data: ProblemData, s: Scenario, *, closer_neighbour: bool = False):
    """Objectives of every feasible plan (partition with cores), sorted, with the plans."""
    nbrs = data.neighbours()
    rank = rank_order(data)
    plans = []
    for part in set_partitions(list(range(data.n))):
        if not partition_ok(data, s, part) or not all(block_ok(data, s, b, nbrs) for b in part):
            continue
        choices = [block_cores(data, s, b, rank) for b in part]
        for cores_of_blocks in itertools.product(*choices):
            cores = np.empty(data.n, dtype="int64")
            for block, j in zip(part, cores_of_blocks, strict=True):
                cores[block] = j
            if closer_neighbour and not closer_ok(data, cores, nbrs):
                continue
            if not plan_rules_ok(data, s, part, cores):
                continue
            plans.append((brute_objective(data, s, part, cores), tuple(cores)))
    plans.sort()
    return plans


def brute_objective(data, s, part, cores) -> float:
    """The scenario's objective, the newer terms written out from their definitions."""
    t = plan_terms(data, cores)
    w, c = s.objective, s.constraints
    value = w.travel * t["travel"] + w.balance * t["balance"]
    if w.commuting:
        f = data.commuting.flows
        value += w.commuting * sum(int(f[o, d]) for o in range(data.n) for d in range(data.n)
                                   if cores[o] != cores[d])
    if w.population_shortfall:
        value += w.population_shortfall * sum(
            max(0, c.min_population - int(data.population[b].sum()))
            for b in part if not exempt(data, s, b))
    if w.travel_excess and c.max_travel_minutes is not None:
        free = exceptions(data, s)
        value += w.travel_excess * sum(max(0.0, data.minutes[i, cores[i]] - c.max_travel_minutes)
                                       for i in range(data.n) if i not in free)
    if w.criterion:
        value -= w.criterion * sum(meets_criterion(data, s, b) for b in part)
    return value


def closer_ok(data, cores, nbrs) -> bool:
    """The shortest-path ('closer neighbour') restriction used by some models."""
    for i, j in enumerate(cores):
        if i != j and not any(cores[k] == j and data.minutes[k, j] < data.minutes[i, j]
                              for k in nbrs[i]):
            return False
    return True


def rooted_plans(n: int):
    """Every plan of ``n`` municipalities as ``cores[i]``: each partition, each choice of cores."""
    for part in set_partitions(list(range(n))):
        for chosen in itertools.product(*part):
            cores = np.empty(n, dtype="int64")
            for block, j in zip(part, chosen, strict=True):
                cores[block] = j
            yield cores


def plan_ok(data: ProblemData, s: Scenario, cores: np.ndarray) -> bool:
    """Whether the plan ``cores`` meets every constraint of ``s`` (enumeration's definition)."""
    nbrs = data.neighbours()
    rank = rank_order(data)
    blocks: dict[int, list[int]] = {}
    for i, j in enumerate(cores):
        blocks.setdefault(int(j), []).append(i)
    part = list(blocks.values())
    if not partition_ok(data, s, part) or not plan_rules_ok(data, s, part, cores):
        return False
    return all(block_ok(data, s, b, nbrs) and j in block_cores(data, s, b, rank)
               for j, b in blocks.items())


# ---------------------------------------------------------------- [delineation] rules


def share(data, measure, i, j, twins=()) -> float:
    """Member i's share to j: out F[i,j]/E[i], in F[i,j]/J[j], sum of both (0 where E or J is 0).

    When j heads a pair of ``twins`` (codes [head, twin]) and i is not the twin, the twin's
    flows count with j's: out (F[i,j]+F[i,t])/E[i], in (F[i,j]+F[i,t])/(J[j]+J[t])."""
    f, e, jobs = data.commuting.flows, data.commuting.employed, data.commuting.jobs
    heads = {data.codes.index(h): data.codes.index(t) for h, t in twins
             if h in data.codes and t in data.codes}
    group = [j] if j not in heads or heads[j] == i else [j, heads[j]]
    sent = sum(int(f[i, k]) for k in group)
    base = sum(int(jobs[k]) for k in group)
    out = sent / int(e[i]) if e[i] else 0.0
    into = sent / base if base else 0.0
    return {"out": out, "in": into, "sum": out + into}[measure]


def near(data, d, i, j) -> bool:
    """Whether a share rule to core ``j`` may hold for ``i`` (``share_max_minutes``)."""
    return d.share_max_minutes is None or data.minutes[i, j] <= d.share_max_minutes


def pair_rule(data, d, i, j):
    """(admitted, any pair rule set) by the share rule to the core and the travel steps."""
    ok, any_rule = False, False
    if d.admit_share > 0 and d.admit_to == "core":
        any_rule = True
        ok = ok or (share(data, d.admit_measure, i, j, d.twin_centres) > d.admit_share
                    and near(data, d, i, j))
    for minutes, least in d.travel_steps:
        any_rule = True
        ok = ok or (data.minutes[i, j] <= minutes
                    and share(data, d.travel_measure, i, j, d.twin_centres) > least)
    return ok, any_rule


def is_centre(data, d, i) -> bool:
    c = data.commuting
    if d.centres and data.codes[i] not in d.centres:
        return False
    if d.centre_min_population is not None and data.population[i] < d.centre_min_population:
        return False
    e = int(c.employed[i])
    if d.centre_max_out is not None and e and 1 - int(c.flows[i, i]) / e > d.centre_max_out:
        return False
    if d.centre_max_flow is not None and e and any(
            int(c.flows[i, k]) / e > d.centre_max_flow for k in range(data.n) if k != i):
        return False
    return d.centre_min_jobs_ratio is None or not e or int(c.jobs[i]) / e >= d.centre_min_jobs_ratio


def cb_demand(d, employed):
    """The stepped X-curve: the demand at the largest breakpoint at or below ``employed``."""
    m, big, lo, hi = d.cb_min_size, d.cb_target_size, d.cb_min_sc, d.cb_target_sc
    if employed < m:
        return None
    if big <= m:
        return lo
    e = max(m + s * (big - m) / d.cb_steps for s in range(d.cb_steps + 1)
            if m + s * (big - m) / d.cb_steps <= employed)
    return lo / (1 - (1 - lo / hi) * (big - e) / (big - m))


def _joins_ok(data, d, cores, opened) -> bool:
    code = lambda k: int(data.codes[k])  # noqa: E731
    centre_rule = bool(d.centres) or any(v is not None for v in (
        d.centre_max_out, d.centre_max_flow, d.centre_min_jobs_ratio, d.centre_min_population))
    for i in range(data.n):
        if cores[i] == i:
            continue
        to = lambda k, i=i: share(data, d.join_measure, i, k, d.twin_centres)  # noqa: E731
        above = [k for k in opened if d.join_share > 0 and k != i and to(k) > d.join_share
                 and near(data, d, i, k) and (not centre_rule or is_centre(data, d, k))]
        best = max(above, key=lambda k: (to(k), -code(k)), default=None)
        if best is None and d.travel_join:  # TØI's step 3: the admitting core it sends most to
            by = lambda k, i=i: share(data, d.travel_measure, i, k, d.twin_centres)  # noqa: E731
            steps = [k for k in opened if k != i
                     and any(data.minutes[i, k] <= m and by(k) > t for m, t in d.travel_steps)
                     and (not centre_rule or is_centre(data, d, k))]
            best = max(steps, key=lambda k: (by(k), -code(k)), default=None)
        if best is not None and cores[i] != best:
            return False
    return True


def _admission_ok(data, d, cores, regions) -> bool:
    region_rule = d.admit_share > 0 and d.admit_to == "region"
    if d.admit_weight > 0 and not region_rule:  # elastic: a penalty, within the farthest step
        far = max((m for m, _ in d.travel_steps), default=math.inf)
        return all(data.minutes[i, cores[i]] <= far or pair_rule(data, d, i, int(cores[i]))[0]
                   for i in range(data.n) if cores[i] != i)
    for i in range(data.n):
        j = int(cores[i])
        if i == j:
            continue
        ok, any_rule = pair_rule(data, d, i, j)
        if region_rule:
            any_rule = True
            sent = sum(int(data.commuting.flows[i, k]) for k in regions[j] if k != i)
            ok = ok or sent > d.admit_share * int(data.commuting.employed[i])
        if any_rule and not ok:
            return False
    return True


def _centres_ok(data, d, regions) -> bool:
    for j, block in regions.items():
        if not is_centre(data, d, j) and (len(block) > 1 or not d.restkommune):
            return False
    return not d.centres_open or all(k in regions for k in range(data.n)
                                     if is_centre(data, d, k))


def _rest_ok(data, d, regions) -> bool:
    def admitted(i, k):
        ok, any_rule = pair_rule(data, d, i, k)
        if d.join_share > 0:
            any_rule = True
            ok = ok or (share(data, d.join_measure, i, k, d.twin_centres) > d.join_share
                        and near(data, d, i, k))
        return ok or not any_rule
    centre_rule = bool(d.centres) or any(v is not None for v in (
        d.centre_max_out, d.centre_max_flow, d.centre_min_jobs_ratio, d.centre_min_population))
    return not any(len(block) == 1 and not (centre_rule and is_centre(data, d, j))
                   and any(admitted(j, k) for k in regions
                           if k != j and (not centre_rule or is_centre(data, d, k)))
                   for j, block in regions.items())


def _cb_ok(data, d, regions) -> bool:
    f = data.commuting.flows
    for block in regions.values():
        live = sum(int(f[o, w]) for o in block for w in block)
        employed = sum(int(data.commuting.employed[o]) for o in block)
        jobs = sum(int(data.commuting.jobs[o]) for o in block)
        alpha = cb_demand(d, employed)
        if alpha is None or live < alpha * employed - 1e-6 or live < alpha * jobs - 1e-6:
            return False
    return True


def _twins_ok(data, d, cores) -> bool:
    for h, t in d.twin_centres:
        if h in data.codes and t in data.codes:
            h, t = data.codes.index(h), data.codes.index(t)
            if cores[h] == h and cores[t] != h:
                return False
    return True


def delineation_ok(data, s, cores) -> bool:
    """Every rule of ``[delineation]``, written from docs/methods.md."""
    d = s.delineation
    regions = {}
    for i, j in enumerate(cores):
        regions.setdefault(int(j), []).append(i)
    centre_rule = bool(d.centres) or any(v is not None for v in (
        d.centre_max_out, d.centre_max_flow, d.centre_min_jobs_ratio, d.centre_min_population))
    joins = d.join_share > 0 or d.travel_join
    return ((not joins or d.join_weight > 0 or _joins_ok(data, d, cores, set(regions)))
            and _admission_ok(data, d, cores, regions)
            and (not centre_rule or _centres_ok(data, d, regions))
            and (not d.restkommune or _rest_ok(data, d, regions))
            and _twins_ok(data, d, cores)
            and (not d.cb_min_size or _cb_ok(data, d, regions)))
