"""`pantau users …` and `pantau tokens …`: the people who sign in to `pantau web`, and the bearer
tokens of its REST API (shown once, kept only hashed)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.table import Table

from crawler.cli.context import app_context, console
from crawler.domain.errors import PantauError
from crawler.domain.zones import WIB
from crawler.store.users import ROLES, add_user, create_token, list_tokens, list_users, revoke_token
from crawler.web.passwords import hash_password

users_app = typer.Typer(help="People who sign in to `pantau web`.", no_args_is_help=True)
tokens_app = typer.Typer(help="Bearer tokens of the REST API (/api/v1).", no_args_is_help=True)


@users_app.command("add")
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The name to sign in with.")],
    admin: Annotated[bool, typer.Option("--admin", help="Make the user an admin.")] = False,
    role: Annotated[str, typer.Option("--role", help=f"One of {', '.join(ROLES)}.")] = "viewer",
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from the first line of stdin.")
    ] = False,
) -> None:
    """Create a user of the web (a viewer unless --admin or --role editor); asks for the password."""
    chosen = "admin" if admin else role
    if chosen not in ROLES:
        raise PantauError(f"unknown role {chosen!r}: choose one of {', '.join(ROLES)}")
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    password_hash = hash_password(password)
    user = add_user(app_context(ctx).database, name, password_hash, chosen)
    console.print(f"user {user.name} added ({user.role})", highlight=False)


@users_app.command("list")
def list_(ctx: typer.Context) -> None:
    """Every user with their role, language and whether they may sign in (admins deactivate in the web)."""
    table = Table("name", "role", "language", "active")
    for user in list_users(app_context(ctx).database):
        table.add_row(user.name, user.role, user.language, "yes" if user.active else "no")
    console.print(table)


@tokens_app.command("create")
def create(
    ctx: typer.Context,
    user: Annotated[str, typer.Option("--user", help="The user the token acts as.")],
    name: Annotated[str, typer.Option("--name", help="What the token is for, e.g. 'slack-bot'.")] = "api",
    scope: Annotated[str, typer.Option("--scope", help="read, or write (editors and admins).")] = "read",
) -> None:
    """Create a bearer token and print it once: only its hash is kept."""
    token_id, token = create_token(app_context(ctx).database, user, name, scope)
    console.print(f"token {token_id} ({scope}) for {user}; it is shown only now:", highlight=False)
    console.print(token, highlight=False, soft_wrap=True)


@tokens_app.command("list")
def list_tokens_command(ctx: typer.Context) -> None:
    """Every token: id, name, user, scope, when created, last used and revoked (WIB)."""
    table = Table("id", "name", "user", "scope", "created", "last used", "revoked")
    for row in list_tokens(app_context(ctx).database):
        table.add_row(
            str(row.id),
            row.name,
            row.user,
            row.scope,
            *(
                f"{moment.astimezone(WIB):%Y-%m-%d %H:%M}" if moment else ""
                for moment in (row.created_at, row.last_used_at, row.revoked_at)
            ),
        )
    console.print(table)


@tokens_app.command("revoke")
def revoke(ctx: typer.Context, token_id: Annotated[int, typer.Argument(help="The token's id.")]) -> None:
    """Revoke a token: requests with it get 401 from now on."""
    revoke_token(app_context(ctx).database, token_id)
    console.print(f"token {token_id} revoked", highlight=False)
