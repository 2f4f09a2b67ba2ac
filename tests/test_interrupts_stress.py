"""Signals at random moments to every long command, on local processes and on Dask.

For each long command (``solve``, ``sweep``, ``calibrate``, ``frontier``, ``atlas``,
``options --all``) and each pool (local processes; a Dask ``LocalCluster`` started by the
command, ``--scheduler local``), the command is started and sent SIGTERM or SIGINT at a
moment drawn from a seeded ``random.Random``: before its workers start, while they start,
while HiGHS or CBC solves, while results are written. Each time:

* the exit code is 143 or 130 (or 0 when the command finished first);
* stderr has no ``Traceback`` and no native abort (``terminate called``);
* every process the command started is gone within 10 s (found by an environment tag each
  child inherits, so that orphans are found too);
* the next run of the same command in the same folder is accepted (not refused as a foreign
  folder) — it resumes; after the last moment the command is run to its end (exit 0).

``REGIONOPT_STRESS_MOMENTS`` sets the moments per command and pool (default 2, so that the
suite stays fast; ``docs/benchmarks.md`` "Interrupts under load" reports a run with 20).
``REGIONOPT_STRESS_SEED`` sets the seed (default 31).
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psutil
import pytest

REPO = Path(__file__).resolve().parent.parent
SCENARIOS = REPO / "data" / "geo" / "scenarios"
MOMENTS = int(os.environ.get("REGIONOPT_STRESS_MOMENTS", "2"))
SEED = int(os.environ.get("REGIONOPT_STRESS_SEED", "31"))
TAG = "REGIONOPT_STRESS_TAG"

#: Each command, small (Troms og Finnmark, a few cases), with the last moment at which a
#: signal is sent (seconds after the start; the commands take about that long, loaded).
COMMANDS: dict[str, tuple[tuple[str, ...], float]] = {
    "solve": (("solve", "-q", "--scenario", str(SCENARIOS / "troms-finnmark-12.toml")), 6.0),
    "sweep": (("sweep", "-q", "--vary", "regions.count=10,11,12"), 12.0),
    "calibrate": (("calibrate", "-q", "--reference", "nivi", "--vary", "regions.count=11..13"),
                  10.0),
    "frontier": (("frontier", "-q", "--points", "3", "--scenario",
                  str(SCENARIOS / "troms-finnmark-frontier-12.toml")), 20.0),
    "atlas": (("atlas", "-q", "--area", "Troms, Finnmark"), 14.0),
    "options": (("options", "-q", "--all", "--no-map", "--scenario",
                 str(SCENARIOS / "troms-finnmark-functional.toml")), 20.0),
}
POOLS = {"processes": ("--workers", "2"), "dask": ("--workers", "2", "--scheduler", "local")}


def _env(tag: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    env[TAG] = tag
    return env


def _tagged(tag: str) -> list[str]:
    """Live processes (not zombies) carrying ``tag`` in their environment."""
    found = []
    for p in psutil.process_iter(["pid", "name"]):
        try:
            if p.pid == os.getpid() or p.status() == psutil.STATUS_ZOMBIE:
                continue
            if p.environ().get(TAG) == tag:
                found.append(f"{p.pid} {p.info['name']} {' '.join(p.cmdline())[:120]}")
        except psutil.Error:
            continue
    return found


def _argv(command: str, pool: str, out: Path) -> list[str]:
    args, _ = COMMANDS[command]
    extra = () if command == "solve" else POOLS[pool]
    return [sys.executable, "-m", "regionopt", *args, *extra, "--out", str(out)]


def _run_to_end(argv: list[str], tag: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, env=_env(tag), capture_output=True, text=True, timeout=900,
                          check=False)


def _interrupt_once(argv: list[str], delay: float,
                    signum: int) -> tuple[int, str, list[str], float]:
    """Run ``argv``, send ``signum`` after ``delay`` s.

    Returns the exit code, stderr, the processes left 10 s after the signal and the seconds
    from the signal to the exit.
    """
    tag = uuid.uuid4().hex
    proc = subprocess.Popen(argv, env=_env(tag), stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    try:
        try:
            proc.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            proc.send_signal(signum)
        sent = time.monotonic()
        try:
            _, err = proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            _, late = proc.communicate()
            err = f"(still running 10 s after the signal; its stderr:) {late}"
        took = time.monotonic() - sent
        left = _tagged(tag)
        while left and time.monotonic() - sent < 10:
            time.sleep(0.2)
            left = _tagged(tag)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
        for line in _tagged(tag):  # never leave a process behind, whatever failed
            with contextlib.suppress(psutil.Error, ValueError):
                psutil.Process(int(line.split()[0])).kill()
    return proc.returncode, err, left, took


def _report(*fields: object) -> None:
    """Append one moment to the file ``REGIONOPT_STRESS_REPORT`` names (for docs/benchmarks.md)."""
    path = os.environ.get("REGIONOPT_STRESS_REPORT")
    if path:
        with open(path, "a", encoding="utf-8") as f:
            f.write(json.dumps([str(x) if isinstance(x, signal.Signals) else x
                                for x in fields]) + "\n")


def _interpreter_start(err: str) -> bool:
    """Whether a traceback is the interpreter's own, from before any code of ours ran.

    SIGINT in the first tens of milliseconds, while Python imports ``site`` or ``runpy``
    imports the package (``regionopt/__init__``, ``errors``) before ``__main__`` installs
    its first handler, ends with Python's own KeyboardInterrupt; nothing has been started
    or written then.
    """
    if "Fatal Python error: init_import_site" in err:
        return True
    ours = re.findall(r'File "[^"]*regionopt/([\w/]+)\.py"', err)
    return "KeyboardInterrupt" in err and all(f in {"__init__", "errors"} for f in ours)


def _expected(signum: int) -> set[int]:
    """130 or 143; a signal in the interpreter's first milliseconds, before any code of ours
    runs, ends it by the signal itself (``-signum``, which a shell reports as 128 + signum).

    SIGINT while ``site`` runs a ``.pth`` file (an editable install's finder) ends it with 1
    and Python's own traceback; the test accepts that only with :func:`_interpreter_start`.
    """
    return {128 + signum, -signum}


CASES = [(c, p) for c in COMMANDS for p in POOLS if not (c == "solve" and p == "dask")]


@pytest.mark.slow
@pytest.mark.parametrize(("command", "pool"), CASES)
def test_a_signal_at_any_moment_stops_everything_and_the_command_resumes(
        command: str, pool: str, tmp_path: Path) -> None:
    rng = random.Random(f"{SEED}-{command}-{pool}")
    out = tmp_path / "out"
    argv = _argv(command, pool, out)
    _, latest = COMMANDS[command]
    failures = []
    for k in range(MOMENTS):
        delay = rng.uniform(0.0, latest)
        signum = rng.choice([signal.SIGTERM, signal.SIGINT])
        code, err, left, took = _interrupt_once(argv, delay, signum)
        _report(command, pool, k, delay, signum, code, took, bool(left))
        where = f"{command} on {pool}, moment {k} ({delay:.1f} s, {signal.Signals(signum).name})"
        if code not in {0, *_expected(signum)} and not (code == 1 and _interpreter_start(err)):
            failures.append(f"{where}: exit {code}: {err[-600:]}")
        if ("Traceback" in err and not _interpreter_start(err)) or "terminate called" in err:
            failures.append(f"{where}: {err[-1200:]}")
        if left:
            failures.append(f"{where}: still running 10 s after the signal: {left}")
        if code == 0:  # finished first: start the next moment afresh
            shutil.rmtree(out, ignore_errors=True)
    done = _run_to_end(argv, uuid.uuid4().hex)
    if done.returncode != 0:
        failures.append(f"{command} on {pool}: the rerun ended {done.returncode}: "
                        f"{done.stderr[-1200:]}")
    assert not failures, "\n".join(failures)
