"""What the server holds: the area, the plan on screen, its history, the price's optima.

The plan on screen is the last accepted one: each accept pushes an :class:`Entry` (plan, the
knob settings, the locks, the locked scenario, figures) that undo and redo walk; it is saved
in the workspace, and the latest save of the same starting scenario is the plan on screen
after a restart. The unlocked optimum of each knob setting is kept once solved (the price's
reference). A fresh server first shows a *provisional* plan (the construction heuristic's)
while the optimum is solved in the background (``pending``); it is replaced by the optimum
when that arrives.
"""

from __future__ import annotations

import hashlib
import io
import logging
import tomllib
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from regionopt.errors import RegionoptError
from regionopt.maps.outputs import plan_table
from regionopt.plan import Plan, plan_from_labels
from regionopt.problem import ProblemData
from regionopt.scenario import Scenario, parse_scenario, scenario_to_toml
from regionopt.server.figures import differences, plan_figures
from regionopt.server.locks import Lock, locked_scenario
from regionopt.server.workspace import Saved, Workspace

log = logging.getLogger(__name__)


def scenario_key(scenario: Scenario) -> str:
    """A short digest of the scenario's TOML: the same scenario, the same key."""
    return hashlib.sha256(scenario_to_toml(scenario).encode()).hexdigest()[:16]


def plan_csv(plan: Plan, problem: ProblemData) -> str:
    """The plan as ``plan.csv`` (the columns ``regionopt solve`` writes)."""
    return str(plan_table(plan, problem).to_csv(index=False, lineterminator="\n"))


@dataclass(frozen=True)
class Entry:
    """An accepted plan and what made it."""

    plan: Plan
    settings: Scenario
    locks: tuple[Lock, ...]
    scenario: Scenario
    figures: dict[str, Any]
    save: str = ""
    provisional: bool = False


