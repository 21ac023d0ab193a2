"""People and API tokens of `pantau web`, and the settings the web keeps in the database.

Passwords arrive here already hashed (argon2, by crawler/web/passwords.py); API tokens are random,
so their SHA-256 is enough to keep and compare them without storing the token itself.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from crawler.domain.errors import PantauError
from crawler.store.db import Database
from crawler.store.models import ApiToken, WebSetting, WebUser

ROLES = ("admin", "editor", "viewer")
SCOPES = ("read", "write")
LANGUAGES = ("id", "en")
TOKEN_PREFIX = "pantau_"
LAST_USED_PRECISION = timedelta(minutes=1)


class UserError(PantauError):
    """A user or token that cannot be created, found or changed as asked."""


@dataclass(frozen=True, slots=True)
class User:
    id: int
    name: str
    role: str
    language: str
    active: bool = True

    @property
    def can_write(self) -> bool:
        """Editors and admins may change things (run a source now); viewers only read."""
        return self.role in ("admin", "editor")


@dataclass(frozen=True, slots=True)
class TokenRow:
    id: int
    name: str
    user: str
    scope: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


def count_users(database: Database) -> int:
    with database.session() as session:
        return session.scalar(select(func.count()).select_from(WebUser)) or 0


def add_user(database: Database, name: str, password_hash: str, role: str, language: str = "id") -> User:
    """Create a user; a taken name or an unknown role is a `UserError`."""
    if role not in ROLES:
        raise UserError(f"unknown role {role!r}: choose one of {', '.join(ROLES)}")
    if not name.strip() or len(name) > 100:
        raise UserError("a user name needs 1 to 100 characters")
    try:
        with database.session() as session:
            row = WebUser(name=name, password_hash=password_hash, role=role, language=language)
            session.add(row)
            session.flush()
            return _user(row)
    except IntegrityError:
        raise UserError(f"a user named {name!r} already exists") from None


def add_first_admin(database: Database, name: str, password_hash: str) -> User | None:
    """Create the first admin, or None when someone else created a user first (the setup link is spent)."""
    with database.session() as session:
        if session.scalar(select(func.count()).select_from(WebUser)):
            return None
        row = WebUser(name=name, password_hash=password_hash, role="admin", language="id")
        session.add(row)
        session.flush()
        return _user(row)


def user_by_id(database: Database, user_id: int) -> User | None:
    """An active user by id (a deactivated user's session counts as signed out)."""
    with database.session() as session:
        row = session.get(WebUser, user_id)
        return None if row is None or not row.active else _user(row)


def user_credentials(database: Database, name: str) -> tuple[User, str] | None:
    """The active user of that name and their password hash, to verify a login."""
    with database.session() as session:
        row = session.scalar(select(WebUser).where(WebUser.name == name, WebUser.active))
        return None if row is None else (_user(row), row.password_hash)


def set_role(database: Database, user_id: int, role: str) -> User:
    """Give a user another role; the last active admin stays an admin."""
    if role not in ROLES:
        raise UserError(f"unknown role {role!r}: choose one of {', '.join(ROLES)}")
    with database.session() as session:
        row = _changeable(session, user_id)
        if row.role == "admin" and role != "admin":
            _keep_an_admin(session, row)
        row.role = role
        return _user(row)


def set_active(database: Database, user_id: int, active: bool) -> User:
    """Deactivate a user (no sign-in, no session, no token) or let them in again; the last active admin
    cannot be deactivated."""
    with database.session() as session:
        row = _changeable(session, user_id)
        if not active and row.role == "admin":
            _keep_an_admin(session, row)
        row.active = active
        return _user(row)


def _changeable(session: Session, user_id: int) -> WebUser:
    # Serialise role changes on PostgreSQL: two admins demoting each other at once keep one admin.
    row = session.scalar(select(WebUser).where(WebUser.id == user_id).with_for_update())
    if row is None:
        raise UserError(f"no user with id {user_id}")
    return row


def _keep_an_admin(session: Session, leaving: WebUser) -> None:
    others = session.scalar(
        select(func.count())
        .select_from(WebUser)
        .where(WebUser.role == "admin", WebUser.active, WebUser.id != leaving.id)
    )
    if not others:
        raise UserError(f"{leaving.name} is the last active admin: make another admin first")


def set_password_hash(database: Database, user_id: int, password_hash: str) -> None:
    """Keep a rehashed password (argon2 parameters raised since it was set)."""
    with database.session() as session:
        session.get_one(WebUser, user_id).password_hash = password_hash


def set_language(database: Database, user_id: int, language: str) -> None:
    if language not in LANGUAGES:
        raise UserError(f"unknown language {language!r}: choose one of {', '.join(LANGUAGES)}")
    with database.session() as session:
        session.get_one(WebUser, user_id).language = language


def list_users(database: Database) -> list[User]:
    """Every user, deactivated ones too, by name."""
    with database.session() as session:
        return [_user(row) for row in session.scalars(select(WebUser).order_by(WebUser.name))]


def create_token(database: Database, user_name: str, name: str, scope: str) -> tuple[int, str]:
    """A new bearer token for the user: (its id, the token), the token shown once and kept only hashed."""
    if scope not in SCOPES:
        raise UserError(f"unknown scope {scope!r}: choose one of {', '.join(SCOPES)}")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with database.session() as session:
        user = session.scalar(select(WebUser).where(WebUser.name == user_name))
        if user is None:
            raise UserError(f"no user named {user_name!r} (create one with `pantau users add`)")
        row = ApiToken(user_id=user.id, name=name, token_hash=_token_hash(token), scope=scope)
        session.add(row)
        session.flush()
        return row.id, token


def token_user(database: Database, token: str) -> tuple[User, str] | None:
    """The user and scope of a live (not revoked) token, noting when it was used (at most once per
    LAST_USED_PRECISION, so reads do not queue for the write lock the daemon holds); None otherwise."""
    with database.session() as session:
        row = session.scalar(
            select(ApiToken).where(ApiToken.token_hash == _token_hash(token), ApiToken.revoked_at.is_(None))
        )
        if row is None or not row.user.active:
            return None
        now = datetime.now(UTC)
        if row.last_used_at is None or now - row.last_used_at > LAST_USED_PRECISION:
            row.last_used_at = now
        return _user(row.user), row.scope


def revoke_token(database: Database, token_id: int) -> None:
    with database.session() as session:
        row = session.get(ApiToken, token_id)
        if row is None:
            raise UserError(f"no API token with id {token_id} (see `pantau tokens list`)")
        if row.revoked_at is None:
            row.revoked_at = datetime.now(UTC)


def list_tokens(database: Database, user_id: int | None = None) -> list[TokenRow]:
    """Every token, or one user's, oldest first (revoked ones too, for the record)."""
    with database.session() as session:
        query = select(ApiToken).join(WebUser).order_by(ApiToken.id)
        if user_id is not None:
            query = query.where(ApiToken.user_id == user_id)
        rows = session.scalars(query)
        return [
            TokenRow(
                row.id, row.name, row.user.name, row.scope, row.created_at, row.last_used_at, row.revoked_at
            )
            for row in rows
        ]


def web_setting(database: Database, name: str, make: Callable[[], str]) -> str:
    """The setting's stored value, created with `make()` on first use; a racing process's value wins."""
    with database.session() as session:
        existing = session.get(WebSetting, name)
        if existing is not None:
            return existing.value
    try:
        with database.session() as session:
            session.add(WebSetting(name=name, value=make()))
    except IntegrityError:
        pass
    with database.session() as session:
        return session.get_one(WebSetting, name).value


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _user(row: WebUser) -> User:
    return User(row.id, row.name, row.role, row.language, row.active)
