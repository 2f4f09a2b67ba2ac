"""The ASGI application of ``regionopt serve``: Starlette, behind the security Guard.

Routes (``docs/serve.md`` lists their JSON):

* ``GET /``: the map page of the plan on screen, with the server's tools;
* ``GET /api/state``: the plan on screen, its figures and price, locks, history, saves, knobs;
* ``POST /api/solve`` ``{"locks": [...], "knobs": {...}}``: queue a re-solve (202, its job);
* ``GET /api/jobs/{id}``: the job and, once done, its proposal; ``.../events``: its progress as
  server-sent events (closing the stream cancels a running job); ``POST .../cancel``;
* ``POST /api/jobs/{id}/price`` ``{"lock": k}``: queue the re-solve without lock ``k``;
* ``POST /api/jobs/{id}/accept``: save the proposal and put it on screen;
  ``POST /api/undo``, ``/api/redo``;
* ``GET /api/jobs/{id}/scenario.toml`` and ``plan.csv``, ``/api/current/...``,
  ``/api/saves/{n}/{file}``: downloads.

Solving happens in :mod:`regionopt.server.jobs`' processes; what takes CPU here (checking
locks, drawing the page) runs in a thread, so the event loop stays free.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import logging
from collections.abc import AsyncIterator, Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

import anyio
import geopandas as gpd
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from regionopt.errors import RegionoptError
from regionopt.problem import ProblemData
from regionopt.scenario import Scenario, scenario_to_toml
from regionopt.server import locks as lk
from regionopt.server.dask_jobs import DaskJobs
from regionopt.server.errors import RequestError
from regionopt.server.figures import differences
from regionopt.server.jobs import Job, Jobs, Spare
from regionopt.server.page import render_page, served
from regionopt.server.security import Guard
from regionopt.server.session import Entry, Session, plan_csv, scenario_key
from regionopt.server.worker import Task
from regionopt.server.workspace import Workspace

log = logging.getLogger(__name__)


@dataclass
class Setup:
    """What the server serves and how (built by ``regionopt serve``)."""

    problem: ProblemData
    municipalities: gpd.GeoDataFrame
    #: The map's layers (roads, outlines): a future, as they are drawn from the network
    #: in a thread while the first plan is solved.
    layers: Future[dict[str, Any]]
    scenario: Scenario
    workspace: Workspace
    token: str
    port: int
    hosts: tuple[str, ...]
    workers: int = 2
    lang: str = "nb"
    on_ready: Callable[[], None] | None = None
    stop: Callable[[], None] | None = None
    scheduler: str | None = None
    #: Solver processes started before the problem was loaded (:func:`jobs.spare_processes`).
    spares: list[Spare] = field(default_factory=list)


class Server:
    """The routes' state: the session, the jobs and the page cache."""

    def __init__(self, setup: Setup) -> None:
        self.setup = setup
        self.session = Session(setup.problem, setup.scenario, setup.workspace)
        self.jobs = (Jobs(setup.problem, workers=setup.workers, on_done=self._done,
                          spares=setup.spares)
                     if setup.scheduler is None else
                     DaskJobs(setup.problem, scheduler=setup.scheduler, workers=setup.workers,
                              on_done=self._done, spares=setup.spares))
        self.pages: dict[tuple[int, str, bool], str] = {}
        self.tasks: set[asyncio.Task[None]] = set()
        self.failed: RegionoptError | None = None
        #: Where the background optimum starts: a resumed save's plan, else the engine's
        #: own heuristic (the construction's plan on screen is where that begins anyway).
        self.first_start: tuple[int, ...] | None = None

    # ------------------------------------------------------------------ life cycle

    @contextlib.asynccontextmanager
    async def lifespan(self, app: Starlette) -> AsyncIterator[None]:
        """Start the solver processes, the first plan and its page; then print the URL and
        solve the optimum in the background; stop the processes when the server ends."""
        self.jobs.start()
        try:
            try:
                await self._start()
            except RegionoptError as exc:  # told in one line by the command, not served
                self.failed = exc
                if self.setup.stop is not None:
                    self.setup.stop()
                yield
                return
            if self.setup.on_ready is not None:
                self.setup.on_ready()
            settings = self.session.current.settings
            if scenario_key(settings) not in self.session.optima:
                # on a process of its own: a re-solve never waits behind it; the other
                # --workers processes start when it ends, not to compete with it meanwhile
                self._background(settings, self.first_start, then=self.jobs.grow)
            else:
                self.jobs.grow()
            yield
        finally:
            self.jobs.close()

    async def _start(self) -> None:
        """The first plan (or the latest save) and its page, drawn before the URL is given.

        A fresh start shows the construction heuristic's plan at once (its construction
        alone: about 2 s for all of Norway, while the map's layers are drawn from the
        network); should it find no plan, the first plan is the optimum, awaited as before.
        The unlocked optimum is solved only once the page exists, so that it never competes
        with drawing the first page for the two cores.
        """
        if not self.session.resume():
            try:
                first = await self._solved(_heuristic(self.setup.scenario), "first plan",
                                           construction=True)
            except RegionoptError as exc:
                log.info("serve: no heuristic first plan (%s); solving the optimum first", exc)
                self.session.start_from_optimum(await self._solved(self.setup.scenario,
                                                                   "first plan"))
            else:
                self.session.start_provisional(first)
                log.info("serve: the first plan after %.1f s in its worker", first["seconds"])
        else:
            self.first_start = tuple(int(k) for k in
                                     self.session.current.plan.labels(self.problem))
        await self._page_text()
        log.info("serve: the first page drawn")

    @property
    def problem(self) -> ProblemData:
        """The problem served."""
        return self.setup.problem

    def _background(self, settings: Scenario, start: tuple[int, ...] | None, *,
                    then: Callable[[], None] | None = None) -> None:
        """Solve the unlocked optimum of ``settings`` on a solver process of its own without
        waiting for it; ``then`` is called when it has ended."""
        job = self.jobs.submit("server", Task(settings, start=start,
                                              label="optimum without locks"),
                               {"kind": "optimum", "settings": settings}, own=True)
        key = scenario_key(settings)
        self.session.pending[key] = job.id

        async def arrive() -> None:
            while not job.finished:
                job.changed.clear()
                await job.changed.wait()
            if job.result is not None:
                self.session.optimum_arrived(settings, job.result)
                self.pages = {}
                log.info("serve: the optimum of %s arrived (%s)", settings.name,
                         job.result["status"])
                await self._page_text()  # drawn now: the page's reload finds it ready
            else:
                self.session.pending.pop(key, None)
                log.warning("serve: the optimum of %s: %s", settings.name,
                            job.events[-1][1] if job.events else job.state)
            if then is not None:
                then()

        task = asyncio.get_running_loop().create_task(arrive())
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _solved(self, scenario: Scenario, label: str, *,
                      construction: bool = False) -> dict[str, Any]:
        """Solve ``scenario`` in a worker and wait (the server's own start-up solves)."""
        job = self.jobs.submit("server", Task(scenario, label=label, construction=construction),
                               {"kind": "start"})
        while not job.finished:
            job.changed.clear()
            await job.changed.wait()
        if job.result is None:
            raise RegionoptError(f"{label}: {job.events[-1][1]}")
        return job.result

    def _done(self, job: Job) -> None:
        assert job.result is not None
        optimum = job.result.get("optimum")
        settings = job.context.get("settings")
        if optimum is not None and settings is not None:
            self.session.optima.setdefault(scenario_key(settings), optimum)

    # ------------------------------------------------------------------ routes

    async def _page_text(self) -> str:
        """The page of the plan on screen, drawn once (in a thread) and kept until it
        changes."""
        s = self.session
        key = (s.pos, s.current.save, s.current.provisional)
        if key not in self.pages:
            optimum = s.optima.get(scenario_key(s.current.settings))
            travel = (None if optimum is None or optimum["status"] != "optimal"
                      else optimum["travel"])
            layers = await asyncio.wrap_future(self.setup.layers)
            entry = s.current
            text = await anyio.to_thread.run_sync(lambda: render_page(
                entry, self.setup.problem, self.setup.municipalities, layers,
                lang=self.setup.lang, optimum=travel))
            self.pages = {key: text}
        return self.pages[key]

    async def page(self, request: Request) -> Response:
        """``GET /``: the page of the plan on screen, with the tools."""
        text = await self._page_text()
        config = {"api": "/api", "knobs": lk.knob_schema(self.session.current.settings),
                  "kinds": list(lk.KINDS)}
        return HTMLResponse(served(text, config), headers={"cache-control": "no-store"})

    async def state(self, request: Request) -> Response:
        """``GET /api/state``: the plan on screen, its figures, price, locks, saves, knobs."""
        out = self.session.state()
        out["knobs"] = lk.knob_schema(self.session.current.settings)
        return JSONResponse(out)

    async def solve(self, request: Request) -> Response:
        """``POST /api/solve``: check the locks and knobs, queue the re-solve (202)."""
        body = await _body(request)
        s = self.session
        settings = lk.apply_knobs(s.current.settings, body.get("knobs"))
        locks = lk.parse_locks(s.problem, s.current.plan, body.get("locks"))
        scenario = lk.locked_scenario(settings, locks)
        await anyio.to_thread.run_sync(lambda: lk.check_locks(s.problem, settings, locks))
        known = scenario_key(settings) in s.optima or scenario_key(settings) in s.pending
        unlocked = None if known else settings
        start = tuple(int(k) for k in s.current.plan.labels(s.problem))
        task = Task(scenario, start=start, label="optimise the rest", unlocked=unlocked,
                    explain=False)
        job = self.jobs.submit(_client(request), task, {
            "kind": "solve", "settings": settings, "locks": locks, "scenario": scenario,
            "pos": s.pos})
        return JSONResponse({"job": job.id, "ahead": job.events[0][1]["ahead"],
                             "locks": [lock.describe(s.problem) for lock in locks]},
                            status_code=202)

    async def lock_price(self, request: Request) -> Response:
        """``POST /api/jobs/{job}/price``: queue the re-solve without one lock (202)."""
        parent = self._proposal(request)
        body = await _body(request)
        locks = parent.context["locks"]
        k = body.get("lock")
        if not isinstance(k, int) or isinstance(k, bool) or not 0 <= k < len(locks):
            raise RequestError(f"lock: expected a lock number 0-{len(locks) - 1}", status=422)
        rest = locks[:k] + locks[k + 1:]
        scenario = lk.locked_scenario(parent.context["settings"], rest)
        task = Task(scenario, start=tuple(parent.result["cores"]) if parent.result else None,
                    label=f"without lock {k + 1}", explain=False)
        job = self.jobs.submit(_client(request), task, {
            "kind": "lock_price", "parent": parent.id, "lock": k, "settings":
            parent.context["settings"], "locks": rest, "scenario": scenario})
        return JSONResponse({"job": job.id, "ahead": job.events[0][1]["ahead"]},
                            status_code=202)

    def _job(self, request: Request) -> Job:
        return self.jobs.get(str(request.path_params["job"]))

    def _proposal(self, request: Request) -> Job:
        job = self._job(request)
        if job.state != "done" or job.context.get("kind") != "solve":
            raise RequestError("job: not a finished re-solve", status=409)
        return job

    async def job(self, request: Request) -> Response:
        """``GET /api/jobs/{job}``: the job, and once done its proposal."""
        return JSONResponse(self.describe(self._job(request)))

    def describe(self, job: Job) -> dict[str, Any]:
        """The job's state and, once done, what it proposes and what it costs."""
        out: dict[str, Any] = {"job": job.id, "state": job.state, "kind": job.context["kind"],
                               "server_seconds": None}
        if "ended" in job.context:
            out["server_seconds"] = job.context["ended"] - job.submitted
        pid = self.jobs.running_pid(job)
        if pid is not None:
            out["worker_pid"] = pid
        if job.state == "error":
            out["error"] = job.events[-1][1]
        if job.result is None:
            return out
        r, s = job.result, self.session
        out.update({k: r[k] for k in ("objective", "status", "bound", "gap", "seconds",
                                      "figures")})
        if job.context["kind"] not in ("solve", "lock_price"):  # the server's own solves
            return out
        if job.context["kind"] == "lock_price":
            parent = self.jobs.get(job.context["parent"])
            base = parent.result or {}
            out["lock"] = job.context["lock"]
            out["price"] = differences(r["figures"], base.get("figures", {}))
            return out
        plan = s.plan_of(r["cores"], name="proposal")
        out.update({"plan": dict(plan.assignment), "cores": dict(plan.cores),
                    "moved": sorted(c for c in plan.assignment
                                    if plan.core_of(c) != s.current.plan.core_of(c)),
                    "change": differences(s.current.figures, r["figures"]),
                    "price": s.price(r["figures"], job.context["settings"]),
                    "price_pending": scenario_key(job.context["settings"]) in s.pending,
                    "locks": [dict(lock.as_dict(), text=lock.describe(s.problem))
                              for lock in job.context["locks"]]})
        return out

    async def events(self, request: Request) -> Response:
        """``GET /api/jobs/{job}/events``: its messages as server-sent events."""
        job = self._job(request)

        async def stream() -> AsyncIterator[str]:
            sent = 0
            try:
                while True:
                    while sent < len(job.events):
                        kind, data = job.events[sent]
                        sent += 1
                        yield f"event: {kind}\ndata: {json.dumps(data)}\n\n"
                    if job.finished:
                        return
                    job.changed.clear()
                    with contextlib.suppress(asyncio.TimeoutError):
                        await asyncio.wait_for(job.changed.wait(), timeout=15)
                    if not job.changed.is_set():
                        yield ": still working\n\n"
            finally:
                # the client went away: nobody waits for this solve (the server's own
                # optimum is solved for everyone and runs on)
                if not job.finished and job.context["kind"] != "optimum":
                    log.info("serve: job %s abandoned by its client; cancelled", job.id)
                    task = asyncio.get_running_loop().create_task(self.jobs.cancel(job))
                    self.tasks.add(task)
                    task.add_done_callback(self.tasks.discard)

        return StreamingResponse(stream(), media_type="text/event-stream",
                                 headers={"cache-control": "no-store"})

    async def cancel(self, request: Request) -> Response:
        """``POST /api/jobs/{job}/cancel``: stop the job."""
        job = self._job(request)
        await self.jobs.cancel(job)
        return JSONResponse({"job": job.id, "state": job.state})

    async def accept(self, request: Request) -> Response:
        """``POST /api/jobs/{job}/accept``: save the proposal, put it on screen."""
        job = self._proposal(request)
        s, r = self.session, job.result or {}
        entry = Entry(s.plan_of(r["cores"], name=f"accepted ({job.context['scenario'].name})"),
                      job.context["settings"], job.context["locks"], job.context["scenario"],
                      r["figures"])
        saved = await anyio.to_thread.run_sync(lambda: s.accept(entry))
        return JSONResponse({"save": saved.number, "state": s.state()})

    async def undo(self, request: Request) -> Response:
        """``POST /api/undo``: the accepted plan before."""
        return JSONResponse({"moved": self.session.step(-1), "state": self.session.state()})

    async def redo(self, request: Request) -> Response:
        """``POST /api/redo``: the accepted plan after."""
        return JSONResponse({"moved": self.session.step(+1), "state": self.session.state()})

    async def job_file(self, request: Request) -> Response:
        """``GET /api/jobs/{job}/{file}``: the proposal's scenario.toml or plan.csv."""
        job = self._proposal(request)
        plan = self.session.plan_of((job.result or {})["cores"], name="proposal")
        return _file(request, job.context["scenario"], plan, self.session)

    async def current_file(self, request: Request) -> Response:
        """``GET /api/current/{file}``: the plan on screen's scenario.toml or plan.csv."""
        entry = self.session.current
        return _file(request, entry.scenario, entry.plan, self.session)

    async def save_file(self, request: Request) -> Response:
        """``GET /api/saves/{save}/{file}``: a save's file."""
        number, name = str(request.path_params["save"]), str(request.path_params["file"])
        text = self.setup.workspace.read(number, name)
        return _download(text, f"save-{number}-{name}")


