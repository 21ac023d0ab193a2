"""REST API v1: stories (the inbox's filters, cursor paging, export), one story, sources and run-now,
watches, alerts and resend, behind bearer tokens (`pantau tokens create`) scoped read or write; every
error is RFC 9457 problem+json, and the schema is served at /api/v1/openapi.json.

Why this is long: each endpoint is a few lines over the store, and its request and response models
sit beside it, so the schema clients get reads in one module.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime
from http import HTTPStatus
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, HTTPException, Path, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from crawler.domain.errors import AlertError, SourceError
from crawler.domain.watch import Watch
from crawler.store.delivery import NoSuchAlert, outbox_rows, requeue_failed
from crawler.store.inbox import (
    MAX_ID,
    MAX_PAGE,
    Cursor,
    CursorError,
    inbox_page,
)
from crawler.store.leases import live_scheduler
from crawler.store.run_requests import request_run, requested_sources
from crawler.store.sources import source_runs, source_states
from crawler.store.story import story_view
from crawler.store.users import User, token_user
from crawler.store.watches import (
    WatchRecord,
    WatchStoreError,
    create_watch,
    delete_watch,
    list_watches,
    update_watch,
    watch_by_id,
)
from crawler.web.export import EXPORTS, export_response, story_record
from crawler.web.filters import ChosenFilters, FilterError, chosen_filter
from crawler.web.i18n import Words
from crawler.web.state import WebState, web_state
from crawler.web.watch_check import WatchDraft, checked_watch

PROBLEM = "application/problem+json"
DAILY_AT = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"


class Problem(BaseModel):
    type: str = "about:blank"
    title: str
    status: int
    detail: str


class Outlet(BaseModel):
    article_id: int
    outlet: str
    url: str
    source: str
    time: datetime
    lag_seconds: int


class StorySummary(BaseModel):
    id: int
    title: str
    url: str
    source: str
    time: datetime
    watches: list[str]
    snippet: str
    outlets: int
    cluster: int | None
    read: bool
    starred: bool
    copies: list[Outlet]


class StoryPage(BaseModel):
    items: list[StorySummary]
    next_cursor: str | None


class MatchOut(BaseModel):
    watch: str
    terms: list[str]
    hits: list[dict[str, Any]]
    snippet: str
    historical: bool


class StoryDetail(BaseModel):
    id: int
    title: str
    url: str
    canonical_url: str
    source: str
    authors: list[str]
    editors: list[str]
    published_at: datetime | None
    published_date_only: bool
    modified_at: datetime | None
    first_seen: datetime
    section: str
    source_org: str
    tags: list[str]
    language: str
    paywalled: bool
    lead: str
    body: str | None
    field_sources: dict[str, Any]
    verdict: str
    similarity: float | None
    matches: list[MatchOut]
    copies: list[Outlet]
    follows: dict[str, Any] | None
    followed_by: list[dict[str, Any]]


class RunOut(BaseModel):
    id: int
    trigger: str
    status: str
    started_at: datetime
    finished_at: datetime | None
    pages_fetched: int
    items_new: int
    items_duplicate: int
    items_unmatched: int
    items_failed: int
    items_matched: int
    errors: list[str]


class SourceOut(BaseModel):
    name: str
    family: str
    enabled: bool
    health: str
    health_reason: str | None
    last_run: RunOut | None
    stories_7d: int
    missing_7d: dict[str, int] = Field(
        description="of those stories, how many lack authors, a publication time"
    )
    run_requested: bool


class RunRequested(BaseModel):
    request_id: int
    source: str
    daemon_running: bool


class WatchIn(BaseModel):
    """A watch as written: the fields of the YAML format (crawler/domain/watch.py)."""

    name: str
    query: str
    sources: list[str] = ["*"]
    channels: list[str] = ["console"]
    delivery: str = "immediate"
    daily_at: Annotated[str, Field(pattern=DAILY_AT, description="When a daily digest leaves, HH:MM WIB")] = (
        "07:00"
    )
    muted: bool = False
    webhook: str | None = None


class WatchOut(WatchIn):
    id: int
    created_at: datetime
    created_by: str
    updated_at: datetime
    updated_by: str


class AlertOut(BaseModel):
    id: int
    watch: str
    channel: str
    kind: str
    status: str
    attempts: int
    last_error: str | None
    created_at: datetime
    next_attempt_at: datetime
    sent_at: datetime | None
    article_id: int | None
    title: str


_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": Problem, "content": {PROBLEM: {}}} for status in (400, 401, 403, 404, 422)
}
_CONFLICT: dict[int | str, dict[str, Any]] = {409: {"model": Problem, "content": {PROBLEM: {}}}}


def create_api(state: WebState) -> FastAPI:
    """The /api/v1 sub-application over the web's state."""
    api = FastAPI(
        title="Pantau API",
        version="1",
        openapi_url="/openapi.json",
        docs_url=None,
        redoc_url=None,
        responses=_ERRORS,
    )
    api.state.web = state
    api.add_exception_handler(StarletteHTTPException, _problem)  # type: ignore[arg-type]
    api.add_exception_handler(RequestValidationError, _invalid)  # type: ignore[arg-type]

    @api.get("/stories", response_model=StoryPage)
    def stories(
        user: Annotated[User, Depends(reader)],
        chosen: Annotated[ChosenFilters, Depends()],
        cursor: str = "",
        limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
    ) -> StoryPage:
        """Matched stories newest first, one per story cluster; pass `next_cursor` back for the next page.
        `since`/`until` are WIB days (YYYY-MM-DD), `q` words to search (all of them), `cluster` one
        story's copies, `read` read or unread, `starred`/`hidden` 1 (the token's user's marks)."""
        try:
            filters = chosen_filter(chosen, user.id)
            after = Cursor.from_token(cursor) if cursor else None
        except (FilterError, CursorError) as error:
            raise HTTPException(400, str(error)) from None
        page, next_cursor = inbox_page(state.database, filters, after=after, limit=limit)
        return StoryPage(
            items=[StorySummary.model_validate(story_record(story)) for story in page],
            next_cursor=next_cursor.token() if next_cursor else None,
        )

    @api.get(
        "/stories/export",
        response_class=StreamingResponse,
        responses={200: {"content": {media: {} for media in EXPORTS.values()}}},
    )
    def export(
        user: Annotated[User, Depends(reader)],
        chosen: Annotated[ChosenFilters, Depends()],
        format: Annotated[Literal["csv", "jsonl"], Query()] = "jsonl",
    ) -> StreamingResponse:
        """Every story the filters of `GET /stories` select, streamed as CSV or JSON Lines."""
        try:
            filters = chosen_filter(chosen, user.id)
        except FilterError as error:
            raise HTTPException(400, str(error)) from None
        return export_response(state.database, filters, format)

    @api.get("/stories/{story_id}", response_model=StoryDetail)
    def story(story_id: int, user: Annotated[User, Depends(reader)]) -> StoryDetail:
        view = story_view(state.database, story_id)
        if view is None:
            raise HTTPException(404, f"no story with id {story_id}")
        fields = asdict(view)
        return StoryDetail(
            **{
                **fields,
                "copies": [_outlet(copy) for copy in view.copies],
                "matches": [MatchOut(**asdict(match)) for match in view.matches],
                "follows": view.follows.to_dict() if view.follows else None,
                "followed_by": [later.to_dict() for later in view.followed_by],
            }
        )

    @api.get("/sources", response_model=list[SourceOut])
    def sources(user: Annotated[User, Depends(reader)]) -> list[SourceOut]:
        states = source_states(state.database, datetime.now(UTC))
        pending = set(requested_sources(state.database))
        shown = []
        for name, config in sorted(state.config.sources.items()):
            row = states.get(name)
            shown.append(
                SourceOut(
                    name=name,
                    family=config.family,
                    enabled=config.enabled,
                    health=row.health if row else "unknown",
                    health_reason=row.health_reason if row else None,
                    last_run=RunOut(**asdict(row.last_run)) if row and row.last_run else None,
                    stories_7d=row.stories_7d if row else 0,
                    missing_7d=row.missing_7d if row else {},
                    run_requested=name in pending,
                )
            )
        return shown

    @api.get("/sources/{name}/runs", response_model=list[RunOut])
    def runs(
        name: str,
        user: Annotated[User, Depends(reader)],
        limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
        before: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    ) -> list[RunOut]:
        """A source's runs, newest first; page on with `before` = the last run's id."""
        if name not in state.config.sources:
            raise HTTPException(404, f"there is no source named {name!r}")
        found = source_runs(state.database, name, limit=limit, before=before) or []
        return [RunOut(**asdict(run)) for run in found]

    @api.post("/sources/{name}/run", response_model=RunRequested, status_code=202)
    def run_now(name: str, user: Annotated[User, Depends(writer)]) -> RunRequested:
        """Queue a run of the source for the daemon (it starts when the source is free)."""
        try:
            state.config.source(name)
        except SourceError as error:
            raise HTTPException(404, str(error)) from None
        request_id = request_run(state.database, name, requested_by=f"api:{user.name}")
        daemon = live_scheduler(state.database)
        return RunRequested(request_id=request_id, source=name, daemon_running=daemon is not None)

    @api.get("/watches", response_model=list[WatchOut])
    def watches(user: Annotated[User, Depends(reader)]) -> list[WatchOut]:
        """Every watch, in the order matches are reported in."""
        return [_watch_out(record) for record in list_watches(state.database)]

    @api.get("/watches/{watch_id}", response_model=WatchOut)
    def watch(watch_id: int, user: Annotated[User, Depends(reader)]) -> WatchOut:
        return _watch_out(_stored(watch_id))

    @api.post("/watches", response_model=WatchOut, status_code=201, responses=_CONFLICT)
    def create(body: WatchIn, user: Annotated[User, Depends(writer)]) -> WatchOut:
        """Create a watch; a mistake in any field is a 422 naming it (the query in the parser's words)."""
        try:
            record = create_watch(state.database, _checked(body), by=f"api:{user.name}")
        except WatchStoreError as error:
            raise HTTPException(409, str(error)) from None
        return _watch_out(record)

    @api.put("/watches/{watch_id}", response_model=WatchOut, responses=_CONFLICT)
    def replace(watch_id: int, body: WatchIn, user: Annotated[User, Depends(writer)]) -> WatchOut:
        """Replace every field of a watch (renaming keeps its recorded matches under the old name)."""
        _stored(watch_id)
        try:
            record = update_watch(state.database, watch_id, _checked(body), by=f"api:{user.name}")
        except WatchStoreError as error:
            raise HTTPException(409, str(error)) from None
        return _watch_out(record)

    @api.delete("/watches/{watch_id}", status_code=204, response_class=Response)
    def remove(watch_id: int, user: Annotated[User, Depends(writer)]) -> Response:
        """Delete a watch and its feed links; the matches and alerts it made stay."""
        if not delete_watch(state.database, watch_id):
            raise HTTPException(404, f"no watch with id {watch_id}")
        return Response(status_code=204)

    def _stored(watch_id: int) -> WatchRecord:
        record = watch_by_id(state.database, watch_id)
        if record is None:
            raise HTTPException(404, f"no watch with id {watch_id}")
        return record

    def _checked(body: WatchIn) -> Watch:
        draft = WatchDraft(
            body.name,
            body.query,
            body.sources,
            body.channels,
            body.delivery,
            body.daily_at,
            body.muted,
            body.webhook or "",
        )
        watch, problems = checked_watch(state.config, draft, Words("en"))
        if watch is None:
            raise HTTPException(422, "; ".join(f"{key}: {problem}" for key, problem in problems.items()))
        return watch

    @api.get("/alerts", response_model=list[AlertOut])
    def alerts(
        user: Annotated[User, Depends(reader)],
        status: Annotated[Literal["", "pending", "sending", "sent", "failed"], Query()] = "",
        before: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
        limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
    ) -> list[AlertOut]:
        """The outbox, newest first: each alert's delivery state, attempts and last error."""
        rows = outbox_rows(state.database, status=status or None, before=before, limit=limit)
        return [AlertOut(**asdict(row)) for row in rows]

    @api.post("/alerts/{alert_id}/resend", response_model=AlertOut, responses={409: _ERRORS[400]})
    def resend(
        alert_id: Annotated[int, Path(ge=1, le=2**31 - 1)], user: Annotated[User, Depends(writer)]
    ) -> AlertOut:
        """Queue a failed alert again (409 for an alert that is not failed: it is never sent twice)."""
        try:
            requeue_failed(state.database, alert_id)
        except NoSuchAlert as error:
            raise HTTPException(404, str(error)) from None
        except AlertError as error:
            raise HTTPException(409, str(error)) from None
        return AlertOut(**asdict(outbox_rows(state.database, before=alert_id + 1, limit=1)[0]))

    return api


