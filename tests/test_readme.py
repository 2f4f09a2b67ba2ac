"""The README's Python example runs as written, on the real data."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def test_python_example_in_readme_runs(data_dir: Path) -> None:
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    assert blocks, "README has no Python example"
    namespace: dict[str, object] = {}
    exec(compile(blocks[0], "README.md", "exec"), namespace)
    result = namespace["result"]
    assert result.status == "optimal"  # type: ignore[attr-defined]
    assert len(result.plan.regions) == 10  # type: ignore[attr-defined]


def test_setup_commands_are_the_ones_ci_runs() -> None:
    """The two lines .ci/run extracts are the README's first two commands."""
    text = README.read_text(encoding="utf-8")
    commands = [ln for ln in text.splitlines() if ln.startswith("pip install ")]
    assert commands[:2] == ["pip install . && regionopt solve --out results/troms-finnmark",
                            'pip install ".[test]" && python -m pytest']
    ci = (README.parent / ".ci" / "run").read_text(encoding="utf-8")
    patterns = re.findall(r"grep -m 1 -E '([^']+)' README.md", ci)
    assert len(patterns) == 2
    for pattern, command in zip(patterns, commands[:2], strict=True):
        assert next(ln for ln in text.splitlines() if re.match(pattern, ln)) == command
