"""`pantau web` (the web alone) and `pantau serve` (the daemon with the web beside it, what `make run`
starts): both on the configured database."""

from __future__ import annotations

from typing import Annotated

import typer

from crawler.cli.context import app_context, console
from crawler.cli.daemon import daemon as run_daemon
from crawler.web.server import WebServer, WebThread

Host = Annotated[str, typer.Option("--host", help="Address to listen on (loopback unless you mean it).")]
Port = Annotated[int, typer.Option("--port", min=1, max=65535, help="Port to listen on.")]


def web(ctx: typer.Context, host: Host = "127.0.0.1", port: Port = 8000) -> None:
    """Serve the inbox, story, sources pages and /api/v1 until Ctrl-C."""
    context = app_context(ctx)
    server = WebServer(context.config, context.database, host, port)
    console.print(f"pantau web: {server.url} on {context.database.safe_url}", highlight=False)
    server.run()


def serve(ctx: typer.Context, host: Host = "127.0.0.1", port: Port = 8000) -> None:
    """Run the daemon and the web in one process until Ctrl-C (the web stops with the daemon)."""
    context = app_context(ctx)
    thread = WebThread(WebServer(context.config, context.database, host, port))
    console.print(f"pantau web: {thread.server.url} on {context.database.safe_url}", highlight=False)
    thread.start()
    try:
        run_daemon(ctx)
    finally:
        thread.stop()
