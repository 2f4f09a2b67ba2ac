"""Pareto front of a sweep: person-minutes against population balance, or against agreement.

Both axes are to be minimised: ``person_minutes`` (every inhabitant's
minutes to their region's core, summed) on x and ``population_cv`` (the
coefficient of variation of region populations, lower = more even) on y. A
plan is *non-dominated* when no other plan is at least as good on both axes
and strictly better on one. :func:`write_pareto` draws the sweep as
``pareto.png`` (Matplotlib, Agg) and ``pareto.html`` (inline SVG, no scripts,
works offline; hover a point for its values, click it for its folder), with
reference plans such as NIVI 2023 marked. ``regionopt calibrate`` draws
the same plot with agreement with a reference plan on y (:data:`AGREEMENT`,
maximised, so upper left is best: ``agreement.png`` and ``agreement.html``).
"""

from __future__ import annotations

import html
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from regionopt.io import atomic_write_text, atomic_write_with

X_COLUMN = "person_minutes"
Y_COLUMN = "population_cv"
X_LABEL = "person-minutes to the core (sum over inhabitants)"
Y_LABEL = "population imbalance (coefficient of variation of region populations)"
PNG_NAME = "pareto.png"
HTML_NAME = "pareto.html"

Reference = tuple[str, dict[str, Any]]
"""A reference plan's name and its metric summary."""


@dataclass(frozen=True)
class ParetoAxes:
    """What the y axis of a Pareto plot shows (x is always ``person_minutes``, minimised).

    Attributes
    ----------
    y
        The table column on the y axis.
    label, short, tip
        Its axis label, its short name (table head) and its name in tooltips.
    maximise
        ``True`` when more is better on y (upper left is then best).
    title
        What the plot is, after "Sweep: ".
    png_name, html_name
        The files written.
    link
        The file a point links to inside its plan folder (empty: the folder).
    extra
        Further ``(column, name)`` pairs shown in a point's tooltip.
    """

    y: str = Y_COLUMN
    label: str = Y_LABEL
    short: str = "population CV"
    tip: str = "CV"
    maximise: bool = False
    title: str = "travel against balance"
    png_name: str = PNG_NAME
    html_name: str = HTML_NAME
    link: str = ""
    extra: tuple[tuple[str, str], ...] = ()

    @property
    def better(self) -> str:
        """Where the best plans lie."""
        return "upper left" if self.maximise else "lower left"


BALANCE = ParetoAxes()
"""Person-minutes against population balance: a sweep's ``pareto.png`` and ``pareto.html``."""
AGREEMENT = ParetoAxes(y="agreement_ari",
                       label="agreement with the reference (adjusted Rand index)",
                       short="adjusted Rand index", tip="ARI", maximise=True,
                       title="travel against agreement with the reference",
                       png_name="agreement.png", html_name="agreement.html")
"""Person-minutes against agreement with a reference plan (``regionopt calibrate``)."""


def pareto_mask(x: Sequence[float] | pd.Series, y: Sequence[float] | pd.Series) -> np.ndarray:
    """Flag the non-dominated points when both coordinates are minimised.

    Point ``i`` is dominated when some ``j`` has ``x[j] <= x[i]`` and
    ``y[j] <= y[i]`` with at least one strict. Identical points do not
    dominate each other. Points with a missing (NaN) coordinate are never
    non-dominated and dominate nothing.

    Returns
    -------
    numpy.ndarray
        Boolean array, ``True`` for non-dominated points.
    """
    xs = pd.to_numeric(pd.Series(list(x)), errors="coerce").to_numpy(dtype="float64")
    ys = pd.to_numeric(pd.Series(list(y)), errors="coerce").to_numpy(dtype="float64")
    ok = np.isfinite(xs) & np.isfinite(ys)
    mask = np.zeros(len(xs), dtype=bool)
    idx = np.flatnonzero(ok)
    for i in idx:
        le = (xs[idx] <= xs[i]) & (ys[idx] <= ys[i])
        lt = (xs[idx] < xs[i]) | (ys[idx] < ys[i])
        mask[i] = not (le & lt).any()
    return mask


def _label(row: pd.Series, varied: Sequence[str]) -> str:
    parts = []
    for key in varied:
        v = row[key]
        text = "none" if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA else v
        parts.append(f"{key.rsplit('.', 1)[-1]}={text}")
    return ", ".join(parts) or str(row["id"])


