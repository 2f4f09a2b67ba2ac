"""regionopt.server.security against the real server on an ephemeral port.

Without the token, from a foreign Origin or Host, with a body too large or not JSON, with
an unknown municipality, a knob out of range or a lock that breaks a hard rule: refused
with one clear line naming the field, nothing runs; no request path reaches a file.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from serving import Served

from regionopt.server.security import MAX_BODY, host_name


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, data_dir: Path) -> Iterator[Served]:
    s = Served(tmp_path_factory.mktemp("workspace"))
    yield s
    s.stop()


def _one_line(data: bytes) -> str:
    text = json.loads(data)["error"]
    assert "\n" not in text and "Traceback" not in text
    return str(text)


def test_url_is_loopback_with_a_token(served: Served) -> None:
    assert served.url.startswith("http://127.0.0.1:")
    assert len(served.token) >= 32


def test_no_token_is_refused_everywhere(served: Served) -> None:
    for method, path in (("GET", "/"), ("GET", "/api/state"), ("POST", "/api/solve"),
                         ("GET", "/api/current/plan.csv")):
        status, _, data = served.request(method, path, token=False)
        assert status == 403, path
        assert "token required" in _one_line(data)
    status, _, data = served.request("GET", "/api/state", token=False,
                                     headers={"Authorization": "token wrong"})
    assert status == 403


def test_token_in_the_url_once_then_a_cookie(served: Served) -> None:
    status, headers, _ = served.request("GET", f"/?token={served.token}", token=False)
    assert status == 303 and headers["location"] == "/"
    cookie = headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    status, _, page = served.request("GET", "/", token=False,
                                     headers={"Cookie": cookie.split(";")[0]})
    assert status == 200 and b"window.regionoptServer" in page


def test_foreign_origin_and_host_are_refused(served: Served) -> None:
    status, _, data = served.request("GET", "/api/state",
                                     headers={"Origin": "http://evil.example"})
    assert status == 403 and "Origin" in _one_line(data)
    status, _, data = served.request("POST", "/api/solve", {"locks": []},
                                     headers={"Host": f"evil.example:{served.port}"})
    assert status == 403 and "DNS rebinding" in _one_line(data)
    own = f"http://{served.host}:{served.port}"
    status, _, _ = served.request("GET", "/api/state", headers={"Origin": own})
    assert status == 200
    assert host_name("[::1]:80") == "::1" and host_name("localhost:8") == "localhost"


def test_bodies_are_bounded_and_json(served: Served) -> None:
    big = b"{" + b" " * (MAX_BODY + 10) + b"}"
    status, _, data = served.request("POST", "/api/solve", raw=big,
                                     headers={"Content-Type": "application/json"})
    assert status == 413 and "over" in _one_line(data)
    status, _, data = served.request("POST", "/api/solve", raw=b"locks=1",
                                     headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 415
    status, _, data = served.request("POST", "/api/solve", raw=b"{not json",
                                     headers={"Content-Type": "application/json"})
    assert status == 400 and "JSON" in _one_line(data)


@pytest.mark.parametrize(("body", "field"), [
    ({"locks": [{"kind": "municipality", "code": "9999", "other": "5501"}]}, "locks[0].code"),
    ({"locks": [{"kind": "municipality", "code": "5536", "other": "<b>x</b>"}]},
     "locks[0].other"),
    ({"locks": [{"kind": "teleport", "code": "5536"}]}, "locks[0].kind"),
    ({"locks": "5536"}, "locks"),
    ({"knobs": {"regions.count": 0}}, "knobs.regions.count"),
    ({"knobs": {"constraints.min_self_containment": 1.5}},
     "knobs.constraints.min_self_containment"),
    ({"knobs": {"solver.name": "cbc"}}, "knobs.solver.name"),
    ({"knobs": {"objective.balance": "lots"}}, "knobs.objective.balance"),
])
def test_every_parameter_is_validated(served: Served, body: dict, field: str) -> None:
    status, _, data = served.request("POST", "/api/solve", body)
    assert status == 422
    line = _one_line(data)
    assert line.startswith(field), line
    assert "<b>" not in line


def test_a_lock_that_breaks_a_hard_rule_is_refused(served: Served) -> None:
    # troms-finnmark-12: the core is the largest member, so Tromsø cannot join Kvænangen
    status, _, data = served.request("POST", "/api/solve", {"locks": [
        {"kind": "municipality", "code": "5501", "other": "5546"}]})
    assert status == 422
    line = _one_line(data)
    assert line.startswith("locks[0]: Tromsø with Kvænangen breaks a hard rule"), line
    # Kvænangen is must-linked to Alta by the scenario: it cannot be kept apart from it
    status, _, data = served.request("POST", "/api/solve", {"locks": [
        {"kind": "forbid", "code": "5546", "other": "5601"}]})
    assert status == 422 and "must_link" in _one_line(data)


def test_no_client_path_reaches_the_file_system(served: Served) -> None:
    for path in ("/api/saves/..%2F..%2F..%2Fetc/passwd", "/api/saves/0001/..%2Fsaved.json",
                 "/api/saves/../../etc/passwd", "/api/current/..%2F..%2Fetc%2Fpasswd",
                 "/static/../../etc/passwd", "/api/saves/0001/%2Fetc%2Fpasswd"):
        status, _, data = served.request("GET", path)
        assert status == 404, path
        assert b"root:" not in data


def test_names_are_data_in_the_page(served: Served) -> None:
    status, _, page = served.request("GET", "/")
    assert status == 200
    config = page.split(b"window.regionoptServer = ", 1)[1].split(b";</script>", 1)[0]
    assert b"<" not in config
    assert json.loads(config)["api"] == "/api"


def test_a_websocket_is_refused(served: Served) -> None:
    import base64
    import os

    status, _, _ = served.request("GET", "/", headers={
        "Upgrade": "websocket", "Connection": "Upgrade", "Sec-WebSocket-Version": "13",
        "Sec-WebSocket-Key": base64.b64encode(os.urandom(16)).decode()})
    assert status != 101  # never upgraded (uvicorn answers it as plain HTTP, token checked)
    status, _, _ = served.request("GET", "/", token=False, headers={
        "Upgrade": "websocket", "Connection": "Upgrade", "Sec-WebSocket-Version": "13",
        "Sec-WebSocket-Key": base64.b64encode(os.urandom(16)).decode()})
    assert status == 403
