"""The sources pages: each source's health, last run, stories of the last 7 days and the fields they
lack, a sparkline, Run now (editors and admins), and one source's run history. While a run is
queued or running the pages ask again every 2 s, so a run shows as it starts and ends."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request, Response
from fastapi.responses import RedirectResponse

from crawler.domain.errors import SourceError
from crawler.store.inbox import MAX_ID
from crawler.store.leases import live_scheduler
from crawler.store.run_requests import request_run, requested_sources
from crawler.store.sources import source_runs, source_states
from crawler.store.trends import stories_per_day
from crawler.store.users import User
from crawler.web.auth import check_csrf, editor, signed_in
from crawler.web.render import local_target, render
from crawler.web.state import web_state
from crawler.web.trends import sparkline

log = logging.getLogger(__name__)

router = APIRouter()

RUNS_PAGE = 50
SPARK_DAYS = 30


@router.get("/sources")
def sources(request: Request, user: Annotated[User, Depends(signed_in)]) -> Response:
    return _sources_page(request)


@router.post("/sources/{name}/run")
def run_now(
    request: Request,
    name: str,
    user: Annotated[User, Depends(editor)],
    csrf_token: Annotated[str, Form()] = "",
    back: Annotated[str, Form()] = "/sources",
) -> Response:
    check_csrf(request, csrf_token)
    state = web_state(request)
    try:
        state.config.source(name)
    except SourceError:
        raise HTTPException(404) from None
    request_id = request_run(state.database, name, requested_by=f"web:{user.name}")
    log.info("%s asked for a run of %s (request %d)", user.name, name, request_id)
    if request.headers.get("HX-Request"):
        return _sources_page(request)
    return RedirectResponse(local_target(back), status_code=303)


@router.get("/sources/{name}")
def source_page(
    request: Request,
    name: str,
    user: Annotated[User, Depends(signed_in)],
    before: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> Response:
    """One source: its health and its runs, newest first, a page at a time."""
    state = web_state(request)
    config = state.config.sources.get(name)
    if config is None:
        raise HTTPException(404)
    runs = source_runs(state.database, name, limit=RUNS_PAGE + 1, before=before) or []
    older = f"/sources/{name}?before={runs[RUNS_PAGE - 1].id}" if len(runs) > RUNS_PAGE else None
    pending = name in requested_sources(state.database)
    return render(
        request,
        "source.html",
        name=name,
        config=config,
        source=source_states(state.database, datetime.now(UTC)).get(name),
        runs=runs[:RUNS_PAGE],
        older=older,
        newest=f"/sources/{name}" if before is not None else None,
        pending=pending,
        busy=before is None and (pending or any(run.status == "running" for run in runs[:1])),
    )


def _sources_page(request: Request) -> Response:
    state = web_state(request)
    now = datetime.now(UTC)
    states = source_states(state.database, now)
    per_day = stories_per_day(state.database, SPARK_DAYS, now)
    pending = set(requested_sources(state.database))
    running = any(row.last_run and row.last_run.status == "running" for row in states.values())
    return render(
        request,
        "sources.html",
        sources=[(name, config, states.get(name)) for name, config in sorted(state.config.sources.items())],
        sparks={name: (sparkline(counts), sum(counts)) for name, counts in per_day.items()},
        pending=pending,
        busy=bool(pending) or running,
        daemon=live_scheduler(state.database),
    )
