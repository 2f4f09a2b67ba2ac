"""Labels shown to readers of maps and tables, one dictionary per language.

Norwegian bokmål (``"nb"``) is the default; ``"en"`` is English. Metric keys
of :mod:`regionopt.evaluate` (``person_minutes``, ...) have labels here too, so
that a comparison table reads as prose, not as code.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from regionopt.errors import ScenarioError

DEFAULT_LANG = "nb"

_NB: dict[str, str] = {
    "region": "Region",
    "regions": "Regioner",
    "municipality": "Kommune",
    "municipalities": "Kommuner",
    "population": "Innbyggere",
    "core": "Kjernekommune",
    "cores": "Kjernekommuner",
    "minutes_to_core": "Reisetid til kjernen (min)",
    "moved": "Kommuner som bytter region",
    "moved_none": "Ingen kommuner bytter region.",
    "moved_note": "Tykk stiplet kant: kommunen bytter region",
    "colours_matched_note": "Fargene er valgt for å ligne planen ved siden av ({other}),"
                            " så de kan avvike fra planens eget kart.",
    "from_region": "Fra region",
    "to_region": "Til region",
    "other_plan_region": "Region i den andre planen",
    "roads": "Vegnett brukt",
    "counties": "Fylkesgrenser",
    "metric": "Mål",
    "difference": "Differanse",
    "metrics_title": "Nøkkeltall for begge planene",
    "compare_title": "Regionforslag side om side",
    "plan_title": "Regionforslag",
    "not_reachable": "ikke nåbar",
    "legend_hint": "Innbyggere · kommuner",
    "agreement_title": "Samsvar med {ref}",
    "adjusted_rand_index": "Justert Rand-indeks (1 = lik inndeling)",
    "placed_as_reference": "Kommuner plassert som i {ref}",
    "identical_regions": "Regioner med nøyaktig samme kommuner",
    "of": "av",
    "person_minutes": "Personminutter til kjernen",
    "mean_minutes_per_inhabitant": "Gjennomsnittlig reisetid per innbygger (min)",
    "max_minutes": "Lengste reisetid til kjernen (min)",
    "smallest_region_population": "Minste region (innbyggere)",
    "largest_region_population": "Største region (innbyggere)",
    "population_cv": "Variasjonskoeffisient, innbyggere",
    "regions_not_connected": "Regioner som ikke henger sammen",
    "unreachable_municipalities": "Kommuner uten veg til kjernen",
    "inhabitants_within_45": "Andel innbyggere innen 45 min fra kjernen",
    "inhabitants_within_60": "Andel innbyggere innen 60 min fra kjernen",
    "inhabitants_within_75": "Andel innbyggere innen 75 min fra kjernen",
    "self_containment_min": "Laveste selvforsyning (pendling)",
    "commuting_kept_share": "Andel sysselsatte som jobber i egen region",
    "border_commuters": "Pendlere over regiongrenser",
    "employed": "Sysselsatte (bosted)",
    "jobs": "Arbeidsplasser",
    "weakest_core_class": "Svakeste kjernes sentralitetsklasse",
    "sync_note": "Kartene følger hverandre: flytt eller zoom i det ene, så følger det andre.",
    "png_hidden_labels": "{n} regionnavn er utelatt på kartet der de ville overlappet"
                         " (alle står i tegnforklaringen).",
    "ed_title": "Rediger planen",
    "ed_mode": "Redigeringsmodus",
    "ed_mode_hint": "Klikk en kommune i kartet, eller finn den i lista, og flytt den.",
    "ed_target": "Rediger",
    "ed_find": "Finn kommune",
    "ed_selected": "Valgt",
    "ed_none_selected": "Ingen kommune valgt",
    "ed_move_to": "Flytt til region",
    "ed_move": "Flytt",
    "ed_new_region": "Ny region med kommunen som kjerne",
    "ed_new_region_name": "Navn på den nye regionen",
    "ed_make_core": "Gjør til kjerne i sin region",
    "ed_undo": "Angre",
    "ed_redo": "Gjør om",
    "ed_reset": "Tilbake til {name}",
    "ed_csv": "Last ned CSV",
    "ed_geojson": "Last ned GeoJSON",
    "ed_edited": "Endret plan: {n} kommuner flyttet fra {name}. Tallene under gjelder den endrede"
                 " planen.",
    "ed_unedited": "Planen er som publisert.",
    "ed_live": "Endret plan",
    "ed_original": "Opprinnelig",
    "ed_gap": "Avstand til bevist optimum: {pm} personminutter ({pct} %)",
    "ed_no_optimum": "Ingen bevist optimum å sammenligne med.",
    "ed_split": "Regioner som ikke henger sammen",
    "ed_split_row": "{region} faller i {n} deler: {parts}",
    "ed_violations": "Brudd på scenariets krav ({scenario})",
    "ed_no_violations": "Planen bryter ingen av scenariets krav.",
    "ed_no_scenario": "Ingen scenario følger kartet: bare sammenheng sjekkes.",
    "ed_unchecked": "Sjekkes ikke i kartet: {keys}",
    "ed_moved_note": "Tykk oransje kant: kommunen er flyttet i den endrede planen;"
                     " rød stiplet kant: delen henger ikke sammen med kjernen.",
    "ed_proposal": "forslaget (venstre)",
    "ed_reference": "referansen (høyre)",
    "ed_error_unknown": "Ukjent kommune: {code}",
    "ed_criteria": "Kriterier per region",
    "ed_passed": "oppfylt",
    "ed_failed": "ikke oppfylt",
    "crit_population": "Innbyggere",
    "crit_municipal_minimum": "Minstestørrelse",
    "crit_self_containment": "Selvforsyning",
    "crit_longest_trip": "Lengste reise (min)",
    "crit_mean_trip": "Snittreise (min)",
    "crit_core_centrality_class": "Sentralitet, kjerne",
    "crit_inhabitants_within_45": "Innen 45 min (andel)",
    "crit_inhabitants_within_60": "Innen 60 min (andel)",
    "crit_inhabitants_within_75": "Innen 75 min (andel)",
    "source_note": "Kartgrunnlag: © Kartverket (CC BY 4.0). Innbyggertall: SSB, 1. januar 2024.",
}

_EN: dict[str, str] = {
    "region": "Region",
    "regions": "Regions",
    "municipality": "Municipality",
    "municipalities": "Municipalities",
    "population": "Population",
    "core": "Core municipality",
    "cores": "Core municipalities",
    "minutes_to_core": "Travel time to the core (min)",
    "moved": "Municipalities that change region",
    "moved_none": "No municipality changes region.",
    "moved_note": "Thick dashed edge: the municipality changes region",
    "colours_matched_note": "Colours are matched to the plan beside ({other}),"
                            " so they may differ from this plan's own map.",
    "from_region": "From region",
    "to_region": "To region",
    "other_plan_region": "Region in the other plan",
    "roads": "Road network used",
    "counties": "County borders",
    "metric": "Metric",
    "difference": "Difference",
    "metrics_title": "Key figures for both plans",
    "compare_title": "Region proposals side by side",
    "plan_title": "Region proposal",
    "not_reachable": "not reachable",
    "legend_hint": "Population · municipalities",
    "agreement_title": "Agreement with {ref}",
    "adjusted_rand_index": "Adjusted Rand index (1 = same grouping)",
    "placed_as_reference": "Municipalities placed as in {ref}",
    "identical_regions": "Regions with exactly the same municipalities",
    "of": "of",
    "person_minutes": "Person-minutes to the core",
    "mean_minutes_per_inhabitant": "Mean travel time per inhabitant (min)",
    "max_minutes": "Longest travel time to the core (min)",
    "smallest_region_population": "Smallest region (population)",
    "largest_region_population": "Largest region (population)",
    "population_cv": "Coefficient of variation, population",
    "regions_not_connected": "Regions not connected",
    "unreachable_municipalities": "Municipalities with no route to the core",
    "inhabitants_within_45": "Share of inhabitants within 45 min of the core",
    "inhabitants_within_60": "Share of inhabitants within 60 min of the core",
    "inhabitants_within_75": "Share of inhabitants within 75 min of the core",
    "self_containment_min": "Lowest self-containment (commuting)",
    "commuting_kept_share": "Share of employed working in their own region",
    "border_commuters": "Commuters across region borders",
    "employed": "Employed (residence)",
    "jobs": "Jobs",
    "weakest_core_class": "Weakest core's centrality class",
    "sync_note": "The maps follow each other: pan or zoom one and the other follows.",
    "png_hidden_labels": "{n} region names are left off the map where they would overlap"
                         " (the legend lists all).",
    "ed_title": "Edit the plan",
    "ed_mode": "Edit mode",
    "ed_mode_hint": "Click a municipality on the map, or find it in the list, and move it.",
    "ed_target": "Edit",
    "ed_find": "Find municipality",
    "ed_selected": "Selected",
    "ed_none_selected": "No municipality selected",
    "ed_move_to": "Move to region",
    "ed_move": "Move",
    "ed_new_region": "New region with this municipality as its core",
    "ed_new_region_name": "Name of the new region",
    "ed_make_core": "Make it the core of its region",
    "ed_undo": "Undo",
    "ed_redo": "Redo",
    "ed_reset": "Back to {name}",
    "ed_csv": "Download CSV",
    "ed_geojson": "Download GeoJSON",
    "ed_edited": "Edited plan: {n} municipalities moved from {name}. The figures below are the"
                 " edited plan's.",
    "ed_unedited": "The plan is as published.",
    "ed_live": "Edited plan",
    "ed_original": "Original",
    "ed_gap": "Gap to the proven optimum: {pm} person-minutes ({pct} %)",
    "ed_no_optimum": "No proven optimum to compare with.",
    "ed_split": "Regions that are not connected",
    "ed_split_row": "{region} falls into {n} parts: {parts}",
    "ed_violations": "Constraints of the scenario broken ({scenario})",
    "ed_no_violations": "The plan breaks none of the scenario's constraints.",
    "ed_no_scenario": "No scenario comes with this map: only contiguity is checked.",
    "ed_unchecked": "Not checked in the map: {keys}",
    "ed_moved_note": "Thick orange edge: the municipality moved in the edited plan;"
                     " red dashed edge: the part is cut off from its core.",
    "ed_proposal": "the proposal (left)",
    "ed_reference": "the reference (right)",
    "ed_error_unknown": "Unknown municipality: {code}",
    "ed_criteria": "Criteria per region",
    "ed_passed": "met",
    "ed_failed": "not met",
    "crit_population": "Population",
    "crit_municipal_minimum": "Municipal minimum",
    "crit_self_containment": "Self-containment",
    "crit_longest_trip": "Longest trip (min)",
    "crit_mean_trip": "Mean trip (min)",
    "crit_core_centrality_class": "Core centrality class",
    "crit_inhabitants_within_45": "Within 45 min (share)",
    "crit_inhabitants_within_60": "Within 60 min (share)",
    "crit_inhabitants_within_75": "Within 75 min (share)",
    "source_note": "Map data: © Kartverket (CC BY 4.0). Population: Statistics Norway, 1 Jan 2024.",
}

LABELS: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {"nb": MappingProxyType(_NB), "en": MappingProxyType(_EN)}
)


def labels(lang: str = DEFAULT_LANG) -> Mapping[str, str]:
    """Return the labels of ``lang``.

    Parameters
    ----------
    lang
        ``"nb"`` (Norwegian bokmål) or ``"en"`` (English).

    Returns
    -------
    Mapping
        Label key → text.

    Raises
    ------
    ScenarioError
        If ``lang`` is not a known language.
    """
    try:
        return LABELS[lang]
    except KeyError:
        raise ScenarioError(
            f"lang {lang!r} is not one of {', '.join(sorted(LABELS))}"
        ) from None


def format_number(value: float | int | None, lang: str = DEFAULT_LANG, *, digits: int = 0) -> str:
    """Format a number for readers: thousands grouped, ``digits`` decimals.

    Bokmål groups thousands with a space and uses a decimal comma
    (``12 345,6``); English uses ``12,345.6``. ``None`` and NaN become ``"–"``,
    infinity ``"∞"``.

    Returns
    -------
    str
        The formatted number.
    """
    if value is None or value != value:  # NaN is the only value unequal to itself
        return "–"
    if value in (float("inf"), float("-inf")):
        return "∞" if value > 0 else "−∞"
    text = f"{value:,.{digits}f}"
    if lang == "nb":
        text = text.replace(",", "\u00a0").replace(".", ",")
    return text
