"""The package's layout rules (``docs/design.md``), read from the code's own imports.

* every module sits in a stage: the ground modules, then data → network →
  model → evaluate → maps → sweep, then the top (``api``, ``cli``,
  ``commands``, ``outputs``); a module imports from its own stage and earlier
  ones, never a later one;
* no import cycle between modules (a package's ``__init__`` only re-exports);
* an import inside a function carries a ``# lazy:`` reason;
* no module over 500 lines; ``ruff`` and ``mypy`` clean.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PACKAGE = REPO / "regionopt"
STAGES = ("data", "network", "model", "evaluate", "maps", "sweep")
GROUND = {"errors", "io", "_resources", "_checker", "scenario", "problem", "plan", "budget",
          "interrupts", "__init__"}
#: The top: the facade, the CLI, and each sub-command's own module (``<name>_command``).
TOP = {"api", "cli", "commands", "outputs", "__main__",
       *(p.stem for p in (Path(__file__).resolve().parent.parent / "regionopt")
         .glob("*_command.py"))}
MAX_LINES = 500


def _module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _rank(module: str) -> int:
    parts = module.split(".")
    if len(parts) == 1 or (len(parts) == 2 and parts[1] in GROUND):
        return 0
    if parts[1] in STAGES:
        return 1 + STAGES.index(parts[1])
    assert parts[1] in TOP, f"{module} belongs to no stage"
    return len(STAGES) + 1


def _imports(path: Path, modules: dict[str, Path]) -> list[tuple[str, ast.AST]]:
    """Modules of the package that ``path`` imports, resolved to modules, with the node."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0 \
                and node.module.split(".")[0] == "regionopt":
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                out.append((sub if sub in modules else node.module, node))
        elif isinstance(node, ast.Import):
            out += [(a.name, node) for a in node.names if a.name.split(".")[0] == "regionopt"]
    return out


def test_every_stage_is_a_subpackage_that_re_exports() -> None:
    for stage in STAGES:
        init = PACKAGE / stage / "__init__.py"
        assert init.is_file(), stage
        assert "__all__" in init.read_text(encoding="utf-8"), stage
    stray = {p.stem for p in PACKAGE.glob("*.py")} - GROUND - TOP
    assert not stray, f"modules outside every stage: {sorted(stray)}"


def test_no_import_from_a_later_stage() -> None:
    modules = _modules()
    upward = []
    for name, path in modules.items():
        for target, node in _imports(path, modules):
            if target in modules and _rank(target) > _rank(name):
                upward.append(f"{name}:{getattr(node, 'lineno', '?')} imports {target}")
    assert not upward, "\n".join(upward)


def test_no_import_cycles() -> None:
    modules = _modules()
    graph = {name: {t for t, _ in _imports(path, modules)
                    if t in modules and modules[t].name != "__init__.py"}
             for name, path in modules.items() if path.name != "__init__.py"}
    state: dict[str, int] = {}
    cycles: list[str] = []

    def visit(u: str, trail: list[str]) -> None:
        state[u] = 1
        for v in sorted(graph.get(u, ())):
            if state.get(v) == 1:
                cycles.append(" → ".join([*trail[trail.index(v):], v]))
            elif v not in state:
                visit(v, [*trail, v])
        state[u] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert not cycles, "\n".join(cycles)


def test_function_level_imports_say_why() -> None:
    silent = []
    for path in sorted(PACKAGE.rglob("*.py")):
        lines = path.read_text(encoding="utf-8").splitlines()
        tree = ast.parse("\n".join(lines))
        for fn in ast.walk(tree):
            if not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(fn):
                if isinstance(node, ast.Import | ast.ImportFrom):
                    here, above = lines[node.lineno - 1], lines[node.lineno - 2].strip()
                    block = [ln.strip() for ln in lines[max(0, node.lineno - 4):node.lineno]]
                    if "# lazy:" not in here and not any(b.startswith("# lazy:") for b in block) \
                            and "# lazy:" not in above:
                        silent.append(f"{path.relative_to(REPO)}:{node.lineno}")
    assert not silent, "imports inside functions without a '# lazy:' reason:\n" + "\n".join(
        silent)


def test_no_module_over_500_lines() -> None:
    long = {str(p.relative_to(REPO)): n for p in PACKAGE.rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert not long, long


def test_tests_mirror_the_stages() -> None:
    """Each module has ``tests/<stage>/test_<module>.py`` or is named in a test file there."""
    missing = []
    for stage in STAGES:
        tests = {p.stem: p.read_text(encoding="utf-8")
                 for p in (REPO / "tests" / stage).glob("test_*.py")}
        for module in sorted((PACKAGE / stage).rglob("*.py")):
            dotted = _module_name(module)
            if module.name == "__init__.py" or f"test_{module.stem}" in tests:
                continue
            if not any(dotted in text for text in tests.values()):
                missing.append(dotted)
    assert not missing, f"modules without a test file of their own or a mention: {missing}"


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=REPO, capture_output=True,
                          text=True, check=False)


def test_ruff_is_clean() -> None:
    pytest.importorskip("ruff")
    result = _run("ruff", "check", "regionopt", "tests", "benchmarks")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_mypy_is_clean() -> None:
    pytest.importorskip("mypy")
    result = _run("mypy", "regionopt")
    assert result.returncode == 0, result.stdout + result.stderr
