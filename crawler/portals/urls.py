"""Canonical URLs: one story, one key, whatever form (AMP, mobile, paged, tracked) a link takes."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, parse_qsl, urlencode, urlsplit, urlunsplit

_TRACKING_PARAMETERS = re.compile(
    r"^(utm_\w+|fbclid|gclid|dclid|msclkid|yclid|mc_cid|mc_eid|_ga|_gl|igshid|ref|ref_src|"
    r"cmpid|amp|outputType|s_cid|spm)$",
    re.IGNORECASE,
)
_MOBILE_PREFIXES = ("www.", "m.", "mobile.", "amp.")
_RMOL_ARTICLE = re.compile(
    r"^(?:/(?P<kanal>[\w-]+))?/(?:read|amp)/(?P<y>\d{4})/(?P<m>\d{2})/(?P<d>\d{2})/(?P<id>\d+)(?:/|$)"
)
_BISNIS_ARTICLE = re.compile(r"^(?:/amp)?/read/(?P<date>\d{8})/(?P<category>\d+)/(?P<id>\d+)(?:/|$)")
# bisnis.com article ids form one sequence across channels since the 2020 CMS; older ids are per host.
_BISNIS_SHARED_ID_FROM = 1_000_000
_PAGE_SUFFIX = re.compile(r"/(?:\d{1,2}|all)$")
# Search results on bisnis.com link through a redirector: `search.bisnis.com/link?url=<article URL>`.
_REDIRECTOR_PATHS = {"/link"}
_DEFAULT_PORTS = {"http": 80, "https": 443}


def canonical_url(url: str) -> str:
    """The one URL that stands for the story at `url` (idempotent)."""
    parts = urlsplit(url.strip())
    wrapped = parse_qs(parts.query).get("url") if parts.path in _REDIRECTOR_PATHS else None
    if wrapped and wrapped[0].startswith(("http://", "https://")):
        return canonical_url(wrapped[0])
    host = (parts.hostname or "").lower().rstrip(".")
    for prefix in _MOBILE_PREFIXES:
        if host.startswith(prefix) and host.count(".") > 1:
            host = host[len(prefix) :]
            break
    try:
        port = parts.port
    except ValueError:  # a malformed port cannot name a site; the host alone is the best key
        port = None
    if port is not None and port != _DEFAULT_PORTS.get(parts.scheme.lower()):
        host = f"{host}:{port}"  # loopback test servers and the like: the port names the site
    path = re.sub(r"/{2,}", "/", parts.path or "/").rstrip("/")
    path = path.removesuffix("/amp")

    story = _portal_story_key(host, path)
    if story is not None:
        return story

    query = [
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if not _TRACKING_PARAMETERS.match(key) and (key, value.lower()) != ("page", "all")
    ]
    path = path or "/"
    return urlunsplit(("https", host, path, urlencode(sorted(query)), ""))


def _portal_story_key(host: str, path: str) -> str | None:
    if host == "rmol.id" or host.endswith(".rmol.id") or host in {"rmol.co"}:
        match = _RMOL_ARTICLE.match(path)
        if match:
            return f"https://rmol.id/read/{match['y']}/{match['m']}/{match['d']}/{match['id']}"
    if host == "bisnis.com" or host.endswith(".bisnis.com"):
        match = _BISNIS_ARTICLE.match(path)
        if match:
            article_id = int(match["id"])
            story_host = "bisnis.com" if article_id >= _BISNIS_SHARED_ID_FROM else host
            return f"https://{story_host}/read/{match['date']}/{match['id']}"
    if host.startswith("rmol") and _is_slug_article(path):
        # RMOL regional CMS: one slug per story; strip page forms like /2 or /all.
        return f"https://{host}{_PAGE_SUFFIX.sub('', path.rstrip('/'))}"
    return None


def _is_slug_article(path: str) -> bool:
    segments = [segment for segment in path.split("/") if segment]
    return (
        len(segments) in (1, 2)
        and segments[0].count("-") >= 2
        and (len(segments) == 1 or bool(_PAGE_SUFFIX.match("/" + segments[1])))
    )
