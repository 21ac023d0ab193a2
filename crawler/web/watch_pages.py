"""The watch pages: the list, the editor with live query checking and a preview against the stories
of the last 7 days, mute, delete, and the watch's feed links. Everyone signed in reads; editors and
admins change (a viewer's post is 403). Watches are read and written through crawler/store/ only."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request, Response
from fastapi.responses import RedirectResponse

from crawler.store.preview import preview_watch
from crawler.store.users import User
from crawler.store.watches import (
    WatchRecord,
    WatchStoreError,
    active_feed_tokens,
    create_feed_token,
    create_watch,
    delete_watch,
    list_watches,
    revoke_feed_tokens,
    update_watch,
    watch_by_id,
)
from crawler.web.auth import check_csrf, editor, signed_in, words
from crawler.web.render import render as _render
from crawler.web.state import web_state
from crawler.web.watch_check import WatchDraft, checked_watch, compiled, query_problem

log = logging.getLogger(__name__)

router = APIRouter()

PREVIEW_DAYS = 7
PREVIEW_EXAMPLES = 5


Query = Annotated[str, Form()]
Muted = Annotated[str, Form()]
Csrf = Annotated[str, Form()]


def drafted(
    name: Annotated[str, Form()] = "",
    query: Query = "",
    sources: Annotated[list[str], Form()] = [],  # noqa: B006  # FastAPI copies defaults per request
    channels: Annotated[list[str], Form()] = [],  # noqa: B006
    delivery: Annotated[str, Form()] = "immediate",
    daily_at: Annotated[str, Form()] = "07:00",
    muted: Muted = "",
    webhook: Annotated[str, Form()] = "",
) -> WatchDraft:
    """The watch as the editor's form stands (one dependency for saving, creating and previewing)."""
    return WatchDraft(name, query, sources, channels, delivery, daily_at, muted == "on", webhook)


Draft = Annotated[WatchDraft, Depends(drafted)]


@router.get("/watches")
def watches(request: Request, user: Annotated[User, Depends(signed_in)]) -> Response:
    return _render(request, "watches.html", records=list_watches(web_state(request).database))


@router.get("/watches/new")
def new_watch(request: Request, user: Annotated[User, Depends(editor)]) -> Response:
    config = web_state(request).config
    return _editor(request, None, WatchDraft(channels=sorted(config.alerts.channels)[:1]), {})


@router.post("/watches/new")
def create(
    request: Request,
    user: Annotated[User, Depends(editor)],
    draft: Draft,
    csrf_token: Csrf = "",
) -> Response:
    check_csrf(request, csrf_token)
    return _write(request, user, None, draft)


@router.get("/watches/{watch_id:int}")
def edit(
    request: Request, watch_id: int, user: Annotated[User, Depends(signed_in)], saved: int = 0
) -> Response:
    record = _record(request, watch_id)
    return _editor(request, record, WatchDraft.of(record.watch), {}, saved=bool(saved))


@router.post("/watches/{watch_id:int}")
def save(
    request: Request,
    watch_id: int,
    user: Annotated[User, Depends(editor)],
    draft: Draft,
    csrf_token: Csrf = "",
) -> Response:
    check_csrf(request, csrf_token)
    return _write(request, user, _record(request, watch_id), draft)


def _write(request: Request, user: User, record: WatchRecord | None, draft: WatchDraft) -> Response:
    """Create the drafted watch (no `record`) or replace the record's with it, then show it saved; or
    the editor again, each mistake under its field."""
    state = web_state(request)
    watch, problems = checked_watch(state.config, draft, words(request))
    if watch is None:
        return _editor(request, record, draft, problems, 400)
    by = f"web:{user.name}"
    try:
        if record is None:
            written = create_watch(state.database, watch, by=by)
        else:
            written = update_watch(state.database, record.id, watch, by=by)
    except WatchStoreError as error:
        return _editor(request, record, draft, {"name": str(error)}, 400)
    log.warning(
        "%s %s watch %r: %s", user.name, "created" if record is None else "changed", watch.name, watch.query
    )
    return RedirectResponse(f"/watches/{written.id}?saved=1", status_code=303)


