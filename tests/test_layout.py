"""The package's layout rules (``docs/design.md``), read from the code's own imports.

* every module sits in a stage: the ground modules, then data → network →
  model → evaluate → maps → sweep, then the top (``api``, ``outputs``, the
  ``cli/`` package and the ``server/`` package beside it); a module imports from its
  own stage and earlier ones, never a later one;
* every command is a module of ``cli/`` (its parser beside its handler), and the
  shared option groups are written once, in ``cli/common.py``;
* no import cycle between modules (a package's ``__init__`` only re-exports);
* an import inside a function carries a ``# lazy:`` reason;
* no module, script (``.js``) or stylesheet (``.css``) over 500 lines; ``ruff`` and
  ``mypy`` clean;
* the tree in ``docs/design.md`` names every module in its stage, and the
  ``regionopt.x.y`` names in the modules' text exist;
* no module imports another module's ``_``-prefixed name (``from m import _x`` or
  ``m._x``); a package-private module (``regionopt._resources``) may be imported;
* tests mirror the tree: ``regionopt/<stage>/<folder>/<module>.py`` has
  ``tests/<stage>/<folder>/test_<module>.py`` (or is named in a test file of its folder).
"""

from __future__ import annotations

import ast
import importlib
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PACKAGE = REPO / "regionopt"
STAGES = ("data", "network", "model", "evaluate", "maps", "sweep")
GROUND = {"errors", "io", "_resources", "_checker", "catalogue", "delineation", "scenario",
          "scenario_config", "overrides", "flows", "problem", "reach_shares", "plan", "budget",
          "interrupts",
          "__init__"}
TOP = {"api", "cli", "server", "__main__"}
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


def test_every_command_is_a_module_of_cli() -> None:
    """The dispatch table names, per command, a module of ``cli/`` holding its parser and handler;
    no command lives outside ``cli/`` (no ``*_command`` or ``*_args`` module)."""
    from regionopt import cli

    for command, (module, help_text) in cli.COMMANDS.items():
        assert (PACKAGE / "cli" / f"{module}.py").is_file(), command
        assert help_text, command
        add, handle = cli.command_module(command).COMMANDS[command]
        assert callable(add) and callable(handle), command
    loose = sorted(p.relative_to(REPO).as_posix() for p in PACKAGE.rglob("*.py")
                   if p.stem.endswith(("_command", "_args")))
    assert not loose, f"command modules outside cli/: {loose}"


