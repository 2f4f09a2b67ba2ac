"""Kommuneregioner out of sample: the atlas's two tiers against the stored regionråd plans.

Reads an atlas folder written by ``regionopt atlas --out DIR`` (first tier
``kommuneregioner.toml``, second tier ``functional.toml`` in ``DIR/labour-market/``) and
prints, per county with a stored regionråd plan, each tier's agreement with it as the atlas
computed it (``metrics.json``, ``references.regionraad-<county>``): adjusted Rand index,
municipalities placed alike, region counts and the nesting share
(:func:`regionopt.evaluate.agreement.nesting_share`). The table of ``docs/calibration.md``,
"Kommuneregioner out of sample".

Usage::

    python -m regionopt atlas --out atlas
    python benchmarks/out_of_sample.py atlas
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from regionopt.data.reference import REGIONRAAD_COUNTIES, reference_alias
from regionopt.sweep.atlas.folders import slug

NAMES = {"15": "Møre og Romsdal", "18": "Nordland", "33": "Buskerud", "40": "Telemark",
         "42": "Agder"}


def _tier(folder: Path, alias: str) -> tuple[int, dict, float]:
    metrics = json.loads((folder / "metrics.json").read_text(encoding="utf-8"))
    ref = metrics["references"][alias]
    return metrics["plan"]["regions"], ref, ref["nesting_share"]


def main(atlas: Path) -> None:
    print("| county | regionråd | tier | regions | ARI | placed alike | nesting share |")
    print("| --- | ---: | --- | ---: | ---: | ---: | ---: |")
    for key, county in REGIONRAAD_COUNTIES.items():
        alias, name = reference_alias(key), NAMES[county]
        for tier, root in (("kommuneregioner", atlas), ("labour market", atlas / "labour-market")):
            regions, ref, nested = _tier(root / slug(name), alias)
            agree = ref["agreement"]
            print(f"| {name} | {ref['regions']} | {tier} | {regions} | "
                  f"{agree['adjusted_rand_index']:.2f} | {agree['placed_as_reference']} of "
                  f"{agree['municipalities']} | {nested:.2f} |")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("atlas", nargs="?", default="atlas", type=Path,
                        help="folder written by regionopt atlas --out (default: atlas)")
    main(parser.parse_args().atlas)
