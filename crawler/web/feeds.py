"""A watch's stories as RSS 2.0, Atom and JSON Feed at a secret URL (`/feeds/<token>.rss|atom|json`),
so any feed reader or a chat app's RSS integration can follow a watch without an account.

The token is the only key: an unknown or revoked one is 404, as if the URL never existed. Feeds are
built with ElementTree and json, which escape every value; nothing is written as markup by hand.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import format_datetime
from xml.etree import ElementTree

from fastapi import APIRouter, HTTPException, Request, Response

from crawler.store.inbox import InboxStory, inbox_page
from crawler.store.watches import WatchRecord, watch_of_feed_token
from crawler.web.filters import inbox_filter
from crawler.web.state import web_state

router = APIRouter()

FEED_SIZE = 50
ATOM = "http://www.w3.org/2005/Atom"
MEDIA_TYPES = {
    "rss": "application/rss+xml; charset=utf-8",
    "atom": "application/atom+xml; charset=utf-8",
    "json": "application/feed+json; charset=utf-8",
}


@router.api_route("/feeds/{token}.{kind}", methods=["GET", "HEAD"])  # readers probe with HEAD
def feed(request: Request, token: str, kind: str) -> Response:
    if kind not in MEDIA_TYPES:
        raise HTTPException(404)
    database = web_state(request).database
    record = watch_of_feed_token(database, token)
    if record is None:
        raise HTTPException(404)
    stories, _ = inbox_page(database, inbox_filter(watch=record.name), limit=FEED_SIZE)
    self_url = str(request.url)
    body = _WRITERS[kind](record, stories, self_url)
    return Response(body, media_type=MEDIA_TYPES[kind], headers={"Cache-Control": "private, max-age=300"})


def _story_id(story: InboxStory) -> str:
    """A stable id per story, as feed readers want one: the same story is never shown twice."""
    return f"tag:pantau,2026:story:{story.article_id}"


def _title(record: WatchRecord) -> str:
    return f"Pantau: {record.name}"


def _updated(stories: list[InboxStory], record: WatchRecord) -> datetime:
    return stories[0].moment if stories else record.updated_at


def _rss(record: WatchRecord, stories: list[InboxStory], self_url: str) -> bytes:
    rss = ElementTree.Element("rss", {"version": "2.0", "xmlns:atom": ATOM})
    channel = ElementTree.SubElement(rss, "channel")
    _text(channel, "title", _title(record))
    _text(channel, "link", self_url)
    _text(channel, "description", record.watch.query)
    _text(channel, "lastBuildDate", format_datetime(_updated(stories, record).astimezone(UTC), usegmt=True))
    ElementTree.SubElement(
        channel, "atom:link", {"href": self_url, "rel": "self", "type": "application/rss+xml"}
    )
    for story in stories:
        item = ElementTree.SubElement(channel, "item")
        _text(item, "title", story.title or story.url)
        _text(item, "link", story.url)
        _text(item, "description", story.snippet)
        _text(item, "guid", _story_id(story), isPermaLink="false")
        _text(item, "pubDate", format_datetime(story.moment.astimezone(UTC), usegmt=True))
        _text(item, "category", story.source)
    return ElementTree.tostring(rss, encoding="utf-8", xml_declaration=True)


def _atom(record: WatchRecord, stories: list[InboxStory], self_url: str) -> bytes:
    root = ElementTree.Element("feed", {"xmlns": ATOM})
    _text(root, "id", f"tag:pantau,2026:watch:{record.id}")
    _text(root, "title", _title(record))
    _text(root, "subtitle", record.watch.query)
    _text(root, "updated", _updated(stories, record).astimezone(UTC).isoformat())
    ElementTree.SubElement(root, "link", {"href": self_url, "rel": "self"})
    _text(ElementTree.SubElement(root, "author"), "name", "Pantau")
    for story in stories:
        entry = ElementTree.SubElement(root, "entry")
        _text(entry, "id", _story_id(story))
        _text(entry, "title", story.title or story.url)
        ElementTree.SubElement(entry, "link", {"href": story.url, "rel": "alternate"})
        _text(entry, "updated", story.moment.astimezone(UTC).isoformat())
        _text(entry, "summary", story.snippet)
        ElementTree.SubElement(entry, "category", {"term": story.source})
    return ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)


def _json_feed(record: WatchRecord, stories: list[InboxStory], self_url: str) -> bytes:
    document = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": _title(record),
        "description": record.watch.query,
        "feed_url": self_url,
        "items": [
            {
                "id": _story_id(story),
                "url": story.url,
                "title": story.title or story.url,
                "content_text": story.snippet,
                "date_published": story.moment.astimezone(UTC).isoformat(),
                "tags": [story.source, *story.watches],
            }
            for story in stories
        ],
    }
    return json.dumps(document, ensure_ascii=False).encode()


def _text(parent: ElementTree.Element, tag: str, text: str, **attributes: str) -> None:
    ElementTree.SubElement(parent, tag, attributes).text = _xml_safe(text)


def _xml_safe(text: str) -> str:
    """XML 1.0 cannot carry most control characters even escaped; a story's text may hold them."""
    return "".join(
        character
        for character in text
        if character in "\t\n\r"
        or (" " <= character <= "\ud7ff")
        or ("\ue000" <= character <= "\ufffd")
        or character >= "\U00010000"
    )


_WRITERS: dict[str, Callable[[WatchRecord, list[InboxStory], str], bytes]] = {
    "rss": _rss,
    "atom": _atom,
    "json": _json_feed,
}
