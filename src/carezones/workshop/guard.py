"""The workshop's door: only its own page, at its own address, may use it.

A web page open in the same browser can send requests to any local port. The workshop
therefore answers, like Jupyter, only requests that

- name it in ``Host`` (``127.0.0.1``, ``localhost`` or the ``--host`` given, with the port
  it listens on), so a DNS-rebinding page under another name reads nothing;
- come from its own page: an ``Origin`` (and, where the browser says, ``Sec-Fetch-Site``)
  other than its own is refused;
- carry, on every ``/api/`` call, the random token of this session, which is written into
  the page only (a form or a ``no-cors`` fetch from another site cannot set the header);
- send JSON as ``application/json``: a ``text/plain`` or form body, which a browser sends
  to another site without asking it first, is refused before it is read.

:class:`Door` holds the address (known once the socket is bound; until then every request
is refused) and the token; :class:`Guard` is the ASGI middleware that applies it and adds
``nosniff``, ``no-referrer`` and ``no-store`` to every response.
"""

from __future__ import annotations

import ipaddress
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.datastructures import Headers
from starlette.responses import JSONResponse

__all__ = ["TOKEN_HEADER", "Door", "Guard", "host_form"]

#: The header every ``/api/`` request carries the session's token in.
TOKEN_HEADER = "x-carezones-token"
_LOOPBACK = ("127.0.0.1", "localhost")
_WILDCARD = ("", "0.0.0.0", "::")
_SAFE = ("GET", "HEAD")
_HARDENING = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"cache-control", b"no-store"),
)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


def host_form(name: str) -> str:
    """A host as it appears in a URL or a ``Host`` header (IPv6 in brackets)."""
    try:
        return f"[{name}]" if ipaddress.ip_address(name).version == 6 else name
    except ValueError:
        return name.lower()


class Door:
    """Who may use the workshop: its addresses, its port and its session token.

    Parameters
    ----------
    token
        The session's token (None: a new random one, 256 bits).
    """

    def __init__(self, token: str | None = None) -> None:
        self.token = token or secrets.token_urlsafe(32)
        self.hosts: frozenset[str] = frozenset()
        self.origins: frozenset[str] = frozenset()
        self.port: int | None = None

    def listen(self, host: str, port: int) -> None:
        """Accept the ``Host`` and ``Origin`` of 127.0.0.1, localhost and ``host`` on ``port``."""
        names = {*_LOOPBACK, *(() if host in _WILDCARD else (host,))}
        forms = {host_form(n) for n in names}
        hosts = {f"{n}:{port}" for n in forms} | (forms if port == 80 else set())
        self.hosts = frozenset(hosts)
        self.origins = frozenset(f"http://{h}" for h in hosts)
        self.port = port

    def refusal(self, method: str, path: str, headers: Headers) -> tuple[int, str] | None:
        """The status and reason a request is refused for, or None when it may pass."""
        if self.port is None:
            return 503, "the workshop is not listening yet"
        host = headers.get("host", "").lower()
        if host not in self.hosts:
            return 403, (
                f"Host {host[:80]!r} is not this workshop's address (expected one of "
                f"{', '.join(sorted(self.hosts))})"
            )
        origin = headers.get("origin")
        if origin is not None and origin.lower() not in self.origins:
            return 403, f"requests from another page are refused (Origin {origin[:80]!r})"
        if not path.startswith("/api/"):
            return None
        if headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
            return 403, "requests from another page are refused (Sec-Fetch-Site)"
        if not secrets.compare_digest(
            headers.get(TOKEN_HEADER, "").encode("utf-8", "replace"), self.token.encode()
        ):
            return 403, f"missing or wrong session token (the {TOKEN_HEADER} header of the page)"
        if method not in _SAFE:
            media = headers.get("content-type", "").split(";")[0].strip().lower()
            if media != "application/json":
                return 415, f"expected a body of type application/json, found {media[:60]!r}"
        return None


class Guard:
    """ASGI middleware: refuse what :class:`Door` refuses; harden every response."""

    def __init__(self, app: Callable[[Scope, Receive, Send], Awaitable[None]], door: Door) -> None:
        self.app = app
        self.door = door

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer the request, or refuse it with a JSON message before it is read."""
        if scope["type"] != "http":
            return  # no websockets, no lifespan: nothing else is served
        headers = Headers(scope=scope)
        refused = self.door.refusal(scope["method"], scope["path"], headers)

        async def hardened(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *_HARDENING]
            await send(message)

        if refused is not None:
            status, reason = refused
            await JSONResponse({"error": reason}, status_code=status)(scope, receive, hardened)
            return
        await self.app(scope, receive, hardened)
