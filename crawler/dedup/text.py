"""Text normalisation for dedup: two captures of one story reduce to the same words and content hash.

Furniture (ads, bylines, pagers, related-link headers), datelines and attributions are dropped, so a
seed capture, a clean extraction and a syndicated copy compare on the story's own wording.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

_DASH = r"(?:-{1,2}|–|—)"
# Datelines open a body: "Bisnis.com, JAKARTA —", "JAKARTA, KOMPAS.com -", "Jakarta (ANTARA) -", "RMOL. ".
_DATELINES = (
    re.compile(rf"^\s*[\w.]{{2,30}}\s*,\s*[A-Z][A-Z .]{{1,30}}?\s*{_DASH}\s*"),
    re.compile(rf"^\s*[A-Z][A-Z .]{{1,30}},\s*[\w. ]{{2,30}}?\s*{_DASH}\s*"),
    re.compile(rf"^\s*[A-Z][a-z]+\s*\([A-Z][A-Za-z]+\)\s*{_DASH}\s*"),
    re.compile(r"^\s*RMOL[A-Za-z]*(?:\.id)?\s*[.,]\s+"),
)
# Attribution of a republished copy: a sentence running to the end of its line, or a trailing
# "sumber: rmol.id" (a "(sumber: BPS)" inside a sentence is the story's own text and stays).
_ATTRIBUTION = re.compile(
    r"(?:artikel ini telah (?:tayang|terbit|dimuat) di|baca artikel \S+ lainnya di).*$"
    r"|(?:sumber|source)\s*:\s*\S{2,60}\s*$",
    re.IGNORECASE,
)
_INLINE_FURNITURE = re.compile(
    r"rmol news logo(?: article)?|googletag\.cmd\.push\(.*?\);?\s*\}?\);?|<[^>]{1,300}>",
    re.IGNORECASE,
)
# Whole lines of page furniture seen in captures of RMOL and Bisnis pages (see shared/portals.md).
_FURNITURE_LINES = re.compile(
    r"^(?:"
    r"dimensy\.id(?: mobile)?|apollo solar panel|laporan\s*:.*|"
    r"•?\s*(?:senin|selasa|rabu|kamis|jum'?at|sabtu|minggu),\s*\d{1,2} \w+ \d{4}\s*[,|]?\s*\d{1,2}[:.]\d{2}"
    r"(?:\s*wi[bt]a?)?|"
    r"temukan berita-berita hangat terpercaya.*|untuk mengikuti silakan klik tanda bintang\.?|"
    r"artikel lainnya|artikel terkait|berita lainnya|berita terbaru|berita terkait|#?\s*hot topic|"
    r"rekomendasi kami|foto|video|halaman|[\d.\s]+|penulis\s*:.*|editor\s*:.*|konten premium|"
    r"nyaman tanpa iklan\.? langganan bisnispro|langganan bisnis.*|disclaimer.*|"
    r"dapatkan informasi komprehensif di bisnis\.com.*|scan qr code bisnis indonesia e-paper|"
    r"cek berita dan artikel yang lain di google news.*|baca juga\s*:.*|simak juga.*|"
    r"[^.]{0,200}/(?:net|reuters|antara|antara foto|istimewa|ist|afp|ap|bisnis|rmol|dok\.?[^/]{0,40})"
    r")$",
    re.IGNORECASE,
)
_NON_WORD = re.compile(r"[\W_]+")


def is_furniture(line: str) -> bool:
    """Whether a line of a captured page is page furniture (ads, bylines, pager, related-links headers)."""
    stripped = _INLINE_FURNITURE.sub(" ", line).strip()
    return not stripped or bool(_FURNITURE_LINES.match(stripped))


def normalise_text(text: str) -> str:
    """Lower-case words of a story's text without furniture, datelines, attributions or punctuation.

    Two captures of one story (different scrapers, a seed capture, a syndicated copy) normalise
    to the same text as far as their wording allows, which is what both hashes rely on.
    """
    text = unicodedata.normalize("NFKC", text)
    words: list[str] = []
    for raw_line in text.splitlines():
        if is_furniture(raw_line):
            continue
        line = _INLINE_FURNITURE.sub(" ", raw_line).strip()
        for dateline in _DATELINES:
            line = dateline.sub("", line, count=1)
        line = _ATTRIBUTION.sub("", line)
        words.extend(_NON_WORD.sub(" ", line.lower()).split())
    return " ".join(words)


def content_hash(text: str) -> str:
    """SHA-256 (hex) of the normalised text: equal for exact duplicates however they were captured."""
    return normalised_hash(normalise_text(text))


def normalised_hash(normalised: str) -> str:
    """The content hash of a text normalised already (the index normalises once for both hashes)."""
    return hashlib.sha256(normalised.encode()).hexdigest()


def document_text(title: str, body: str) -> str:
    """Body alone when there is one: a copy under another headline is still the same story."""
    return body if body.strip() else title
