"""The HTML pages: sign-in and first-admin setup, the inbox, a story, and the language switch.
Handlers are plain functions (FastAPI runs them in its thread pool) that read and write through
crawler/store/ only; htmx requests get just the block of the page they replace."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request, Response
from fastapi.responses import RedirectResponse

from crawler.store.articles import archived_html
from crawler.store.inbox import (
    Cursor,
    CursorError,
    InboxStory,
    inbox_page,
    inbox_story,
    watch_names,
)
from crawler.store.marks import MARKS, mark_story
from crawler.store.story import StoryView, story_view
from crawler.store.users import (
    User,
    add_first_admin,
    set_language,
    set_password_hash,
    user_credentials,
)
from crawler.web.archive import inert_html
from crawler.web.auth import check_csrf, current_user, page_context, session_of, signed_in, words
from crawler.web.export import EXPORTS, export_response
from crawler.web.filters import ChosenFilters, FilterError, chosen_filter
from crawler.web.highlight import marked
from crawler.web.i18n import LANGUAGES, Words
from crawler.web.passwords import (
    MIN_LENGTH,
    WeakPasswordError,
    hash_password,
    needs_rehash,
    verify_password,
)
from crawler.web.render import local_target as _local_target
from crawler.web.render import render as _render
from crawler.web.state import web_state

log = logging.getLogger(__name__)

router = APIRouter()

PAGE_SIZE = 25
STORY_FIELDS = ("title", "authors", "published_at", "modified_at", "section", "tags", "source_org", "editors")


@router.get("/")
def home() -> RedirectResponse:
    return RedirectResponse("/inbox", status_code=303)


@router.get("/login")
def login_form(request: Request, next: str | None = None) -> Response:
    return _render(request, "login.html", next=_local_target(next), error=None)


@router.post("/login")
def login(
    request: Request,
    name: Annotated[str, Form()],
    password: Annotated[str, Form()],
    csrf_token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/inbox",
) -> Response:
    check_csrf(request, csrf_token)
    state = web_state(request)
    keys = (f"address:{request.client.host if request.client else '?'}", f"name:{name.casefold()}")
    wait = state.throttle.retry_after(*keys)
    if wait:
        error = words(request)("throttled", seconds=wait)
        return _render(request, "login.html", 429, next=_local_target(next), error=error)
    found = user_credentials(state.database, name)
    if found is None or not verify_password(found[1], password):
        state.throttle.fail(*keys)
        log.warning("failed login for %r from %s", name, keys[0])
        return _render(
            request, "login.html", 401, next=_local_target(next), error=words(request)("bad_login")
        )
    user, password_hash = found
    state.throttle.succeed(*keys)
    if needs_rehash(password_hash):
        set_password_hash(state.database, user.id, hash_password(password))
    session_of(request).sign_in(user.id)
    return RedirectResponse(_local_target(next), status_code=303)


@router.post("/logout")
def logout(request: Request, csrf_token: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf_token)
    session_of(request).sign_out()
    return RedirectResponse("/login", status_code=303)


def _setup_token(request: Request, token: str) -> None:
    """The first-admin link works once, and only while there are no users."""
    expected = web_state(request).setup_token
    if expected is None or token != expected:
        raise HTTPException(404)


@router.get("/setup/{token}")
def setup_form(request: Request, token: str) -> Response:
    _setup_token(request, token)
    return _render(request, "setup.html", token=token, error=None)


@router.post("/setup/{token}")
def setup(
    request: Request,
    token: str,
    name: Annotated[str, Form()],
    password: Annotated[str, Form()],
    password_again: Annotated[str, Form()],
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    _setup_token(request, token)
    check_csrf(request, csrf_token)
    state = web_state(request)
    if password != password_again:
        return _render(request, "setup.html", 400, token=token, error=words(request)("passwords_differ"))
    try:
        password_hash = hash_password(password)
    except WeakPasswordError:
        short = words(request)("password_short", length=MIN_LENGTH)
        return _render(request, "setup.html", 400, token=token, error=short)
    if not name.strip():
        return _render(request, "setup.html", 400, token=token, error=words(request)("name_required"))
    user = add_first_admin(state.database, name.strip(), password_hash)
    state.setup_token = None
    if user is None:
        raise HTTPException(404)
    log.warning("first admin %r created through the setup link; the link is spent", user.name)
    session_of(request).sign_in(user.id)
    return RedirectResponse("/inbox", status_code=303)


@router.post("/language")
def choose_language(
    request: Request,
    language: Annotated[str, Form()],
    csrf_token: Annotated[str, Form()] = "",
    back: Annotated[str, Form()] = "/inbox",
) -> Response:
    check_csrf(request, csrf_token)
    if language not in LANGUAGES:
        raise HTTPException(400, f"unknown language {language!r}")
    user = current_user(request)
    if user is not None:
        set_language(web_state(request).database, user.id, language)
    else:
        session_of(request).choose_language(language)
    return RedirectResponse(_local_target(back), status_code=303)


@router.get("/inbox")
def inbox(
    request: Request,
    user: Annotated[User, Depends(signed_in)],
    chosen: Annotated[ChosenFilters, Depends()],
    cursor: Annotated[str, Query()] = "",
) -> Response:
    state = web_state(request)
    try:
        filters = chosen_filter(chosen, user.id)
        after = Cursor.from_token(cursor) if cursor else None
    except FilterError as error:
        message = words(request)(f"bad_{error.kind}", value=error.value)
        return _inbox_page(request, chosen, [], None, message, 400)
    except CursorError as error:
        return _inbox_page(request, chosen, [], None, str(error), 400)
    stories, next_cursor = inbox_page(state.database, filters, after=after, limit=PAGE_SIZE)
    return _inbox_page(request, chosen, stories, next_cursor, None, 200, paged=after is not None)


@router.get("/inbox/export.{kind}")
def inbox_export(
    request: Request,
    kind: str,
    user: Annotated[User, Depends(signed_in)],
    chosen: Annotated[ChosenFilters, Depends()],
) -> Response:
    """Every story of the filtered view, streamed as CSV or JSON Lines."""
    if kind not in EXPORTS:
        raise HTTPException(404)
    try:
        filters = chosen_filter(chosen, user.id)
    except FilterError as error:
        raise HTTPException(400, str(error)) from None
    return export_response(web_state(request).database, filters, kind)


def _inbox_page(
    request: Request,
    chosen: ChosenFilters,
    stories: list[InboxStory],
    next_cursor: Cursor | None,
    error: str | None,
    status: int,
    *,
    paged: bool = False,
) -> Response:
    """The inbox with the filters as chosen, a page of stories and links to the older and newest pages."""
    state = web_state(request)
    query = chosen.query()
    older = f"/inbox?{urlencode({**query, 'cursor': next_cursor.token()})}" if next_cursor else None
    # The filter form asks for the results alone, so it is never replaced while someone is changing it.
    results = "results" if request.headers.get("HX-Target") == "results" else None
    return _render(
        request,
        "inbox.html",
        status,
        block=results,
        chosen=chosen,
        stories=stories,
        older=older,
        newest=f"/inbox?{urlencode(query)}" if paged else None,
        export=urlencode(query),
        back=f"/inbox?{urlencode(query)}",
        error=error,
        watches=watch_names(state.database),
        source_names=sorted(state.config.sources),
    )


@router.post("/stories/{article_id}/mark")
def mark(
    request: Request,
    article_id: int,
    user: Annotated[User, Depends(signed_in)],
    mark: Annotated[str, Form()],
    csrf_token: Annotated[str, Form()] = "",
    back: Annotated[str, Form()] = "/inbox",
) -> Response:
    """Mark a story (and its copies) read, starred or hidden for this user alone; htmx gets the row back,
    or nothing when the story leaves the list (hidden, or shown again from the hidden list)."""
    check_csrf(request, csrf_token)
    if mark not in MARKS:
        raise HTTPException(400, f"unknown mark {mark!r}")
    database = web_state(request).database
    if not mark_story(database, user.id, article_id, mark):
        raise HTTPException(404)
    if not request.headers.get("HX-Request"):
        return RedirectResponse(_local_target(back), status_code=303)
    if mark in ("hide", "unhide"):
        return Response("")
    story = inbox_story(database, article_id, user.id)
    if story is None:
        raise HTTPException(404)
    return _render_row(request, story, back)


def _render_row(request: Request, story: InboxStory, back: str) -> Response:
    return web_state(request).templates.TemplateResponse(
        request, "inbox_story.html", page_context(request, story=story, back=_local_target(back))
    )


@router.get("/stories/{article_id}")
def story(request: Request, article_id: int, user: Annotated[User, Depends(signed_in)]) -> Response:
    database = web_state(request).database
    view = story_view(database, article_id)
    if view is None:
        raise HTTPException(404)
    mark_story(database, user.id, article_id, "read")  # opening a story is reading it (this reader only)
    hits = [hit for match in view.matches for hit in match.hits]
    t = words(request)
    return _render(
        request,
        "story.html",
        story=view,
        fields=[(name, _shown(view, name, t), view.field_sources.get(name, "")) for name in STORY_FIELDS],
        title_pieces=marked(view.title, hits, "title"),
        body_pieces=marked(view.body, hits, "body") if view.body else None,
    )


# The archived page is someone else's HTML: it runs nothing, fetches nothing and only this site may frame it.
ORIGINAL_HEADERS = {
    "Content-Security-Policy": (
        "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src 'none'; "
        "form-action 'none'; base-uri 'none'; frame-ancestors 'self'"
    ),
    "X-Frame-Options": "SAMEORIGIN",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "private, no-store",
}


@router.get("/stories/{article_id}/original")
def original(request: Request, article_id: int, user: Annotated[User, Depends(signed_in)]) -> Response:
    """The HTML the story was read from, for the story page's sandboxed frame."""
    html = archived_html(web_state(request).database, article_id)
    if html is None:
        raise HTTPException(404)
    return Response(inert_html(html), media_type="text/html; charset=utf-8", headers=ORIGINAL_HEADERS)


def _shown(view: StoryView, name: str, t: Words) -> str:
    """A story field as the page shows it: lists joined, times in WIB, a missing field empty."""
    value = getattr(view, name)
    if name == "published_at":
        return t.when(value, date_only=view.published_date_only)
    if isinstance(value, datetime):
        return t.when(value)
    if isinstance(value, tuple):
        return ", ".join(str(item) for item in value)
    return str(value or "")
