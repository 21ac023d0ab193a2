"""The trends page: matched stories per WIB day per watch, and each outlet's share of the copies, over
the last 7, 30 or 90 days, drawn by uPlot (a static file of the package) from numbers in the page."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request, Response

from crawler.domain.zones import WIB
from crawler.store.trends import PERIODS, Trends, newest_matched_day, trends
from crawler.store.users import User
from crawler.web.auth import signed_in, words
from crawler.web.render import render
from crawler.web.state import web_state

router = APIRouter()

TOP_OUTLETS = 8


@router.get("/trends")
def trends_page(
    request: Request, user: Annotated[User, Depends(signed_in)], days: int = 30, until: str = ""
) -> Response:
    """The last 7, 30 or 90 WIB days up to today, or up to `until` (an empty period links to the days
    up to the newest matched story, so a quiet archive still shows its trends)."""
    database = web_state(request).database
    chosen = days if days in PERIODS else 30
    today = datetime.now(UTC).astimezone(WIB).date()
    try:
        last_day = min(date.fromisoformat(until), today) if until else today
    except ValueError:
        raise HTTPException(400, words(request)("bad_date", value=until)) from None
    found = trends(database, chosen, last_day)
    newest = newest_matched_day(database) if not found.per_watch else None
    return render(
        request,
        "trends.html",
        days=chosen,
        until=until if last_day != today else "",
        last_day=last_day,
        newest=newest,
        periods=PERIODS,
        trends=found,
        shares=found.outlet_shares(),
        chart=chart_data(found),
    )


def chart_data(found: Trends) -> dict[str, Any]:
    """What trends.js draws: the days (unix seconds, WIB midnight), stories per watch, and the daily
    share (%) of the outlets that carried the most copies (the rest together)."""
    days = [int(datetime.combine(day, time(), WIB).timestamp()) for day in found.days]
    top = [outlet for outlet, _, _ in found.outlet_shares()[:TOP_OUTLETS]]
    per_day = [sum(counts[i] for counts in found.per_outlet.values()) for i in range(len(days))]
    shares: dict[str, list[float | None]] = {}
    for outlet in top:
        counts = found.per_outlet[outlet]
        shares[outlet] = [
            round(100 * count / whole, 1) if whole else None
            for count, whole in zip(counts, per_day, strict=True)
        ]
    return {"days": days, "watches": found.per_watch, "shares": shares}


def sparkline(counts: list[int], width: int = 120, height: int = 24) -> str:
    """An SVG polyline's points for counts per day (the sources page draws it without script)."""
    if not counts:
        return ""
    top = max(counts) or 1
    step = width / max(len(counts) - 1, 1)
    return " ".join(
        f"{round(index * step, 1)},{round(height - 1 - (height - 2) * count / top, 1)}"
        for index, count in enumerate(counts)
    )
