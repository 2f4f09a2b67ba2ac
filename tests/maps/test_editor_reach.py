"""Inhabitants within reach in the page (editor_reach.js) against regionopt.evaluate.reach.

On the population-weighted network of Troms og Finnmark (``origins="grid"``), the NIVI plan's
page is written with its reach shares; municipalities are moved in real headless Chromium
and after every move the page's shares (summary, regions, criteria rows) must be Python's;
the figure the page prints must be the one ``regionopt evaluate`` prints for the exported
plan, read back with the inputs (``reach.csv`` included). The same on the centre matrix
(``origins="centre"``), where the figures count whole municipalities by the matrix.
"""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from chromium import OfflinePage, chromium

from regionopt import api
from regionopt.data import reference
from regionopt.evaluate import criteria, report
from regionopt.evaluate import metrics as ev
from regionopt.evaluate.reach import WITHIN_COLUMNS
from regionopt.maps import editor, outputs
from regionopt.network import NetworkSettings, build_network
from regionopt.plan import read_plan
from regionopt.scenario import default_scenario_path, load_scenario

BANDS = {"grid": "grid cells", "centre": "whole municipalities"}


@pytest.fixture(scope="module", params=list(BANDS))
def grid_page(request: pytest.FixtureRequest, data_dir: Path,
              tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    net = build_network(settings=NetworkSettings(origins=request.param), data_dir=data_dir,
                        cache_dir=tmp_path_factory.mktemp("cache"), progress=False)
    problem = api.problem_from_network(net, data_dir=data_dir)
    assert (problem.reach is not None) == (request.param == "grid")
    chosen = reference.reference_for(problem, None)
    assert chosen is not None
    plan = chosen[1].renamed("NIVI on the grid")
    scenario = load_scenario(default_scenario_path())
    folder = tmp_path_factory.mktemp("grid-page")
    outputs.write_maps(plan, problem, net, folder, scenario=scenario)
    muni, mins, adj = problem.to_frames()
    outputs.write_inputs(muni, mins, adj, folder / "inputs")
    outputs.write_functional_inputs(problem, folder / "inputs")
    return {"problem": problem, "plan": plan, "scenario": scenario, "folder": folder,
            "band": BANDS[request.param]}


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as b:
        yield b


def test_the_payload_holds_the_shares_sparsely(grid_page: dict) -> None:
    problem = grid_page["problem"]
    if problem.reach is None:  # the centre matrix: no cells, the page counts by minutes
        pane = (grid_page["plan"], ev.evaluate(grid_page["plan"], problem), {}, frozenset())
        payload = editor.editor_payload(problem, [pane], centres=[(0.0, 0.0)] * problem.n)
        assert not payload.get("reach")
        return
    pane = (grid_page["plan"], ev.evaluate(grid_page["plan"], problem), {}, frozenset())
    rows = editor.editor_payload(problem, [pane], centres=[(0.0, 0.0)] * problem.n)["reach"]
    assert len(rows) == problem.n
    for i, row in enumerate(rows):
        cores = row[0::4]
        assert cores == sorted(cores) and all(problem.reach[-1, i, j] > 0 for j in cores)
        assert int((problem.reach[-1, i] > 0).sum()) == len(cores)
        for k in range(0, len(row), 4):
            assert row[k + 1:k + 4] == [float(v) for v in problem.reach[:, i, row[k]]]
    assert json.loads(json.dumps(rows)) == rows  # the very same doubles through JSON


def _python(plan: Any, problem: Any, scenario: Any) -> dict[str, Any]:
    m = ev.evaluate(plan, problem)
    d = report.metrics_to_dict(m)
    rows = report.criteria_to_dict(criteria.criteria_table(m, problem, scenario))["rows"]
    return {"summary": {k: d["summary"][k] for k in WITHIN_COLUMNS},
            "regions": [{k: r[k] for k in ("region", *WITHIN_COLUMNS)} for r in d["regions"]],
            "criteria": [r for r in rows if r["criterion"] in criteria.INFORMATION]}


def _page(page: OfflinePage) -> dict[str, Any]:
    return page.js("""(cols) => { const m = regionopt.metrics();
        const pick = (o, ks) => Object.fromEntries(ks.map(k => [k, o[k]]));
        return {summary: pick(m, cols),
                regions: regionopt.regions().map(r => pick(r, ['region'].concat(cols))),
                criteria: regionopt.criteria().filter(r => cols.includes(r.criterion))}; }""",
                   list(WITHIN_COLUMNS))


@pytest.mark.browser
def test_the_page_recomputes_pythons_shares_after_edits(browser: Any, grid_page: dict,
                                                        tmp_path: Path) -> None:
    problem, scenario = grid_page["problem"], grid_page["scenario"]
    page = OfflinePage(browser, grid_page["folder"] / "map.html", size=(1500, 1000),
                       ready="window.regionopt && typeof regionopt.metrics === 'function'")
    start = _python(grid_page["plan"], problem, scenario)
    assert _page(page) == start
    assert {r["band"] for r in _page(page)["criteria"]} == {grid_page["band"]}
    pct = f"{100 * start['summary']['inhabitants_within_60']:.1f}".replace(".", ",")
    assert f"innen 60 min fra kjernen: {pct} %" in page.page.inner_text(".rg-head")
    rng = random.Random(29)
    nbrs = problem.neighbours()
    path = tmp_path / "edited.csv"
    for step in range(10):
        regions = page.js("regionopt.regions().map(r => [r.region, r.member_codes])")
        region_of = {c: r for r, codes in regions for c in codes.split(";")}
        i = rng.randrange(problem.n)
        targets = sorted({region_of[problem.codes[j]] for j in nbrs[i]}
                         - {region_of[problem.codes[i]]})
        target = rng.choice(targets) if targets else f"Ny {step}"
        page.js("([c, r]) => regionopt.assign(c, r)", [problem.codes[i], target])
        if step % 3 == 2:  # now and then a new core
            code = problem.codes[rng.randrange(problem.n)]
            page.js("c => regionopt.setCore(regionopt.regions().find(r => "
                    "r.member_codes.split(';').includes(c)).region, c)", code)
        path.write_text(page.js("regionopt.exportCsv()"), encoding="utf-8")
        plan = read_plan(path, problem=problem)
        assert _page(page) == _python(plan, problem, scenario), step
    shown = page.js("""() => Object.fromEntries([...document.querySelectorAll(
        '.rg-ed-figures tr[data-metric]')].map(tr => [tr.dataset.metric,
        tr.querySelector('.rg-ed-live').textContent]))""")
    cli = subprocess.run([sys.executable, "-m", "regionopt", "evaluate", "--plan", str(path),
                          "--inputs", str(grid_page["folder"] / "inputs"), "--quiet"],
                         capture_output=True, text=True, check=True, env=os.environ.copy())
    printed = dict(re.findall(r"^(\w+): (.+)$", cli.stdout, re.MULTILINE))
    for metric in WITHIN_COLUMNS:
        assert shown[metric].replace(",", ".") == printed[metric], metric
    assert page.clean()
    page.page.close()
