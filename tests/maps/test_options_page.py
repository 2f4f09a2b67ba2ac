"""Tests of regionopt.maps.options: the directions on the map, in real Chromium, offline.

Kvænangen's directions under the Troms og Finnmark functional scenario: clicking it lists
them with their prices; loading one puts that direction's exact plan into the editor (the
exported CSV is Python's plan, the live figures Python's); the swing layer colours it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from chromium import OfflinePage, chromium

from regionopt import api
from regionopt._resources import geo_file
from regionopt.evaluate.metrics import evaluate
from regionopt.evaluate.report import metrics_to_dict
from regionopt.maps.options import options_js, options_page, options_payload
from regionopt.maps.outputs import map_layers
from regionopt.plan import read_plan
from regionopt.scenario import load_scenario
from regionopt.sweep.options.price import plan_of
from regionopt.sweep.options.run import run_options


@pytest.fixture(scope="module")
def page_file(tf_net: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    scenario = load_scenario(geo_file("scenarios", "troms-finnmark-functional.toml"))
    problem = api.problem_from_network(tf_net)
    out = tmp_path_factory.mktemp("options")
    run = run_options(scenario, ["5546"], problem=problem, out_dir=out, max_workers=1,
                      progress=False, prune=True)
    plan = run.base.plan(problem)
    metrics = evaluate(plan, problem)
    payload = options_payload(problem, plan, run.records, base_objective=run.base.objective)
    text = options_page(plan, tf_net.municipalities, metrics=metrics, problem=problem,
                        scenario=run.scenario, payload=payload,
                        optimum=float(metrics.summary["person_minutes"]), **map_layers(tf_net))
    path = out / "options.html"
    path.write_text(text, encoding="utf-8")
    return {"path": path, "run": run, "problem": problem, "net": tf_net, "payload": payload}


def _published(plan: Any, problem: Any) -> dict[str, Any]:
    return dict(metrics_to_dict(evaluate(plan, problem))["summary"])


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as b:
        yield b


def test_the_payload_rebuilds_every_plan_exactly(page_file: dict[str, Any]) -> None:
    problem, run, payload = page_file["problem"], page_file["run"], page_file["payload"]
    page = run.base.plan(problem)
    rec = run.records["5546"]
    for d in payload["munis"]["5546"]["directions"]:
        if d["plan"] is None:
            assert d["status"] not in ("optimal", "time_limit")
            continue
        spec = payload["plans"][d["plan"]]
        region = dict(page.assignment)
        region.update({problem.codes[i]: r for i, r in spec["diff"]})
        cores = {r: c for r, c in page.cores.items() if r not in spec["drop"]}
        cores.update({r: problem.codes[k] for r, k in spec["cores"].items()})
        want = plan_of(problem, rec["plans"][d["direction"]], "x")
        assert region == dict(want.assignment) and cores == dict(want.cores)
    assert "</script" not in options_js().lower()


@pytest.mark.browser
def test_a_click_lists_the_directions_and_one_loads_into_the_editor(
        browser: Any, page_file: dict[str, Any], tmp_path: Path) -> None:
    problem, run = page_file["problem"], page_file["run"]
    s = OfflinePage(browser, page_file["path"],
                    ready="window.regionopt && typeof regionopt.loadOption === 'function'")
    row = page_file["net"].municipalities.set_index("kommunenummer").loc["5546"]
    x, y = s.js("""([lat, lon]) => { const m = window.regionoptMaps[0];
        const p = m.latLngToContainerPoint([lat, lon]);
        const r = m.getContainer().getBoundingClientRect();
        return [r.left + p.x, r.top + p.y]; }""",
                [float(row["centre_lat"]), float(row["centre_lon"])])
    s.page.mouse.click(x, y)
    listed = s.js("[...document.querySelectorAll('.rg-opt-table tr[data-direction]')]"
                  ".map(tr => [tr.dataset.direction, tr.dataset.status])")
    rows = run.table
    assert listed == [[r.direction, r.status] for r in rows.itertuples()]
    assert len([d for d in listed if d[1] == "optimal"]) >= 2
    page_cores = list(run.base.cores)  # load a direction whose plan is not the page's
    other = next(r for r in rows.itertuples() if r.status == "optimal"
                 and run.records["5546"]["plans"][r.direction] != page_cores)
    s.page.click(f".rg-opt-table tr[data-direction='{other.direction}'] .rg-opt-load")
    exported = tmp_path / "loaded.csv"
    exported.write_text(s.js("regionopt.exportCsv()"), encoding="utf-8")
    loaded = read_plan(exported, problem=problem)
    want = plan_of(problem, run.records["5546"]["plans"][other.direction], "x")
    assert loaded.labels(problem).tolist() == want.labels(problem).tolist()
    live = s.js("regionopt.metrics().person_minutes")
    # the page's figures are metrics.json's (metrics_to_dict), exactly
    assert live == _published(loaded, problem)["person_minutes"]
    assert live != _published(run.base.plan(problem), problem)["person_minutes"]
    assert s.js("regionopt.undo().person_minutes") == _published(
        run.base.plan(problem), problem)["person_minutes"]
    cheapest = min(r.price for r in rows.itertuples() if r.status == "optimal" and not r.current)
    assert s.js("regionopt.swing('5546')")["price"] == pytest.approx(cheapest)
    assert s.js("regionopt.swingLayer(true)") is True
    assert s.clean()
    s.page.close()
