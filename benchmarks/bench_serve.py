"""regionopt serve (issue 33): lock-and-re-solve times on the real server, alone and 4 at once.

Starts ``regionopt serve`` on Troms og Finnmark under ``troms-finnmark-functional.toml`` (and,
with ``--nordland``, Nordland under ``functional.toml``), then asks 20 random lock sets (a
fixed seed: 1-4 municipalities each locked to the core of its own or a neighbouring region),
one after the other: the server time of each (request queued to plan ready, measured by the
server) and the client's wall time, how many were proven optimal; then 4 clients asking at
once. With Chromium installed, the page's own interactions (a lock, an undo) are timed too.
Prints a Markdown section; with ``--write`` it replaces the "serve" section of
``docs/benchmarks.md``. Run it with ``nice``: the machine is shared.

Usage::

    nice python benchmarks/bench_serve.py [--write] [--sets 20] [--nordland]
"""

from __future__ import annotations

import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from _common import REPO, arg_parser, emit, machine

from regionopt import api

SCENARIOS = REPO / "data" / "geo" / "scenarios"


class Server:
    """``regionopt serve`` in its own process, and requests to it."""

    def __init__(self, args: list[str]) -> None:
        self.workspace = tempfile.TemporaryDirectory(prefix="bench-serve-")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "regionopt", "serve", "--no-browser", "-q", "--workspace",
             self.workspace.name, *args], cwd=REPO, stdout=subprocess.PIPE, text=True,
            env=dict(os.environ, PYTHONPATH=str(REPO)))
        assert self.proc.stdout is not None
        self.url = self.proc.stdout.readline().strip()
        if not self.url.startswith("http://"):
            self.proc.kill()
            self.proc.wait()
            raise RuntimeError(f"regionopt serve printed {self.url!r}, not its URL")
        parts = urlsplit(self.url)
        self.host, self.port = parts.hostname or "", parts.port or 0
        self.token = parts.query.split("token=", 1)[1]

    def call(self, method: str, path: str, body: Any = None, client: str = "bench") -> Any:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=600)
        headers = {"Authorization": f"token {self.token}", "X-Regionopt-Client": client}
        data = None
        if body is not None:
            data, headers["Content-Type"] = json.dumps(body), "application/json"
        conn.request(method, path, body=data, headers=headers)
        resp = conn.getresponse()
        out = json.loads(resp.read() or b"null")
        conn.close()
        return resp.status, out

    def solve(self, body: dict[str, Any], client: str = "bench") -> dict[str, Any]:
        began = time.perf_counter()
        status, answer = self.call("POST", "/api/solve", body, client)
        if status != 202:
            return {"refused": answer["error"]}
        conn = http.client.HTTPConnection(self.host, self.port, timeout=3600)
        conn.request("GET", f"/api/jobs/{answer['job']}/events",
                     headers={"Authorization": f"token {self.token}"})
        first = within = started = None
        for raw in conn.getresponse():  # the stream ends with the job
            line = raw.decode()
            if started is None and line.startswith('data: "started'):
                started = time.perf_counter() - began
            if not line.startswith("data: {"):
                continue
            data = json.loads(line[6:])
            if first is None and data.get("incumbent_solver") not in (None, float("inf")):
                first = time.perf_counter() - began
            if within is None and data.get("gap") is not None and data["gap"] <= 0.005:
                within = time.perf_counter() - began
        conn.close()
        _, job = self.call("GET", f"/api/jobs/{answer['job']}")
        job.update(wall=time.perf_counter() - began, first=first, within=within,
                   started=started)
        return job

    def stop(self) -> None:
        self.proc.send_signal(2)
        self.proc.wait(timeout=30)
        if self.proc.stdout:
            self.proc.stdout.close()
        self.workspace.cleanup()


