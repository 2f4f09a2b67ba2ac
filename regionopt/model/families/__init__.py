"""Constraint families: one module per scenario rule, listed once in :data:`FAMILIES`.

Each module defines ``FAMILY``, a :class:`~regionopt.model.families.base.Family`
holding the rule's scenario keys, candidate pruning, model rows, relaxation,
audit check, the map editor's check and infeasibility proofs. The model, the
candidate pruning, the diagnosis, the audit and the map editor all walk
:data:`FAMILIES` in this order (which is also the order of the rows in the
model and of the audit's violations). To add a family: a field in
:class:`regionopt.scenario.ConstraintsConfig` (or :mod:`regionopt.delineation`), a
module here, a line below, its page check (``maps/editor.py`` and ``maps/editor_metrics.js``)
and its scenario in ``tests/model/test_families.py``; ``docs/design.md`` ("A constraint
family") lists every step.
"""

from regionopt.model.families import (
    cannot_link,
    centre_rule,
    contiguity,
    coombes_bond,
    core_largest,
    core_minimum,
    core_population,
    core_strength,
    count,
    county,
    criterion,
    exceptions,
    fixed_cores,
    kept_share,
    median,
    must_link,
    person_minutes,
    population,
    restkommune,
    self_containment,
    share_admit,
    share_join,
    share_travel,
    travel,
    twin_centres,
)
from regionopt.model.families.base import (
    Candidates,
    Family,
    ModelParts,
    PlanView,
    Violation,
)
from regionopt.model.families.core_largest import rank_order
from regionopt.model.families.count import count_range
from regionopt.scenario import Scenario

FAMILIES: tuple[Family, ...] = (
    count.FAMILY,
    population.FAMILY,
    must_link.FAMILY,
    cannot_link.FAMILY,
    fixed_cores.FAMILY,
    contiguity.FAMILY,
    travel.FAMILY,
    county.FAMILY,
    core_largest.FAMILY,
    core_population.FAMILY,
    exceptions.FAMILY,
    self_containment.FAMILY,
    median.FAMILY,
    core_strength.FAMILY,
    core_minimum.FAMILY,
    kept_share.FAMILY,
    criterion.FAMILY,
    person_minutes.FAMILY,
    share_join.FAMILY,
    share_admit.FAMILY,
    share_travel.FAMILY,
    centre_rule.FAMILY,
    restkommune.FAMILY,
    twin_centres.FAMILY,
    coombes_bond.FAMILY,
)


def active_families(scenario: Scenario) -> tuple[Family, ...]:
    """Return the families ``scenario`` switches on, in :data:`FAMILIES` order."""
    return tuple(f for f in FAMILIES if f.active(scenario))


__all__ = ["FAMILIES", "Candidates", "Family", "ModelParts", "PlanView", "Violation",
           "active_families", "count_range", "rank_order"]
