"""The server's door: token, ``Host`` and ``Origin`` checks, bounded bodies, JSON only.

An ASGI middleware in front of every route (as Jupyter Server guards its own):

* the **token** the printed URL carries is required on every request: as ``?token=`` once
  (the answer sets an HttpOnly, SameSite=Strict cookie and redirects to the same page without
  it), then the cookie, or an ``Authorization: token ...`` header for scripts;
* a ``Host`` header naming anything but the address the server listens on (loopback names
  for a loopback server) is refused: a DNS-rebinding page reaches the port under its own name;
* an ``Origin`` other than the server's own is refused (another site's page in the browser);
* a body over :data:`MAX_BODY` bytes is refused with 413, and a request with a body must be
  ``application/json`` (a form of another site cannot send one without asking first).

Every refusal is 403, 413 or 415 with one line ``{"error": "..."}``; nothing runs.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qsl, urlencode

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]

#: The largest request body accepted, in bytes.
MAX_BODY = 256 * 1024
LOOPBACK = ("127.0.0.1", "localhost", "::1")


def new_token() -> str:
    """A fresh random token (as long as Jupyter's)."""
    return secrets.token_hex(24)


def host_name(host: str) -> str:
    """``host`` of ``host:port`` (brackets of an IPv6 address removed)."""
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


class Guard:
    """The middleware; ``hosts`` are the names the server answers to, ``port`` its port."""

    def __init__(self, app: App, *, token: str, port: int,
                 hosts: tuple[str, ...] = LOOPBACK, max_body: int = MAX_BODY) -> None:
        self.app, self.token, self.port = app, token, port
        self.hosts = tuple(h.lower() for h in hosts)
        self.max_body = max_body
        self.cookie = f"regionopt-token-{port}"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":  # the server has none: refused, whatever it carries
            await receive()
            await send({"type": "websocket.close", "code": 1008})
            return
        if scope["type"] != "http":  # the lifespan
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1")
                   for k, v in scope.get("headers", [])}
        refusal = self.refusal(scope, headers)
        if refusal is not None:
            await _answer(send, *refusal)
            return
        query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
        if "token" in query and scope["method"] == "GET":
            rest = urlencode([(k, v) for k, v in query.items() if k != "token"])
            where = scope["path"] + (f"?{rest}" if rest else "")
            cookie = (f"{self.cookie}={self.token}; Path=/; HttpOnly; SameSite=Strict")
            await _answer(send, 303, "", [("location", where), ("set-cookie", cookie)])
            return
        if scope["method"] in ("POST", "PUT", "PATCH", "DELETE"):
            body = await self._body(receive, headers)
            if isinstance(body, tuple):
                await _answer(send, *body)
                return
            receive = _replay(body, receive)
        await self.app(scope, receive, send)

    def refusal(self, scope: Scope, headers: dict[str, str]) -> tuple[int, str] | None:
        """Why the request is refused before it is read, or ``None``."""
        host = headers.get("host", "")
        if host_name(host).lower() not in self.hosts:
            return 403, (f"Host {host[:60]!r} refused: this server answers only to "
                         f"{', '.join(self.hosts)} (DNS rebinding protection)")
        origin = headers.get("origin")
        if origin is not None and origin.lower() != f"http://{host.lower()}":
            return 403, f"Origin {origin[:60]!r} refused: only the server's own page may call it"
        if not self._has_token(scope, headers):
            return 403, "token required: open the URL the server printed (…/?token=…)"
        return None

    def _has_token(self, scope: Scope, headers: dict[str, str]) -> bool:
        given = []
        query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
        if "token" in query:
            given.append(query["token"])
        auth = headers.get("authorization", "")
        if auth.lower().startswith("token "):
            given.append(auth[6:].strip())
        if "cookie" in headers:
            jar: SimpleCookie = SimpleCookie()
            try:
                jar.load(headers["cookie"])
            except Exception:  # a malformed cookie is no token
                jar = SimpleCookie()
            if self.cookie in jar:
                given.append(jar[self.cookie].value)
        return any(secrets.compare_digest(g.encode(), self.token.encode()) for g in given)

    async def _body(self, receive: Receive, headers: dict[str, str]
                    ) -> bytes | tuple[int, str]:
        length = headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_body):
            return 413, f"request body over {self.max_body} bytes"
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return 400, "client went away"
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                return 413, f"request body over {self.max_body} bytes"
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        kind = headers.get("content-type", "").split(";")[0].strip().lower()
        if body and kind != "application/json":
            return 415, "request body must be application/json"
        return body


def _replay(body: bytes, rest: Receive) -> Receive:
    """The body read already, then the connection's own messages (its disconnect)."""
    sent = [False]

    async def receive() -> Message:
        if not sent[0]:
            sent[0] = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await rest()

    return receive


async def _answer(send: Send, status: int, text: str,
                  extra: list[tuple[str, str]] | None = None) -> None:
    body = b"" if not text else json.dumps({"error": text}).encode()
    headers = [(b"content-type", b"application/json"),
               (b"content-length", str(len(body)).encode()),
               (b"cache-control", b"no-store")]
    headers += [(k.encode(), v.encode("latin-1")) for k, v in extra or []]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


__all__ = ["LOOPBACK", "MAX_BODY", "Guard", "host_name", "new_token"]
