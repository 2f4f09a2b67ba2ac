"""Names are data: hostile region, plan, scenario and reference names through every command
that draws (``map``, ``solve``, ``sweep``, ``calibrate``, run as a user would in a subprocess).

Each page must show the names literally: no template engine evaluates them (no command output,
no ``49``), no markup or script comes from them, and matplotlib does not read ``$...$`` in them
as mathtext (the name ``$\\nocommand{$`` would make it fail). Exit 0, never a traceback. The plan
and comparison pages, with their editor, are opened in real Chromium.
"""

from __future__ import annotations

import html
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from regionopt.maps.assets import script_json
from tests.chromium import OfflinePage, chromium

REFERENCE = Path(__file__).resolve().parent.parent / "data" / "geo" / "reference"
RCE = ("Alta {% set c=dict(id=1)|first %}"
       "{{ cycler.__init__.__globals__.os.popen(c).read() }}")
#: Region names of the hostile plan, given to NIVI's regions in order.
REGIONS = [RCE, "R {{ 7*7 }}", "Alta {{", "B {%", "C {#", "D </script><b>x</b>",
           "E \"q\" 'q'", "F $x^2$", "G $\\nocommand{$"]
#: The hostile plan's file name (its stem is the plan's name).
PLAN_FILE = "Plan {{ 7*7 }} {% x {# $y$ $\\nocommand{$ 'q\".csv"
PLAN_NAME = PLAN_FILE.removesuffix(".csv")
SCENARIO_NAME = "S {{ 7*7 }} " + RCE + " {# </script><b>x</b> 'q\" $x^2$"
NOTE = "N {{ 7*7 }} </script><b>x</b> $x^2$ {%"
#: What a page may never contain: command output, an evaluated template, markup from a name.
FORBIDDEN = ("uid=", "R 49", "S 49", "Plan 49", "N 49", "<b>x</b>")


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([sys.executable, "-m", "regionopt", *args, "--quiet"],
                          capture_output=True, text=True, timeout=600, check=False)
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode == 0, proc.stderr
    return proc


def assert_literal(path: Path, names: list[str]) -> str:
    """Each name is in the page as escaped text or as script data; nothing forbidden is."""
    page = path.read_text(encoding="utf-8")
    for bad in FORBIDDEN:
        assert bad not in page, (path.name, bad)
    for name in names:
        assert html.escape(name) in page or script_json(name) in page, (path.name, name)
    return page


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("hostile")
    plan = pd.read_csv(REFERENCE / "nivi_2023_troms_finnmark.csv", dtype=str)
    rename = dict(zip(dict.fromkeys(plan["region"]), REGIONS, strict=False))
    plan["region"] = plan["region"].map(lambda r: rename.get(r, r))
    plan["source"] = NOTE
    plan.to_csv(folder / PLAN_FILE, index=False)
    scenario = folder / "hostile.toml"
    scenario.write_text(
        f"name = {script_json(SCENARIO_NAME)}\n\n[area]\ncounties = [\"55\", \"56\"]\n\n"
        f"[regions]\ncount = 12\n\n[constraints]\nexceptions = [[\"5546\", {script_json(NOTE)}]]\n",
        encoding="utf-8")
    return {"plan": folder / PLAN_FILE, "scenario": scenario, "folder": folder}


@pytest.fixture(scope="module")
def plan_page(inputs: dict[str, Path]) -> Path:
    out = inputs["folder"] / "map.html"
    run_cli("map", "--plan", str(inputs["plan"]), "--out", str(out))
    return out


@pytest.fixture(scope="module")
def compare_page(inputs: dict[str, Path]) -> Path:
    out = inputs["folder"] / "compare.html"
    run_cli("map", "--plan", str(inputs["plan"]), "--beside", "nivi", "--out", str(out),
            "--png", "--lang", "en")
    return out


def test_map_plan_page(plan_page: Path) -> None:
    page = assert_literal(plan_page, [PLAN_NAME, *REGIONS])
    title = page[page.index("<title>"):page.index("</title>")]
    assert title.endswith(html.escape(PLAN_NAME))


def test_map_compare_page_and_pngs(compare_page: Path) -> None:
    assert_literal(compare_page, [PLAN_NAME, "NIVI 2023", *REGIONS])
    for png in (compare_page.with_suffix(".png"),
                compare_page.with_name("compare-beside.png")):
        assert png.stat().st_size > 10_000, png


def test_solve_pages_and_png(inputs: dict[str, Path]) -> None:
    out = inputs["folder"] / "solved"
    run_cli("solve", "--scenario", str(inputs["scenario"]), "--out", str(out), "--png")
    shown = f"regionopt ({SCENARIO_NAME})"
    assert_literal(out / "map.html", [shown])
    page = assert_literal(out / "compare_nivi.html", [shown, NOTE])
    assert page.count(script_json(NOTE)) == 1  # the exception's reason, in the editor's data
    assert (out / "plan.png").stat().st_size > 10_000
    assert tomllib.loads((out / "scenario.toml").read_text(encoding="utf-8"))["name"] == \
        SCENARIO_NAME


