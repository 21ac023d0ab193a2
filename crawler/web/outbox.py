"""The alerts page: the outbox with each alert's delivery state, attempts and last error, and
"resend" for a failed alert (editors and admins), which queues it again for the daemon to send."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request, Response

from crawler.domain.errors import AlertError
from crawler.store.delivery import OUTBOX_STATES, NoSuchAlert, outbox_counts, outbox_rows, requeue_failed
from crawler.store.users import User
from crawler.web.auth import check_csrf, editor, signed_in, words
from crawler.web.render import render
from crawler.web.state import web_state

log = logging.getLogger(__name__)

router = APIRouter()

PAGE_SIZE = 50


@router.get("/alerts")
def alerts(
    request: Request, user: Annotated[User, Depends(signed_in)], status: str = "", before: int | None = None
) -> Response:
    return _alerts_page(request, status, before)


@router.post("/alerts/{alert_id}/resend")
def resend(
    request: Request,
    alert_id: int,
    user: Annotated[User, Depends(editor)],
    csrf_token: Annotated[str, Form()] = "",
    status: Annotated[str, Form()] = "",
) -> Response:
    """Queue a failed alert again; the daemon's dispatcher claims it like any due alert, so it goes out
    once, and a second resend of the same alert finds it no longer failed."""
    check_csrf(request, csrf_token)
    if not 0 < alert_id < 2**31:
        raise HTTPException(404)
    t = words(request)
    try:
        requeue_failed(web_state(request).database, alert_id)
    except NoSuchAlert:
        raise HTTPException(404) from None
    except AlertError as error:
        log.info("%s could not resend alert %d: %s", user.name, alert_id, error)
        return _alerts_page(request, status, None, error=t("cannot_resend", id=alert_id), code=409)
    log.info("%s queued alert %d again", user.name, alert_id)
    return _alerts_page(request, status, None, notice=t("resent", id=alert_id))


def _alerts_page(
    request: Request,
    status: str,
    before: int | None,
    *,
    notice: str | None = None,
    error: str | None = None,
    code: int = 200,
) -> Response:
    database = web_state(request).database
    chosen = status if status in OUTBOX_STATES else ""
    rows = outbox_rows(database, status=chosen or None, before=before, limit=PAGE_SIZE)
    older = rows[-1].id if len(rows) == PAGE_SIZE else None
    return render(
        request,
        "alerts.html",
        code,
        rows=rows,
        counts=outbox_counts(database),
        states=OUTBOX_STATES,
        chosen_status=chosen,
        older=older,
        notice=notice,
        error=error,
    )
