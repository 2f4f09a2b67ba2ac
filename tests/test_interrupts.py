"""Interrupting sweeps, tried as a user would: the CLI in a subprocess, real CBC, real signals.

Covers :mod:`regionopt.interrupts` in pool workers and :mod:`regionopt.sweep.run`: a
signal to the main process or to one worker stops every process of the sweep within
seconds, and an interrupted first sweep resumes with the same command (see
``docs/sweeps.md``). Single solves: ``tests/test_reliability.py``.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import psutil
import pytest
from handmade import hard_scenario

from regionopt.io import MANIFEST

REPO = Path(__file__).resolve().parent.parent


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def _start(*args: str | Path) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "regionopt", *map(str, args)], env=_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _tree(pid: int) -> list[psutil.Process]:
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def _cbc(pid: int) -> list[psutil.Process]:
    found = []
    for p in _tree(pid):
        try:
            if "cbc" in p.name().lower():
                found.append(p)
        except psutil.Error:
            pass
    return found


def _wait_for_cbc(proc: subprocess.Popen[str], count: int) -> list[psutil.Process]:
    """Wait until ``count`` CBC processes run under ``proc``; return the whole tree then."""
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and proc.poll() is None:
        if len(_cbc(proc.pid)) >= count:
            time.sleep(1.0)  # let CBC read its model and start working
            return [psutil.Process(proc.pid), *_tree(proc.pid)]
        time.sleep(0.2)
    proc.kill()
    _, err = proc.communicate()
    raise AssertionError(f"{count} CBC processes did not start: {err[-2000:]}")


def _alive(procs: list[psutil.Process]) -> list[str]:
    out = []
    for p in procs:
        try:
            if p.is_running() and p.status() != psutil.STATUS_ZOMBIE:
                out.append(f"{p.pid} {p.name()}")
        except psutil.NoSuchProcess:
            pass
    return out


def _gone_within(proc: subprocess.Popen[str], tree: list[psutil.Process],
                 seconds: float) -> tuple[list[str], str]:
    """Wait up to ``seconds`` for every process of ``tree`` to end; the ones left, stderr."""
    stop = time.monotonic() + seconds
    while _alive(tree) and time.monotonic() < stop:
        time.sleep(0.1)
    left = _alive(tree)
    _, err = proc.communicate(timeout=60)
    return left, err


def _stopped(proc: subprocess.Popen[str], left: list[str], err: str) -> None:
    """Nothing left running, exit code 143 (SIGTERM), no traceback."""
    assert left == [], f"still running 10 s after SIGTERM: {left}"
    assert proc.returncode == 143, err
    assert "Traceback" not in err


def _files(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("target", ["main", "worker"])
def test_sigterm_stops_every_worker_and_solver_of_a_sweep(target: str, tmp_path: Path) -> None:
    scenario = tmp_path / "hard.toml"
    scenario.write_text(hard_scenario(solver="cbc", limit=300, threads=1), encoding="utf-8")
    out = tmp_path / "sweep"
    out.mkdir()
    (out / MANIFEST).write_text("old.txt\n", encoding="utf-8")  # a previous run's output
    (out / "old.txt").write_text("before\n", encoding="utf-8")
    before = _files(out)
    proc = _start("sweep", "-q", "--workers", "2", "--scenario", scenario,
                  "--vary", "objective.balance=5,6", "--out", out)
    try:
        tree = _wait_for_cbc(proc, 2)
        if target == "main":
            proc.send_signal(signal.SIGTERM)
        else:  # one worker (a CBC's parent) gets the signal; the sweep must still stop
            parent = _cbc(proc.pid)[0].parent()
            assert parent is not None and parent.pid != proc.pid
            parent.send_signal(signal.SIGTERM)
        left, err = _gone_within(proc, tree, 10)  # every process must be gone within 10 s
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    _stopped(proc, left, err)
    assert _files(out) == before


def test_interrupted_first_sweep_resumes_with_the_same_command(tmp_path: Path) -> None:
    out = tmp_path / "sweep"
    # Troms og Finnmark, one case after the other: the heuristic's case ends at once, and the
    # signal comes as soon as its result is written, while the exact solvers' cases run
    args = ("sweep", "-q", "--workers", "1", "--vary", "solver.name=heuristic,cbc,highs",
            "--out", out)
    proc = _start(*args)
    try:
        deadline = time.monotonic() + 240
        while (not list(out.glob("plans/*/result.json")) and proc.poll() is None
               and time.monotonic() < deadline):
            time.sleep(0.02)
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 143, err
    done = {p.parent.name: p.read_bytes() for p in out.glob("plans/*/result.json")}
    assert 1 <= len(done) < 3 and not (out / "sweep.csv").exists()

    proc = _start(*args[:1], *args[2:])  # the same command, not quiet: it logs what it reuses
    _, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err
    assert f"{len(done)} already finished, {3 - len(done)} to solve" in err
    for cid, first in done.items():  # not solved again
        assert (out / "plans" / cid / "result.json").read_bytes() == first
        assert json.loads(first)["status"] == "heuristic" or len(done) > 1
    rows = (out / "sweep.csv").read_text(encoding="utf-8").splitlines()
    assert len(rows) == 4
    listed = (out / MANIFEST).read_text(encoding="utf-8").split()
    assert sorted([*listed, MANIFEST]) == sorted(_files(out))


def test_foreign_folder_still_refused_by_sweep(tmp_path: Path) -> None:
    out = tmp_path / "mine"
    (out / "plans" / "x").mkdir(parents=True)
    (out / "plans" / "x" / "notes.txt").write_text("mine\n", encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "regionopt", "sweep", "-q", "--workers", "1",
                        "--vary", "regions.count=11,12", "--out", str(out)], env=_env(),
                       capture_output=True, text=True, timeout=300, check=False)
    assert r.returncode == 2
    assert r.stderr.count("\n") == 1 and "--force" in r.stderr
    assert not (out / MANIFEST).exists()


def _workers(pid: int) -> list[psutil.Process]:
    found = []
    for p in _tree(pid):
        try:
            if "multiprocessing" in " ".join(p.cmdline()) and "spawn_main" in " ".join(
                    p.cmdline()):
                found.append(p)
        except psutil.Error:
            pass
    return found


def test_a_command_started_with_sigint_ignored_ignores_it_from_its_first_moment(
        tmp_path: Path) -> None:
    """SIGINT ignored at the start (a shell's background job) stays ignored, at every moment.

    Before, the command line caught SIGINT once its code ran: a SIGINT in its first tens of
    milliseconds was lost and the command ran on, a later one stopped it. SIGTERM still stops
    it, with 143, whenever it comes.
    """
    scenario = REPO / "data" / "geo" / "scenarios" / "troms-finnmark-12.toml"
    for delay in (0.0, 0.5):
        proc = subprocess.Popen(
            [sys.executable, "-m", "regionopt", "solve", "-q", "--scenario", str(scenario),
             "--out", str(tmp_path / f"out-{delay}")],
            env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
        try:
            time.sleep(delay)
            proc.send_signal(signal.SIGINT)
            time.sleep(1.5)
            assert proc.poll() is None, f"SIGINT at {delay} s stopped it: {proc.returncode}"
            proc.send_signal(signal.SIGTERM)
            _, err = proc.communicate(timeout=30)
            assert proc.returncode in {143, -signal.SIGTERM}, err
            assert "Traceback" not in err
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()


def test_a_command_catches_sigint_when_started_at_a_terminal() -> None:
    """The suite's own start (conftest): SIGINT is not ignored, so the commands it starts
    are stopped by it as at a terminal, in every signal test here and in the stress test."""
    assert signal.getsignal(signal.SIGINT) is not signal.SIG_IGN
    code = "import signal; print(signal.getsignal(signal.SIGINT) is signal.SIG_IGN)"
    probe = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True)
    assert probe.stdout.strip() == "False"


def test_sigterm_stops_every_worker_of_options_all(tmp_path: Path) -> None:
    """``regionopt options --all`` on local processes stops as a sweep does (it did not)."""
    out = tmp_path / "options"
    proc = _start("options", "-q", "--all", "--workers", "2", "--no-map", "--out", out,
                  "--scenario", REPO / "data" / "geo" / "scenarios" /
                  "troms-finnmark-functional.toml")
    try:
        deadline = time.monotonic() + 240
        while len(_workers(proc.pid)) < 2 and time.monotonic() < deadline \
                and proc.poll() is None:
            time.sleep(0.2)
        time.sleep(2.0)  # the workers are pricing municipalities now
        tree = [psutil.Process(proc.pid), *_tree(proc.pid)]
        assert len(_workers(proc.pid)) == 2, "the two workers did not start"
        proc.send_signal(signal.SIGTERM)
        left, err = _gone_within(proc, tree, 10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    _stopped(proc, left, err)


def test_the_signals_own_exception_is_dropped_where_python_cannot_raise_it(capsys,
                                                                            monkeypatch):
    """Raised inside a C callback or a finaliser (pyreadr's parser, a weakref callback), the
    signal's exception is "ignored" by Python with a traceback on stderr: the command line's
    hook drops it (the command still ends by the signal) and prints every other one."""
    import gc

    from regionopt import interrupts

    class Raises:
        def __init__(self, exc: BaseException) -> None:
            self.exc = exc

        def __del__(self) -> None:
            raise self.exc

    monkeypatch.setattr(sys, "unraisablehook", interrupts.quiet_unraisable)
    for exc in (KeyboardInterrupt(), interrupts.Terminated()):
        Raises(exc)
        gc.collect()
    assert capsys.readouterr().err == ""
    Raises(ValueError("a real error"))
    gc.collect()
    assert "ValueError: a real error" in capsys.readouterr().err


HOOK_PROGRAM = textwrap.dedent("""
    import os, signal, sys
    from regionopt import interrupts

    interrupts.install_handlers()
    interrupts.enable_deadline()
    assert sys.excepthook is interrupts.quiet_excepthook
    sys.excepthook(KeyboardInterrupt, KeyboardInterrupt("before any signal"), None)
    try:
        os.kill(os.getpid(), signal.SIGTERM)
    except interrupts.Terminated:
        pass
    for exc in (KeyboardInterrupt("after"), interrupts.Terminated("after")):
        sys.excepthook(type(exc), exc, None)
    sys.excepthook(ValueError, ValueError("a real error"), None)
""")


def test_the_signals_own_exception_printed_by_a_c_extension_is_dropped_once_signalled() -> None:
    """pyreadr's parser of the commuting .rds prints the exception a signal raised inside it
    through ``sys.excepthook`` (a traceback on stderr, 3 of 20 signals to ``solve``): the
    command line's hook drops it once a signal was received, and prints it before, and
    every other exception always."""
    done = subprocess.run([sys.executable, "-c", HOOK_PROGRAM], capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert "KeyboardInterrupt: before any signal" in done.stderr
    assert "after" not in done.stderr
    assert "ValueError: a real error" in done.stderr


def test_kill_tree_kills_a_process_and_its_children_and_leaves_the_reaping_to_its_owner(
        ) -> None:
    """The server's cancel: a solver process and its solver gone at once; ``wait`` (the
    owner's reaping) then returns the kill at once, as ``multiprocessing``'s ``join`` does."""
    from regionopt import interrupts

    code = "import subprocess, time; subprocess.Popen(['sleep', '60']); time.sleep(60)"
    proc = subprocess.Popen([sys.executable, "-c", code])
    deadline = time.monotonic() + 30
    while not _tree(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    tree = [psutil.Process(proc.pid), *_tree(proc.pid)]
    assert len(tree) == 2
    interrupts.kill_tree(proc.pid, timeout=2.0)
    assert proc.poll() == -signal.SIGKILL  # not reaped by kill_tree: its owner reaps it now
    assert _alive(tree) == []
