"""Junction joins read from Travel Mapping waypoint labels (rules 2 and 3).

See :mod:`regionopt.network.junctions` for the three rules and why they are safe: a labelled
waypoint (not a ``+`` shaping point) names the road it meets (``Fv211_W``, ``E18``, ``ToE6``,
``Fv1836/1920``), so two waypoints that name each other's routes (rule 2), or both name the same
road missing from the data (rule 3), are one junction, or the two ends of one missing road.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Hashable, Iterable, Mapping
from dataclasses import dataclass

import networkx as nx
import numpy as np
from scipy.spatial import cKDTree

from regionopt.network.junctions import M_PER_DEG, flat_m, network_lengths

#: Largest gap (m) between two junctions of one road missing from the data (Fv2466 joins
#: Fv251 in Bruflat and Fv33 2.9 km away).
SHARED_RADIUS_M = 5000.0

#: Largest gap (m) between two waypoints whose labels name each other's route: the length of an
#: interchange ramp (the largest such gap in the Norwegian data is about 190 m).
LABEL_RADIUS_M = 300.0

#: Largest gap (m) between a route's waypoint naming a motorway exit (``E6(47)``) and the
#: motorway's waypoint of that exit (``47(T)``): the two sit at the two ends of the exit's ramps
#: and link road (Fv950 and the E6 at Hommelvik: 520 m; at exit 45: 870 m).
EXIT_RADIUS_M = 1500.0

_REF_IN_LABEL = re.compile(r"^(?:To)?(E|Rv|Fv)(\d+)")
_EXIT_NAMED = re.compile(r"^(E|Rv|Fv)(\d+)\((\d+[A-Za-z]?)\)")
_EXIT_OWN = re.compile(r"^(\d+[A-Za-z]?)(?:\(|$)")


@dataclass(frozen=True)
class LabelledJoin:
    """Two junction waypoints of different routes joined because a label names the other route.

    Attributes
    ----------
    a, b
        The two nodes.
    distance_m
        Straight-line distance between them.
    label_a, label_b
        ``"<ref> <label>"`` of the waypoints (several joined by ``;``).
    """

    a: Hashable
    b: Hashable
    distance_m: float
    label_a: str
    label_b: str


def label_refs(label: str) -> set[str]:
    """Return the road numbers a waypoint label names: ``"Fv211_W"`` → ``{"Fv211"}``.

    Labels name the junction's other road (``E18``, ``E18(62)``, ``Fv128_Ask``, ``ToE6``,
    ``Fv1836/1920``); the part after ``/`` is a second road of the same kind.
    """
    out: set[str] = set()
    match = _REF_IN_LABEL.match(label)
    if match:
        kind, number = match.groups()
        out.add(f"{kind}{int(number)}")
        rest = label[match.end():]
        if rest.startswith("/") and rest[1:].split("_")[0].isdigit():
            out.add(f"{kind}{int(rest[1:].split('_')[0])}")
    return out


def find_labelled_joins(
    G: nx.MultiDiGraph,
    waypoints: Mapping[Hashable, Iterable[tuple[str, str]]],
    *,
    radius_m: float = LABEL_RADIUS_M,
    min_detour: float = 3.0,
) -> list[LabelledJoin]:
    """Find junction waypoint pairs that should be one node (see module doc, second rule).

    Parameters
    ----------
    G
        Road graph (nodes with ``x``, ``y``; edges with ``length``).
    waypoints
        For each graph node, the ``(ref, label)`` of the route waypoints at it (``ref`` as
        ``"E18"``, ``"Rv13"``, ``"Fv211"``); shaping points (label starting with ``+``) are
        ignored.
    radius_m
        Largest distance between the two waypoints.
    min_detour
        Skip a pair already joined by a road path shorter than ``min_detour`` times the gap.

    Returns
    -------
    list of LabelledJoin
        Sorted by ``(repr(a), repr(b))``.
    """
    named = {n: [(r, lab) for r, lab in wps if not lab.startswith("+")]
             for n, wps in waypoints.items() if n in G}
    named = {n: v for n, v in named.items() if v}
    nodes = sorted(named, key=repr)
    if len(nodes) < 2:
        return []
    lon = np.array([G.nodes[n]["x"] for n in nodes], dtype=float)
    lat = np.array([G.nodes[n]["y"] for n in nodes], dtype=float)
    pts = np.column_stack([lon * M_PER_DEG * np.cos(np.radians(lat)), lat * M_PER_DEG])
    out: list[LabelledJoin] = []
    for i, j in sorted(cKDTree(pts).query_pairs(radius_m)):
        a, b = nodes[i], nodes[j]
        refs_a = {r for r, _ in named[a]}
        refs_b = {r for r, _ in named[b]}
        if refs_a & refs_b:
            continue  # same route: consecutive waypoints, not a junction
        names_b = set().union(*(label_refs(lab) for _, lab in named[a]))
        names_a = set().union(*(label_refs(lab) for _, lab in named[b]))
        if not (names_b & refs_b or names_a & refs_a):
            continue
        d = flat_m(lon[i], lat[i], lon[j], lat[j])
        if b in network_lengths(G, a, cutoff=min_detour * d):
            continue
        out.append(LabelledJoin(a=a, b=b, distance_m=round(d, 1),
                                label_a=";".join(f"{r} {lab}" for r, lab in named[a]),
                                label_b=";".join(f"{r} {lab}" for r, lab in named[b])))
    return sorted(out, key=lambda j: (repr(j.a), repr(j.b)))


def apply_labelled_joins(G: nx.MultiDiGraph, joins: Iterable[LabelledJoin], *,
                         speed_kph: float = 40.0, detour_factor: float = 1.3) -> None:
    """Add an edge pair per labelled join to ``G`` in place (attributes as :func:`apply_joins`)."""
    for join in joins:
        length = join.distance_m * detour_factor
        seconds = length / (speed_kph / 3.6)
        for s, t in ((join.a, join.b), (join.b, join.a)):
            G.add_edge(s, t, length=round(length, 3), highway="junction_link", ref="",
                       speed_kph=speed_kph, travel_time=round(seconds, 3), junction_join=True)


def find_shared_road_joins(
    G: nx.MultiDiGraph,
    waypoints: Mapping[Hashable, Iterable[tuple[str, str]]],
    *,
    known_refs: Collection[str],
    radius_m: float = SHARED_RADIUS_M,
    min_detour: float = 3.0,
    min_saving_m: float = 1000.0,
) -> list[LabelledJoin]:
    """Find waypoints of two routes that both name the same road missing from the data.

    Fv251's waypoint ``Fv2466`` in Bruflat and Fv33's ``Fv2466`` 2.9 km away are two
    junctions of county road 2466, which Travel Mapping does not carry: the road joins them.
    Two labelled waypoints of different routes are joined when a road number named in both
    labels is not in ``known_refs``, they lie within ``radius_m``, and the road-network path
    between them is at least ``min_detour`` times, and ``min_saving_m`` longer than, the
    straight line.

    Parameters
    ----------
    G
        Road graph (nodes with ``x``, ``y``; edges with ``length``).
    waypoints
        As for :func:`find_labelled_joins`.
    known_refs
        Road numbers carried by the data (a label naming one of them is a junction with it,
        which :func:`find_labelled_joins` handles).
    radius_m, min_detour, min_saving_m
        Limits, see above.

    Returns
    -------
    list of LabelledJoin
        Sorted by ``(repr(a), repr(b))``; at most one join per pair of nodes.
    """
    by_road = _missing_road_waypoints(G, waypoints, set(known_refs))
    pairs: dict[tuple[Hashable, Hashable], LabelledJoin] = {}
    for road in sorted(by_road):
        hits = sorted(set(by_road[road]), key=repr)
        for i, (a, ref_a) in enumerate(hits):
            for b, ref_b in hits[i + 1:]:
                if a == b or ref_a == ref_b:
                    continue
                key = (a, b) if repr(a) <= repr(b) else (b, a)
                if key in pairs:
                    continue
                d = flat_m(G.nodes[a]["x"], G.nodes[a]["y"], G.nodes[b]["x"], G.nodes[b]["y"])
                if d > radius_m:
                    continue
                limit = max(min_detour * d, d + min_saving_m)
                if b in network_lengths(G, a, cutoff=limit):
                    continue
                pairs[key] = LabelledJoin(a=key[0], b=key[1], distance_m=round(d, 1),
                                          label_a=f"{road} ({ref_a})", label_b=f"{road} ({ref_b})")
    return sorted(pairs.values(), key=lambda j: (repr(j.a), repr(j.b)))


def _missing_road_waypoints(G: nx.MultiDiGraph,
                            waypoints: Mapping[Hashable, Iterable[tuple[str, str]]],
                            known: set[str]) -> dict[str, list[tuple[Hashable, str]]]:
    """Return {road number not in ``known``: [(node, route ref), ...]} from the labels."""
    by_road: dict[str, list[tuple[Hashable, str]]] = {}
    for node, wps in waypoints.items():
        if node not in G:
            continue
        for ref, lab in wps:
            if lab.startswith("+"):
                continue
            for road in label_refs(lab) - known:
                by_road.setdefault(road, []).append((node, ref))
    return by_road


def find_exit_joins(
    G: nx.MultiDiGraph,
    waypoints: Mapping[Hashable, Iterable[tuple[str, str]]],
    *,
    radius_m: float = EXIT_RADIUS_M,
    min_detour: float = 3.0,
    min_saving_m: float = 1000.0,
) -> list[LabelledJoin]:
    """Find waypoints naming a road's numbered exit and that road's waypoint of the exit.

    Fv950's waypoint ``E6(47)`` and the E6's waypoint ``47(T)``, 520 m apart at Hommelvik, are
    the two ends of exit 47: the exit's number identifies the junction, so the pair is joined
    (when within ``radius_m`` and the graph has no path shorter than ``min_detour`` times, and
    ``min_saving_m`` longer than, the straight line). Exit numbers repeat from county to county;
    the radius keeps only the exit at hand.

    Parameters
    ----------
    G
        Road graph (nodes with ``x``, ``y``; edges with ``length``).
    waypoints
        As for :func:`find_labelled_joins`.
    radius_m, min_detour, min_saving_m
        Limits, see above.

    Returns
    -------
    list of LabelledJoin
        Sorted by ``(repr(a), repr(b))``; at most one join per pair of nodes.
    """
    exits: dict[tuple[str, str], list[Hashable]] = {}
    naming: list[tuple[Hashable, str, str, str]] = []
    for node, wps in waypoints.items():
        if node not in G:
            continue
        for ref, lab in wps:
            own = _EXIT_OWN.match(lab)
            if own:
                exits.setdefault((ref, own.group(1).lower()), []).append(node)
            named = _EXIT_NAMED.match(lab)
            if named and f"{named.group(1)}{int(named.group(2))}" != ref:
                road = f"{named.group(1)}{int(named.group(2))}"
                naming.append((node, ref, road, named.group(3).lower()))
    pairs: dict[tuple[Hashable, Hashable], LabelledJoin] = {}
    for node, ref, road, number in sorted(naming, key=repr):
        for other in sorted(set(exits.get((road, number), [])), key=repr):
            key = (node, other) if repr(node) <= repr(other) else (other, node)
            if node == other or key in pairs:
                continue
            d = flat_m(G.nodes[node]["x"], G.nodes[node]["y"],
                       G.nodes[other]["x"], G.nodes[other]["y"])
            if d > radius_m:
                continue
            if other in network_lengths(G, node, cutoff=max(min_detour * d, d + min_saving_m)):
                continue
            pairs[key] = LabelledJoin(a=key[0], b=key[1], distance_m=round(d, 1),
                                      label_a=f"{ref} {road}({number})",
                                      label_b=f"{road} exit {number}")
    return sorted(pairs.values(), key=lambda j: (repr(j.a), repr(j.b)))
