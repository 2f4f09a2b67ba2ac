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
    return make_problem(pop, w, sorted(edges), counties)


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


def block_cores(data, s, block, rank):
    """Every admissible core of a block (all members reach it within the limit)."""
    c = s.constraints
    limit = math.inf if c.max_travel_minutes is None else c.max_travel_minutes
    fixed = {data.index(k) for k in c.fixed_cores} & set(block)
    options = [max(block, key=lambda i: rank[i])] if c.core_is_largest else list(block)
    out = []
    for j in options:
        if data.population[j] < c.min_core_population or (fixed and fixed != {j}):
            continue
        if all(data.minutes[i, j] <= limit for i in block):
            out.append(j)
    return out


def block_ok(data, s, block, nbrs) -> bool:
    c = s.constraints
    size = int(data.population[block].sum())
    if size < c.min_population or (c.max_population is not None and size > c.max_population):
        return False
    if c.respect_county_borders and len({data.counties[i] for i in block}) > 1:
        return False
    return not c.contiguity or connected(block, nbrs)


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
            t = plan_terms(data, cores)
            value = s.objective.travel * t["travel"] + s.objective.balance * t["balance"]
            plans.append((value, tuple(cores)))
    plans.sort()
    return plans


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
    if not partition_ok(data, s, part):
        return False
    return all(block_ok(data, s, b, nbrs) and j in block_cores(data, s, b, rank)
               for j, b in blocks.items())