def _front_labels(dom: pd.DataFrame, varied: Sequence[str],
                  axes: ParetoAxes) -> list[tuple[str, float, float]]:
    """One label per distinct point of the front; plans at the same point share it.

    A key whose value differs between plans at the same point shows all of
    them, joined with ``/`` (e.g. ``min_population=0/3000``).
    """
    out = []
    for (x, y), group in dom.groupby([X_COLUMN, axes.y], sort=True):
        parts = []
        for key in varied:
            vals = list(dict.fromkeys(_label(r, [key]).split("=", 1)[1]
                                      for _, r in group.iterrows()))
            parts.append(f"{key.rsplit('.', 1)[-1]}={'/'.join(vals)}")
        out.append((", ".join(parts) or "/".join(map(str, group["id"])), float(x), float(y)))
    return out


def _points(table: pd.DataFrame, axes: ParetoAxes = BALANCE) -> pd.DataFrame:
    """Rows that have both coordinates, sorted by x then y then id."""
    has = table[X_COLUMN].notna() & table[axes.y].notna()
    pts = table.loc[has].copy()
    if "pareto" not in pts.columns:
        y = pts[axes.y].astype(float)
        pts["pareto"] = pareto_mask(pts[X_COLUMN], -y if axes.maximise else y)
    return pts.sort_values([X_COLUMN, axes.y, "id"], kind="mergesort")


def write_pareto(table: pd.DataFrame, out_dir: str | os.PathLike[str], *,
                 varied: Sequence[str], references: Sequence[Reference] = (),
                 axes: ParetoAxes = BALANCE) -> None:
    """Write ``pareto.png`` and ``pareto.html`` for a sweep table.

    Parameters
    ----------
    table
        As returned by :func:`regionopt.sweep.run_sweep` (needs ``id``,
        ``person_minutes``, ``population_cv``, ``plan_path`` and the varied
        columns; ``pareto`` is computed when absent).
    out_dir
        Folder to write into (the sweep's folder: links are relative to it).
    varied
        The varied keys, used to label points.
    references
        ``(name, metrics summary)`` of plans to mark, e.g. NIVI 2023.
    axes
        The y axis: :data:`BALANCE` (``pareto.png``/``.html``, the default) or
        :data:`AGREEMENT` (``agreement.png``/``.html``); the ``pareto``
        column is recomputed for it.
    """
    out = Path(out_dir)
    pts, refs = plot_points(table, references, axes)
    atomic_write_with(out / axes.png_name, lambda p: _png(pts, varied, refs, p, axes))
    atomic_write_text(out / axes.html_name,
                      pareto_html(pts, varied=varied, references=refs, axes=axes))


def plot_points(table: pd.DataFrame, references: Sequence[Reference],
                axes: ParetoAxes) -> tuple[pd.DataFrame, list[Reference]]:
    """The rows and references a plot of ``axes`` shows, with ``pareto`` for its y axis."""
    pts = _points(table.drop(columns="pareto") if axes is not BALANCE and "pareto" in table
                  else table, axes)
    refs = [(n, m) for n, m in references
            if m.get(X_COLUMN) is not None and m.get(axes.y) is not None]
    return pts, refs


def write_png(pts: pd.DataFrame, path: str | os.PathLike[str], *, varied: Sequence[str],
              references: Sequence[Reference], axes: ParetoAxes) -> None:
    """Write the plot of :func:`plot_points`'s rows as a PNG at ``path`` (atomically)."""
    atomic_write_with(path, lambda p: _png(pts, varied, references, p, axes))


#: Where a label may go around its point (offset in points, horizontal alignment), in order.
_CANDIDATES = (((6, 5), "left"), ((6, -12), "left"), ((-6, 5), "right"), ((-6, -12), "right"),
               ((0, 9), "center"), ((0, -17), "center"))
#: The marker of a reference plan, the same in the PNG (Matplotlib) and the HTML (SVG).
REF_MARKER = "D"
REF_COLOUR = "#d62728"


def _place(ax: Any, renderer: Any, text: str, xy: tuple[float, float], taken: list[Any],
           **style: Any) -> bool:
    """Annotate ``xy`` at the first offset that stays inside the axes, clear of ``taken``."""
    frame = ax.get_window_extent(renderer)
    for offset, ha in _CANDIDATES:
        art = ax.annotate(text, xy, xytext=offset, textcoords="offset points", ha=ha,
                          parse_math=False, **style)
        box = art.get_window_extent(renderer).expanded(1.04, 1.2)
        inside = (frame.x0 <= box.x0 and box.x1 <= frame.x1
                  and frame.y0 <= box.y0 and box.y1 <= frame.y1)
        if inside and not any(box.overlaps(t) for t in taken):
            taken.append(box)
            return True
        art.remove()
    return False