def _heuristic(scenario: Scenario) -> Scenario:
    """``scenario`` solved by the engine's construction heuristic alone (a plan, no bound)."""
    return dataclasses.replace(scenario,
                               solver=dataclasses.replace(scenario.solver, name="heuristic"))


def _file(request: Request, scenario: Scenario, plan: Any, session: Session) -> Response:
    name = str(request.path_params["file"])
    if name == "scenario.toml":
        return _download(scenario_to_toml(scenario), "scenario.toml")
    if name == "plan.csv":
        return _download(plan_csv(plan, session.problem), "plan.csv")
    raise RequestError("file: expected scenario.toml or plan.csv", status=404)


def _download(text: str, name: str) -> Response:
    kind = "text/csv" if name.endswith(".csv") else "application/toml" if name.endswith(
        ".toml") else "application/json"
    return Response(text, media_type=f"{kind}; charset=utf-8",
                    headers={"content-disposition": f'attachment; filename="{name}"',
                             "cache-control": "no-store"})


def _client(request: Request) -> str:
    """Who asks: the page's own id (each tab has one), else one id for scripts."""
    return request.headers.get("x-regionopt-client", "script")[:64]


async def _body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw:
        return {}
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise RequestError("body: not valid JSON", status=400) from None
    if not isinstance(data, dict):
        raise RequestError("body: expected a JSON object", status=400)
    return data


