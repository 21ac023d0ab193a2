"""The users page (admins only): every user with their role, adding a user, changing a role,
deactivating and reactivating, and each user's API tokens, created (the token shown once) and revoked."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request, Response

from crawler.store.users import (
    ROLES,
    SCOPES,
    User,
    UserError,
    add_user,
    create_token,
    list_tokens,
    list_users,
    revoke_token,
    set_active,
    set_role,
)
from crawler.web.auth import check_csrf, signed_in, words
from crawler.web.passwords import MIN_LENGTH, WeakPasswordError, hash_password
from crawler.web.render import render
from crawler.web.state import web_state

log = logging.getLogger(__name__)

router = APIRouter()


def admin(request: Request, user: Annotated[User, Depends(signed_in)]) -> User:
    """An admin; anyone else gets 403."""
    if user.role != "admin":
        raise HTTPException(403, words(request)("forbidden"))
    return user


@router.get("/users")
def users(request: Request, user: Annotated[User, Depends(admin)]) -> Response:
    return _users_page(request)


@router.post("/users")
def add(
    request: Request,
    user: Annotated[User, Depends(admin)],
    name: Annotated[str, Form()],
    password: Annotated[str, Form()],
    role: Annotated[str, Form()],
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf_token)
    t = words(request)
    try:
        created = add_user(web_state(request).database, name.strip(), hash_password(password), role)
    except WeakPasswordError:
        return _users_page(request, error=t("password_short", length=MIN_LENGTH), code=400)
    except UserError as error:
        return _users_page(request, error=str(error), code=400)
    log.warning("%s added user %r (%s)", user.name, created.name, created.role)
    return _users_page(request, notice=t("user_added", name=created.name))


@router.post("/users/{user_id}")
def change(
    request: Request,
    user_id: int,
    user: Annotated[User, Depends(admin)],
    csrf_token: Annotated[str, Form()] = "",
    role: Annotated[str, Form()] = "",
    active: Annotated[str, Form()] = "",
) -> Response:
    """Change a user's role, or deactivate (`active=0`) or reactivate (`active=1`) them."""
    check_csrf(request, csrf_token)
    database = web_state(request).database
    try:
        if role:
            changed = set_role(database, user_id, role)
        elif active in ("0", "1"):
            changed = set_active(database, user_id, active == "1")
        else:
            return _users_page(request, error=f"choose a role ({', '.join(ROLES)}) or active 0/1", code=400)
    except UserError as error:
        return _users_page(request, error=str(error), code=400)
    log.warning(
        "%s changed user %r: role %s, active %s", user.name, changed.name, changed.role, changed.active
    )
    return _users_page(request, notice=words(request)("user_changed", name=changed.name))


@router.post("/users/{user_id}/tokens")
def new_token(
    request: Request,
    user_id: int,
    user: Annotated[User, Depends(admin)],
    name: Annotated[str, Form()],
    scope: Annotated[str, Form()],
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """A new API token for the user, shown on this one page and never again (only its hash is kept)."""
    check_csrf(request, csrf_token)
    owner = next((person for person in list_users(web_state(request).database) if person.id == user_id), None)
    if owner is None:
        raise HTTPException(404)
    try:
        token_id, token = create_token(web_state(request).database, owner.name, name.strip() or "web", scope)
    except UserError as error:
        return _users_page(request, error=str(error), code=400)
    log.warning("%s created API token %d (%s) for %r", user.name, token_id, scope, owner.name)
    return _users_page(request, new_token=(owner.name, token))


@router.post("/tokens/{token_id}/revoke")
def revoke(
    request: Request,
    token_id: int,
    user: Annotated[User, Depends(admin)],
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf_token)
    try:
        revoke_token(web_state(request).database, token_id)
    except UserError:
        raise HTTPException(404) from None
    log.warning("%s revoked API token %d", user.name, token_id)
    return _users_page(request, notice=words(request)("token_revoked", id=token_id))


def _users_page(
    request: Request,
    *,
    notice: str | None = None,
    error: str | None = None,
    new_token: tuple[str, str] | None = None,
    code: int = 200,
) -> Response:
    database = web_state(request).database
    tokens = list_tokens(database)
    response = render(
        request,
        "users.html",
        code,
        people=list_users(database),
        tokens={
            person: [token for token in tokens if token.user == person] for person in {t.user for t in tokens}
        },
        roles=ROLES,
        scopes=SCOPES,
        notice=notice,
        error=error,
        new_token=new_token,
    )
    response.headers["Cache-Control"] = "no-store"  # a new token is on this page once
    return response
