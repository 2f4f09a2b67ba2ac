"""The plan map's service layer: each service's areas and hosts, each region's hosting.

:func:`services_payload` turns a plan's service analysis
(:mod:`regionopt.evaluate.services`) into the page's data;
:func:`attach_services` adds the panel and the call of ``services.js``
(shipped beside this module), which draws the selected service's areas and
hosts and the selected region's hosting table. The labels live here, in
both languages, so the layer stays in one place.
"""

from __future__ import annotations

import functools
import html
from collections.abc import Mapping
from importlib import resources
from typing import Any

import geopandas as gpd
from branca.element import Element

from regionopt.errors import DataError
from regionopt.evaluate.services import ServiceAnalysis, region_hosting, service_hosts
from regionopt.maps.assets import Block, Call

SCRIPT = "services.js"
LABELS: Mapping[str, Mapping[str, Any]] = {
    "nb": {"title": "Tjenester", "service": "Tjeneste", "none": "— ingen tjeneste —",
           "region": "Region", "pick_region": "— vertskap i regionen —", "host": "Vert",
           "inhabitants": "innbyggere", "longest": "lengste reise", "areas": "områder",
           "within": "innen 45/60/75 min fra verten",
           "meeting": "oppfyller kravene", "min": "minst", "max": "høyst",
           "columns": ["Kommune", "Tjenester", "Årsverk", "Andel", "Andel innbyggere",
                       "Andel, alt i kjernen"]},
    "en": {"title": "Services", "service": "Service", "none": "— no service —",
           "region": "Region", "pick_region": "— hosting in the region —", "host": "Host",
           "inhabitants": "inhabitants", "longest": "longest trip", "areas": "areas",
           "within": "within 45/60/75 min of the host",
           "meeting": "meet the rules", "min": "at least", "max": "at most",
           "columns": ["Municipality", "Services", "Staff", "Share", "Population share",
                       "Share, all at the core"]},
}


@functools.lru_cache(maxsize=1)
def services_js() -> str:
    """Return ``services.js`` (shipped in the package), to inline in the page.

    Raises
    ------
    DataError
        If the script contains ``</script``.
    """
    text = (resources.files("regionopt.maps") / SCRIPT).read_text(encoding="utf-8")
    if "</script" in text.lower():
        raise DataError(f"regionopt/maps/{SCRIPT}: contains '</script' and cannot be inlined")
    return text


def _rule(s: Any, lab: Mapping[str, Any]) -> str:
    parts = [f"{lab['min']} {s.floor:,}".replace(",", " ")]
    if s.max_population is not None:
        parts.append(f"{lab['max']} {s.max_population:,}".replace(",", " "))
    if s.limit is not None:
        parts.append(f"≤ {s.limit:.0f} min")
    return ", ".join(parts)


def services_payload(a: ServiceAnalysis, *, lang: str = "nb") -> dict[str, Any]:
    """The page's data: services with their areas, and each region's hosting rows."""
    lab = LABELS.get(lang, LABELS["nb"])
    hosts = service_hosts(a)
    return {"services": [{"key": sa.service.key, "name": sa.service.name,
                          "rule": _rule(sa.service, lab), "areas": hosts[sa.service.key]}
                         for sa in a.areas],
            "regions": dict(region_hosting(a)), "labels": dict(lab)}


def attach_services(fig: Element, m: Element, layer: Element, payload: Mapping[str, Any],
                    munis: gpd.GeoDataFrame) -> None:
    """Add the service panel and its script to the page ``fig``.

    ``m`` is the map, ``layer`` its municipality layer.

    ``munis`` places the host markers at the administrative centres.
    """
    centres = {str(r.kommunenummer): [round(float(r.centre_lat), 5),
                                      round(float(r.centre_lon), 5), str(r.name)]
               for r in munis.itertuples()}
    title = str(payload.get("labels", {}).get("title", "Services"))
    fig.add_child(Block(f'<section class="rg-services" id="rg-services" '
                        f'aria-label="{html.escape(title)}"></section>'
                        f"<script>{services_js()}</script>"))
    m.add_child(Call("services", m, layer, payload={**payload, "centres": centres}))
