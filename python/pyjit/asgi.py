"""ASGI middleware: ``app = pyjit.asgi.JIT(app)`` switches the JIT on for the process
serving ``app``, and with ``stats_path="/_pyjit"`` answers HTTP GET requests for that
path with ``pyjit.stats()`` as JSON instead of passing them to the application
(opt-in: without it every request reaches the application). Other scopes (lifespan,
websocket) always go to the application."""

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import pyjit
from pyjit.wsgi import stats_body

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
Application = Callable[[Scope, Receive, Send], Awaitable[None]]


class JIT:
    """Wraps an ASGI application; see the module documentation."""

    def __init__(self, app: Application, *, stats_path: str | None = None) -> None:
        self.app = app
        self.stats_path = stats_path
        pyjit.enable()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            self.stats_path is not None
            and scope["type"] == "http"
            and scope.get("path") == self.stats_path
            and scope.get("method") == "GET"
        ):
            body = stats_body()
            headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        await self.app(scope, receive, send)
