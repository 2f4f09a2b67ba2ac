"""The page's checks of the [delineation] families (regionopt.maps.editor_delineation and
editor_delineation.js) against the families' Python audits, plan by plan, run in Node."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "model"))
from brute import random_problem, rooted_plans, scen

from regionopt.maps.editor_delineation import PARAMETERS
from regionopt.model.containment import region_flows
from regionopt.model.families import FAMILIES, PlanView
from regionopt.plan import plan_from_labels

SCRIPT = Path(__file__).resolve().parents[2] / "regionopt" / "maps" / "editor_delineation.js"
CASES = {
    "share_join": dict(delineation__join_share=0.1),
    "share_join, travel": dict(delineation__join_share=0.15,
                               delineation__travel_steps=[[30, 0.02], [60, 0.05]],
                               delineation__travel_join=True),
    "share_admit": dict(delineation__admit_share=0.1, delineation__admit_to="region",
                        delineation__travel_steps=[[25, 0.01]]),
    "share_travel": dict(delineation__travel_steps=[[30, 0.02], [50, 0.08]],
                         delineation__admit_weight=100.0),
    "centre_rule": dict(delineation__centre_max_out=0.5, delineation__restkommune=True),
    "restkommune": dict(delineation__restkommune=True, delineation__admit_share=0.05),
    "twin_centres": dict(delineation__twin_centres=[["5502", "5504"], ["5501", "5506"]]),
    "coombes_bond": dict(delineation__cb_min_size=800, delineation__cb_target_size=2500,
                         delineation__cb_min_sc=0.5, delineation__cb_target_sc=0.65,
                         delineation__cb_steps=4),
}


@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js")
@pytest.mark.parametrize("name", sorted(CASES))
def test_the_page_words_every_violation_as_python_does(name: str) -> None:
    s = scen(constraints__contiguity=False, **CASES[name])
    name = name.split(",")[0]  # a second case of the same check
    fam = next(f for f in FAMILIES if f.page_check == name)
    assert fam.check is not None
    cases, want = [], []
    for seed in (11, 12):
        data = random_problem(seed, 6, p_edge=0.4)
        spec = PARAMETERS[name](data, s)
        for k, cores in enumerate(rooted_plans(data.n)):
            if k % 17:
                continue
            plan = plan_from_labels(data, cores)
            view = PlanView.of(plan, data)
            want.append([[v.constraint, v.where, v.detail] for v in fam.check(view, s)])
            rows = []
            for r, _, members in view.regions:
                live, employed, jobs = region_flows(data.commuting, members)
                rows.append({"region": r, "live_work": live, "employed": employed, "jobs": jobs})
            region = [None] * data.n
            for r, _, members in view.regions:
                for i in members:
                    region[i] = r
            cases.append({"P": {"n": data.n, "codes": list(data.codes)},
                          "plan": {"region": region,
                                   "cores": {r: core for r, core, _ in view.regions}},
                          "ev": {"regions": rows}, "spec": spec})
    program = (SCRIPT.read_text(encoding="utf-8") + "\nvar cases = " + json.dumps(cases)
               + ";\nconsole.log(JSON.stringify(cases.map(function (c) { return "
               + f"regionoptDelineation.{name}(c.P, c.plan, c.ev, c.spec).map(function (v) "
               + "{ return [v.constraint, v.where, v.detail]; }); })));")
    got = json.loads(subprocess.run(["node", "-e", program], capture_output=True, text=True,
                                    check=True).stdout)
    assert got == want
    assert any(want), "no plan of the sample breaks the rule"
    assert np.mean([bool(w) for w in want]) < 1 or name == "centre_rule"
