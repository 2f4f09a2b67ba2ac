"""What regionopt guarantees, tried as a user would: the CLI in a subprocess, real solvers,
real signals (see the README's "What regionopt guarantees").

Covers :mod:`regionopt.io` (output folders hold exactly one run), :mod:`regionopt.budget`
(``solver.time_limit_s`` bounds the command), :mod:`regionopt.interrupts` (Ctrl-C and
SIGTERM stop the solver and leave no temporary file), :mod:`regionopt.network.stored`
(no pickle in the cache) and the input checks of :mod:`regionopt.problem` and
:mod:`regionopt.plan`.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from handmade import hard_scenario

from regionopt.io import MANIFEST

REPO = Path(__file__).resolve().parent.parent
NORWAY = REPO / "data" / "geo" / "scenarios" / "norway.toml"


def _env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    env.update(extra)
    return env


def _cli(*args: str | Path, cwd: Path | None = None, timeout: float = 300,
         env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "regionopt", *map(str, args)], cwd=cwd,
                          env=env or _env(), capture_output=True, text=True, timeout=timeout,
                          check=False)


def _files(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def solved(tmp_path_factory: pytest.TempPathFactory, data_dir: Path) -> Path:
    """A default solve's folder with PNG and two alternatives (written by the CLI)."""
    out = tmp_path_factory.mktemp("solved") / "R"
    r = _cli("solve", "--png", "--alternatives", "2", "--out", out)
    assert r.returncode == 0, r.stderr
    return out


def _copy(src: Path, dest: Path) -> Path:
    for name, _ in _files(src).items():
        (dest / name).parent.mkdir(parents=True, exist_ok=True)
        (dest / name).write_bytes((src / name).read_bytes())
    return dest


# --------------------------------------------------------------------------- output folders


def test_second_solve_leaves_no_stale_file_and_quiet_is_silent(solved: Path,
                                                               tmp_path: Path) -> None:
    out = _copy(solved, tmp_path / "R")
    assert (out / "alternatives" / "1" / "plan.csv").is_file()
    assert (out / "compare_nivi.html").is_file() and (out / "plan.png").is_file()
    r = _cli("solve", "-q", "--no-maps", "--set", "regions.count=10", "--out", out)
    assert r.returncode == 0, r.stderr
    assert r.stdout == "" and r.stderr == ""
    listed = (out / MANIFEST).read_text(encoding="utf-8").split()
    assert sorted([*listed, MANIFEST]) == sorted(_files(out))
    assert not (out / "alternatives").exists()
    assert not (out / "compare_nivi.html").exists() and not (out / "plan.png").exists()
    assert '"alternatives": []' in (out / "metrics.json").read_text(encoding="utf-8")
    assert "regions.count=10" in (out / "scenario.toml").read_text(encoding="utf-8")


def test_foreign_folder_refused_and_force_keeps_the_users_files(solved: Path,
                                                               tmp_path: Path) -> None:
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("mine\n", encoding="utf-8")
    r = _cli("solve", "--no-maps", "--out", out)
    assert r.returncode == 2
    assert r.stderr.count("\n") == 1 and "--force" in r.stderr
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt"]
    r = _cli("solve", "-q", "--no-maps", "--force", "--out", out)
    assert r.returncode == 0, r.stderr
    r = _cli("solve", "-q", "--no-maps", "--set", "regions.count=11", "--out", out)
    assert r.returncode == 0, r.stderr
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine\n"
    assert "notes.txt" not in (out / MANIFEST).read_text(encoding="utf-8")


def test_sweep_rerun_drops_plans_no_longer_in_the_sweep(tmp_path: Path) -> None:
    out = tmp_path / "sweep"
    args = ["sweep", "-q", "--workers", "1", "--out", out]
    r = _cli(*args, "--vary", "regions.count=11,12")
    assert r.returncode == 0, r.stderr
    assert len(list((out / "plans").iterdir())) == 2
    r = _cli(*args, "--vary", "regions.count=12")
    assert r.returncode == 0, r.stderr
    plans = sorted(p.name for p in (out / "plans").iterdir())
    assert len(plans) == 1
    table = (out / "sweep.csv").read_text(encoding="utf-8")
    assert plans[0] in table and table.count("\n") == 2


# --------------------------------------------------------------------------- time limits