def lock_sets(area: str | list[str], scenario: Path, state: dict[str, Any], count: int,
              seed: int) -> list[list[dict[str, str]]]:
    """``count`` random lock sets over the plan on screen (see the module notes)."""
    problem = api.problem_from_network(api.build_network(area, progress=False))
    near: dict[str, set[str]] = {c: set() for c in problem.codes}
    for i, j, _ in problem.edges:
        near[problem.codes[i]].add(problem.codes[j])
        near[problem.codes[j]].add(problem.codes[i])
    core = {c: state["cores"][r] for c, r in state["plan"].items()}
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        chosen = rng.sample(sorted(problem.codes), rng.randint(1, 4))
        out.append([{"kind": "municipality", "code": c,
                     "other": core[rng.choice(sorted(near[c] | {c}))]} for c in chosen])
    return out


#: The issue's acceptance case: Kvænangen with Alta, Lyngen with Tromsø.
ACCEPTANCE = [{"kind": "municipality", "code": "5546", "other": "5601"},
              {"kind": "municipality", "code": "5536", "other": "5501"}]


def run_area(name: str, args: list[str], area: str | list[str], scenario: Path, sets: int,
             seed: int = 33, first: list[dict[str, str]] | None = None) -> dict[str, Any]:
    """Sequential lock sets, then 4 clients at once, on one server; with ``first``, that
    lock set is asked the moment the URL is printed (before anything else)."""
    srv = Server(args)
    try:
        at_once = None if first is None else srv.solve({"locks": first})
        _, state = srv.call("GET", "/api/state")
        times, walls, proven, refused = [], [], 0, 0
        infeasible: list[float] = []
        detail: list[dict[str, Any]] = []
        for body in lock_sets(area, scenario, state, sets, seed):
            job = srv.solve({"locks": body})
            detail.append(_detail(body, job))
            if "refused" in job:
                refused += 1
                continue
            if job["state"] != "done":  # the solver proved no plan meets the locks
                infeasible.append(job["server_seconds"])
                continue
            times.append(job["server_seconds"])
            walls.append(job["wall"])
            proven += job["status"] == "optimal"
        together: list[float] = []
        bodies = lock_sets(area, scenario, state, 12, seed + 1)

        def client(k: int) -> None:
            for body in bodies[k::4]:
                job = srv.solve({"locks": body}, client=f"c{k}")
                if "refused" not in job and job["state"] == "done":
                    together.append(job["wall"])
                    return

        threads = [threading.Thread(target=client, args=(k,)) for k in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        page = page_times(srv)
    finally:
        srv.stop()
    return {"name": name, "times": times, "walls": walls, "proven": proven,
            "refused": refused, "infeasible": infeasible, "together": together, "page": page,
            "detail": detail, "first": at_once}


def _detail(body: list[dict[str, str]], job: dict[str, Any]) -> dict[str, Any]:
    """One lock set's figures: where its server time went (queue, worker, solver)."""
    out: dict[str, Any] = {"locks": [f"{lock['code']}>{lock['other']}" for lock in body],
                           "load": round(os.getloadavg()[0], 2)}
    if "refused" in job:
        return dict(out, refused=job["refused"][:80])
    out.update({k: job.get(k) for k in ("state", "status", "server_seconds", "seconds",
                                        "started", "wall", "price_pending")})
    return out


def page_times(srv: Server) -> dict[str, float] | None:
    """Milliseconds of a lock and an undo in headless Chromium (None without it)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    if not Path("/usr/bin/chromium").is_file():
        return None
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium",
                                    args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page()
        page.goto(srv.url)
        page.wait_for_function("document.body.classList.contains('rg-served')", timeout=60000)
        out = page.evaluate("""() => {
            const R = window.regionopt, codes = Object.keys(R.server.state().plan);
            let t = performance.now();
            R.server.lock("municipality", codes[1]);
            const lock = performance.now() - t;
            R.assign(codes[1], R.server.state().plan[codes[0]]);
            t = performance.now();
            R.undo();
            return {lock: lock, undo: performance.now() - t};
        }""")
        browser.close()
    return {k: float(v) for k, v in out.items()}


def run_start(args: list[str]) -> dict[str, Any]:
    """Start ``regionopt serve`` with ``args``: seconds to its URL, to the page with a plan,
    to the background optimum within 0.5 % (its streamed gap) and to its end."""
    began = time.perf_counter()
    srv = Server(args)
    out: dict[str, Any] = {"url": time.perf_counter() - began}
    try:
        conn = http.client.HTTPConnection(srv.host, srv.port, timeout=600)
        conn.request("GET", "/", headers={"Authorization": f"token {srv.token}"})
        resp = conn.getresponse()
        page = resp.read()
        conn.close()
        out["page"] = time.perf_counter() - began
        out["page_ok"] = resp.status == 200 and b"regionoptServer" in page
        _, state = srv.call("GET", "/api/state")
        out["first"] = {"objective": state["figures"]["objective"],
                        "provisional": state["provisional"],
                        "price_pending": state["price_pending"]}
        job, within = state["optimum_job"], None
        if job is not None:
            conn = http.client.HTTPConnection(srv.host, srv.port, timeout=3600)
            conn.request("GET", f"/api/jobs/{job}/events",
                         headers={"Authorization": f"token {srv.token}"})
            for raw in conn.getresponse():  # the stream ends with the job
                line = raw.decode()
                if not line.startswith("data: {"):
                    continue
                data = json.loads(line[6:])
                if within is None and data.get("gap") is not None and data["gap"] <= 0.005:
                    within = time.perf_counter() - began
            conn.close()
            _, done = srv.call("GET", f"/api/jobs/{job}")
            out["optimum"] = {k: done.get(k) for k in ("state", "status", "gap", "objective",
                                                        "server_seconds")}
        out["within"] = within
        out["end"] = time.perf_counter() - began
        _, state = srv.call("GET", "/api/state")
        out["after"] = {"objective": state["figures"]["objective"],
                        "provisional": state["provisional"], "price": state["price"]}
    finally:
        srv.stop()
    return out


def render_start(r: dict[str, Any], workers: int) -> str:
    """The start-up figures of :func:`run_start` as a paragraph."""
    opt = r.get("optimum") or {}
    gap = "–" if opt.get("gap") is None else f"{100 * opt['gap']:.2f} %"
    then = "still provisional" if r["after"]["provisional"] else "the optimum"
    return (f"All of Norway, `norway-functional.toml`, {workers} worker processes: the URL "
            f"printed after {r['url']:.1f} s, the page with a first plan (the construction "
            f"heuristic's, objective {r['first']['objective']:,.0f}; price pending) served "
            f"after {r['page']:.1f} s; the unlocked optimum in the background ended after "
            f"{r['end']:.0f} s ({opt.get('server_seconds') or 0:.0f} s in its worker) with status "
            f"{opt.get('status')}, proven gap {gap}, objective "
            f"{opt.get('objective') or 0:,.0f}; the plan on screen then {then} "
            f"(objective {r['after']['objective']:,.0f}).")


def run_norway(sets: int) -> str:
    """All of Norway under norway-functional.toml: start-up, then ``sets`` lock sets."""
    scenario = SCENARIOS / "norway-functional.toml"
    began = time.perf_counter()
    srv = Server(["--scenario", str(scenario), "--workers", "1"])
    start = time.perf_counter() - began
    try:
        _, state = srv.call("GET", "/api/state")
        lines = []
        for body in lock_sets("norway", scenario, state, sets, 33):
            job = srv.solve({"locks": body})
            if "refused" in job or job["state"] != "done":
                lines.append(f"| {len(body)} locks | refused or infeasible | | | |")
                continue
            lines.append(f"| {len(body)} locks | {job['status']}, gap "
                         f"{100 * (job['gap'] or 0):.2f} % | "
                         + " | ".join("–" if v is None else f"{v:.1f} s" for v in
                                      (job["first"], job["server_seconds"])) + " |")
    finally:
        srv.stop()
    head = ["", f"All of Norway, `norway-functional.toml`, one worker process: the server "
            f"printed its URL (the page ready with its first plan) after {start:.0f} s.", "",
            "| lock set | result | first solver progress streamed | server time |",
            "| --- | --- | ---: | ---: |"]
    note = ["", "The first progress line is the first incumbent any HiGHS run of the solve "
            "printed (the engine's own sub-problems included), so it shows that the page "
            "hears from the solver early, not the gap of the final model; the result's gap is "
            "the proven one."]
    return "\n".join(head + lines + note)


def render(rows: list[dict[str, Any]], where: str) -> str:
    lines = ["## Serve: lock and re-solve (`benchmarks/bench_serve.py`)", "", where, "",
             "| area and scenario | lock sets solved | proven | refused before solving (a hard "
             "rule) / proven infeasible by the solver | server time "
             "median / max | client time median / max | 4 clients at once: each answered in |"
             " page: a lock / an undo |", "| --- | ---: | ---: | ---: | ---: | ---: | --- | --- |"]
    for r in rows:
        t, w = r["times"], r["walls"]
        page = r["page"]
        lines.append(
            f"| {r['name']} | {len(t)} | {r['proven']} | {r['refused']} / "
            f"{len(r['infeasible'])} | "
            f"{statistics.median(t):.2f} s / {max(t):.2f} s | "
            f"{statistics.median(w):.2f} s / {max(w):.2f} s | "
            + ", ".join(f"{x:.2f} s" for x in sorted(r["together"])) + " | "
            + ("not measured" if page is None else
               f"{page['lock']:.1f} ms / {page['undo']:.1f} ms") + " |")
    for r in rows:
        job = r.get("first")
        if job and "refused" not in job:
            lines += ["", f"{r['name']}: the acceptance locks (Kvænangen with Alta, Lyngen with "
                      f"Tromsø) asked the moment the URL was printed: {job['status']} after "
                      f"{job['server_seconds']:.2f} s server time ({job['wall']:.2f} s client), "
                      f"the price {'pending' if job['price_pending'] else 'known'} then."]
    lines += ["", "Server time: from the request queued to the plan ready, measured by the "
              "server (the job's `server_seconds`); client time adds HTTP and the event stream. "
              "A lock set the server refuses (a lock that breaks a hard rule: 422 before any "
              "solve) is counted apart. Random lock sets: seed 33, 1-4 municipalities each "
              "locked to the core of its own or a neighbouring region."]
    return "\n".join(lines)


def main() -> None:
    parser = arg_parser(__doc__)
    parser.add_argument("--sets", type=int, default=20, help="lock sets per area (default 20)")
    parser.add_argument("--nordland", action="store_true", help="also Nordland (functional)")
    parser.add_argument("--norway", type=int, default=0, metavar="N",
                        help="also all of Norway (norway-functional.toml) with N lock sets")
    parser.add_argument("--norway-start", action="store_true",
                        help="only all of Norway's start-up with 2 workers: first page, "
                             "background optimum (printed, not written)")
    parser.add_argument("--detail", action="store_true",
                        help="print each lock set's figures (JSON, on stderr)")
    args = parser.parse_args()
    if args.norway_start:
        r = run_start(["--scenario", str(SCENARIOS / "norway-functional.toml"),
                       "--workers", "2"])
        uptime = subprocess.run(["uptime"], capture_output=True, text=True,
                                check=False).stdout.strip()
        print(render_start(r, 2) + f" `uptime` after the run: {uptime}")
        print(json.dumps(r, indent=1))
        return
    where = machine().describe()
    tf = SCENARIOS / "troms-finnmark-functional.toml"
    rows = [run_area("Troms og Finnmark, `troms-finnmark-functional`",
                     ["--scenario", str(tf)], "troms-finnmark", tf, args.sets,
                     first=ACCEPTANCE)]
    if args.nordland:
        fn = SCENARIOS / "functional.toml"
        rows.append(run_area("Nordland, `functional`", ["--scenario", str(fn), "--area",
                                                         "nordland"], "nordland", fn, 5))
    national = "\n" + run_norway(args.norway) if args.norway else ""
    if args.detail:
        for r in rows:
            print(json.dumps({"name": r["name"], "detail": r["detail"]}, indent=1),
                  file=sys.stderr)
    uptime = subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout
    emit("serve", render(rows, where + f" `uptime` after the run: {uptime.strip()}") + national,
         write=args.write)


if __name__ == "__main__":
    main()
