"""WSGI middleware: ``app = pyjit.wsgi.JIT(app)`` switches the JIT on for the process
serving ``app``, and with ``stats_path="/_pyjit"`` answers GET requests for that path
with ``pyjit.stats()`` as JSON instead of passing them to the application (opt-in:
without it every request reaches the application)."""

import json
from collections.abc import Callable, Iterable
from typing import Any

import pyjit

StartResponse = Callable[..., Any]
Application = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


def stats_body() -> bytes:
    """``pyjit.stats()`` as the JSON document the middlewares serve."""
    return json.dumps(pyjit.stats(), sort_keys=True).encode()


class JIT:
    """Wraps a WSGI application; see the module documentation."""

    def __init__(self, app: Application, *, stats_path: str | None = None) -> None:
        self.app = app
        self.stats_path = stats_path
        pyjit.enable()

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if self.stats_path is not None and environ.get("PATH_INFO") == self.stats_path and environ.get("REQUEST_METHOD") == "GET":
            body = stats_body()
            start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
            return [body]
        return self.app(environ, start_response)