def test_sweep_pages_with_a_hostile_reference(inputs: dict[str, Path]) -> None:
    out = inputs["folder"] / "sweep"
    run_cli("sweep", "--scenario", str(inputs["scenario"]), "--vary", "regions.count=12",
            "--reference", str(inputs["plan"]), "--workers", "1", "--out", str(out))
    assert_literal(out / "pareto.html", [PLAN_NAME])
    assert (out / "pareto.png").stat().st_size > 10_000


def test_calibrate_pages_with_a_hostile_reference(inputs: dict[str, Path]) -> None:
    out = inputs["folder"] / "calibrate"
    run_cli("calibrate", "--scenario", str(inputs["scenario"]), "--reference", str(inputs["plan"]),
            "--vary", "regions.count=12", "--search", "grid", "--workers", "1",
            "--out", str(out))
    for name in ("pareto.html", "agreement.html"):
        assert_literal(out / name, [PLAN_NAME])
    assert_literal(out / "best_vs_reference.html", [PLAN_NAME, *REGIONS])
    for name in ("pareto.png", "agreement.png"):
        assert (out / name).stat().st_size > 10_000, name
    best = tomllib.loads((out / "best.toml").read_text(encoding="utf-8"))
    assert best["name"] == SCENARIO_NAME


# --------------------------------------------------------------------------- in Chromium

@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as b:
        yield b


SHOWN = """() => ({
  title: document.title,
  head: document.querySelector('.rg-head h1').textContent,
  panes: [...document.querySelectorAll('.rg-pane-title')].map(e => e.textContent),
  legends: [...document.querySelectorAll('.rg-legend')].map(d =>
    [...d.querySelectorAll('.rg-legend-name')].map(e => e.textContent)),
  labels: [...document.querySelectorAll('.rg-label-region span')].map(e => e.textContent),
  options: [...document.querySelectorAll('.rg-ed-to option')].map(e => e.textContent),
  bold: document.querySelectorAll('b').length,
  regions: regionopt.regions().map(r => r.region),
})"""

POINT = """(code) => {
  const ed = regionopt.editorState, m = ed.panes[0].map;
  const at = ed.data.centres[ed.data.codes.indexOf(code)], p = m.latLngToContainerPoint(at);
  const r = m.getContainer().getBoundingClientRect();
  return [r.left + p.x, r.top + p.y];
}"""


def _tooltip(s: OfflinePage, code: str) -> str:
    """Hover municipality ``code`` in the first pane; return the tooltip's text."""
    x, y = s.js(POINT, code)
    s.page.mouse.move(x - 3, y - 3)
    s.page.mouse.move(x, y)
    tip = s.page.locator(".leaflet-tooltip.rg-tooltip").first
    tip.wait_for(state="visible", timeout=5000)
    return str(tip.inner_text())


def _open(browser: Any, path: Path) -> OfflinePage:
    return OfflinePage(browser, path,
                       ready="window.regionopt && typeof regionopt.regions === 'function'")


def _region_of(inputs: dict[str, Path], code: str) -> str:
    plan = pd.read_csv(inputs["plan"], dtype=str).set_index("kommunenummer")
    return str(plan.loc[code, "region"])


def test_plan_page_and_editor_show_names_in_chromium(browser: Any, plan_page: Path,
                                                     inputs: dict[str, Path]) -> None:
    s = _open(browser, plan_page)
    shown = s.js(SHOWN)
    assert PLAN_NAME in shown["title"] and PLAN_NAME in shown["head"]
    assert set(REGIONS) <= set(shown["legends"][0])
    assert set(REGIONS) <= set(shown["labels"]) | set(shown["legends"][0])
    assert set(REGIONS) <= set(shown["regions"]) and set(REGIONS) <= set(shown["options"])
    assert shown["bold"] == 0
    tip = _tooltip(s, "5601")
    assert _region_of(inputs, "5601") in tip and "Alta" in tip
    s.js("regionopt.newRegion('5601', " + script_json(SCENARIO_NAME) + ")")
    assert SCENARIO_NAME in s.js("regionopt.regions().map(r => r.region)")
    assert SCENARIO_NAME in s.js("document.querySelector('.rg-legend').textContent")
    assert s.clean(), (s.errors, s.requests, s.dialogs)


def test_compare_page_shows_names_in_chromium(browser: Any, compare_page: Path,
                                              inputs: dict[str, Path]) -> None:
    s = _open(browser, compare_page)
    shown = s.js(SHOWN)
    assert shown["panes"] == [PLAN_NAME, "NIVI 2023"]
    assert set(REGIONS) <= set(shown["legends"][0]) and shown["bold"] == 0
    assert _region_of(inputs, "5601") in _tooltip(s, "5601")
    assert s.clean(), (s.errors, s.requests, s.dialogs)
