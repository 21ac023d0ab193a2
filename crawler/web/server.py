"""Running the web: uvicorn in the foreground (`pantau web`) or on a thread beside the daemon
(`pantau serve`), with the one-time first-admin link logged when the database has no users yet.

The socket is bound here, before uvicorn starts, so a taken port or a wrong address is one clear
error line instead of uvicorn's log and exit.
"""

from __future__ import annotations

import logging
import socket
import threading

import uvicorn

from crawler.config import Config
from crawler.domain.errors import PantauError
from crawler.store.db import Database
from crawler.web.app import create_app

log = logging.getLogger(__name__)


class WebAddressError(PantauError):
    """The web cannot listen on the address asked for."""


class WebServer:
    """The web app under uvicorn on a socket already listening."""

    def __init__(self, config: Config, database: Database, host: str, port: int) -> None:
        self.socket = _listen(host, port)
        bound_port = self.socket.getsockname()[1]  # the port the system chose when asked for 0
        shown = "localhost" if host in ("0.0.0.0", "::") else f"[{host}]" if ":" in host else host
        self.url = f"http://{shown}:{bound_port}/"  # a wildcard address is reached as localhost
        app = create_app(config, database)
        token = app.state.web.setup_token
        if token is not None:
            log.warning(
                "no users yet: open %ssetup/%s to choose the first admin's password "
                "(or run `pantau users add NAME --admin`)",
                self.url,
                token,
            )
        # log_config=None: uvicorn's errors reach the root logger the CLI set up, in Pantau's format.
        settings = uvicorn.Config(app, log_config=None, access_log=False, server_header=False)
        self._server = uvicorn.Server(settings)

    @property
    def started(self) -> bool:
        return self._server.started

    def run(self) -> None:
        """Serve until stopped (Ctrl-C or SIGTERM when on the main thread)."""
        try:
            self._server.run(sockets=[self.socket])
        finally:
            self.socket.close()

    def stop(self) -> None:
        self._server.should_exit = True


class WebThread:
    """The web on a daemon thread, stopped with the process that hosts it (the daemon of `pantau serve`)."""

    def __init__(self, server: WebServer) -> None:
        self.server = server
        self._thread = threading.Thread(target=server.run, name="pantau-web", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self.server.stop()
        self._thread.join(timeout)


def _listen(host: str, port: int) -> socket.socket:
    try:
        family, kind, protocol, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        listener = socket.socket(family, kind, protocol)
    except OSError as error:
        raise WebAddressError(f"cannot listen on {host}:{port}: {error.strerror or error}") from None
    try:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(address)
        listener.listen(128)
    except OSError as error:
        listener.close()
        raise WebAddressError(f"cannot listen on {host}:{port}: {error.strerror or error}") from None
    return listener
