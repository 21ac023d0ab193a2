"""A real HTTP server on 127.0.0.1 that plays portals: it answers as a forward proxy for http:// URLs.

Crawls in tests set `http_proxy` to it, so spiders request real portal URLs
(http://www.rmollampung.id/...) and every byte still travels over loopback.
"""

from __future__ import annotations

import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Literal
from urllib.parse import urlsplit


@dataclass
class Route:
    """What the server answers for one URL; `statuses` are served in turn, the last one repeating."""

    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    statuses: list[int] = field(default_factory=lambda: [200])
    headers: dict[str, str] = field(default_factory=dict)
    delay_seconds: float = 0.0
    etag: str | None = None  # sent with the page; a request naming it in If-None-Match gets 304
    fault: Literal["reset", "truncate"] | None = None  # reset: RST, no answer; truncate: half the body
    hits: int = 0


class _Listener(ThreadingHTTPServer):
    # The default backlog of 5 overflows when a crawl opens a burst of connections: the kernel
    # drops the extra SYNs and the client resends them a second later, past short test timeouts.
    request_queue_size = 128


@dataclass(frozen=True)
class Received:
    """One request as the server saw it: when it arrived and the headers it carried."""

    url: str
    at: float
    headers: dict[str, str]


class PortalServer:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[tuple[str, str]] = []
        self.received: list[Received] = []
        self.most_in_flight = 0
        self._in_flight = 0
        self._counting = threading.Lock()
        self._server = _Listener(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def proxy_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def route(self, url: str, route: Route) -> None:
        self.routes[url] = route

    def __enter__(self) -> PortalServer:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                url = (
                    self.path if self.path.startswith("http") else f"http://{self.headers['Host']}{self.path}"
                )
                server.requests.append(("GET", url))
                server.received.append(Received(url, time.monotonic(), dict(self.headers.items())))
                with server._counting:
                    server._in_flight += 1
                    server.most_in_flight = max(server.most_in_flight, server._in_flight)
                try:
                    self._serve(url)
                finally:
                    with server._counting:
                        server._in_flight -= 1

            def _serve(self, url: str) -> None:
                route = server.routes.get(url) or server.routes.get(_without_query(url))
                if route is None:
                    self._answer(404, "text/plain", b"not found", {})
                    return
                status = route.statuses[min(route.hits, len(route.statuses) - 1)]
                route.hits += 1
                if route.delay_seconds:
                    time.sleep(route.delay_seconds)
                if route.fault is not None:
                    self._fail(route)
                elif route.etag is None:
                    self._answer(status, route.content_type, route.body, route.headers)
                elif self.headers.get("If-None-Match") == route.etag:
                    self._answer(304, route.content_type, b"", {**route.headers, "ETag": route.etag})
                else:
                    self._answer(
                        status, route.content_type, route.body, {**route.headers, "ETag": route.etag}
                    )

            def _answer(self, status: int, content_type: str, body: bytes, headers: dict[str, str]) -> None:
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", content_type)
                    self.send_header("Content-Length", str(len(body)))
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout or a size limit): that is the point of the test

            def _fail(self, route: Route) -> None:
                """A connection reset before any answer, or a body cut off after half its stated length."""
                if route.fault == "reset":
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                else:
                    self.send_response(200)
                    self.send_header("Content-Type", route.content_type)
                    self.send_header("Content-Length", str(len(route.body)))
                    self.end_headers()
                    self.wfile.write(route.body[: len(route.body) // 2])
                    self.wfile.flush()
                self.close_connection = True
                self.connection.close()

            def log_message(self, *_: object) -> None:
                pass

        return Handler


def _without_query(url: str) -> str:
    return urlsplit(url)._replace(query="").geturl()
