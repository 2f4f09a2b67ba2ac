"""regionopt.maps.outputs on a national solve: the reference beside the plan is chosen by the area.

A solve of ``data/geo/scenarios/norway.toml`` (all 357 municipalities; the solve itself takes
seconds) writes ``compare_ba-2020.html``, the plan beside the BA-regioner 2020, and no NIVI page
(NIVI's plan covers Troms og Finnmark only). The page is opened from its file in Debian's headless
Chromium with every non-file request aborted: it must draw both panes with every municipality,
ask for nothing online and log no error.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from chromium import OfflinePage, chromium

pytestmark = [pytest.mark.slow, pytest.mark.browser]

def test_national_solve_writes_the_ba_2020_comparison_and_it_renders_offline(
        data_dir: Path, tmp_path: Path) -> None:
    import regionopt.api as ro
    from regionopt._resources import geo_dir

    scenario = ro.load_scenario(geo_dir() / "scenarios" / "norway.toml")
    net = ro.network_for_scenario(scenario, data_dir=data_dir, progress=False)
    problem = ro.problem_from_network(net)
    result = ro.solve(problem, scenario, quiet=True)
    assert result.plan is not None
    plan_regions = len(result.plan.regions)
    folder = ro.write_solution(result, net, tmp_path / "norway")

    pages = sorted(p.name for p in folder.glob("compare_*.html"))
    assert pages == ["compare_ba-2020.html"]
    reference = json.loads((folder / "metrics.json").read_text(encoding="utf-8"))["reference"]
    assert reference["plan"] == "BA-regioner 2020" and reference["regions"] == 159
    ba = ro.reference_plan(problem, "ba-2020")
    assert ba is not None and len(ba.regions) == 159
    ba_regions = len(ba.regions)

    with chromium() as browser:
        page = OfflinePage(browser, folder / "compare_ba-2020.html",
                           ready="window.regionoptMaps && window.regionoptMaps.length === 2")
        counts = page.js("""() => [...document.querySelectorAll('.folium-map')]
            .map(d => d.querySelectorAll('path.rg-muni').length)""")
        legends = page.js("""() => [...document.querySelectorAll('.rg-legend')]
            .map(d => d.querySelectorAll('.rg-legend-name').length)""")
        table = page.page.locator("table").first.inner_text()
        requests, errors = page.requests, page.errors
    assert counts == [len(net.municipalities)] * 2 == [357, 357]
    assert legends == [plan_regions, ba_regions]
    assert "BA-regioner 2020" in table
    assert requests == [] and errors == []