def _marker_boxes(ax: Any, xs: Sequence[float], ys: Sequence[float], r: float) -> list[Any]:
    # lazy: matplotlib is heavy; only the Pareto PNG needs it
    from matplotlib.transforms import Bbox

    pts = ax.transData.transform(np.column_stack([xs, ys])) if len(xs) else []
    return [Bbox.from_extents(x - r, y - r, x + r, y + r) for x, y in pts]


def _png(pts: pd.DataFrame, varied: Sequence[str], refs: Sequence[Reference],
         path: Path, axes: ParetoAxes) -> None:
    # lazy: matplotlib is heavy; only the Pareto PNG needs it
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter

    fig = Figure(figsize=(9, 6.5), dpi=110)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    dom = pts[pts["pareto"].astype(bool)]
    rest = pts[~pts["pareto"].astype(bool)]
    ax.scatter(rest[X_COLUMN], rest[axes.y], s=22, color="#9aa3ad", label="dominated plan")
    ax.step(dom[X_COLUMN], dom[axes.y], where="post", color="#1f77b4", lw=1, alpha=0.6)
    ax.scatter(dom[X_COLUMN], dom[axes.y], s=40, color="#1f77b4", zorder=3,
               label="non-dominated plan")
    for name, m in refs:
        ax.scatter([m[X_COLUMN]], [m[axes.y]], marker=REF_MARKER, s=80, color=REF_COLOUR,
                   zorder=4, label=name)
    if pts.empty and not refs:
        ax.text(0.5, 0.5, "no feasible plan in this sweep", ha="center", transform=ax.transAxes)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: _num(v, 0)))
    ax.set_xlabel(X_LABEL)
    ax.set_ylabel(axes.label)
    ax.set_title(f"Sweep: {axes.title} ({axes.better} is better)")
    ax.grid(True, alpha=0.3)
    legend = ax.legend(loc="best", fontsize=8) if len(pts) or refs else None
    for text in legend.get_texts() if legend is not None else []:
        text.set_parse_math(False)  # reference names are text: "$" starts no mathtext
    ax.set_xlim(ax.get_xlim())  # freeze the limits before measuring labels
    ax.set_ylim(ax.get_ylim())
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    _labels(fig, ax, dom, varied, refs, legend, rest=rest, n_points=len(pts), axes=axes)
    # No Software/date entries: the same sweep gives the same bytes.
    fig.savefig(path, format="png", metadata={"Software": None})


def _labels(fig: Any, ax: Any, dom: pd.DataFrame, varied: Sequence[str],
            refs: Sequence[Reference], legend: Any, *, rest: pd.DataFrame,
            n_points: int, axes: ParetoAxes) -> list[str]:
    """Label references, then front points, each where it fits; note the ones left out."""
    renderer = fig.canvas.get_renderer()
    taken = [legend.get_window_extent(renderer)] if legend is not None else []
    taken += _marker_boxes(ax, rest[X_COLUMN].astype(float).tolist(),
                           rest[axes.y].astype(float).tolist(), 3.5)
    front = _front_labels(dom, varied, axes)
    taken += _marker_boxes(ax, [x for _, x, _ in front], [y for _, _, y in front], 5)
    taken += _marker_boxes(ax, [float(m[X_COLUMN]) for _, m in refs],
                           [float(m[axes.y]) for _, m in refs], 6)
    left_out = [name for name, m in refs
                if not _place(ax, renderer, name, (m[X_COLUMN], m[axes.y]), taken,
                              fontsize=8, color=REF_COLOUR)]
    left_out += [label for label, x, y in front
                 if not _place(ax, renderer, label, (x, y), taken, fontsize=7)]
    if left_out:
        fig.text(0.01, 0.01, "Not labelled (no room): " + "; ".join(left_out)
                 + f". All {n_points} plans are listed in {axes.html_name}.", fontsize=7,
                 color="#444444", parse_math=False, wrap=True)
    return left_out


# --------------------------------------------------------------------------- HTML

_W, _H = 820, 540
_ML, _MR, _MT, _MB = 80, 30, 30, 60
PAGE_CSS = """body{font-family:system-ui,sans-serif;margin:1.5em;color:#222}
svg{background:#fff;border:1px solid #ddd}
.pt{fill:#9aa3ad}.dom{fill:#1f77b4}.ref{fill:#d62728}.reftext{fill:#d62728}
a:hover .pt,a:hover .dom{stroke:#000;stroke-width:2}
.ax{stroke:#444}.grid{stroke:#eee}text{font-size:11px}
table{border-collapse:collapse;margin-top:1em;font-size:13px}
td,th{border:1px solid #ddd;padding:2px 8px;text-align:right}
td.l,th.l{text-align:left}"""


