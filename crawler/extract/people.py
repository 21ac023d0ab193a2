"""Who wrote a story: bylines read from labelled lines, and the check every candidate name must pass.

A name is accepted only when it looks like a person's: a few capitalised words, no digits, no URL,
no company or desk words, not the site, not a menu or section word. Anything else is dropped, so
an author is right or missing, never the publisher, a breadcrumb or a photo credit. An organisation
byline ("Oleh Antara") is kept apart as `source_org`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from crawler.domain.dates import read_moment

# Labels of the people lines Indonesian portals print; the role each gives.
_AUTHOR_LABELS = (
    r"laporan\s+wartawan(?:\s+[\w.]+)*?\s*,",  # "Laporan Wartawan Tribunnews.com, Glery Lazuardi"
    r"laporan\s+reporter(?:\s+[\w.]+)*?\s*,",
    r"laporan", r"penulis", r"reporter", r"pewarta", r"wartawan", r"jurnalis", r"kontributor",
    r"ditulis\s+oleh", r"oleh", r"by", r"writer", r"author", r"teks",
)  # fmt: skip
_EDITOR_LABELS = (
    r"editor",
    r"penyunting",
    r"redaktur(?:\s+pelaksana)?",
    r"editing",
    r"penyelaras(?:\s+bahasa)?",
)
_OTHER_LABELS = (
    r"foto",
    r"fotografer",
    r"video",
    r"videografer",
    r"sumber",
    r"grafis",
    r"ilustrasi",
    r"kameramen",
)
_LABEL = re.compile(
    r"(?:^|(?<=[\s|/,;•·–—-]))(?P<label>"
    + "|".join(f"(?P<{role}>{'|'.join(labels)})" for role, labels in (
        ("author", _AUTHOR_LABELS), ("editor", _EDITOR_LABELS), ("other", _OTHER_LABELS)))
    + r")(?![\w])\s*:?\s*",
    re.IGNORECASE,
)  # fmt: skip
_BYLINE_END = re.compile(r"\s+[•·|]\s*|\s+[-–—]\s+")
_SEPARATORS = re.compile(r"\s*(?:,|&|;|\||/|\bdan\b|\band\b)\s*", re.IGNORECASE)
_NAME_WORD = re.compile(
    r"^(?:[A-Z][\w'’.\-]*|[A-Z]\.|(?:al|el|bin|binti|van|de|der|da|di|la)[-]?\w*)$", re.UNICODE
)
_ORG_WORDS = re.compile(
    r"\b(?:pt|cv|tbk|media|group|grup|cyber|network|corp|inc|ltd|kantor|berita|redaksi|admin|administrator|"
    r"tim|team|desk|official|tv|radio|online|digital|portal|koran|harian|majalah|press|pers|news|"
    r"antara|reuters|afp|ap|xinhua|bernama|kyodo|yonhap|sputnik|anadolu|humas|rilis|release|web|design|"
    r"developer|studio|agency|foto|photo|ilustrasi|dok|dokumentasi|istimewa|ist|net|getty|shutterstock|"
    r"com|co|id|indonesia|nusantara|kompas|detik|tribun|tribunnews|liputan6|okezone|suara|viva|merdeka|"
    r"bisnis|rmol|jpnn|sindonews|tempo|kumparan|cnn|cnbc|metro|metrotv|jawapos|republika)\b",
    re.IGNORECASE,
)
_WIRES = re.compile(
    r"^(?:antara|antara news|reuters|afp|ap|associated press|xinhua|bernama|kyodo|yonhap|anadolu|sputnik)$",
    re.IGNORECASE,
)
# Section, menu and boilerplate words a breadcrumb or menu line is made of: never a name.
_CHROME_WORDS = frozenset(
    """
    home beranda index indeks terkini terbaru populer politik hukum nasional daerah ekonomi bisnis
    olahraga sport berita news dunia internasional opini video foto galeri metro megapolitan
    nusantara publika pemerintahan peristiwa kesehatan pendidikan teknologi otomotif hiburan gaya
    hidup lifestyle kriminal kolom tajuk redaksi baca juga selengkapnya share bagikan komentar tags
    tag topik kanal rubrik kategori category daftar isi login masuk daftar cari search menu lainnya
    artikel advertorial ekbis pilkada pemilu sumsel sumut jatim jateng jabar aceh banten lampung
    papua
    """.split()  # noqa: SIM905 - a word list reads best as words
)
_MAX_NAME_WORDS = 5
_MAX_NAME_CHARS = 40


@dataclass
class Byline:
    """The people a page names, by role."""

    authors: list[str] = field(default_factory=list)
    editors: list[str] = field(default_factory=list)
    source_org: str = ""

    def __bool__(self) -> bool:
        return bool(self.authors or self.editors or self.source_org)


def read_labelled(lines: Iterable[str], site_names: Iterable[str] = ()) -> Byline:
    """The people named on labelled lines ("Penulis: A", "Pewarta: A | Editor: B", "Oleh Antara").

    A line counts only when it starts with a label, or is nothing but labelled parts: a sentence that
    happens to contain "oleh" is body text, not a byline.
    """
    byline = Byline()
    sites = site_keys(site_names)
    lines = list(lines)
    parts = [part for line in lines for segment in _segments(line) for part in _labelled_parts(segment)]
    for role, value in [*_label_lines(lines, sites), *parts]:
        names = person_names(value, sites)
        if role == "author":
            if names:
                byline.authors.extend(names)
            elif not byline.source_org and (org := _organisation(value, sites)):
                byline.source_org = org
        elif role == "editor":
            byline.editors.extend(names)
    byline.authors = list(_unique(byline.authors))
    byline.editors = list(_unique(byline.editors))
    return byline


def _label_lines(lines: list[str], sites: frozenset[str]) -> list[tuple[str, str]]:
    """Labels printed on a line of their own, beside the name ("Isna Rahayu" / "Penulis"), or heading
    the names under it ("Author" / "Silvanus Alvin" / "Hanz Jimenez Salim" / "Editor" / …).

    Whether the name comes before or after its label is read from the page itself: the side on which
    every label has a name. When both sides or neither do, the roles are unknown and nothing is read.
    """
    bare = [(i, role) for i, line in enumerate(lines) if (role := _bare_label(line))]
    if not bare:
        return []

    def named(index: int) -> bool:
        if not 0 <= index < len(lines) or _bare_label(lines[index]):
            return False
        return bool(person_names(lines[index], sites))

    before = all(named(i - 1) for i, _ in bare)
    after = all(named(i + 1) for i, _ in bare)
    if before == after:
        return []
    if before:
        return [(role, lines[i - 1]) for i, role in bare]
    # Names under their label may run on, one per line, to the next label: a credits list.
    found = []
    for i, role in bare:
        end = i + 1
        while named(end):
            found.append((role, lines[end]))
            end += 1
    return found


def _bare_label(line: str) -> str:
    match = _LABEL.fullmatch(line.strip())
    return next((role for role in ("author", "editor") if match and match[role]), "") if match else ""


def _segments(line: str) -> list[str]:
    """The line, or, when a label follows its date ("Dwi Anggraini Selasa, 15 April 2025 | 20:10 WIB
    Editor: Hendra Gunawan"), the text after the date as well."""
    moment = read_moment(line)
    if moment is None or _LABEL.match(line):
        return [line]
    return [line, line[moment.span[1] :].strip(" |·•,")]


def _labelled_parts(line: str) -> Iterator[tuple[str, str]]:
    if len(line) > 160:
        return
    labels = list(_LABEL.finditer(line))
    if not labels or labels[0].start() != 0:
        return
    for label, after in zip(labels, [*labels[1:], None], strict=True):
        value = line[label.end() : after.start() if after else len(line)]
        role = next(role for role in ("author", "editor", "other") if label[role])
        yield role, _until_date(value).strip(" |,;:-–—•·/")


def _until_date(value: str) -> str:
    """The byline part of "BONFILIO MAHENDRA • Rabu, 14 Februari 2024": a date ends the names."""
    value = _BYLINE_END.split(value, maxsplit=1)[0]
    moment = read_moment(value)
    return value[: moment.span[0]] if moment is not None else value


def person_names(value: str, site_keys: frozenset[str] = frozenset()) -> list[str]:
    """The person names in a byline value, each checked; empty when any part is not a person.

    One non-name in the list ("Budi, Redaksi") spoils the whole value: a list is either a byline or not.
    """
    # "Dian Hadiyatna (ANTARA)": the bracket is the outlet; "Dislike ( 0 )" is a counter, not a name.
    value = re.sub(r"\([^)\d]*\)", " ", value)
    parts = [part for part in _SEPARATORS.split(" ".join(value.split())) if part]
    names = [_name_case(part) for part in parts]
    if not names or not all(is_person_name(name, site_keys) for name in names):
        return []
    return names


def is_person_name(text: str, site_keys: frozenset[str] = frozenset()) -> bool:
    """Whether `text` can be a person's name (as printed, or title-cased from capitals)."""
    if not text or len(text) > _MAX_NAME_CHARS or any(ch.isdigit() for ch in text):
        return False
    if re.search(r"https?:|www\.|@|\.(?:com|id|co|net|org)\b|[/\\>»›|#:]", text, re.IGNORECASE):
        return False
    words = text.split()
    if len(words) > _MAX_NAME_WORDS or not all(_NAME_WORD.match(word) for word in words):
        return False
    if _ORG_WORDS.search(text) or all(word.casefold().strip(".") in _CHROME_WORDS for word in words):
        return False
    if any(word.casefold().strip(".") in site_keys for word in words):
        return False
    # A lone acronym ("BPS", "RMOL") is an institution, not a person.
    return not (len(words) == 1 and len(text) <= 4 and text.isupper())


def _organisation(value: str, site_keys: frozenset[str]) -> str:
    """A wire or organisation byline other than the site itself, as printed."""
    value = " ".join(value.split()).strip(" .")
    if not value or len(value) > _MAX_NAME_CHARS or any(key in value.casefold() for key in site_keys):
        return ""
    return value if _WIRES.match(value) else ""


def site_keys(site_names: Iterable[str]) -> frozenset[str]:
    """The words that name the site ("rmol", "bisnis"): a byline of them is the desk, not a person."""
    keys = set()
    for name in site_names:
        for word in re.split(r"[\s.]+", name.casefold()):
            if len(word) >= 4 and word not in {"www", "berita", "news", "kantor", "politik"}:
                keys.add(word)
    return frozenset(keys)


def _name_case(name: str) -> str:
    # Portals print bylines in capitals ("SARAH MEILIANA GUNAWAN"); mixed-case names are kept as written.
    name = name.strip(" .,;:-–—")
    if name != name.upper():
        return name
    return " ".join(
        "-".join(part[:1].upper() + part[1:].lower() for part in w.split("-")) for w in name.split()
    )


def _unique(names: Iterable[str]) -> Iterator[str]:
    seen: set[str] = set()
    for name in names:
        if name.casefold() not in seen:
            seen.add(name.casefold())
            yield name
