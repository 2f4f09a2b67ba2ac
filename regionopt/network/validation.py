"""Check a travel-time matrix against TØI's published drive times (BA-regioner 2020).

TØI-rapport 1713/2019 gives, for every municipality, ``Reisetid``: minutes by car to its
BA-region's centre. We ship it in ``data/geo/reference/ba_2020.csv`` (column
``travel_minutes``, mapped to 2024 codes). For every *non-centre* municipality with a figure
(not in its region's ``centres``; 1580 Haram has none) the validation sets that figure beside
our minutes from its administrative centre to the region's centre municipality, the table's
``core``. A region with two centre municipalities (Oslo/Bærum, Stavanger/Sandnes, Fredrikstad/
Sarpsborg, Skien/Porsgrunn, Tønsberg/Færder) has one centre in TØI's figures: the source's
``Etter BA-region`` sheet lists it as one entry under the core's code (``3004
Fredrikstad/Sarpsborg``), both centre rows carry the same ``Reisetid``, and of the 12
non-centre municipalities of those regions that are nearer the other centre by our matrix,
10 are closer to TØI's figure when measured to the core (Klepp and Time to 0.1 minute). The
page written by :func:`validation_markdown` lists every non-centre municipality of those
regions with both centres.

TØI's figure is a population-weighted trip from inside the municipality; so is ours with the
default ``origins="grid"``, while with ``origins="centre"`` ours runs from administrative centre
to administrative centre, so differences of a few minutes are expected (that matrix is usually
the shorter). A pair is a **gross outlier** when ours is a factor two off TØI's
and more than 25 minutes off, or more than 60 minutes off: that is a fault of the network (a
missing ferry, a broken junction, a misplaced centre), never a matter of speeds.

**Links opened after TØI measured.** TØI's figures are for the 2019 road network; our graph is
today's. A pair whose fastest route in our graph runs through a link opened after 2019
(:data:`LATER_LINKS`, checked by listing the route's roads) compares two different roads, so
it is flagged in the table (``later_link``) and the summary gives the figures both with and
without those pairs (``*_comparable``). Nothing is dropped.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from regionopt.data.reference import BA_2020, reference_path
from regionopt.errors import DataError

#: Gross-outlier rule: a factor ``FACTOR`` off and more than ``FACTOR_MIN`` minutes, or more than
#: ``ABS_MIN`` minutes off.
FACTOR = 2.0
FACTOR_MIN = 25.0
ABS_MIN = 60.0
#: The year of the road network TØI measured (TØI-rapport 1713/2019).
REFERENCE_YEAR = 2019
#: Pairs (by origin) whose fastest route in our graph uses a link opened after
#: :data:`REFERENCE_YEAR`, and the link: Strand's route to Stavanger runs Rv13 through the
#: Ryfast tunnels (Solbakktunnelen, Hundvågtunnelen), opened on 30 December 2019 (Statens
#: vegvesen); before them the trip took the Tau-Stavanger ferry.
LATER_LINKS: MappingProxyType[str, str] = MappingProxyType({
    "1130": "Ryfast (Rv13 Solbakk- and Hundvågtunnelen, opened 30 December 2019)"})


@dataclass(frozen=True)
class Validation:
    """The comparison of a matrix with TØI's drive times.

    Attributes
    ----------
    table
        One row per pair, worst first (gross outliers, then by relative error): ``code``,
        ``name``, ``region``, ``centre``, ``centre_name``, ``toi_min``, ``ours_min``,
        ``error_min`` (ours - TØI), ``rel_error`` (``|error| / TØI``), ``gross``,
        ``later_link`` (the link opened after TØI measured that the route uses, or "").
    two_centres
        The pairs of two-centre regions: ``code``, ``name``, ``region``, ``toi_min``,
        ``core``, ``core_min`` (ours to the core), ``other``, ``other_min`` (ours to the
        other centre).
    summary
        ``pairs``, ``unreachable``, ``gross``, ``median_rel_error``, ``mean_rel_error``,
        ``p90_rel_error``, ``within_15pct``, ``median_abs_error_min``,
        ``median_signed_error_min``, ``shorter_pairs`` (ours below TØI's),
        ``median_rel_error_shorter`` and ``median_rel_error_longer`` (the median relative error
        of the pairs where ours is shorter, and longer; NaN for none), over every pair; and
        ``later_link_pairs``, ``median_rel_error_comparable``, ``p90_rel_error_comparable``,
        ``gross_comparable`` over the pairs without a link opened after TØI measured
        (:data:`LATER_LINKS`).
    """

    table: pd.DataFrame
    summary: MappingProxyType[str, Any]
    two_centres: pd.DataFrame = dataclasses.field(default_factory=pd.DataFrame)


def toi_pairs() -> pd.DataFrame:
    """Return TØI's pairs: ``code``, ``name``, ``region``, ``core``, ``centres`` (list),
    ``centre_names`` (list) and ``toi_min``.

    Raises
    ------
    DataError
        If the shipped BA-regioner table is missing or malformed.
    """
    path = reference_path(BA_2020)
    try:
        ba = pd.read_csv(path, dtype=str, keep_default_na=False)
        rows = ba[ba["travel_minutes"].str.strip() != ""]
        out = pd.DataFrame({"code": rows["kommunenummer"], "name": rows["name"],
                            "region": rows["region"], "core": rows["core"],
                            "centres": rows["centres"].str.split(";"),
                            "toi_min": rows["travel_minutes"].astype(float)})
    except (KeyError, ValueError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise DataError(f"{path}: cannot read ({exc})") from None
    names = dict(zip(ba["kommunenummer"], ba["name"], strict=True))
    out["centre_names"] = out["centres"].map(lambda cs: [names.get(c, c) for c in cs])
    keep = [code not in centres for code, centres in zip(out["code"], out["centres"],
                                                         strict=True)]
    return out[keep].reset_index(drop=True)


def validate(minutes: pd.DataFrame) -> Validation:
    """Compare ``minutes`` (origin × destination, kommunenummer labels) with TØI's figures.

    Parameters
    ----------
    minutes
        The travel-time matrix (``Network.minutes`` or ``travel_time_minutes.csv``); it must
        hold every municipality of Norway.

    Returns
    -------
    Validation

    Raises
    ------
    DataError
        If the matrix lacks a municipality of a pair (naming it).
    """
    minutes = minutes.copy()
    minutes.index = minutes.index.astype(str).str.zfill(4)
    minutes.columns = minutes.columns.astype(str).str.zfill(4)
    pairs = toi_pairs()
    names = {c: n for cs, ns in zip(pairs["centres"], pairs["centre_names"], strict=True)
             for c, n in zip(cs, ns, strict=True)}
    recs: list[dict[str, Any]] = []
    twos: list[dict[str, Any]] = []
    for row in pairs.itertuples(index=False):
        for code in (row.code, *row.centres):
            if code not in minutes.index or code not in minutes.columns:
                raise DataError(f"travel-time matrix: municipality {code} is missing "
                                "(validate a network of all Norway)")
        best = float(minutes.at[row.code, row.core])
        recs.append({"code": row.code, "name": row.name, "region": row.region,
                     "centre": row.core, "centre_name": names[row.core],
                     "toi_min": row.toi_min, "ours_min": best if np.isfinite(best) else np.nan})
        for other in (c for c in row.centres if c != row.core):
            twos.append({"code": row.code, "name": row.name, "region": row.region,
                         "toi_min": row.toi_min, "core": row.core, "core_min": best,
                         "other": other, "other_min": float(minutes.at[row.code, other])})
    table = pd.DataFrame(recs)
    table["error_min"] = table["ours_min"] - table["toi_min"]
    table["rel_error"] = table["error_min"].abs() / table["toi_min"]
    ratio = np.maximum(table["ours_min"] / table["toi_min"], table["toi_min"] / table["ours_min"])
    off = table["error_min"].abs()
    table["gross"] = (table["ours_min"].isna() | ((ratio >= FACTOR) & (off > FACTOR_MIN))
                      | (off > ABS_MIN))
    order = np.lexsort((table["code"].to_numpy(),
                        -table["rel_error"].fillna(np.inf).to_numpy(),
                        ~table["gross"].to_numpy()))
    table = table.iloc[order].reset_index(drop=True)
    table["later_link"] = table["code"].map(lambda c: LATER_LINKS.get(c, ""))
    rel = table["rel_error"].dropna()
    same = table[table["later_link"] == ""]
    summary = {"pairs": len(table), "unreachable": int(table["ours_min"].isna().sum()),
               "gross": int(table["gross"].sum()),
               "median_rel_error": float(rel.median()), "mean_rel_error": float(rel.mean()),
               "p90_rel_error": float(rel.quantile(0.9)),
               "within_15pct": float((rel <= 0.15).mean()),
               "median_abs_error_min": float(table["error_min"].abs().median()),
               "median_signed_error_min": float(table["error_min"].median()),
               "shorter_pairs": int((table["error_min"] < 0).sum()),
               "median_rel_error_shorter": _median(table.loc[table["error_min"] < 0, "rel_error"]),
               "median_rel_error_longer": _median(table.loc[table["error_min"] > 0, "rel_error"]),
               "later_link_pairs": len(table) - len(same),
               "median_rel_error_comparable": _median(same["rel_error"].dropna()),
               "p90_rel_error_comparable": float(same["rel_error"].dropna().quantile(0.9)),
               "gross_comparable": int(same["gross"].sum())}
    return Validation(table=table, summary=MappingProxyType(summary),
                      two_centres=pd.DataFrame(twos, columns=[
                          "code", "name", "region", "toi_min", "core", "core_min", "other",
                          "other_min"]))


def _median(values: pd.Series) -> float:
    return float(values.median()) if len(values) else float("nan")


def summary_lines(result: Validation) -> list[str]:
    """Return the summary as a few lines of text."""
    s = result.summary
    return [
        f"pairs compared: {s['pairs']} (non-centre municipalities with a TØI figure); "
        f"unreachable: {s['unreachable']}",
        f"median relative error {s['median_rel_error']:.1%}, mean {s['mean_rel_error']:.1%}, "
        f"90th percentile {s['p90_rel_error']:.1%}; within 15 %: {s['within_15pct']:.0%}",
        f"median |error| {s['median_abs_error_min']:.1f} min; median signed error "
        f"(ours - TØI) {s['median_signed_error_min']:+.1f} min",
        f"ours shorter in {s['shorter_pairs']} of {s['pairs']} pairs (median relative error "
        f"{s['median_rel_error_shorter']:.1%}), longer in the others "
        f"({s['median_rel_error_longer']:.1%})",
        f"gross outliers (x{FACTOR:g} and > {FACTOR_MIN:g} min, or > {ABS_MIN:g} min off): "
        f"{s['gross']}",
        f"set apart for a link opened after TØI measured ({REFERENCE_YEAR}): "
        f"{s['later_link_pairs']} pair(s); without them: median relative error "
        f"{s['median_rel_error_comparable']:.1%}, 90th percentile "
        f"{s['p90_rel_error_comparable']:.1%}, gross outliers {s['gross_comparable']}",
    ]


def validation_markdown(result: Validation, *, network: str = "") -> str:
    """Return the validation as a Markdown page: how, the summary, every pair worst first.

    Parameters
    ----------
    result
        From :func:`validate`.
    network
        A line saying which network was validated (its cache key, area).
    """
    lines = ["# Travel times checked against TØI (BA-regioner 2020)", "",
             "Written by `regionopt network validate` (`regionopt.network.validation`). "
             "TØI's `Reisetid` (TØI-rapport 1713/2019, minutes by car from the municipality to "
             "its BA-region's centre, a population-weighted trip) beside regionopt's minutes "
             "on the matrix named below (the default, `origins = \"grid\"`: the mean trip "
             "from the municipality's inhabitants to the centre municipality's town; "
             "`origins = \"centre\"`: administrative centre to administrative centre) to the "
             "region's centre municipality (in a two-centre region the one TØI lists the region "
             "under; see the "
             "last table). A pair is a gross outlier when it is a factor two off and more "
             "than 25 minutes off, or more than 60 minutes off.", "",
             "Why the centre-to-centre matrix is mostly the shorter: TØI's trip starts where "
             "the municipality's inhabitants live, that matrix's at its administrative centre, "
             "which is usually the "
             "municipality's town and often its end nearest the region's centre; the 2020 "
             "mergers made some municipalities wide (Asker with Røyken and Hurum, Øygarden with "
             "Fjell and Sund, Kinn with Flora and Vågsøy), which lengthens TØI's average trip but "
             "not ours; and roads opened after TØI's 2019 measurement (Ryfast, December 2019) "
             "shorten ours. A pair well off without being a gross outlier is therefore not by "
             "itself a fault of the network; the gross rule is what flags faults. A pair whose "
             "route in our graph uses a link opened after TØI's measurement (Strand: Ryfast) "
             "is marked *later link* and the summary gives the figures with and without it.",
             ""]
    if network:
        lines += [network, ""]
    lines += [f"- {line}" for line in summary_lines(result)]
    lines += ["", "| municipality | BA-region | centre | TØI (min) | regionopt (min) | "
              "ours - TØI | rel. error | gross |", "| --- | --- | --- | ---: | ---: | ---: | ---: "
              "| --- |"]
    for r in result.table.itertuples(index=False):
        ours = "unreachable" if pd.isna(r.ours_min) else f"{r.ours_min:.1f}"
        err = "" if pd.isna(r.error_min) else f"{r.error_min:+.1f}"
        rel = "" if pd.isna(r.rel_error) else f"{r.rel_error:.0%}"
        flag = "; ".join(x for x in ("yes" if r.gross else "",
                                      f"later link: {r.later_link}" if r.later_link else "")
                         if x)
        lines.append(f"| {r.code} {r.name} | {r.region} | {r.centre} {r.centre_name} | "
                     f"{r.toi_min:.1f} | {ours} | {err} | {rel} | {flag} |")
    return "\n".join(lines + _two_centre_lines(result.two_centres)) + "\n"


def _two_centre_lines(twos: pd.DataFrame) -> list[str]:
    """The two-centre regions' pairs measured to both centres (why the core is the centre)."""
    if twos.empty:
        return []
    at_core = (twos["core_min"] - twos["toi_min"]).abs() < (twos["other_min"]
                                                            - twos["toi_min"]).abs()
    nearer_other = twos["other_min"] < twos["core_min"]
    closer, apart = int(at_core.sum()), int((at_core & nearer_other).sum())
    lines = ["", "## Two-centre regions", "",
             "TØI's sheet `Etter BA-region` lists each two-centre region as one entry under "
             "its core's code (`3004 Fredrikstad/Sarpsborg`), and both centre rows carry the "
             "same `Reisetid`: the region has one centre in TØI's figures. Measured to both "
             f"centres, {closer} of these {len(twos)} municipalities are closer to TØI's "
             f"figure at the core; of the {int(nearer_other.sum())} nearer to the other centre "
             f"by our matrix, {apart} are still closer to TØI's figure at the core. The table "
             "above therefore measures to the core.", "",
             "| municipality | BA-region | TØI (min) | to the core (min) | to the other centre "
             "(min) |", "| --- | --- | ---: | ---: | ---: |"]
    for r in twos.itertuples(index=False):
        lines.append(f"| {r.code} {r.name} | {r.region} | {r.toi_min:.1f} | "
                     f"{r.core} {r.core_min:.1f} | {r.other} {r.other_min:.1f} |")
    return lines
