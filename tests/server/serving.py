"""A real ``regionopt serve`` on an ephemeral port, and a bare HTTP client for it.

The server runs as the user runs it (``python -m regionopt serve --no-browser``) in its own
process; :class:`Served` reads the one URL it prints and speaks HTTP with ``http.client``, so
that every header (``Host``, ``Origin``, ``Cookie``) is exactly what the test says.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parents[2]
#: Knobs that make the Troms og Finnmark solve take tens of seconds (for cancel tests).
SLOW = {"constraints.min_self_containment": 0.85, "objective.commuting": 2000,
        "objective.balance": 3, "regions.count": 14}


class Served:
    """``regionopt serve`` started with ``args`` and a workspace folder."""

    def __init__(self, workspace: Path, args: Sequence[str] = (), *, workers: int = 2,
                 wait_optimum: bool = True) -> None:
        env = dict(os.environ, PYTHONPATH=str(REPO))
        self.log = tempfile.TemporaryFile("w+")  # noqa: SIM115 - closed by stop()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "regionopt", "serve", "--no-browser", "-q",
             "--workspace", str(workspace), "--workers", str(workers), *args],
            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=self.log, text=True)
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().strip()
        if not line.startswith("http://"):
            self.stop()
            raise RuntimeError(f"serve printed {line!r}")
        self.url = line
        parts = urlsplit(line)
        self.host, self.port = parts.hostname or "", parts.port or 80
        self.token = parts.query.split("token=", 1)[1]
        if wait_optimum:
            self.wait_optimum()

    def wait_optimum(self, timeout: float = 600) -> dict[str, Any]:
        """Wait until the unlocked optimum solved in the background is known; the state."""
        end = time.monotonic() + timeout
        while True:
            status, state = self.json("GET", "/api/state")
            assert status == 200, state
            if state["optimum_job"] is None or time.monotonic() > end:
                return dict(state)
            time.sleep(0.2)

    def stop(self) -> None:
        """Ctrl-C, then wait for the end."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        self.log.close()

    def request(self, method: str, path: str, body: Any = None, *, token: bool = True,
                headers: dict[str, str] | None = None, raw: bytes | None = None
                ) -> tuple[int, dict[str, str], bytes]:
        """One request; ``token`` sends the Authorization header; ``raw`` a body as is."""
        conn = http.client.HTTPConnection(self.host, self.port, timeout=120)
        sent = {"Host": f"{self.host}:{self.port}"}
        if token:
            sent["Authorization"] = f"token {self.token}"
        data = raw
        if body is not None:
            data = json.dumps(body).encode()
            sent["Content-Type"] = "application/json"
        sent.update(headers or {})
        conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        for k, v in sent.items():
            conn.putheader(k, v)
        if data is not None:
            conn.putheader("Content-Length", str(len(data)))
        conn.endheaders(data)
        resp = conn.getresponse()
        out = resp.read()
        got = {k.lower(): v for k, v in resp.getheaders()}
        conn.close()
        return resp.status, got, out

    def json(self, method: str, path: str, body: Any = None, **kw: Any) -> tuple[int, Any]:
        """A request whose answer is JSON."""
        status, _, data = self.request(method, path, body, **kw)
        return status, json.loads(data) if data else None

    def events(self, job: str, *, client: str = "test") -> Iterator[tuple[str, Any]]:
        """The job's server-sent events, as ``(kind, data)``, until the stream ends."""
        conn = http.client.HTTPConnection(self.host, self.port, timeout=300)
        conn.request("GET", f"/api/jobs/{job}/events",
                     headers={"Authorization": f"token {self.token}"})
        resp = conn.getresponse()
        kind = None
        try:
            for raw in resp:
                line = raw.decode().rstrip("\n")
                if line.startswith("event: "):
                    kind = line[7:]
                elif line.startswith("data: ") and kind is not None:
                    yield kind, json.loads(line[6:])
                    kind = None
        finally:
            conn.close()

    def solve(self, body: dict[str, Any], *, client: str = "test") -> dict[str, Any]:
        """POST a re-solve, wait for its end; return the job's description."""
        status, answer = self.json("POST", "/api/solve", body,
                                   headers={"X-Regionopt-Client": client})
        assert status == 202, answer
        for _ in self.events(answer["job"]):
            pass
        status, job = self.json("GET", f"/api/jobs/{answer['job']}")
        assert status == 200, job
        return job


def wait_gone(pids: Sequence[int], timeout: float) -> list[int]:
    """The pids still running (not zombies) after at most ``timeout`` seconds."""
    import psutil

    end = time.monotonic() + timeout
    while True:
        alive = []
        for pid in pids:
            try:
                if psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
                    alive.append(pid)
            except psutil.NoSuchProcess:
                pass
        if not alive or time.monotonic() > end:
            return alive
        time.sleep(0.05)
