"""regionopt.cli.serve: the command's own errors are one line and exit 2, nothing served."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_cli import assert_one_line_error, run_cli

from regionopt.cli.serve import server_url


@pytest.mark.parametrize(("args", "needle"), [
    (["--port", "70000"], "--port"),
    (["--host", "example.org"], "--host"),
    (["--workers", "0"], "--workers"),
    (["--scheduler", "tcp://nowhere"], "--scheduler"),
    (["--set", "regions.count=40", "--set", "constraints.min_population=20000"], "infeasible"),
])
def test_bad_options_are_one_line(tmp_path: Path, data_dir: Path, args: list[str],
                                  needle: str) -> None:
    proc = run_cli("serve", "--no-browser", "--workspace", str(tmp_path / "w"), *args)
    assert_one_line_error(proc, needle)
    assert "http://" not in proc.stdout


def test_the_url_carries_the_token() -> None:
    assert server_url("127.0.0.1", 8888, "abc") == "http://127.0.0.1:8888/?token=abc"
    assert server_url("::1", 8888, "abc") == "http://[::1]:8888/?token=abc"
