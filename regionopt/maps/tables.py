"""The tables below a comparison map: both plans' metrics, the agreement figures, the moves.

Every figure comes from :mod:`regionopt.evaluate` (metrics, comparison,
agreement); this module only sets them as escaped HTML, numbers in the page's
language.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

import numpy as np

from regionopt.maps import i18n
from regionopt.plan import Plan


def _digits(metric: str) -> int:
    if metric.startswith("inhabitants_within_"):
        return 3
    return {"population_cv": 3, "mean_minutes_per_inhabitant": 1}.get(metric, 0)


def _cell(value: Any, lang: str, digits: int) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        return html.escape(str(value))
    if isinstance(value, (int, np.integer)):
        digits = 0
    number = int(value) if isinstance(value, (int, np.integer)) else float(value)
    return html.escape(i18n.format_number(number, lang, digits=digits))


def tables_html(a: Plan, b: Plan, comparison: Any, lab: Mapping[str, str], lang: str) -> str:
    e = html.escape
    rows = []
    for rec in comparison.table.itertuples(index=False):
        d = _digits(rec.metric)
        rows.append(f"<tr><td>{e(lab.get(rec.metric, rec.metric))}</td>"
                    f'<td class="num">{_cell(rec.a, lang, d)}</td>'
                    f'<td class="num">{_cell(rec.b, lang, d)}</td>'
                    f'<td class="num">{_cell(rec.difference, lang, d)}</td></tr>')
    metrics = (f'<div><h2>{e(lab["metrics_title"])}</h2><table class="rg-metrics"><thead><tr>'
               f'<th>{e(lab["metric"])}</th><th class="num">{e(a.name)}</th>'
               f'<th class="num">{e(b.name)}</th><th class="num">{e(lab["difference"])}</th>'
               f'</tr></thead><tbody>{"".join(rows)}</tbody></table>'
               f"{_agreement_html(b, comparison.agreement, lab, lang)}</div>")
    moves = comparison.moves
    if len(moves):
        body = "".join(f"<tr><td>{e(str(r.name))}</td><td>{e(str(r.from_region))}</td>"
                       f"<td>{e(str(r.to_region))}</td></tr>"
                       for r in moves.itertuples(index=False))
        listing = (f'<table class="rg-moves"><thead><tr><th>{e(lab["municipality"])}</th>'
                   f"<th>{e(a.name)}</th><th>{e(b.name)}</th></tr></thead>"
                   f"<tbody>{body}</tbody></table>")
    else:
        listing = f"<p>{e(lab['moved_none'])}</p>"
    return (f'<section class="rg-tables">{metrics}<div><h2>{e(lab["moved"])} ({len(moves)})'
            f"</h2>{listing}</div></section>")


def _agreement_html(reference: Plan, agreement: Any, lab: Mapping[str, str], lang: str) -> str:
    """The agreement of the left plan with the right one (``docs/metrics.md``)."""
    e = html.escape
    ref = reference.name
    cells = [
        (lab["adjusted_rand_index"], i18n.format_number(agreement.adjusted_rand, lang, digits=3)),
        (lab["placed_as_reference"].format(ref=ref),
         f"{agreement.placed} {lab['of']} {agreement.municipalities}"),
        (lab["identical_regions"], f"{agreement.identical_regions} {lab['of']} "
                                   f"{agreement.reference_regions}"),
    ]
    body = "".join(f'<tr><td>{e(k)}</td><td class="num">{e(v)}</td></tr>' for k, v in cells)
    return (f'<h2>{e(lab["agreement_title"].format(ref=ref))}</h2>'
            f'<table class="rg-agreement"><tbody>{body}</tbody></table>')
