"""The `pantau` command line: global options here, one module per command group."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from crawler.cli.context import AppContext, errors
from crawler.config import DEFAULT_CONFIG_PATH
from crawler.domain.errors import PantauError

app = typer.Typer(
    help="Pantau: monitor Indonesian news portals for stories on your topics.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.callback()
def _global_options(
    ctx: typer.Context,
    config: Annotated[
        Path,
        # readable=False: load_config reports an unreadable file in one line, like a missing one.
        typer.Option("--config", envvar="PANTAU_CONFIG", readable=False, help="Configuration file."),
    ] = DEFAULT_CONFIG_PATH,
    db: Annotated[
        str | None,
        typer.Option("--db", envvar="PANTAU_DATABASE_URL", help="Database URL; overrides storage.url."),
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log debug messages.")] = False,
) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    ctx.obj = AppContext(config_path=config, database_url=db)


def _register_commands() -> None:
    from crawler.cli import (
        alerts,
        config_commands,
        crawl,
        daemon,
        dedup,
        demo,
        extract,
        items,
        run_now,
        scale,
        seeds,
        status,
        users,
        watch,
        watches,
        web,
    )

    app.add_typer(config_commands.app, name="config")
    app.add_typer(items.app, name="items")
    app.add_typer(alerts.app, name="alerts")
    app.add_typer(dedup.app, name="dedup")
    app.add_typer(seeds.app, name="seeds")
    app.add_typer(watch.app, name="watch")
    app.add_typer(watches.app, name="watches")
    app.add_typer(users.users_app, name="users")
    app.add_typer(users.tokens_app, name="tokens")
    app.command("crawl")(crawl.crawl)
    app.command("extract")(extract.extract)
    app.command("daemon")(daemon.daemon)
    app.command("scheduler")(scale.scheduler)
    app.command("worker")(scale.worker)
    app.command("demo")(demo.demo)
    app.command("status")(status.status)
    app.command("run-now")(run_now.run_now)
    app.command("web")(web.web)
    app.command("serve")(web.serve)


_register_commands()


def main() -> None:
    """Entry point of the `pantau` script: a `PantauError` becomes one line and its exit code."""
    try:
        status = app(standalone_mode=False, prog_name="pantau")  # `typer.Exit(n)` comes back as n
    except PantauError as error:
        for problem in str(error).splitlines():  # a config with several problems names each one
            errors.print(f"[bold red]error:[/] {escape(problem)}", highlight=False, markup=True)
        sys.exit(error.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        errors.print("aborted")
        sys.exit(130)
    except typer.Exit as done:
        sys.exit(done.exit_code)
    except typer.TyperException as bad_command_line:  # click's errors, as typer raises them
        if bad_command_line.format_message():  # empty when a bare command group printed its help
            line = usage_line(bad_command_line, getattr(bad_command_line, "ctx", None))
            errors.print(f"[bold red]error:[/] {escape(line)}", highlight=False, markup=True)
        sys.exit(bad_command_line.exit_code)
    if isinstance(status, int) and status:
        sys.exit(status)


def usage_line(error: typer.TyperException, context: typer.Context | None) -> str:
    """Click's message for a bad command line in one line, with where to read the allowed forms."""
    message = " ".join(error.format_message().split()).replace("Value error, ", "")
    message = message[:1].lower() + message[1:]
    return f"{message} (see '{context.command_path} --help')" if context is not None else message
