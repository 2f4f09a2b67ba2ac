"""The one pool (regionopt.sweep.pool): serial, local processes and Dask give the same results.

Tasks are standard-library functions so that spawned and Dask workers import them by name.
Interrupts on the command line, with real solvers: ``tests/test_interrupts.py`` and
``tests/test_interrupts_stress.py``.
"""

from __future__ import annotations

import operator
import subprocess
import sys
import textwrap
import time

import psutil
import pytest

from regionopt import interrupts
from regionopt.errors import ScenarioError
from regionopt.sweep.pool import LOCAL, Pool, check_scheduler, is_parallel, run_tasks


@pytest.mark.parametrize(("scheduler", "workers"), [(None, 1), (None, 2)])
def test_every_task_comes_back_with_its_key(scheduler: str | None, workers: int) -> None:
    items = [(f"k{i}", (i,)) for i in range(5)]
    got = dict(run_tasks(operator.add, items, shared=(10,), scheduler=scheduler,
                         workers=workers, what="test"))
    assert got == {f"k{i}": 10 + i for i in range(5)}


@pytest.mark.slow
def test_a_local_dask_cluster_gives_the_same_and_leaves_no_process() -> None:
    before = interrupts.child_pids()
    items = [(f"k{i}", (i,)) for i in range(4)]
    got = dict(run_tasks(operator.mul, items, shared=(3,), scheduler=LOCAL, workers=2,
                         what="test"))
    assert got == {f"k{i}": 3 * i for i in range(4)}
    deadline = time.monotonic() + 30
    while _started_since(before) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _started_since(before) == []


def _started_since(before: frozenset[int]) -> list[int]:
    """Live children (not zombies) of this process that were not there ``before``."""
    left = []
    for pid in interrupts.child_pids() - before:
        try:
            if psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
                left.append(pid)
        except psutil.Error:
            pass
    return left


def test_serial_tasks_submitted_while_a_result_is_handled_run_next() -> None:
    order = []
    with Pool(operator.add, (0,)) as pool:
        pool.submit("a0", 1)
        pool.submit("b0", 2)
        for key, _ in pool.results():
            order.append(key)
            if key == "a0":
                pool.submit("a1", 3)
    assert order == ["a0", "a1", "b0"]


def test_a_pool_left_early_stops_its_workers_at_once() -> None:
    before = interrupts.child_pids()
    started = time.monotonic()
    with pytest.raises(KeyError), Pool(time.sleep, (), workers=2, what="test") as pool:
        pool.submit("a", 60)
        pool.submit("b", 60)
        deadline = time.monotonic() + 60
        while len(interrupts.child_pids() - before) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        raise KeyError("stop")
    assert time.monotonic() - started < 50
    assert _started_since(before) == []


PROGRAM_THAT_ABORTS_A_POOL = textwrap.dedent("""
    import time
    from regionopt import interrupts
    from regionopt.sweep.pool import Pool

    for round in range(5):
        before = interrupts.child_pids()
        try:
            with Pool(time.sleep, (), workers=2, what="test") as pool:
                pool.submit("a", 60)
                pool.submit("b", 60)
                while len(interrupts.child_pids() - before) < 2:
                    time.sleep(0.1)
                raise KeyError("stop")
        except KeyError:
            pass
    print("aborted 5 times")
""")

@pytest.mark.slow
def test_a_program_that_aborted_a_pool_still_exits() -> None:
    # The killed workers are left for multiprocessing to reap: reaped by anyone else, they
    # look alive to the pool's manager thread for ever, and the interpreter's exit waits for
    # that thread (a pytest session that ran the test above never ended; this program hung in 2
    # of 3 runs). The timeout only tells a hang from an exit; the program takes seconds.
    done = subprocess.run([sys.executable, "-c", PROGRAM_THAT_ABORTS_A_POOL],
                          capture_output=True, text=True, timeout=120, check=False)
    assert (done.returncode, done.stdout.strip()) == (0, "aborted 5 times"), done.stderr[-800:]


def test_a_task_error_reaches_the_caller() -> None:
    with pytest.raises(ZeroDivisionError):
        dict(run_tasks(operator.truediv, [("a", (0,))], shared=(1,), workers=1))


def test_schedulers_are_checked() -> None:
    check_scheduler(None)
    check_scheduler(LOCAL)
    check_scheduler("tcp://127.0.0.1:8786")
    with pytest.raises(ScenarioError, match="--scheduler"):
        check_scheduler("nowhere")
    with pytest.raises(ScenarioError, match="max_workers=0"):
        Pool(operator.add, workers=0)
    assert is_parallel(None, 2) and is_parallel(LOCAL, 1) and not is_parallel(None, 1)
