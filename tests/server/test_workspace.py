"""regionopt.server.workspace and regionopt.server.session: saves survive a restart and a crash.

An accepted plan is on screen again after the server restarts on the same workspace; a save
that fails half-way leaves the earlier saves as they were and no numbered folder behind.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from serving import Served

from regionopt.server import workspace as ws
from regionopt.server.errors import RequestError


def _save(w: ws.Workspace, n: int) -> ws.Saved:
    return w.save(scenario_toml=f'name = "s{n}"\n', plan_csv="kommunenummer,region\n",
                  figures={"objective": n}, info={"base": "b", "objective": n})


def test_saves_are_numbered_and_listed(tmp_path: Path) -> None:
    w = ws.Workspace(tmp_path / "w")
    assert [_save(w, k).number for k in (1, 2)] == ["0001", "0002"]
    assert [s.info["objective"] for s in ws.Workspace(tmp_path / "w").saves()] == [1, 2]
    assert w.read("0002", "scenario.toml") == 'name = "s2"\n'
    for number, name in (("0002", "../x"), ("..", "plan.csv"), ("0009", "plan.csv"),
                         ("0001", "secret.txt")):
        with pytest.raises(RequestError):
            w.read(number, name)


def test_a_failed_save_leaves_the_earlier_ones(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    w = ws.Workspace(tmp_path)
    _save(w, 1)
    calls = []

    def failing(path: Path, text: str) -> Path:
        calls.append(path)
        if len(calls) == 3:
            raise OSError("disk full")
        Path(path).write_text(text, encoding="utf-8")
        return Path(path)

    monkeypatch.setattr(ws, "atomic_write_text", failing)
    with pytest.raises(OSError):
        _save(w, 2)
    assert [s.number for s in w.saves()] == ["0001"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["0001"]


def test_default_workspace_is_in_the_user_data_folder() -> None:
    assert ws.default_workspace().parts[-2:] == ("regionopt", "workspace")


def test_an_accepted_plan_survives_a_restart(tmp_path: Path, data_dir: Path) -> None:
    folder = tmp_path / "workspace"
    first = Served(folder)
    try:
        job = first.solve({"locks": [{"kind": "municipality", "code": "5536", "other": "5501"}]})
        status, accepted = first.json("POST", f"/api/jobs/{job['job']}/accept")
        assert status == 200
    finally:
        first.stop()
    again = Served(folder)
    try:
        status, state = again.json("GET", "/api/state")
        assert state["save"] == accepted["save"] and state["plan"] == job["plan"]
        assert [lock["text"] for lock in state["locks"]] == ["Lyngen with Tromsø"]
        assert len(state["saves"]) == 1
        assert state["price"]["objective"] == pytest.approx(job["price"]["objective"])
    finally:
        again.stop()
