"""The benchmark scripts stay runnable: each one imports the package and answers ``--help``.

The figures themselves are measured by running the scripts (``benchmarks/README.md``), never
asserted here; this only catches a script broken by a change in the package it measures.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
PEERS_ONLY = {"bench_peers.py"}  # needs the 'bench' extra (spopt)


@pytest.mark.parametrize("script", sorted(p.name for p in BENCHMARKS.glob("bench_*.py")))
def test_benchmark_script_answers_help(script: str) -> None:
    if script in PEERS_ONLY:
        pytest.importorskip("spopt")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(BENCHMARKS), os.environ.get("PYTHONPATH", "")])}
    result = subprocess.run([sys.executable, str(BENCHMARKS / script), "--help"],
                            capture_output=True, text=True, env=env, check=False, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "usage:" in result.stdout