def _ticks(lo: float, hi: float) -> list[float]:
    # lazy: matplotlib is heavy; only the Pareto PNG needs it
    from matplotlib.ticker import MaxNLocator

    if lo == hi:
        lo, hi = lo - 1 if lo == 0 else lo * 0.95, hi + 1 if hi == 0 else hi * 1.05
    return [float(t) for t in MaxNLocator(nbins=6).tick_values(lo, hi) if lo <= t <= hi]


def _num(v: float, digits: int) -> str:
    return f"{v:,.{digits}f}".replace(",", "\u202f")


def _scale(values: list[float]) -> tuple[float, float]:
    lo, hi = min(values), max(values)
    pad = (hi - lo) * 0.06 or abs(hi) * 0.05 or 1.0
    return lo - pad, hi + pad


def pareto_html(pts: pd.DataFrame, *, varied: Sequence[str],
                references: Sequence[Reference] = (), axes: ParetoAxes = BALANCE) -> str:
    """Return a self-contained HTML page with the Pareto plot as inline SVG.

    Parameters
    ----------
    pts
        Sweep rows with both coordinates and a ``pareto`` column.
    varied
        The varied keys, used in tooltips and the table.
    references
        ``(name, metrics summary)`` of plans to mark.
    axes
        The y axis (:data:`BALANCE` or :data:`AGREEMENT`).

    Returns
    -------
    str
        The page; every text from the table is HTML-escaped.
    """
    body = [pareto_section(pts, varied=varied, references=references, axes=axes)]
    e = html.escape
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>Sweep: Pareto front</title><style>{PAGE_CSS}</style></head><body>\n"
            f"<h1>Sweep: {e(axes.title)}</h1>\n<p>x: {e(X_LABEL)}; y: {e(axes.label)}. "
            f"{axes.better.capitalize()} is better. Blue: non-dominated plans; grey: "
            "dominated; red diamond (as in the PNG): reference plan. Hover a point for its "
            "values, click it to open its folder.</p>\n"
            + "\n".join(body) + "\n</body></html>\n")


def pareto_section(pts: pd.DataFrame, *, varied: Sequence[str],
                   references: Sequence[Reference] = (), axes: ParetoAxes = BALANCE) -> str:
    """Return the plot (inline SVG) and the table of :func:`pareto_html`, without the page."""
    xs = [*pts[X_COLUMN].astype(float), *(float(m[X_COLUMN]) for _, m in references)]
    ys = [*pts[axes.y].astype(float), *(float(m[axes.y]) for _, m in references)]
    body: list[str] = []
    if xs:
        body.append(_svg(pts, varied, references, _scale(xs), _scale(ys), axes))
    else:
        body.append("<p>No feasible plan in this sweep.</p>")
    body.append(_html_table(pts, varied, references, axes))
    return "\n".join(body)


def _extra(row: Any, axes: ParetoAxes) -> str:
    parts = []
    for col, name in axes.extra:
        v = row.get(col)
        if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA:
            continue
        parts.append(f"{name} {_num(float(v), 0) if abs(float(v)) >= 100 else f'{float(v):.4g}'}")
    return ("\n" + " · ".join(parts)) if parts else ""


