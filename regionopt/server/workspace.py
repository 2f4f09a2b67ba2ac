"""Saved work: every accepted plan in a folder of its own, with its scenario, figures and time.

``<workspace>/<NNNN>/`` holds ``scenario.toml`` (the locks written as rules: ``regionopt solve
--scenario`` reproduces the plan), ``plan.csv``, ``figures.json`` and ``saved.json`` (when,
which scenario it started from). A save is written to a temporary folder and renamed into
place, so a crash or a kill leaves the earlier saves as they were. Folder names are numbers
the server chooses; nothing from a request becomes a path.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from regionopt.io import atomic_write_text
from regionopt.server.errors import RequestError

_NAME = re.compile(r"\d{4,}")


def default_workspace() -> Path:
    """``regionopt/workspace`` in the user's data folder (platformdirs)."""
    # lazy: platformdirs is needed only when no --workspace is given
    import platformdirs

    return Path(platformdirs.user_data_dir("regionopt", appauthor=False)) / "workspace"


@dataclass(frozen=True)
class Saved:
    """One save: its number and what ``saved.json`` says of it."""

    number: str
    info: dict[str, Any]


class Workspace:
    """The saves under ``root`` (created)."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)

    def saves(self) -> list[Saved]:
        """Every complete save, oldest first (a half-written one has no number yet)."""
        out = []
        for folder in sorted(self.root.iterdir()):
            if folder.is_dir() and _NAME.fullmatch(folder.name):
                try:
                    info = json.loads((folder / "saved.json").read_text(encoding="utf-8"))
                except (OSError, ValueError):
                    continue
                out.append(Saved(folder.name, info))
        return out

    def save(self, *, scenario_toml: str, plan_csv: str, figures: dict[str, Any],
             info: dict[str, Any]) -> Saved:
        """Write a new save (temporary folder, then rename); return it."""
        tmp = Path(tempfile.mkdtemp(prefix=".saving-", dir=self.root))
        try:
            atomic_write_text(tmp / "scenario.toml", scenario_toml)
            atomic_write_text(tmp / "plan.csv", plan_csv)
            atomic_write_text(tmp / "figures.json", json.dumps(figures, indent=2,
                                                               sort_keys=True) + "\n")
            full = dict(info, saved_at=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
            atomic_write_text(tmp / "saved.json", json.dumps(full, indent=2, sort_keys=True)
                              + "\n")
            while True:
                number = f"{self._next():04d}"
                try:
                    os.rename(tmp, self.root / number)  # fails if the name exists
                    return Saved(number, full)
                except OSError:
                    if not (self.root / number).exists():
                        raise
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise

    def _next(self) -> int:
        taken = [int(p.name) for p in self.root.iterdir() if _NAME.fullmatch(p.name)]
        return max(taken, default=0) + 1

    def read(self, number: str, name: str) -> str:
        """The text of file ``name`` of save ``number``.

        Raises
        ------
        RequestError
            404 when the save or the file does not exist (only the save's own files).
        """
        if not _NAME.fullmatch(number) or name not in ("scenario.toml", "plan.csv",
                                                        "figures.json", "saved.json"):
            raise RequestError("save: no such file", status=404)
        path = self.root / number / name
        try:
            return path.read_text(encoding="utf-8")
        except OSError:
            raise RequestError(f"save {number}: no such save", status=404) from None


__all__ = ["Saved", "Workspace", "default_workspace"]
