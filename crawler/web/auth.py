"""Who is asking: the signed-in user of a page request, the roles that may write, the CSRF check,
and the context every template gets (the user, their language, the form token)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, HTTPException, Request

from crawler.store.users import User, user_by_id
from crawler.web.i18n import DEFAULT_LANGUAGE, LANGUAGES, Words
from crawler.web.sessions import WebSession
from crawler.web.state import web_state


def session_of(request: Request) -> WebSession:
    session = request.state.session
    assert isinstance(session, WebSession)
    return session


def current_user(request: Request) -> User | None:
    """The signed-in user, or None; a session of a deleted user counts as signed out."""
    if not hasattr(request.state, "user"):
        user_id = session_of(request).user_id
        request.state.user = user_by_id(web_state(request).database, user_id) if user_id else None
    user = request.state.user
    assert user is None or isinstance(user, User)
    return user


def signed_in(request: Request) -> User:
    """The signed-in user; otherwise the visitor is sent to the login page (htmx follows HX-Redirect)."""
    user = current_user(request)
    if user is not None:
        return user
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    login = f"/login?next={quote(target, safe='')}"
    if request.headers.get("HX-Request"):
        raise HTTPException(401, "sign in first", headers={"HX-Redirect": login})
    raise HTTPException(303, headers={"Location": login})


def editor(request: Request, user: Annotated[User, Depends(signed_in)]) -> User:
    """A user who may change things (editor or admin); a viewer gets 403."""
    if not user.can_write:
        raise HTTPException(403, words(request)("forbidden"))
    return user


def check_csrf(request: Request, token: str | None) -> None:
    """Refuse a form post that does not carry this session's CSRF token."""
    if not web_state(request).codec.csrf_valid(session_of(request), token):
        raise HTTPException(403, words(request)("bad_csrf"))


def language_of(request: Request) -> str:
    user = current_user(request)
    chosen = user.language if user is not None else session_of(request).language
    return chosen if chosen in LANGUAGES else DEFAULT_LANGUAGE


def words(request: Request) -> Words:
    return Words(language_of(request))


def page_context(request: Request, **values: Any) -> dict[str, Any]:
    """What every page template needs, plus the page's own values."""
    return {
        "t": words(request),
        "user": current_user(request),
        "csrf": web_state(request).codec.csrf_token(session_of(request)),
        "languages": LANGUAGES,
        "language": language_of(request),
        "path": request.url.path,
        **values,
    }
