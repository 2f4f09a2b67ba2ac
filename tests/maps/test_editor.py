"""The plan editor (regionopt.maps.editor, editor.js, editor_metrics.js) in real headless Chromium.

A real solve of the default scenario is written with ``outputs.write_solution`` (as
``regionopt solve`` does); its pages are opened with every non-file request aborted and
counted. Municipalities are moved through ``window.regionopt`` and by mouse; after every
edit the page's figures, audit and criteria are checked against regionopt.evaluate of the
plan the page exports, read back with ``read_plan``; the export is scored again by the CLI
(``regionopt evaluate --plan FILE --inputs DIR``), whose printed digits must be the page's.
"""

from __future__ import annotations

import dataclasses
import json
import os
import random
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from chromium import OfflinePage, chromium

from regionopt import api
from regionopt.data import reference
from regionopt.errors import DataError
from regionopt.evaluate import criteria, report
from regionopt.evaluate import metrics as ev
from regionopt.evaluate import scenario_audit as au
from regionopt.maps import editor, outputs
from regionopt.maps import html as viz
from regionopt.model.families import FAMILIES
from regionopt.model.rules import resolve_rules
from regionopt.plan import Plan, read_plan
from regionopt.scenario import default_scenario_path, load_scenario, replace_key

XSS = "<img src=x onerror=alert(1)>"
REPO = Path(__file__).resolve().parents[2]


# --------------------------------------------------------------------------- without a browser

def test_minutes_travel_as_24_bit_hundredths_exactly() -> None:
    minutes = np.array([[0.0, 12.34, np.inf], [12.35, 0.0, 1677.72], [0.01, 99.99, 0.0]])
    raw = np.frombuffer(__import__("base64").b64decode(editor.encode_minutes(minutes)), "uint8")
    values = raw.reshape(-1, 3).astype("int64") @ np.array([1, 256, 65536])
    back = np.where(values == editor.NO_ROUTE, np.inf, values / 100).reshape(3, 3)
    assert np.array_equal(back, minutes)  # the very same doubles, inf included
    with pytest.raises(DataError, match=r"rounded to 0\.01"):
        editor.encode_minutes(np.array([[0.0, 1.234]]))
    with pytest.raises(DataError, match="outside"):
        editor.encode_minutes(np.array([[0.0, editor.MAX_MINUTES + 1]]))


def test_every_family_with_an_audit_has_a_check_in_the_page() -> None:
    checked = {fam.keys[0] for fam in FAMILIES if fam.check is not None}
    assert checked == set(editor.CHECKS)
    script = (REPO / "regionopt" / "maps" / "editor_metrics.js").read_text(encoding="utf-8")
    for name, _ in editor.CHECKS.values():
        assert re.search(rf"^    {name}: function", script, re.MULTILINE), name


def test_the_editor_checks_come_from_the_registry_and_a_missing_step_is_named() -> None:
    gaps = editor.page_check_gaps()
    assert not gaps, "\n".join(gaps)
    assert {key: name for key, (name, _) in editor.CHECKS.items()} == {
        fam.keys[0]: fam.page_check for fam in FAMILIES if fam.check is not None}
    travel = next(f for f in FAMILIES if f.page_check == "travel")
    new = dataclasses.replace(travel, page_check="new_rule")
    script = (REPO / "regionopt" / "maps" / "editor_metrics.js").read_text(encoding="utf-8")
    gaps = editor.page_check_gaps([*FAMILIES, new], script=script)
    assert gaps == [
        "regionopt/model/families/travel.py: page_check 'new_rule' has no parameters; add "
        "\"new_rule\": a function (data, scenario) -> dict of what the page's check reads "
        "(_nothing when it reads none) to PARAMETERS in regionopt/maps/editor.py",
        "regionopt/model/families/travel.py: page_check 'new_rule' has no function in the "
        "page; add \"    new_rule: function (P, plan, ev, spec) { ... }\" to CHECKS in "
        "regionopt/maps/editor_metrics.js, returning the Violations "
        "regionopt/model/families/travel.py words"]
    gaps = editor.page_check_gaps([*FAMILIES, dataclasses.replace(travel, page_check=None)])
    assert gaps == ["regionopt/model/families/travel.py: FAMILY has a check but no page_check; "
                    "add page_check=\"<name>\" to it, then that name's parameters to "
                    "PARAMETERS in regionopt/maps/editor.py and its function to CHECKS in "
                    "regionopt/maps/editor_metrics.js"]