@pytest.mark.parametrize("solver", ["cbc", "highs"])
def test_one_second_limit_ends_soon_without_claiming_infeasible(solver: str,
                                                                tmp_path: Path) -> None:
    scenario = tmp_path / "hard.toml"
    scenario.write_text(hard_scenario(solver=solver, limit=1, threads=2), encoding="utf-8")
    start = time.monotonic()
    r = _cli("solve", "--no-maps", "--scenario", scenario, "--out", tmp_path / "out")
    took = time.monotonic() - start
    # A guard against the hang the issue reported (over 11 minutes), not a speed test: on a
    # quiet 2-core machine this case ends in 7-18 s, most of it loading all of Norway and
    # building the model, which the limit does not cover (README, "What regionopt
    # guarantees"); a machine under heavy load can take several times that.
    assert took < 180, f"{solver} with a 1 s limit took {took:.0f} s"
    assert "infeasible" not in (r.stdout + r.stderr).lower()
    if r.returncode != 0:  # no plan in time: say so, and what to do
        assert r.returncode == 2
        assert "time limit" in r.stderr and "solver.time_limit_s" in r.stderr
        assert not (tmp_path / "out").exists()


# --------------------------------------------------------------------------- interrupts


def _solver_children(proc: subprocess.Popen[str], names: tuple[str, ...]) -> list[int]:
    try:
        kids = psutil.Process(proc.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []
    return [k.pid for k in kids if any(n in k.name().lower() for n in names)]


def _gone(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_signal_stops_cbc_removes_temp_files_keeps_previous_output(
        sig: signal.Signals, code: int, solved: Path, tmp_path: Path) -> None:
    scenario = tmp_path / "hard.toml"
    scenario.write_text(hard_scenario(solver="cbc", limit=300, threads=2), encoding="utf-8")
    out = _copy(solved, tmp_path / "R")
    before = _files(out)
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    proc = subprocess.Popen([sys.executable, "-m", "regionopt", "solve", "-q", "--scenario",
                             str(scenario), "--out", str(out)], env=_env(TMPDIR=str(tmp)),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        cbc: list[int] = []
        while not cbc and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.2)
            cbc = _solver_children(proc, ("cbc",))
        assert cbc, "CBC did not start"
        time.sleep(1.0)  # let CBC read its model and start working
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == code, err
    assert all(_gone(pid) for pid in cbc), "CBC still running after the interrupt"
    assert list(tmp.iterdir()) == [], "temporary files left behind"
    assert _files(out) == before
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".R.")]


def test_sigterm_stops_highs_at_once(tmp_path: Path) -> None:
    scenario = tmp_path / "hard.toml"
    scenario.write_text(hard_scenario(solver="highs", limit=300, threads=2), encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "regionopt", "solve", "--scenario",
                             str(scenario), "--out", str(tmp_path / "out")], env=_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stderr is not None
        for line in proc.stderr:  # the progress line says when HiGHS starts
            if line.startswith("HiGHS: solving"):
                break
        time.sleep(2.0)
        proc.send_signal(signal.SIGTERM)
        start = time.monotonic()
        proc.communicate(timeout=60)
        took = time.monotonic() - start
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 143
    assert took < 10, f"HiGHS took {took:.1f} s to stop"
    assert not (tmp_path / "out").exists()


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(("file", "old", "new", "words"), [
    ("municipalities.csv", ",78745,", ",1e30,", ["municipalities.csv", "5501", "population"]),
    ("travel_time_minutes.csv", None, "abc", ["travel_time_minutes.csv", "row", "column"]),
    ("travel_time_minutes.csv", None, "NA", ["travel_time_minutes.csv", "'NA'"]),
    ("travel_time_minutes.csv", None, "-5", ["travel_time_minutes.csv", "-5"]),
])
def test_numbers_out_of_range_are_one_line(file: str, old: str | None, new: str,
                                           words: list[str], solved: Path,
                                           tmp_path: Path) -> None:
    inputs = _copy(solved / "inputs", tmp_path / "inputs")
    path = inputs / file
    text = path.read_text(encoding="utf-8")
    if old is None:  # replace the second cell of the third line
        lines = text.split("\n")
        cells = lines[2].split(",")
        cells[1] = new
        lines[2] = ",".join(cells)
        text = "\n".join(lines)
    else:
        assert old in text
        text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")
    r = _cli("evaluate", "--plan", solved / "plan.csv", "--inputs", inputs)
    assert r.returncode == 2
    assert r.stderr.count("\n") == 1 and "Traceback" not in r.stderr
    assert all(w in r.stderr for w in words), r.stderr


