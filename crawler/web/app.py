"""The web application: the session and security-header middleware, the error pages, the static
files, and the page routers of crawler/web/ (inbox and story, watches, sources, feeds, alerts, users,
trends) and the REST API (api.py) put together."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from pathlib import Path

from fastapi import FastAPI, Request, Response
from fastapi.staticfiles import StaticFiles
from jinja2_fragments.fastapi import Jinja2Blocks
from starlette.exceptions import HTTPException as StarletteHTTPException

from crawler.config import Config
from crawler.store.db import Database
from crawler.store.users import count_users, web_setting
from crawler.web import api, feeds, outbox, pages, people, source_pages, trends, watch_pages
from crawler.web.auth import page_context
from crawler.web.i18n import Words
from crawler.web.sessions import COOKIE, MAX_AGE_SECONDS, SessionCodec
from crawler.web.state import WebState, web_state
from crawler.web.throttle import LoginThrottle

log = logging.getLogger(__name__)

HERE = Path(__file__).parent

SECURITY_HEADERS = {
    # No inline script or style anywhere: htmx is a file, its config a <meta> tag, styles a file.
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def create_app(config: Config, database: Database) -> FastAPI:
    """The ASGI app over this config and (migrated) database."""
    secret = web_setting(database, "session_key", lambda: secrets.token_urlsafe(48))
    templates = Jinja2Blocks(directory=str(HERE / "templates"))
    state = WebState(
        config=config,
        database=database,
        codec=SessionCodec(secret),
        throttle=LoginThrottle(),
        templates=templates,
        setup_token=secrets.token_urlsafe(24) if count_users(database) == 0 else None,
    )
    app = FastAPI(title="Pantau", openapi_url=None, docs_url=None, redoc_url=None)
    app.state.web = state
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.mount("/api/v1", api.create_api(state), name="api")
    app.include_router(pages.router)
    for router in (
        watch_pages.router,
        source_pages.router,
        feeds.router,
        outbox.router,
        people.router,
        trends.router,
    ):
        app.include_router(router)
    app.middleware("http")(_session_and_headers)
    app.add_exception_handler(StarletteHTTPException, _error_page)  # type: ignore[arg-type]
    return app


async def _session_and_headers(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    """Load the session before the handler, write it back if it changed, and add the security headers."""
    state = web_state(request)
    session = state.codec.load(request.cookies.get(COOKIE))
    request.state.session = session
    response = await call_next(request)
    if session.changed:
        response.set_cookie(
            COOKIE,
            state.codec.dump(session),
            max_age=MAX_AGE_SECONDS,
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
        )
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


async def _error_page(request: Request, error: StarletteHTTPException) -> Response:
    """An HTTP error as a page in the visitor's language (redirects pass through as they are)."""
    if error.status_code in (301, 302, 303, 307, 308) and error.headers:
        return Response(status_code=error.status_code, headers=error.headers)
    if request.url.path.startswith("/api/"):  # a path the API's mount did not take (a newline in it)
        return api.problem_response(error.status_code, str(error.detail), dict(error.headers or {}) or None)
    context = page_context(request)
    words: Words = context["t"]
    standard = {403: words("forbidden"), 404: words("not_found")}
    # A handler's own message is shown; Starlette's stock phrase ("Not Found") is said in the visitor's words.
    message = str(error.detail)
    if message == HTTPStatus(error.status_code).phrase:
        message = standard.get(error.status_code, message)
    context.update(status=error.status_code, message=message)
    return web_state(request).templates.TemplateResponse(
        request, "error.html", context, status_code=error.status_code, headers=error.headers
    )