def bearer(request: Request) -> tuple[User, str]:
    """The token's user and scope; a missing, unknown or revoked token is 401."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    found = (
        token_user(web_state(request).database, token.strip())
        if scheme.lower() == "bearer" and token
        else None
    )
    if found is None:
        raise HTTPException(401, "a valid bearer token is required", {"WWW-Authenticate": "Bearer"})
    return found


def reader(found: Annotated[tuple[User, str], Depends(bearer)]) -> User:
    return found[0]


def writer(found: Annotated[tuple[User, str], Depends(bearer)]) -> User:
    """A write-scoped token of an editor or admin; anything else is 403."""
    user, scope = found
    if scope != "write" or not user.can_write:
        raise HTTPException(403, "this token may only read (create a write token as an editor)")
    return user


def _outlet(copy: Any) -> Outlet:
    return Outlet(
        article_id=copy.article_id,
        outlet=copy.outlet,
        url=copy.url,
        source=copy.source,
        time=copy.moment,
        lag_seconds=int(copy.lag.total_seconds()),
    )


def _watch_out(record: WatchRecord) -> WatchOut:
    return WatchOut(
        **record.watch.model_dump(exclude={"daily_at"}),
        daily_at=record.watch.daily_at.strftime("%H:%M"),
        id=record.id,
        created_at=record.created_at,
        created_by=record.created_by,
        updated_at=record.updated_at,
        updated_by=record.updated_by,
    )


def problem_response(status: int, detail: str, headers: dict[str, str] | None = None) -> JSONResponse:
    """An RFC 9457 problem: the status, its phrase as the title, and what went wrong."""
    body = Problem(title=HTTPStatus(status).phrase, status=status, detail=detail)
    return JSONResponse(body.model_dump(), status_code=status, media_type=PROBLEM, headers=headers)


async def _problem(request: Request, error: StarletteHTTPException) -> JSONResponse:
    return problem_response(error.status_code, str(error.detail), dict(error.headers or {}) or None)


async def _invalid(request: Request, error: RequestValidationError) -> JSONResponse:
    problems = "; ".join(
        f"{'.'.join(str(part) for part in problem['loc'])}: {problem['msg']}" for problem in error.errors()
    )
    return problem_response(422, problems)
