"""Text normalisation for dedup: two captures of one story reduce to the same words and content hash.

Furniture (ads, bylines, pagers, related-link headers), datelines and attributions are dropped, so a
seed capture, a clean extraction and a syndicated copy compare on the story's own wording.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

from crawler.portals.registry import furniture_patterns

# Attribution of a republished copy: a sentence running to the end of its line, or a trailing
# "sumber: <outlet>" (a "(sumber: BPS)" inside a sentence is the story's own text and stays).
_ATTRIBUTION = re.compile(
    r"(?=[aAbBsS])(?:artikel ini telah (?:tayang|terbit|dimuat) di|baca artikel \S+ lainnya di).*$"
    r"|(?:sumber|source)\s*:\s*\S{2,60}\s*$",
    re.IGNORECASE,
)
# Datelines, inline and whole-line furniture of every portal family, declared in crawler/portals.
_FURNITURE = furniture_patterns()
_NON_WORD = re.compile(r"[\W_]+")


def is_furniture(line: str) -> bool:
    """Whether a line of a captured page is page furniture (ads, bylines, pager, related-links headers)."""
    stripped = _FURNITURE.inline.sub(" ", line).strip()
    return not stripped or bool(_FURNITURE.lines.match(stripped))


def normalise_text(text: str) -> str:
    """Lower-case words of a story's text without furniture, datelines, attributions or punctuation.

    Two captures of one story (different scrapers, a seed capture, a syndicated copy) normalise
    to the same text as far as their wording allows, which is what both hashes rely on.
    """
    return " ".join(word for line in story_lines(text) for word in words_of(line))


def story_lines(text: str) -> list[str]:
    """The story's own lines, case and punctuation kept: furniture lines, inline furniture, datelines
    and attributions removed, so the judge reads facts from the same text the hashes are taken of."""
    lines = []
    for raw_line in unicodedata.normalize("NFKC", text).splitlines():
        line = _FURNITURE.inline.sub(" ", raw_line).strip()
        if not line or _FURNITURE.lines.match(line):  # as is_furniture, without a second pass
            continue
        for dateline in _FURNITURE.datelines:
            line = dateline.sub("", line, count=1)
        line = _ATTRIBUTION.sub("", line).strip()
        if line:
            lines.append(line)
    return lines


def words_of(text: str) -> list[str]:
    """Lower-case words without punctuation, as `normalise_text` reads them."""
    return _NON_WORD.sub(" ", text.lower()).split()


def content_hash(text: str) -> str:
    """SHA-256 (hex) of the normalised text: equal for exact duplicates however they were captured."""
    return normalised_hash(normalise_text(text))


def normalised_hash(normalised: str) -> str:
    """The content hash of a text normalised already (the index normalises once for both hashes)."""
    return hashlib.sha256(normalised.encode()).hexdigest()


def document_text(title: str, body: str) -> str:
    """Body alone when there is one: a copy under another headline is still the same story."""
    return body if body.strip() else title