def _svg(pts: pd.DataFrame, varied: Sequence[str], refs: Sequence[Reference],
         xr: tuple[float, float], yr: tuple[float, float], axes: ParetoAxes) -> str:
    e = html.escape

    def px(v: float) -> float:
        return _ML + (v - xr[0]) / (xr[1] - xr[0]) * (_W - _ML - _MR)

    def py(v: float) -> float:
        return _H - _MB - (v - yr[0]) / (yr[1] - yr[0]) * (_H - _MT - _MB)

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{_W}" height="{_H}" '
           f'viewBox="0 0 {_W} {_H}" role="img" aria-label="Pareto plot">']
    for t in _ticks(*xr):
        out.append(f'<line class="grid" x1="{px(t):.1f}" y1="{_MT}" x2="{px(t):.1f}" '
                   f'y2="{_H - _MB}"/><text x="{px(t):.1f}" y="{_H - _MB + 16}" '
                   f'text-anchor="middle">{e(_num(t, 0))}</text>')
    for t in _ticks(*yr):
        out.append(f'<line class="grid" x1="{_ML}" y1="{py(t):.1f}" x2="{_W - _MR}" '
                   f'y2="{py(t):.1f}"/><text x="{_ML - 6}" y="{py(t) + 4:.1f}" '
                   f'text-anchor="end">{e(f"{t:.3g}")}</text>')
    out.append(f'<line class="ax" x1="{_ML}" y1="{_H - _MB}" x2="{_W - _MR}" y2="{_H - _MB}"/>'
               f'<line class="ax" x1="{_ML}" y1="{_MT}" x2="{_ML}" y2="{_H - _MB}"/>')
    out.append(f'<text x="{(_W + _ML) / 2:.0f}" y="{_H - 18}" text-anchor="middle">'
               f'{e(X_LABEL)}</text><text transform="translate(18 {(_H - _MB) / 2:.0f}) '
               f'rotate(-90)" text-anchor="middle">{e(axes.short)}</text>')
    dom = pts[pts["pareto"].astype(bool)]
    if len(dom) > 1:
        fx, fy = dom[X_COLUMN].astype(float).tolist(), dom[axes.y].astype(float).tolist()
        corners = [(fx[0], fy[0])]
        for k in range(1, len(fx)):  # a staircase, as in the PNG
            corners += [(fx[k], fy[k - 1]), (fx[k], fy[k])]
        path = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in corners)
        out.append(f'<polyline points="{path}" fill="none" stroke="#1f77b4" '
                   'stroke-opacity="0.5"/>')
    for _, row in pts.sort_values("pareto", kind="mergesort").iterrows():
        cls = "dom" if row["pareto"] else "pt"
        tip = (f"{_label(row, varied)}\nid {row['id']} · status {row['status']}\n"
               f"person-minutes {_num(float(row[X_COLUMN]), 0)} · "
               f"{axes.tip} {float(row[axes.y]):.4f}{_extra(row, axes)}")
        folder = str(row["plan_path"]).rsplit("/", 1)[0] + "/" + axes.link
        out.append(f'<a href="{e(folder)}"><circle class="{cls}" cx="{px(row[X_COLUMN]):.1f}" '
                   f'cy="{py(row[axes.y]):.1f}" r="{6 if row["pareto"] else 4}">'
                   f"<title>{e(tip)}</title></circle></a>")
    for name, m in refs:
        x, y = px(float(m[X_COLUMN])), py(float(m[axes.y]))
        tip = (f"{name}\nperson-minutes {_num(float(m[X_COLUMN]), 0)} · "
               f"{axes.tip} {m[axes.y]:.4f}{_extra(m, axes)}")
        # the name to the right of the diamond, or to its left when it would leave the plot
        right = x + 10 + 6.5 * len(name) <= _W - _MR
        tx, anchor = (x + 10, "start") if right else (x - 10, "end")
        out.append(f'<g><rect class="ref" x="{x - 5:.1f}" y="{y - 5:.1f}" width="10" '
                   f'height="10" transform="rotate(45 {x:.1f} {y:.1f})"><title>{e(tip)}</title>'
                   f'</rect><text class="reftext" x="{tx:.1f}" y="{y + 4:.1f}" '
                   f'text-anchor="{anchor}">{e(name)}</text></g>')
    out.append("</svg>")
    return "\n".join(out)


def _html_table(pts: pd.DataFrame, varied: Sequence[str], refs: Sequence[Reference],
                axes: ParetoAxes) -> str:
    e = html.escape
    head = "".join(f'<th class="l">{e(k)}</th>' for k in varied)
    rows = [f'<table><tr><th class="l">plan</th>{head}<th>person-minutes</th>'
            f"<th>{e(axes.short)}</th><th>regions</th><th>non-dominated</th></tr>"]
    for _, row in pts.iterrows():
        folder = str(row["plan_path"]).rsplit("/", 1)[0] + "/" + axes.link
        cells = "".join(f'<td class="l">{e(_label(row, [k]).split("=", 1)[1])}</td>'
                        for k in varied)
        rows.append(f'<tr><td class="l"><a href="{e(folder)}">{e(str(row["id"]))}</a></td>'
                    f"{cells}<td>{_num(float(row[X_COLUMN]), 0)}</td>"
                    f"<td>{float(row[axes.y]):.4f}</td><td>{e(str(row.get('regions')))}</td>"
                    f"<td>{'yes' if row['pareto'] else ''}</td></tr>")
    for name, m in refs:
        blanks = "<td></td>" * len(varied)
        rows.append(f'<tr><td class="l">{e(name)}</td>{blanks}'
                    f"<td>{_num(float(m[X_COLUMN]), 0)}</td><td>{float(m[axes.y]):.4f}</td>"
                    f"<td>{e(str(m.get('regions')))}</td><td>reference</td></tr>")
    rows.append("</table>")
    return "\n".join(rows)
