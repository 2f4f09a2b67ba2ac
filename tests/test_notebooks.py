"""The notebooks: executed top to bottom on the real data; committed without outputs.

Each notebook runs in a fresh ``python3`` kernel started from this interpreter, with
``notebooks/`` as its working folder, ``REGIONOPT_NOTEBOOK_OUT`` pointing at a temporary folder
and ``REGIONOPT_DATA_DIR`` at the real source data. Any error in any cell fails the test.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = REPO / "notebooks"
#: Seconds a single cell may take: the national solve runs up to its scenario's time limit.
CELL_TIMEOUT = 1800
#: Files each notebook must leave in its output folder (relative to ``$REGIONOPT_NOTEBOOK_OUT``).
EXPECTED_OUTPUTS = {
    "01_troms_finnmark.ipynb": ["01_troms_finnmark/solution/compare_nivi.html",
                                "01_troms_finnmark/solution/plan.csv"],
    "02_tuning_constraints.ipynb": ["02_tuning_constraints/sweep/sweep.csv",
                                    "02_tuning_constraints/sweep/pareto.png"],
    "03_norway.ipynb": ["03_norway/solution/map.html", "03_norway/solution/plan.csv",
                        "03_norway/solution/compare_ba-2020.html"],
}
#: About 15 s each on 2 cores with a warm network cache (the national solve takes seconds); mark
#: a notebook ``slow`` here if it comes to take longer than about 30 s.
RUNS = ["01_troms_finnmark.ipynb", "02_tuning_constraints.ipynb", "03_norway.ipynb"]


@pytest.fixture
def kernel_env(tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point ``python3`` at this interpreter and give the kernel its environment.

    A ``python3`` kernel spec on ``JUPYTER_PATH`` comes before any installed one, so the
    kernel runs ``sys.executable`` (this venv, with regionopt), whatever else is installed.
    Returns the notebooks' output folder.
    """
    spec_dir = tmp_path / "jupyter" / "kernels" / "python3"
    spec_dir.mkdir(parents=True)
    spec = {"argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": "Python 3", "language": "python"}
    (spec_dir / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    monkeypatch.setenv("REGIONOPT_DATA_DIR", str(data_dir))
    out = tmp_path / "out"
    monkeypatch.setenv("REGIONOPT_NOTEBOOK_OUT", str(out))
    return out


def _execute(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    client = NotebookClient(nb, timeout=CELL_TIMEOUT, kernel_name="python3",
                            resources={"metadata": {"path": str(NOTEBOOKS)}})
    return client.execute()


def _repo_files() -> set[Path]:
    return {p for p in NOTEBOOKS.rglob("*") if ".ipynb_checkpoints" not in p.parts}


def test_every_notebook_is_tested() -> None:
    assert sorted(p.name for p in NOTEBOOKS.glob("*.ipynb")) == sorted(EXPECTED_OUTPUTS)


@pytest.mark.parametrize("name", sorted(EXPECTED_OUTPUTS))
def test_committed_without_outputs(name: str) -> None:
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    nbformat.validate(nb)
    assert nb.nbformat == 4
    assert set(nb.metadata) <= {"kernelspec", "language_info"}, name
    assert nb.metadata["kernelspec"]["name"] == "python3"
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code, name
    for cell in code:
        assert cell.outputs == [], f"{name}: cell {cell.id} has outputs"
        assert cell.execution_count is None, f"{name}: cell {cell.id} has an execution count"
    for cell in nb.cells:
        assert cell.metadata == {}, f"{name}: cell {cell.id} has metadata {dict(cell.metadata)}"
        assert "attachments" not in cell, f"{name}: cell {cell.id} has attachments"


def test_kernel_is_this_interpreter(kernel_env: Path) -> None:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "import os, sys\nprint(sys.executable)\nprint(os.getcwd())")])
    lines = _execute(nb).cells[0].outputs[0]["text"].splitlines()
    assert Path(lines[0]) == Path(sys.executable)
    assert Path(lines[1]).resolve() == NOTEBOOKS.resolve()


@pytest.mark.parametrize("name", RUNS)
def test_notebook_runs(name: str, kernel_env: Path) -> None:
    before = _repo_files()
    nb = _execute(nbformat.read(NOTEBOOKS / name, as_version=4))
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
              if o.output_type == "error"]
    assert not errors
    for rel in EXPECTED_OUTPUTS[name]:
        assert (kernel_env / rel).is_file(), f"{name} did not write {rel}"
    assert _repo_files() == before, f"{name} wrote into notebooks/"
    last = [c for c in nb.cells if c.cell_type == "code"][-1]
    assert last.outputs, f"{name}: the last cell shows nothing"