# --------------------------------------------------------------------------- shared solve

@pytest.fixture(scope="module")
def solved(tf_net: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    problem = api.problem_from_network(tf_net)  # with commuting flows and centrality
    scenario = load_scenario(default_scenario_path())
    result = api.solve(problem, scenario, quiet=True)
    folder = outputs.write_solution(result, tf_net, tmp_path_factory.mktemp("solve") / "tf")
    assert result.status == "optimal" and problem.commuting is not None
    return {"net": tf_net, "problem": problem, "scenario": scenario, "result": result,
            "folder": folder, "metrics": json.loads((folder / "metrics.json").read_text())}


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as b:
        yield b


class Page(OfflinePage):
    """A map page with the network blocked and every complaint recorded."""

    def __init__(self, browser: Any, path: Path, *, size: tuple[int, int] = (1500, 1000)) -> None:
        super().__init__(browser, path, size=size,
                         ready="window.regionopt && typeof regionopt.metrics === 'function'")


def _exported(page: Page, problem: Any, tmp_path: Path, name: str = "edited") -> tuple[Path, Plan]:
    path = tmp_path / f"{name}.csv"
    path.write_text(page.js("regionopt.exportCsv()"), encoding="utf-8")
    return path, read_plan(path, problem=problem)


def _python_view(plan: Plan, problem: Any, scenario: Any, optimum: float | None) -> dict:
    metrics = ev.evaluate(plan, problem)
    summary = report.metrics_to_dict(metrics)
    summary["summary"].pop("plan")
    for row in summary["regions"]:
        row.pop("plan", None)
    audit = report.audit_to_dict(au.audit(plan, problem, scenario, optimum=optimum))
    rows = report.criteria_to_dict(criteria.criteria_table(metrics, problem, scenario))["rows"]
    return {"summary": summary["summary"], "regions": summary["regions"],
            "violations": audit["violations"], "gap": audit["gap_percent"], "criteria": rows}


def _page_view(page: Page) -> dict:
    view = page.js("""() => { const m = regionopt.metrics(); delete m.plan;
        const a = regionopt.audit();
        return {summary: m, regions: regionopt.regions(), violations: a.violations,
                gap: a.gap_percent, criteria: regionopt.criteria()}; }""")
    return view


def _neighbours(problem: Any) -> list[list[int]]:
    return problem.neighbours()


# --------------------------------------------------------------------------- in the browser

@pytest.mark.browser
def test_moves_through_the_api_give_pythons_figures(browser: Any, solved: dict,
                                                    tmp_path: Path) -> None:
    problem, scenario = solved["problem"], solved["scenario"]
    optimum = float(solved["result"].terms["travel"])
    page = Page(browser, solved["folder"] / "compare_nivi.html")
    start = page.js("(() => { const m = regionopt.metrics(); delete m.plan; return m; })()")
    published = dict(solved["metrics"]["plan"])
    published.pop("plan")
    assert start == published  # the page's own figures are metrics.json's
    rng = random.Random(13)
    nbrs = _neighbours(problem)
    for step in range(12):  # moves to a neighbouring region: mostly valid, some splitting
        regions = page.js("regionopt.regions().map(r => [r.region, r.member_codes])")
        region_of = {c: r for r, codes in regions for c in codes.split(";")}
        i = rng.randrange(problem.n)
        targets = sorted({region_of[problem.codes[j]] for j in nbrs[i]}
                         - {region_of[problem.codes[i]]})
        target = rng.choice(targets) if targets else f"Ny {step}"
        page.js("([c, r]) => regionopt.assign(c, r)", [problem.codes[i], target])
        if step % 4 == 3:  # now and then a new core
            code = problem.codes[rng.randrange(problem.n)]
            page.js("c => regionopt.setCore(regionopt.regions().find(r => "
                    "r.member_codes.split(';').includes(c)).region, c)", code)
        _, plan = _exported(page, problem, tmp_path)
        assert _page_view(page) == _python_view(plan, problem, scenario, optimum), step
    assert page.js("regionopt.edited()") and len(page.js("regionopt.moved()")) > 0
    assert page.clean()
    page.page.close()


@pytest.mark.browser
def test_export_is_scored_by_the_cli_to_the_figures_the_page_shows(browser: Any, solved: dict,
                                                                  tmp_path: Path) -> None:
    problem = solved["problem"]
    page = Page(browser, solved["folder"] / "compare_nivi.html")
    # Kvænangen to Tromsø's region (it must stay with Alta: the audit names the must-link)
    tromso = page.js("regionopt.regions().find(r => r.core === '5501').region")
    page.js("r => regionopt.assign('5546', r)", tromso)
    shown = page.js("""() => Object.fromEntries([...document.querySelectorAll(
        '.rg-ed-figures tr[data-metric]')].map(tr => [tr.dataset.metric,
        tr.querySelector('.rg-ed-live').textContent]))""")
    violations = page.js("[...document.querySelectorAll('.rg-ed-violations li')]"
                         ".map(li => li.textContent)")
    path, _ = _exported(page, problem, tmp_path)
    inputs = solved["folder"] / "inputs"
    cli = subprocess.run([sys.executable, "-m", "regionopt", "evaluate", "--plan", str(path),
                          "--inputs", str(inputs), "--quiet"],
                         capture_output=True, text=True, check=True, env=os.environ.copy())
    printed = dict(re.findall(r"^(\w+): (.+)$", cli.stdout, re.MULTILINE))
    for metric in ("person_minutes", "smallest_region_population", "max_minutes",
                   "mean_minutes_per_inhabitant", "population_cv", "largest_region_population",
                   "regions_not_connected"):
        # bokmål groups with no-break spaces and a decimal comma; the CLI with , and .
        page_digits = shown[metric].replace("\u00a0", "").replace(",", ".")
        assert page_digits == printed[metric].replace(",", ""), (metric, printed[metric])
    assert any("constraints.must_link" in v and "5546-5601" in v for v in violations)
    assert page.clean()
    page.page.close()


@pytest.mark.browser
def test_a_click_moves_a_municipality(browser: Any, solved: dict) -> None:
    page = Page(browser, solved["folder"] / "map.html")
    row = solved["net"].municipalities.set_index("kommunenummer").loc["5546"]
    page.page.click(".rg-ed-mode")
    x, y = page.js("""([lat, lon]) => { const m = window.regionoptMaps[0];
        const p = m.latLngToContainerPoint([lat, lon]);
        const r = m.getContainer().getBoundingClientRect();
        return [r.left + p.x, r.top + p.y]; }""",
                   [float(row["centre_lat"]), float(row["centre_lon"])])
    page.page.mouse.click(x, y)
    assert "Kvænangen (5546)" in page.page.inner_text(".rg-ed-selected")
    before = page.js("regionopt.metrics()")
    target = page.js("regionopt.regions().find(r => r.core === '5542' || r.core === '5501')"
                     ".region")
    page.page.select_option(".rg-ed-to", target)
    page.page.click(".rg-ed-move")
    assert page.js("regionopt.moved()") == ["5546"]
    assert "1" in page.page.inner_text(".rg-ed-status")
    assert page.js("regionopt.metrics()") != before
    stroke = page.js("""() => { const l = regionopt.editorState.panes[0].munis.getLayers()
        .find(l => l.feature.id === '5546'); return l.options.color; }""")
    assert stroke in ("#e8590c", "#c92a2a", "#1864ab")  # moved, cut off, or still selected
    page.page.keyboard.press("Escape")
    # the keyboard way: find Tromsø in the searchable list, make it ... the core it already is
    page.page.fill(".rg-ed-find", "Tromsø (5501)")
    page.page.press(".rg-ed-find", "Enter")
    assert "Tromsø (5501)" in page.page.inner_text(".rg-ed-selected")
    assert page.clean()
    page.page.close()


def _cut_vertex(problem: Any, plan: Plan) -> tuple[str, str]:
    """A non-core member whose departure splits its region, and a neighbouring region."""
    from regionopt.model.contiguity import is_connected

    nbrs = problem.neighbours()
    for region in plan.regions:
        members = [problem.index(c) for c in plan.members(region)]
        core = problem.index(plan.cores[region])
        for m in members:
            rest = [i for i in members if i != m]
            if m != core and len(rest) > 1 and not is_connected(rest, nbrs):
                others = sorted({plan.assignment[problem.codes[j]] for j in nbrs[m]} - {region})
                if others:
                    return problem.codes[m], others[0]
    raise AssertionError("no region of the plan can be split by one move")


@pytest.mark.browser
def test_a_split_region_is_flagged_with_its_parts(browser: Any, solved: dict,
                                                  tmp_path: Path) -> None:
    problem, plan = solved["problem"], solved["result"].plan
    code, target = _cut_vertex(problem, plan)
    page = Page(browser, solved["folder"] / "map.html")
    region = plan.renamed("x").assignment[code]
    names = dict(zip(problem.codes, problem.names, strict=True))
    # the plan in the page is the solve's plan under its display name; regions are the same
    page.js("([c, r]) => regionopt.assign(c, r)", [code, target])
    split = page.js("regionopt.split()")
    assert [s["region"] for s in split] == [region]
    parts = split[0]["parts"]
    assert len(parts) >= 2 and plan.cores[region] in parts[0]
    assert sorted(c for p in parts for c in p) == sorted(c for c in plan.members(region)
                                                         if c != code)
    text = page.page.inner_text(".rg-ed-split")
    assert region in text and all(names[c] in text for p in parts for c in p)
    assert page.js("regionopt.metrics().regions_not_connected") == 1
    violations = page.js("regionopt.audit().violations")
    assert {"constraint": "constraints.contiguity", "where": region,
            "detail": f"region {region} is not connected in the adjacency graph"} in violations
    _, exported = _exported(page, problem, tmp_path)
    assert ev.evaluate(exported, problem).summary["regions_not_connected"] == 1
    cut = page.js("""() => regionopt.editorState.panes[0].munis.getLayers()
        .filter(l => l.options.color === '#c92a2a').map(l => l.feature.id).sort()""")
    assert cut == sorted(c for p in parts[1:] for c in p)
    assert page.clean()
    page.page.close()


@pytest.mark.browser
def test_undo_redo_and_reset_return_the_optimums_figures_exactly(browser: Any,
                                                                 solved: dict) -> None:
    page = Page(browser, solved["folder"] / "map.html")
    original = page.js("regionopt.metrics()")
    csv = page.js("regionopt.exportCsv()")
    first = page.js("regionopt.assign('5546', regionopt.regions().find(r => r.core === '5501')"
                    ".region)")
    page.js("regionopt.newRegion('5501', 'Nord')")
    page.js("regionopt.setCore(regionopt.regions().find(r => r.core === '5503').region, '5510')")
    edited = page.js("regionopt.metrics()")
    assert page.js("document.body.classList.contains('rg-plan-edited')")
    assert page.js("regionopt.undo()") != edited
    assert page.js("regionopt.redo()") == edited
    for _ in range(3):
        page.js("regionopt.undo()")
    assert page.js("regionopt.metrics()") == original and not page.js("regionopt.edited()")
    assert page.js("regionopt.exportCsv()") == csv and first != original
    assert page.js("regionopt.redo()") == first
    page.js("regionopt.reset()")
    assert page.js("regionopt.metrics()") == original and page.js("regionopt.moved()") == []
    assert not page.js("document.body.classList.contains('rg-plan-edited')")
    assert page.js("regionopt.undo()") == first  # a reset can be undone too
    assert page.clean()
    page.page.close()


@pytest.mark.browser
def test_numpys_pairwise_sum_bit_for_bit(browser: Any, solved: dict) -> None:
    page = Page(browser, solved["folder"] / "map.html")
    rng = np.random.default_rng(7)
    for n in (1, 7, 8, 9, 100, 128, 129, 357, 1000):
        values = rng.random(n) * rng.integers(1, 10**6, n)
        assert page.js("a => regionoptMetrics.psum(new Float64Array(a))",
                       values.tolist()) == float(values.sum()), n
    page.page.close()


@pytest.mark.browser
def test_reference_can_be_edited_and_functional_checks_run(browser: Any, solved: dict,
                                                           tmp_path: Path) -> None:
    problem, net = solved["problem"], solved["net"]
    functional = load_scenario(REPO / "data" / "geo" / "scenarios"
                               / "troms-finnmark-functional.toml")
    opt, nivi = solved["result"].plan, reference.nivi_2023(problem)
    munis = net.municipalities.copy()
    munis.loc[munis["kommunenummer"] == "5546", "name"] = XSS
    bad = dataclasses.replace(problem, names=tuple(
        XSS if c == "5546" else n for c, n in zip(problem.codes, problem.names, strict=True)))
    path = viz.write_compare_map(
        opt, nivi, munis, path=tmp_path / "compare.html", metrics_a=ev.evaluate(opt, bad),
        metrics_b=ev.evaluate(nivi, bad), comparison=ev.compare(opt, nivi, bad), lang="en",
        problem=bad, scenario=functional, **outputs.map_layers(net))
    page = Page(browser, path)
    assert page.js("regionopt.edit('reference')") == "reference"
    assert page.page.input_value(".rg-ed-target") == "1"
    region = nivi.assignment["5601"]
    page.js("r => regionopt.assign('5546', r)", nivi.assignment["5501"])
    _, plan = _exported(page, bad, tmp_path)
    assert plan.assignment["5546"] == nivi.assignment["5501"] != region
    assert _page_view(page) == _python_view(plan, bad, functional, None)
    assert "Edited plan" in page.page.inner_text(".rg-editor")  # English labels
    page.js("regionopt.select('5546')")
    assert XSS in page.page.inner_text(".rg-ed-selected")
    assert page.js("document.querySelectorAll('img[src=x]').length") == 0
    page.js("regionopt.edit('proposal')")
    assert page.js("regionopt.moved()") == []  # the proposal was not touched
    assert page.clean()
    page.page.close()


@pytest.mark.browser
def test_a_region_without_employed_or_jobs_has_pythons_self_containment(
        browser: Any, solved: dict, tmp_path: Path) -> None:
    """Self-containment of an empty region is 1 in the page as in Python (docs/metrics.md):
    5546 made a region of its own after its commuting is removed (E = J = 0)."""
    problem, net = solved["problem"], solved["net"]
    functional = load_scenario(REPO / "data" / "geo" / "scenarios"
                               / "troms-finnmark-functional.toml")
    c, k = problem.commuting, problem.index("5546")
    flows, employed, jobs = c.flows.copy(), c.employed.copy(), c.jobs.copy()
    flows[k, :] = flows[:, k] = 0
    employed[k] = jobs[k] = 0
    empty = dataclasses.replace(problem, commuting=dataclasses.replace(
        c, flows=flows, employed=employed, jobs=jobs))
    opt = solved["result"].plan
    path = viz.write_plan_map(opt, net.municipalities, path=tmp_path / "plan.html",
                              metrics=ev.evaluate(opt, empty), problem=empty,
                              scenario=functional, **outputs.map_layers(net))
    page = Page(browser, path)
    page.js("regionopt.assign('5546', 'Tom')")
    _, plan = _exported(page, empty, tmp_path)
    rows = {r["region"]: r for r in _page_view(page)["regions"]}
    assert rows["Tom"]["employed"] == rows["Tom"]["jobs"] == 0
    assert rows["Tom"]["self_containment"] == 1.0
    assert _page_view(page) == _python_view(plan, empty, functional, None)
    assert page.clean()
    page.page.close()


@pytest.mark.browser
def test_long_distance_members_in_the_page_as_in_python(browser: Any, solved: dict,
                                                         tmp_path: Path) -> None:
    """kommuneregioner.toml on Troms og Finnmark: the long-distance members' notes in the
    criteria table and their limit in the audit, in the page as in Python, before and after
    Hasvik is moved to the Tromsø region (beyond its long-distance limit)."""
    problem, net = solved["problem"], solved["net"]
    rules = resolve_rules(problem, load_scenario(REPO / "data" / "geo" / "scenarios"
                                                 / "kommuneregioner.toml"))
    result = api.solve(problem, rules, quiet=True)
    opt = result.plan
    path = viz.write_plan_map(opt, net.municipalities, path=tmp_path / "plan.html",
                              metrics=ev.evaluate(opt, problem), problem=problem,
                              scenario=rules, **outputs.map_layers(net))
    page = Page(browser, path)
    for step in range(2):
        _, plan = _exported(page, problem, tmp_path, name=f"edited{step}")
        view = _page_view(page)
        assert view == _python_view(plan, problem, rules, None)
        notes = " ".join(row["note"] for row in view["criteria"])
        assert "Hasvik (5616) is a long-distance member" in notes
        page.js("r => regionopt.assign('5616', r)", opt.assignment["5501"])
    assert "constraints.long_distance_minutes" in {v["constraint"] for v in view["violations"]}
    assert page.clean()
    page.page.close()


@pytest.mark.browser
def test_frontier_rules_are_audited_in_the_page_as_in_python(
        browser: Any, solved: dict, tmp_path: Path) -> None:
    """The criterion count, the criterion above a worker size, the kept-commuter floor, the
    person-minute budget and the median-region floor (the frontier's and the dominance's
    families) give the page the audit Python gives,
    before and after a move, with every rule broken."""
    problem, net = solved["problem"], solved["net"]
    strict = load_scenario(REPO / "data" / "geo" / "scenarios" / "troms-finnmark-functional.toml")
    for key, value in {"constraints.min_criterion_regions": 12,
                       "constraints.criterion_above_workers": 500,
                       "constraints.min_kept_share": 0.99,
                       "constraints.max_person_minutes": 1000.0,
                       "constraints.min_median_self_containment": 0.95,
                       "criteria.self_containment": 0.9,
                       "criteria.self_containment_large": 0.85}.items():
        strict = replace_key(strict, key, value)
    opt = solved["result"].plan
    path = viz.write_plan_map(opt, net.municipalities, path=tmp_path / "plan.html",
                              metrics=ev.evaluate(opt, problem), problem=problem,
                              scenario=strict, **outputs.map_layers(net))
    page = Page(browser, path)
    keys = {v["constraint"] for v in _page_view(page)["violations"]}
    assert {"constraints.min_criterion_regions", "constraints.criterion_above_workers",
            "constraints.min_kept_share", "constraints.max_person_minutes",
            "constraints.min_median_self_containment"} <= keys
    assert page.js("regionopt.audit().unchecked") == []
    for step in range(2):
        _, plan = _exported(page, problem, tmp_path, name=f"edited{step}")
        assert _page_view(page) == _python_view(plan, problem, strict, None)
        page.js("regionopt.assign('5546', 'Ny')")
    assert page.clean()
    page.page.close()


@pytest.mark.browser
def test_screenshot_of_the_edit_mode(browser: Any, solved: dict, tmp_path: Path) -> None:
    """The picture in docs/maps.md (written there with REGIONOPT_WRITE_DOCS=1)."""
    page = Page(browser, solved["folder"] / "compare_nivi.html", size=(1400, 1250))
    tromso = page.js("regionopt.regions().find(r => r.core === '5501').region")
    page.page.click(".rg-ed-mode")
    page.js("r => regionopt.assign('5546', r)", tromso)
    page.js("regionopt.select('5546')")
    page.page.wait_for_timeout(400)
    legend = page.js("[...document.querySelectorAll('#rg-legend-0 .rg-legend-name')]"
                     ".map(e => e.textContent)")
    assert legend == page.js("regionopt.regions().map(r => r.region)")  # follows the edit
    shot = tmp_path / "editor.png"
    box = page.page.locator(".rg-editor").bounding_box()
    page.page.screenshot(path=str(shot), full_page=True,
                         clip={"x": 0, "y": 0, "width": 1400, "height": box["y"] + box["height"]})
    assert shot.stat().st_size > 50_000
    if os.environ.get("REGIONOPT_WRITE_DOCS") == "1":
        shutil.copyfile(shot, REPO / "docs" / "maps-editor.png")
    assert page.clean()
    page.page.close()
