"""Tests of regionopt.sweep.store: digests, and resuming from the stored case files.

A resumed sweep solves only the cases whose ``result.json`` is missing,
unreadable, stale (another scenario or problem) or whose plan file is gone.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from handmade import TINY_VARY, line_problem, tiny_scenario, tiny_sweep

from regionopt.io import MANIFEST, check_output_owner, owned_files
from regionopt.scenario import parse_scenario, scenario_to_toml
from regionopt.sweep import run as sweep
from regionopt.sweep import store as sweep_store


def test_problem_pickles_and_digest_is_stable() -> None:
    import pickle

    p = line_problem()
    q = pickle.loads(pickle.dumps(p))
    assert sweep_store.problem_digest(p) == sweep_store.problem_digest(q)
    assert q.index("9904") == 3
    assert sweep_store.problem_digest(p) != sweep_store.problem_digest(p.subset(p.codes[:5]))


def test_scenario_toml_round_trip_keeps_digest() -> None:
    s = tiny_scenario()
    assert scenario_to_toml(s) == scenario_to_toml(parse_scenario(
        {"name": "tiny", "regions": {"count": 2}}, source="again"))


class _SolveSpy:
    """Counts calls of the real ``regionopt.model.solve`` by the sweep (serial sweeps only)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, *, interrupt_after: int | None = None):
        import regionopt.sweep.run

        self.real = regionopt.sweep.run.solve
        self.calls = 0
        self.interrupt_after = interrupt_after
        monkeypatch.setattr(regionopt.sweep.run, "solve", self)

    def __call__(self, *args, **kwargs):
        if self.interrupt_after is not None and self.calls >= self.interrupt_after:
            raise KeyboardInterrupt
        self.calls += 1
        return self.real(*args, **kwargs)



def test_resume_solves_only_what_is_missing(tmp_path: Path, monkeypatch) -> None:
    spy = _SolveSpy(monkeypatch)
    first = tiny_sweep(tmp_path)
    assert spy.calls == 12
    ids = first["id"].tolist()
    (tmp_path / "plans" / ids[0] / "result.json").unlink()  # lost before it was marked done
    (tmp_path / "plans" / ids[3] / "plan.csv").unlink()  # plan file gone
    (tmp_path / "plans" / ids[5] / "result.json").write_text("{trunc", encoding="utf-8")
    spy.calls = 0
    second = tiny_sweep(tmp_path)
    assert spy.calls == 3
    cols = ["id", "status", "objective", "person_minutes", "population_cv", "plan_path"]
    assert second[cols].equals(first[cols])
    spy.calls = 0
    tiny_sweep(tmp_path)
    assert spy.calls == 0
    tiny_sweep(tmp_path, resume=False)
    assert spy.calls == 12


def test_resume_after_interruption_and_after_a_changed_scenario(tmp_path: Path,
                                                                monkeypatch) -> None:
    spy = _SolveSpy(monkeypatch, interrupt_after=5)
    with pytest.raises(KeyboardInterrupt):
        tiny_sweep(tmp_path)
    assert len(list((tmp_path / "plans").glob("*/result.json"))) == 5
    assert not (tmp_path / "sweep.csv").exists()
    spy.interrupt_after, spy.calls = None, 0
    tiny_sweep(tmp_path)
    assert spy.calls == 7
    # A different base scenario (same varied values) must not reuse the stored results.
    spy.calls = 0
    other = parse_scenario({"name": "tiny", "regions": {"count": 2},
                            "objective": {"balance": 0.5}}, source="test")
    sweep.run_sweep(other, TINY_VARY, problem=line_problem(), out_dir=tmp_path,
                    max_workers=1, progress=False, reference=())
    assert spy.calls == 12



def test_claim_case_marks_a_first_run_and_lists_each_finished_case(tmp_path: Path) -> None:
    out = tmp_path / "sweep"
    sweep_store.claim_case(out)  # before the first case: an empty manifest
    assert owned_files(out) == []
    (out / "plans" / "a").mkdir(parents=True)
    (out / "plans" / "a" / "result.json").write_text("{}\n", encoding="utf-8")
    check_output_owner(out)  # the partial run is regionopt's own: no --force needed
    sweep_store.claim_case(out, "a")
    assert owned_files(out) == ["plans/a/result.json"]
    sweep_store.claim_case(out)  # a manifest already there is kept
    assert (out / MANIFEST).read_text(encoding="utf-8") == "plans/a/result.json\n"
