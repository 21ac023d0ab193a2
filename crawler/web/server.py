"""Running the web: uvicorn in the foreground (`pantau web`) or on a thread beside the daemon
(`pantau serve`), with the one-time first-admin link logged when the database has no users yet."""

from __future__ import annotations

import logging
import threading

import uvicorn

from crawler.config import Config
from crawler.store.db import Database
from crawler.web.app import create_app

log = logging.getLogger(__name__)


def web_server(config: Config, database: Database, host: str, port: int) -> uvicorn.Server:
    """A uvicorn server of the web app; logs the first-admin setup link when there are no users."""
    app = create_app(config, database)
    token = app.state.web.setup_token
    shown_host = f"[{host}]" if ":" in host else host
    if token is not None:
        log.warning(
            "no users yet: open http://%s:%d/setup/%s to choose the first admin's password "
            "(or run `pantau users add NAME --admin`)",
            shown_host,
            port,
            token,
        )
    # log_config=None: uvicorn's errors reach the root logger the CLI set up, in Pantau's format.
    settings = uvicorn.Config(
        app, host=host, port=port, log_config=None, access_log=False, server_header=False
    )
    return uvicorn.Server(settings)


class WebThread:
    """The web on a daemon thread, stopped with the process that hosts it (the daemon of `pantau serve`)."""

    def __init__(self, server: uvicorn.Server) -> None:
        self.server = server
        self._thread = threading.Thread(target=server.run, name="pantau-web", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self.server.should_exit = True
        self._thread.join(timeout)
