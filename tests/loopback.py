"""A scriptable HTTP server on 127.0.0.1 (random port) for ingestion tests.

``Loopback.route(path, handler)`` where ``handler(req) -> (status, headers, body)``
or a ``(status, headers, body)`` tuple; ``body`` may be bytes or an iterable of
(bytes, delay seconds) pairs (slow drip). Every request is recorded in
``server.requests`` as ``(method, path, headers dict)``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Response = tuple[int, dict[str, str], Any]


class Loopback:
    def __init__(self) -> None:
        self.routes: dict[str, Response | Callable[[Any], Response]] = {}
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                owner.requests.append(("GET", self.path, {k.lower(): v for k, v in self.headers.items()}))
                route = owner.routes.get(self.path) or owner.routes.get(self.path.split("?", 1)[0])
                try:
                    if route is None:
                        status, headers, body = 404, {"Content-Type": "text/plain"}, b"not found"
                    else:
                        status, headers, body = route(self) if callable(route) else route
                    if status is None:  # the route wrote its own answer
                        return
                    self.send_response(status)
                    drip = not isinstance(body, (bytes, bytearray))
                    for k, v in headers.items():
                        self.send_header(k, v)
                    if not drip and "Content-Length" not in headers:
                        self.send_header("Content-Length", str(len(body)))
                    if drip:
                        self.send_header("Connection", "close")
                    self.end_headers()
                    if drip:
                        for chunk, delay in body:
                            self.wfile.write(chunk)
                            self.wfile.flush()
                            time.sleep(delay)
                    else:
                        self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                       daemon=True)
        self.thread.start()

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def route(self, path: str, response: Response | Callable[[Any], Response]) -> None:
        self.routes[path] = response

    def paths(self) -> list[str]:
        return [p for _, p, _ in self.requests]

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def drip(data: bytes, every: float, size: int = 1) -> Iterable[tuple[bytes, float]]:
    """Yield ``data`` ``size`` bytes at a time, ``every`` seconds apart."""
    for i in range(0, len(data), size):
        yield data[i:i + size], every
