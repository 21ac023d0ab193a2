"""What every page handler shares: a template rendered whole or as the block htmx asked for, and the
check that a "go back to" address stays on this site."""

from __future__ import annotations

from typing import Any

from fastapi import Request, Response

from crawler.web.auth import page_context
from crawler.web.state import web_state


def render(
    request: Request, template: str, status: int = 200, block: str | None = None, **values: Any
) -> Response:
    """The page, its `content` block when htmx asks for a part of it, or the one block asked for."""
    if block is None and request.headers.get("HX-Request") and not request.headers.get("HX-Boosted"):
        block = "content"
    return web_state(request).templates.TemplateResponse(
        request, template, page_context(request, **values), status_code=status, block_name=block
    )


def local_target(target: str | None) -> str:
    """Where to go after signing in or a form: a path on this site only, never another host."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/inbox"
    return target