async def _refused(request: Request, exc: Exception) -> Response:
    if isinstance(exc, RequestError):
        return JSONResponse({"error": str(exc)}, status_code=exc.status)
    if isinstance(exc, RegionoptError):
        return JSONResponse({"error": str(exc).splitlines()[0]}, status_code=422)
    log.exception("serve: %s %s failed", request.method, request.url.path)
    return JSONResponse({"error": f"internal error ({type(exc).__name__}); see the server's "
                                  "log"}, status_code=500)


def create_app(setup: Setup) -> tuple[Guard, Server]:
    """The guarded ASGI application and its state."""
    srv = Server(setup)
    routes = [
        Route("/", srv.page),
        Route("/api/state", srv.state),
        Route("/api/solve", srv.solve, methods=["POST"]),
        Route("/api/undo", srv.undo, methods=["POST"]),
        Route("/api/redo", srv.redo, methods=["POST"]),
        Route("/api/jobs/{job:str}", srv.job),
        Route("/api/jobs/{job:str}/events", srv.events),
        Route("/api/jobs/{job:str}/cancel", srv.cancel, methods=["POST"]),
        Route("/api/jobs/{job:str}/price", srv.lock_price, methods=["POST"]),
        Route("/api/jobs/{job:str}/accept", srv.accept, methods=["POST"]),
        Route("/api/jobs/{job:str}/{file:str}", srv.job_file),
        Route("/api/current/{file:str}", srv.current_file),
        Route("/api/saves/{save:str}/{file:str}", srv.save_file),
    ]
    app = Starlette(routes=routes, lifespan=srv.lifespan,
                    exception_handlers={Exception: _refused, RequestError: _refused,
                                        RegionoptError: _refused})
    return Guard(app, token=setup.token, port=setup.port, hosts=setup.hosts), srv


__all__ = ["Server", "Setup", "create_app"]
