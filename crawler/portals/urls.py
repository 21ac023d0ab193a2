"""Canonical URLs: one story, one key, whatever form (AMP, mobile, paged, tracked) a link takes.

The generic form is here; each family's story-key rule (crawler.portals.registry) keys its stories.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, parse_qsl, urlencode, urlsplit, urlunsplit

from crawler.portals import registry

_TRACKING_PARAMETERS = re.compile(
    r"^(utm_\w+|fbclid|gclid|dclid|msclkid|yclid|mc_cid|mc_eid|_ga|_gl|igshid|ref|ref_src|"
    r"cmpid|amp|outputType|s_cid|spm)$",
    re.IGNORECASE,
)
_MOBILE_PREFIXES = ("www.", "m.", "mobile.", "amp.")
_DEFAULT_PORTS = {"http": 80, "https": 443}


def canonical_url(url: str) -> str:
    """The one URL that stands for the story at `url` (idempotent)."""
    parts = urlsplit(url.strip())
    wrapped = parse_qs(parts.query).get("url") if parts.path in registry.link_redirectors() else None
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
    """The key of the family owning `host` first, then of any family whose rule knows the URL (a
    network's new site, in no host list yet, is keyed like its siblings)."""
    owner = registry.family_for_host(host.partition(":")[0])
    rules = [owner.story_key] if owner else []
    rules += [family.story_key for family in registry.families() if family is not owner]
    return next((key for rule in rules if (key := rule(host, path)) is not None), None)