def test_shared_options_are_written_once() -> None:
    """``--scheduler``, ``--workers``, ``--force``, ``--lang``, ``--data-dir``, ``--area``,
    ``--set`` and ``--no-resume`` are defined in ``cli/common.py`` only."""
    shared = ("--scheduler", "--workers", "--force", "--lang", "--data-dir", "--area", "--set",
              "--no-resume")
    written = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "add_argument"):
                for arg in node.args:
                    if isinstance(arg, ast.Constant) and arg.value in shared:
                        written.setdefault(arg.value, []).append(
                            f"{path.relative_to(REPO)}:{node.lineno}")
    assert set(written) == set(shared)
    twice = {k: v for k, v in written.items() if len(v) > 1 or "cli/common.py" not in v[0]}
    assert not twice, twice


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
    files = [p for ext in ("py", "js", "css") for p in sorted(PACKAGE.rglob(f"*.{ext}"))]
    assert any(p.suffix == ".js" for p in files) and any(p.suffix == ".css" for p in files)
    long = {str(p.relative_to(REPO)): n for p in files
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert not long, long


def test_tests_mirror_the_stages() -> None:
    """Each module has ``tests/<its folder>/test_<module>.py``, or a test file in that folder
    or one above it (up to the stage's) names it.

    ``regionopt/sweep/options/run.py`` → ``tests/sweep/options/test_run.py``.
    """
    missing = []
    for stage in STAGES:
        for module in sorted((PACKAGE / stage).rglob("*.py")):
            folder = REPO / "tests" / module.parent.relative_to(PACKAGE)
            tests = {p.stem: p.read_text(encoding="utf-8") for p in folder.glob("test_*.py")}
            dotted = _module_name(module)
            if module.name == "__init__.py" or f"test_{module.stem}" in tests:
                continue
            above = [p for up in (folder, *folder.parents) if up.is_relative_to(
                REPO / "tests" / stage) for p in up.glob("test_*.py")]
            if not any(dotted in p.read_text(encoding="utf-8") for p in above):
                missing.append(dotted)
    assert not missing, f"modules without a test file of their own or a mention: {missing}"


def _private_uses(path: Path, modules: dict[str, Path]) -> list[str]:
    """``from m import _x`` and ``m._x`` uses in ``path`` of another module's private names."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    aliases: dict[str, str] = {}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0 \
                and node.module.split(".")[0] == "regionopt":
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                if full in modules:  # a module, private to the package or not
                    aliases[alias.asname or alias.name] = full
                elif alias.name.startswith("_") and not alias.name.startswith("__"):
                    found.append(f"{node.lineno}: from {node.module} import {alias.name}")
        elif isinstance(node, ast.Import):
            aliases.update({a.asname or a.name: a.name for a in node.names
                            if a.name.split(".")[0] == "regionopt"})
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
                and node.value.id in aliases and node.attr.startswith("_") \
                and not node.attr.startswith("__"):
            found.append(f"{node.lineno}: {node.value.id}.{node.attr}")
    return found


def test_no_module_imports_another_modules_private_name() -> None:
    modules = _modules()
    found = [f"{path.relative_to(REPO)}:{use}" for path in modules.values()
             for use in _private_uses(path, modules)]
    assert not found, "private names used outside their module:\n" + "\n".join(found)


def _design_tree() -> dict[int, set[str]]:
    """The module names the tree in ``docs/design.md`` lists, by stage rank (0 ground, 7 top)."""
    text = (REPO / "docs" / "design.md").read_text(encoding="utf-8")
    block = text.split("```\nregionopt/\n", 1)[1].split("```", 1)[0]
    named: dict[int, set[str]] = {}
    rank = 0
    for line in block.splitlines():
        head = re.match(r"  (\w+)/\s", line)
        if head and head.group(1) in STAGES:
            rank = 1 + STAGES.index(head.group(1))
        elif re.match(r"  api\b", line):
            rank = len(STAGES) + 1
        named.setdefault(rank, set()).update(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", line))
    return named


def test_design_names_every_module_in_its_stage() -> None:
    """The tree at the top of ``docs/design.md`` lists each module in its own stage's lines."""
    named = _design_tree()
    missing = [name for name, path in _modules().items() if path.name != "__init__.py"
               and path.stem not in named.get(_rank(name), set())]
    assert not missing, f"modules docs/design.md does not name in their stage: {missing}"


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


def _resolves(dotted: str) -> bool:
    parts = dotted.split(".")
    for k in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:k]))
        except ImportError:
            continue
        try:
            for part in parts[k:]:
                obj = getattr(obj, part)
        except AttributeError:
            return False
        return True
    return False


def test_docstrings_name_only_what_exists() -> None:
    """Every ``regionopt.x.y`` a module's text names is a module or an attribute of one."""
    stale = []
    for path in sorted(PACKAGE.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        for dotted in sorted(set(re.findall(r"regionopt(?:\.[A-Za-z_]\w*)+", text))):
            if not _resolves(dotted):
                stale.append(f"{path.relative_to(REPO)}: {dotted}")
    assert not stale, "names that no longer exist:\n" + "\n".join(stale)


def test_every_table_of_data_geo_travels_with_a_regular_install() -> None:
    """``pyproject.toml``'s data-files name every file of ``data/geo`` (a regular install reads
    them from ``share/regionopt/geo``), and each pattern matches files only: a folder matched
    by a pattern fails the wheel's build (``data/geo/scenarios/*`` once matched ``methods/``)."""
    import subprocess
    import tomllib

    table = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    data_files = table["tool"]["setuptools"]["data-files"]
    shipped: set[Path] = set()
    for target, patterns in data_files.items():
        for pattern in patterns:
            matched = sorted(REPO.glob(pattern))
            assert matched, f"{pattern} matches nothing"
            folders = [p for p in matched if not p.is_file()]
            assert not folders, f"{pattern} matches folders {folders}: name files only"
            for p in matched:
                assert target.endswith(str(p.parent.relative_to(REPO / "data"))), (target, p)
            shipped.update(p.relative_to(REPO) for p in matched)
    tracked = subprocess.run(["git", "ls-files", "data/geo"], cwd=REPO, capture_output=True,
                             text=True, check=True).stdout.split()
    tables = {Path(f) for f in tracked}
    assert tables - shipped == set(), "not in pyproject.toml's data-files"
