"""``regionopt serve``: the map page with the optimiser behind it (``docs/serve.md``).

Loads the scenario and area as ``regionopt solve`` does, starts the solver processes, solves
the first plan (or resumes the latest saved one), prints ONE URL with the token and serves
until Ctrl-C. The application is :mod:`regionopt.server.app`; this module only reads the
options, binds the socket and runs uvicorn.
"""

from __future__ import annotations

import argparse
import ipaddress
import logging
import socket
import threading
import webbrowser
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import uvicorn

from regionopt.cli.common import add_area, add_common, add_lang, add_pool, add_scenario, out
from regionopt.cli.inputs import load_scenario, scenario_network
from regionopt.errors import ScenarioError
from regionopt.server.app import Setup, create_app
from regionopt.server.jobs import spare_processes
from regionopt.server.layers import served_layers
from regionopt.server.security import LOOPBACK, new_token
from regionopt.server.workspace import Workspace, default_workspace

log = logging.getLogger("regionopt")


def add_serve(p: argparse.ArgumentParser) -> None:
    """The arguments of ``regionopt serve``."""
    add_scenario(p, "scenario TOML (default: Troms og Finnmark, 12 regions)")
    add_area(p, default=None)
    p.add_argument("--port", type=int, default=0,
                   help="port to listen on (default: a free port)")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default 127.0.0.1, this machine only; any other "
                        "is reachable from the network, still only with the printed token)")
    p.add_argument("--no-browser", action="store_true", help="do not open the browser")
    p.add_argument("--workspace", type=Path, default=None,
                   help="folder of the saved plans (default: regionopt/workspace in the "
                        "user's data folder)")
    add_lang(p)
    add_pool(p, workers=2)
    add_common(p)


def _bind(host: str, port: int) -> socket.socket:
    if not 0 <= port <= 65535:
        raise ScenarioError(f"--port must be 0-65535, got {port}")
    try:
        family = socket.AF_INET6 if ipaddress.ip_address(host).version == 6 else socket.AF_INET
    except ValueError:
        raise ScenarioError(f"--host {host!r}: expected an IP address such as 127.0.0.1") \
            from None
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise ScenarioError(f"--host {host} --port {port}: cannot listen ({exc.strerror})") \
            from None
    sock.listen(128)
    return sock


def server_url(host: str, port: int, token: str) -> str:
    """The URL to open: ``http://HOST:PORT/?token=...`` (an IPv6 host in brackets)."""
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/?token={token}"


def _hosts(host: str) -> tuple[str, ...]:
    if host in LOOPBACK:
        return LOOPBACK
    names = {host}
    if host in ("0.0.0.0", "::"):
        names |= {socket.gethostname(), socket.getfqdn()}
    return (*LOOPBACK, *sorted(n.lower() for n in names))


def handle_serve(args: argparse.Namespace) -> int:
    """Run ``regionopt serve``; return the exit code."""
    if args.workers < 1:
        raise ScenarioError(f"--workers must be 1 or more, got {args.workers}")
    sock = _bind(args.host, args.port)
    # the solver process of the first plan imports while the area loads (seconds on a busy
    # machine); the others start once the first page is drawn, not to compete with it
    spares = spare_processes(1) if args.scheduler is None else []
    drawing = ThreadPoolExecutor(1, thread_name_prefix="regionopt-layers")
    try:
        scenario = load_scenario(args)
        net, problem = scenario_network(scenario, args)
        # the map's layers are read (or drawn) while the first plan is solved
        layers = drawing.submit(served_layers, net)
        workspace = Workspace(args.workspace or default_workspace())
        port = sock.getsockname()[1]
        token = new_token()
        url = server_url(args.host, port, token)

        def ready() -> None:
            out(url)
            log.info("serve: %s on %s, saves in %s; Ctrl-C to stop", scenario.name,
                     args.host, workspace.root)
            if not args.no_browser:
                threading.Thread(target=webbrowser.open, args=(url,), daemon=True).start()

        setup = Setup(problem=problem, municipalities=net.municipalities,
                      layers=layers, scenario=scenario, workspace=workspace,
                      token=token, port=port, hosts=_hosts(args.host), workers=args.workers,
                      lang=args.lang, on_ready=ready, scheduler=args.scheduler, spares=spares)
        spares = []  # the server's now: it stops them
        app, srv = create_app(setup)
        config = uvicorn.Config(app, lifespan="on", access_log=False,
                                log_level="error" if args.quiet else "warning")
        server = uvicorn.Server(config)
        setup.stop = lambda: setattr(server, "should_exit", True)
        server.run(sockets=[sock])
        if srv.failed is not None:
            raise srv.failed
    finally:
        sock.close()
        for spare in spares:
            spare.close()
        drawing.shutdown(wait=False, cancel_futures=True)
    return 0


COMMANDS = {"serve": (add_serve, handle_serve)}