class Session:
    """The state of one server: ``base`` is the scenario it was started with."""

    def __init__(self, problem: ProblemData, base: Scenario, workspace: Workspace) -> None:
        self.problem, self.base, self.workspace = problem, base, workspace
        self.history: list[Entry] = []
        self.pos = -1
        self.optima: dict[str, dict[str, Any]] = {}
        #: Scenario key -> id of the background job solving its unlocked optimum.
        self.pending: dict[str, str] = {}

    # ------------------------------------------------------------------ the plan on screen

    @property
    def current(self) -> Entry:
        """The plan on screen."""
        return self.history[self.pos]

    def push(self, entry: Entry) -> None:
        """Make ``entry`` the plan on screen (the redo list is dropped)."""
        del self.history[self.pos + 1:]
        self.history.append(entry)
        self.pos = len(self.history) - 1

    def step(self, by: int) -> bool:
        """Undo (``-1``) or redo (``+1``); whether there was a step to take."""
        pos = self.pos + by
        if not 0 <= pos < len(self.history):
            return False
        self.pos = pos
        return True

    def start_from_optimum(self, result: dict[str, Any]) -> None:
        """The first plan: the base scenario's optimum (solved in a worker)."""
        self.optima[scenario_key(self.base)] = result
        plan = self.plan_of(result["cores"], name=f"optimum ({self.base.name})")
        self.push(Entry(plan, self.base, (), self.base, result["figures"]))

    def start_provisional(self, result: dict[str, Any]) -> None:
        """The first plan while the optimum is solved: the construction heuristic's."""
        plan = self.plan_of(result["cores"], name=f"first plan ({self.base.name}, heuristic)")
        self.push(Entry(plan, self.base, (), self.base, result["figures"], provisional=True))

    def optimum_arrived(self, settings: Scenario, result: dict[str, Any]) -> bool:
        """Keep the unlocked optimum of ``settings``; it replaces every provisional plan of
        those settings in the history. Whether the plan on screen changed."""
        key = scenario_key(settings)
        self.optima[key] = result
        self.pending.pop(key, None)
        changed = False
        for k, entry in enumerate(self.history):
            if entry.provisional and scenario_key(entry.settings) == key:
                plan = self.plan_of(result["cores"], name=f"optimum ({settings.name})")
                self.history[k] = Entry(plan, entry.settings, (), entry.scenario,
                                        result["figures"])
                changed = changed or k == self.pos
        return changed

    def plan_of(self, cores: list[int], *, name: str) -> Plan:
        """The plan ``cores[i]`` over the problem."""
        return plan_from_labels(self.problem, np.asarray(cores, dtype="int64"), name=name)

    # ------------------------------------------------------------------ saves

    def info(self, entry: Entry) -> dict[str, Any]:
        """What ``saved.json`` records of an entry."""
        return {"base": scenario_key(self.base), "base_name": self.base.name,
                "scenario": entry.scenario.name, "plan": entry.plan.name,
                "settings": scenario_to_toml(entry.settings),
                "locks": [lock.as_dict() for lock in entry.locks],
                "objective": entry.figures.get("objective")}

    def accept(self, entry: Entry) -> Saved:
        """Save ``entry`` in the workspace and put it on screen."""
        saved = self.workspace.save(scenario_toml=scenario_to_toml(entry.scenario),
                                    plan_csv=plan_csv(entry.plan, self.problem),
                                    figures=entry.figures, info=self.info(entry))
        self.push(Entry(entry.plan, entry.settings, entry.locks, entry.scenario,
                        entry.figures, saved.number))
        return saved

    def resume(self) -> bool:
        """Put the latest save of this base scenario on screen; whether there was one."""
        mine = [s for s in self.workspace.saves() if s.info.get("base") == scenario_key(self.base)]
        if not mine:
            return False
        last = mine[-1]
        try:
            entry = self.load(last)
        except (RegionoptError, OSError, ValueError, KeyError) as exc:
            log.warning("workspace: save %s cannot be read (%s); starting afresh", last.number,
                        exc)
            return False
        self.push(entry)
        return True

    def load(self, saved: Saved) -> Entry:
        """The entry of a save."""
        toml = self.workspace.read(saved.number, "scenario.toml")
        scenario = parse_scenario(tomllib.loads(toml), source=f"save {saved.number}")
        settings = parse_scenario(tomllib.loads(saved.info["settings"]),
                                  source=f"save {saved.number}")
        locks = tuple(Lock(d["kind"], d["code"], d.get("other", ""), tuple(d.get("members", ())))
                      for d in saved.info.get("locks", []))
        if locked_scenario(settings, locks) != scenario:
            raise ValueError("its scenario is not its settings with its locks")
        text = self.workspace.read(saved.number, "plan.csv")
        plan = _read_csv_plan(text, self.problem, name=str(saved.info.get("plan", "saved")))
        figures = plan_figures(self.problem, scenario, plan, saved.info.get("objective"))
        return Entry(plan, settings, locks, scenario, figures, saved.number)

    # ------------------------------------------------------------------ what the page reads

    def price(self, figures: dict[str, Any], settings: Scenario) -> dict[str, Any] | None:
        """The figures' difference from the unlocked optimum of ``settings`` (if solved)."""
        optimum = self.optima.get(scenario_key(settings))
        return None if optimum is None else differences(optimum["figures"], figures)

    def state(self) -> dict[str, Any]:
        """The plan on screen, its figures and price, the history and the saves."""
        entry = self.current
        key = scenario_key(entry.settings)
        optimum = self.optima.get(key)
        return {
            "scenario": entry.scenario.name, "base": self.base.name,
            "plan": dict(entry.plan.assignment),
            "cores": dict(entry.plan.cores),
            "figures": entry.figures,
            "optimum": None if optimum is None else optimum["figures"],
            "price": self.price(entry.figures, entry.settings),
            "price_pending": optimum is None and key in self.pending,
            "optimum_job": self.pending.get(key),
            "provisional": entry.provisional,
            "locks": [dict(lock.as_dict(), text=lock.describe(self.problem))
                      for lock in entry.locks],
            "history": {"position": self.pos, "length": len(self.history)},
            "saves": [{"number": s.number, **{k: s.info.get(k) for k in
                                              ("saved_at", "scenario", "objective")}}
                      for s in self.workspace.saves()],
            "municipalities": [{"code": c, "name": n} for c, n in
                               zip(self.problem.codes, self.problem.names, strict=True)],
            "save": entry.save,
        }


def _read_csv_plan(text: str, problem: ProblemData, *, name: str) -> Plan:
    """The plan of a save's ``plan.csv`` text (the columns :func:`plan_csv` writes)."""
    df = pd.read_csv(io.StringIO(text), dtype=str)
    assignment = dict(zip(df["kommunenummer"], df["region"], strict=True))
    cores = {r: c for r, c in zip(df["region"], df["core"], strict=True)}
    return Plan(assignment=assignment, cores=cores, name=name)


__all__ = ["Entry", "Session", "plan_csv", "scenario_key"]
