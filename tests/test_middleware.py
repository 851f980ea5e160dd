"""The WSGI and ASGI middleware (``pyjit.wsgi.JIT``, ``pyjit.asgi.JIT``; README, "Web
applications"), each serving a small application from a real server in a child process
(``wsgiref``, and ``uvicorn``, which tests/run.sh installs) driven over loopback: the
application's answers are unchanged, the JIT runs it (threshold 0: every function
compiled at its first call), the opt-in stats path answers with ``pyjit.stats()`` as
JSON, and without it that path reaches the application."""

import json
import os
import subprocess
import sys
import textwrap
import urllib.request

import pytest

APPLICATIONS = {
    "wsgi": textwrap.dedent(
        """
        from wsgiref.simple_server import WSGIRequestHandler, make_server

        def app(environ, start_response):
            n = int(environ.get("QUERY_STRING") or 10)
            body = f"{environ['PATH_INFO']} {sum(i * i for i in range(n))}".encode()
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [body]

        class Quiet(WSGIRequestHandler):
            def log_message(self, *args):
                pass

        server = make_server("127.0.0.1", 0, pyjit.wsgi.JIT(app, stats_path=STATS_PATH), handler_class=Quiet)
        print(server.server_port, flush=True)
        server.serve_forever()
        """
    ),
    "asgi": textwrap.dedent(
        """
        import socket
        import uvicorn

        async def app(scope, receive, send):
            n = int(scope["query_string"] or b"10")
            body = f"{scope['path']} {sum(i * i for i in range(n))}".encode()
            await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
            await send({"type": "http.response.body", "body": body})

        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        # Listening before the port is printed: requests wait in the backlog until
        # uvicorn has started.
        sock.listen(16)
        print(sock.getsockname()[1], flush=True)
        config = uvicorn.Config(pyjit.asgi.JIT(app, stats_path=STATS_PATH), lifespan="off", log_level="warning")
        uvicorn.Server(config).run(sockets=[sock])
        """
    ),
}


@pytest.fixture
def serve(tmp_path):
    servers = []

    def start(kind, stats_path):
        if kind == "asgi":
            pytest.importorskip("uvicorn")
        program = tmp_path / f"serve_{kind}.py"
        header = f"import pyjit, pyjit.{kind}\npyjit.config(threshold=0)\nSTATS_PATH = {stats_path!r}\n"
        program.write_text(header + APPLICATIONS[kind])
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYJIT_")}
        server = subprocess.Popen([sys.executable, str(program)], stdout=subprocess.PIPE, env=env, text=True)
        servers.append(server)
        port = int(server.stdout.readline())
        return lambda path: urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=60).read().decode()

    yield start
    for server in servers:
        server.terminate()
        server.wait(timeout=60)


@pytest.mark.parametrize("kind", ["wsgi", "asgi"])
def test_the_application_runs_compiled_and_the_stats_path_answers(serve, kind):
    get = serve(kind, "/_pyjit")
    for _ in range(5):
        assert get("/squares?100") == "/squares 328350"
    stats = json.loads(get("/_pyjit"))
    assert stats["compiled"] > 0 and stats["native_calls"] > 0, stats
    assert get("/squares?3") == "/squares 5"


@pytest.mark.parametrize("kind", ["wsgi", "asgi"])
def test_without_a_stats_path_every_request_reaches_the_application(serve, kind):
    get = serve(kind, None)
    assert get("/_pyjit?4") == "/_pyjit 14"
