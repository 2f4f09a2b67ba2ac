"""The plan map's service layer in real headless Chromium, offline.

NIVI's plan for Troms og Finnmark with the catalogue's services: the selector lists every
service, choosing one draws every municipality in its area's colour and a marker per host,
the region selector shows each member's hosted staff against its population share, and
the page makes no request and logs no error.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from chromium import OfflinePage, chromium

from regionopt.catalogue import load_catalogue
from regionopt.data import reference
from regionopt.evaluate import metrics as evaluate
from regionopt.evaluate.services import analyse_services, service_defaults
from regionopt.maps import html as viz
from regionopt.maps.services import services_js, services_payload
from regionopt.scenario import SolverConfig

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def page_file(tf_net, tf_net_problem, tmp_path_factory) -> tuple[Path, Any]:
    plan = reference.nivi_2023(tf_net_problem)
    scenario = dataclasses.replace(service_defaults(), solver=SolverConfig(name="highs"))
    analysis = analyse_services(plan, tf_net_problem, scenario)
    path = tmp_path_factory.mktemp("map") / "map.html"
    viz.write_plan_map(plan, tf_net.municipalities, path=path,
                       metrics=evaluate.evaluate(plan, tf_net_problem),
                       services=services_payload(analysis, lang="en"))
    return path, analysis


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as b:
        yield b


def test_service_layer_draws_areas_hosts_and_hosting(browser: Any, page_file) -> None:
    path, analysis = page_file
    page = OfflinePage(browser, path, ready="window.regionopt && window.regionopt.showService")
    options = page.js("[...document.querySelectorAll('#rg-service-select option')]"
                      ".map(o => o.value)")
    assert options == ["", *(s.key for s in load_catalogue())]
    for sa in analysis.areas[:3]:
        state = page.js("k => window.regionopt.showService(k)", sa.service.key)
        assert state["areas"] == len(sa.areas)
        assert state["drawn"] == len(analysis.data.codes)
        assert state["unmet"] == sum(not a.meets for a in sa.areas)
        assert len(state["hosts"]) == len(sa.areas)
    hosting = analysis.hosting
    region = max(analysis.plan.regions, key=lambda r: len(analysis.plan.members(r)))
    state = page.js("r => window.regionopt.showHosting(r)", region)
    assert state["rows"] == list(analysis.plan.members(region))
    text = page.page.inner_text("#rg-services table")
    assert "Population share" in text and analysis.data.names[
        analysis.data.index(analysis.plan.cores[region])] in text
    assert page.js("window.regionopt.showService(null).areas") == 0
    assert page.js("window.regionopt.serviceState().region") == region
    assert hosting.status == "optimal"
    assert page.clean(), (page.errors, page.requests, page.dialogs)


def test_script_is_inlined_once() -> None:
    assert "R.services = function" in services_js()