@router.post("/watches/{watch_id:int}/mute")
def mute(
    request: Request,
    watch_id: int,
    user: Annotated[User, Depends(editor)],
    csrf_token: Csrf = "",
    muted: Muted = "",
) -> Response:
    check_csrf(request, csrf_token)
    record = _record(request, watch_id)
    watch = record.watch.model_copy(update={"muted": muted == "on"})
    update_watch(web_state(request).database, watch_id, watch, by=f"web:{user.name}")
    return RedirectResponse("/watches", status_code=303)


@router.post("/watches/{watch_id:int}/delete")
def remove(
    request: Request, watch_id: int, user: Annotated[User, Depends(editor)], csrf_token: Csrf = ""
) -> Response:
    check_csrf(request, csrf_token)
    record = _record(request, watch_id)
    delete_watch(web_state(request).database, watch_id)
    log.warning("%s deleted watch %r", user.name, record.name)
    return RedirectResponse("/watches", status_code=303)


@router.post("/watches/check")
def check(
    request: Request, user: Annotated[User, Depends(editor)], csrf_token: Csrf = "", query: Query = ""
) -> Response:
    """The message under the query field, as it is typed (htmx swaps it in)."""
    check_csrf(request, csrf_token)
    problem = query_problem(web_state(request).config, query, words(request))
    return _render(
        request, "watch_edit.html", block="query_error", problems={"query": problem} if problem else {}
    )


@router.post("/watches/preview")
def preview(
    request: Request,
    user: Annotated[User, Depends(editor)],
    draft: Draft,
    csrf_token: Csrf = "",
) -> Response:
    """What the watch as it stands in the form would have matched in the last 7 days (nothing is saved)."""
    check_csrf(request, csrf_token)
    state = web_state(request)
    if not draft.name:
        draft = replace(draft, name="preview")
    watch, problems = checked_watch(state.config, draft, words(request))
    found = None
    if watch is not None:
        since = datetime.now(UTC) - timedelta(days=PREVIEW_DAYS)
        found = preview_watch(state.database, compiled(state.config, watch), since, PREVIEW_EXAMPLES)
    return _render(
        request,
        "watch_edit.html",
        block="preview",
        found=found,
        problems=problems,
        days=PREVIEW_DAYS,
        previewed=True,
    )


@router.post("/watches/{watch_id:int}/feed")
def new_feed(
    request: Request, watch_id: int, user: Annotated[User, Depends(editor)], csrf_token: Csrf = ""
) -> Response:
    """A new secret feed URL, shown once (only its hash is kept)."""
    check_csrf(request, csrf_token)
    record = _record(request, watch_id)
    token = create_feed_token(web_state(request).database, watch_id, by=f"web:{user.name}")
    log.warning("%s created a feed link of watch %r", user.name, record.name)
    base = str(request.base_url).rstrip("/")
    links = {kind: f"{base}/feeds/{token}.{kind}" for kind in ("rss", "atom", "json")}
    return _editor(request, record, WatchDraft.of(record.watch), {}, feed_links=links)


@router.post("/watches/{watch_id:int}/feed/revoke")
def revoke_feeds(
    request: Request, watch_id: int, user: Annotated[User, Depends(editor)], csrf_token: Csrf = ""
) -> Response:
    check_csrf(request, csrf_token)
    record = _record(request, watch_id)
    revoked = revoke_feed_tokens(web_state(request).database, watch_id)
    log.warning("%s revoked %d feed links of watch %r", user.name, revoked, record.name)
    return RedirectResponse(f"/watches/{watch_id}", status_code=303)


def _record(request: Request, watch_id: int) -> WatchRecord:
    record = watch_by_id(web_state(request).database, watch_id)
    if record is None:
        raise HTTPException(404)
    return record


def _editor(
    request: Request,
    record: WatchRecord | None,
    draft: WatchDraft,
    problems: dict[str, str],
    status: int = 200,
    **values: Any,
) -> Response:
    state = web_state(request)
    return _render(
        request,
        "watch_edit.html",
        status,
        record=record,
        draft=draft,
        problems=problems,
        source_names=sorted(state.config.sources),
        channels=sorted((name, channel.type) for name, channel in state.config.alerts.channels.items()),
        feeds=active_feed_tokens(state.database, record.id) if record else 0,
        found=None,
        days=PREVIEW_DAYS,
        **{"saved": False, "feed_links": None, "previewed": False, **values},
    )