def test_empty_and_inf_cells_are_unreachable(solved: Path, tmp_path: Path) -> None:
    inputs = _copy(solved / "inputs", tmp_path / "inputs")
    path = inputs / "travel_time_minutes.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    cells = lines[2].split(",")
    cells[1], cells[3] = "", "inf"
    lines[2] = ",".join(cells)
    path.write_text("\n".join(lines), encoding="utf-8")
    r = _cli("evaluate", "-q", "--json", "--plan", solved / "plan.csv", "--inputs", inputs)
    assert r.returncode == 0, r.stderr


def test_windows_1252_plan_is_read(solved: Path, tmp_path: Path) -> None:
    text = (solved / "plan.csv").read_text(encoding="utf-8").replace(",", ";")
    assert "ø" in text or "å" in text
    plan = tmp_path / "plan.csv"
    plan.write_bytes(text.encode("cp1252"))
    r = _cli("compare", "--json", plan, solved / "plan.csv", "--inputs", solved / "inputs")
    assert r.returncode == 0, r.stderr
    assert "Målselv" in r.stdout and "Windows-1252" in r.stderr


def test_empty_scenario_refused(tmp_path: Path) -> None:
    empty = tmp_path / "empty.toml"
    empty.write_text("", encoding="utf-8")
    r = _cli("solve", "--scenario", empty, "--out", tmp_path / "out")
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "empty" in r.stderr
    assert not (tmp_path / "out").exists()


# --------------------------------------------------------------------------- data and caches


def test_offline_error_names_the_data_folder_and_leaves_no_folder(tmp_path: Path) -> None:
    env = _env(REGIONOPT_CACHE_DIR=str(tmp_path / "cache"), HTTPS_PROXY="http://127.0.0.1:9",
               HTTP_PROXY="http://127.0.0.1:9")
    env.pop("REGIONOPT_DATA_DIR", None)
    r = _cli("solve", "--out", tmp_path / "out", env=env, cwd=tmp_path)
    assert r.returncode == 2
    assert "--data-dir" in r.stderr and "REGIONOPT_DATA_DIR" in r.stderr
    assert not (tmp_path / "cache").exists()


def test_data_info_shows_actual_and_expected_hash(tmp_path: Path) -> None:
    bad = tmp_path / "data" / "ssb" / "municipalities-2025.json"
    bad.parent.mkdir(parents=True)
    bad.write_text("{}\n", encoding="utf-8")
    r = _cli("data", "info", "--data-dir", tmp_path / "data")
    actual = hashlib.sha256(b"{}\n").hexdigest()
    assert f"actual {actual}" in r.stdout and "expected " in r.stdout


class _Planted:
    """Unpickling this creates a file: proof that a cache file was unpickled."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        return (Path.write_text, (Path(self.path), "pwned"))


def test_cache_holds_no_pickle_and_never_runs_one(solved: Path, tmp_path: Path) -> None:
    cache = Path(os.environ["REGIONOPT_CACHE_DIR"]) / "networks"
    entries = [p for p in cache.iterdir() if p.is_dir() and not p.name.startswith(".")]
    assert entries
    for path in cache.rglob("*"):
        if path.is_file():
            assert not path.read_bytes().startswith(b"\x80"), f"{path} is a pickle"
    marker = tmp_path / "ran"
    for entry in entries:  # a crafted file beside the entry, in the old pickle format
        (cache / f"{entry.name}.pkl").write_bytes(
            b"regionopt-cache 2 x\n" + pickle.dumps(_Planted(str(marker))))
    networks = [e for e in entries if (e / "graph.json").is_file()]  # not the reach shares'
    assert networks
    for entry in networks:  # and damaged entries: the one needed is rebuilt, with a warning
        graph = entry / "graph.json"
        graph.write_bytes(graph.read_bytes()[:-10])
    r = _cli("solve", "--no-maps", "--out", tmp_path / "out")
    assert r.returncode == 0, r.stderr
    assert "damaged" in r.stderr
    assert not marker.exists()
    assert not list(cache.glob("*.pkl"))
