"""regionopt.sweep.methods and its command, regionopt.cli.methods: every preset solved exactly
on the sweep machinery beside its greedy procedure, on one county; the exact plans meet their
method's rules and are contiguous."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from regionopt.cli import main
from regionopt.sweep.methods import COLUMNS, PRESETS


def test_methods_on_finnmark_writes_the_table_and_the_exact_plans_keep_the_rules(
        tmp_path: Path) -> None:
    out = tmp_path / "methods"
    assert main(["methods", "--area", "finnmark", "--out", str(out), "--workers", "1",
                 "--quiet"]) == 0
    table = pd.read_csv(out / "methods.csv")
    assert tuple(table.columns) == COLUMNS
    assert list(table["method"].unique()) == list(PRESETS)
    exact = table[table["plan"] == "exact"].set_index("method")
    greedy = table[table["plan"] == "greedy"].set_index("method")
    assert (exact["status"] == "optimal").all()
    assert (exact["regions_not_connected"] == 0).all()
    assert (exact["rules_broken"] == 0).all()  # every rule of its method, as hard rules
    # the exact plan matches or beats its method's greedy one on person-minutes
    assert (exact["person_minutes"] <= greedy["person_minutes"] + 1e-6).all()
    assert greedy.loc["ttwa-coombes-bond", "regions_not_connected"] > 0  # LMA: no contiguity
    page = (out / "methods.html").read_text(encoding="utf-8")
    assert "<table>" in page
    for method in PRESETS:  # the plans side by side, exact and greedy
        for kind in ("exact", "greedy"):
            assert (out / "maps" / f"{method}-{kind}.png").is_file()
            assert f"maps/{method}-{kind}.png" in page
