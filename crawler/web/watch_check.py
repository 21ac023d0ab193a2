"""A watch as a person submitted it (the editor's form or the API's JSON), checked field by field.

The query is checked by the query parser itself, so the editor shows the same message `pantau config
check` and `pantau watches import` give ("column 8: expected ')' to close the '(' at column 1").
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import time

from crawler.config import Config
from crawler.domain.egress import RefusedAddress
from crawler.domain.errors import QuerySyntaxError
from crawler.domain.watch import Watch
from crawler.matching import CompiledWatch, parse_query
from crawler.web.i18n import Words

DELIVERIES = ("immediate", "hourly", "daily")
MAX_NAME = 200
MAX_URL = 2000


@dataclass
class WatchDraft:
    """The fields as submitted, kept as strings so a form with a mistake shows what was typed."""

    name: str = ""
    query: str = ""
    sources: list[str] = field(default_factory=lambda: ["*"])
    channels: list[str] = field(default_factory=list)
    delivery: str = "immediate"
    daily_at: str = "07:00"
    muted: bool = False
    webhook: str = ""

    @classmethod
    def of(cls, watch: Watch) -> WatchDraft:
        return cls(
            watch.name,
            watch.query,
            list(watch.sources),
            list(watch.channels),
            watch.delivery,
            watch.daily_at.strftime("%H:%M"),
            watch.muted,
            watch.webhook or "",
        )


def query_problem(config: Config, query: str, t: Words) -> str | None:
    """Why the query cannot run, in the parser's words; None when it parses."""
    if not query.strip():
        return t("query_required")
    if _unstorable(query.replace("\n", " ").replace("\t", " ").replace("\r", " ")):
        return t("control_characters")
    try:
        parse_query(query, config.aliases)
    except QuerySyntaxError as error:
        return str(error)
    return None


def checked_watch(config: Config, draft: WatchDraft, t: Words) -> tuple[Watch | None, dict[str, str]]:
    """The watch the draft describes, or None and a message per field that is wrong."""
    problems: dict[str, str] = {}
    name = draft.name.strip()
    if not name or len(name) > MAX_NAME:
        problems["name"] = t("watch_name_required", length=MAX_NAME)
    elif _unstorable(name):
        problems["name"] = t("control_characters")
    if (query := query_problem(config, draft.query, t)) is not None:
        problems["query"] = query
    if draft.delivery not in DELIVERIES:
        problems["delivery"] = t("unknown_delivery", value=draft.delivery)
    try:
        daily_at = time.fromisoformat(draft.daily_at)
    except ValueError:
        problems["daily_at"] = t("bad_time", value=draft.daily_at)
        daily_at = time(7, 0)
    if not draft.sources:
        problems["sources"] = t("sources_required")
    webhook = draft.webhook.strip() or None
    if webhook is not None and (problem := webhook_problem(config, webhook)) is not None:
        problems["webhook"] = problem
    watch = Watch(
        name=name or "-",
        query=draft.query or "-",
        sources=draft.sources or ["*"],
        channels=draft.channels,
        delivery=draft.delivery if draft.delivery in DELIVERIES else "immediate",  # type: ignore[arg-type]
        daily_at=daily_at,
        muted=draft.muted,
        webhook=webhook,
    )
    for (key, _), problem in config.watch_reference_problems(watch):
        problems.setdefault(key, problem)
    return (None, problems) if problems else (watch, {})


def webhook_problem(config: Config, url: str) -> str | None:
    """Why Pantau will not call this webhook URL (not http(s), or an inner address), or None."""
    if len(url) > MAX_URL or _unstorable(url):
        return f"a webhook URL is at most {MAX_URL} printable characters"
    try:
        config.network.policy.check_url(url)
    except RefusedAddress as refused:
        return str(refused)
    return None


def _unstorable(text: str) -> bool:
    """Control characters and lone surrogates: no query needs them, and no database stores NUL."""
    return any(unicodedata.category(character) in ("Cc", "Cs") for character in text)


def compiled(config: Config, watch: Watch) -> CompiledWatch:
    """A checked watch with its query parsed, for a preview."""
    return CompiledWatch(watch, parse_query(watch.query, config.aliases))
