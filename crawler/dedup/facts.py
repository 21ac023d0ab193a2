"""The facts of a story's text as comparable keys: numbers, dates and names, however they are written.

Two copies of one story write `Rp1,5 triliun` or `Rp 1.500 miliar`, `5%` or `5 persen`,
`Sabtu (15/11/2025)` or `Sabtu, 15 November 2025`: each reduces to one key (`1500000000000`, `5%`,
`2025-11-15`). A follow-up or another day's template differs from its first story mostly in these
keys, which is what the judge weighs. Names are capitalised spans (people, places, organisations),
folded to lower case; day and month names and sentence-initial words on their own are left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("januari", "jan"),
            ("februari", "feb", "pebruari"),
            ("maret", "mar"),
            ("april", "apr"),
            ("mei",),
            ("juni", "jun"),
            ("juli", "jul"),
            ("agustus", "agu", "agt", "aug"),
            ("september", "sep", "sept"),
            ("oktober", "okt", "oct"),
            ("november", "nopember", "nov", "nop"),
            ("desember", "des", "dec"),
        ),
        start=1,
    )
    for name in names
}
_DAYS = {"senin", "selasa", "rabu", "kamis", "jumat", "jum'at", "sabtu", "minggu", "ahad"}
_DAY = re.compile(r"\d\d-\d\d")
_QUARTERS = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "pertama": 1, "kedua": 2, "ketiga": 3, "keempat": 4}
_QUARTERS |= {str(number): number for number in range(1, 5)}
_SCALES = {
    "ribu": 1e3,
    "rb": 1e3,
    "juta": 1e6,
    "jt": 1e6,
    "miliar": 1e9,
    "milyar": 1e9,
    "m": 1e9,
    "triliun": 1e12,
    "t": 1e12,
    "billion": 1e9,
    "million": 1e6,
    "trillion": 1e12,
}
_MONTH_NAMES = "|".join(sorted(_MONTHS, key=len, reverse=True))
# Whichever dash or word joins a range (`10—14 November`, `15 dan 16 November`, `17 hingga 20/11`); the
# first day of a range or pair of days names a date too.
_RANGE_JOIN = r"(?:-|–|—|hingga|sampai(?:\s+dengan)?|s\.?d\.?|s/d)"
_DAYS_JOIN = rf"(?:{_RANGE_JOIN}|dan|&|sd)"
_NUMERIC_DATE = re.compile(
    rf"\b(?:(\d{{1,2}})\s*{_DAYS_JOIN}\s*)?(\d{{1,2}})/(\d{{1,2}})(?:/(\d{{4}}|\d{{2}}))?\b(?!/)"
    r"|\b(\d{1,2})[-.](\d{1,2})[-.](\d{4})\b|\b(\d{4})-(\d{1,2})-(\d{1,2})\b"
)
# A clock time is when, not what: `pukul 10.00 WIB`, `pukul 10:00`, `12.30 WITA` say one thing.
_TIME = re.compile(
    r"(?=[pPjJ\d])\b(?:pukul|pkl\.?|jam)\s+\d{1,2}(?:[.:]\d{2})?(?:\s*(?:WIB|WITA|WIT)\b)?|\b\d{1,2}[.:]\d{2}\s*(?:WIB|WITA|WIT)\b",
    re.IGNORECASE,
)
# Numbers written as words are the same figures as their digits (`tiga orang` = `3 orang`, `dua ratus
# lima puluh ribu` = `250 ribu`); a lone `satu` is read on its own below.
_DIGIT_WORDS = {
    "satu": 1, "dua": 2, "tiga": 3, "empat": 4, "lima": 5, "enam": 6, "tujuh": 7, "delapan": 8,
    "sembilan": 9,
}  # fmt: skip
_NUMBER_WORDS = _DIGIT_WORDS | {
    "sepuluh": 10,
    "sebelas": 11,
    "seratus": 100,
    "seribu": 1000,
    "sejuta": 1_000_000,
}
_MULTIPLIERS = ("belas", "puluh", "ratus")
_NUMBER_WORD_ALTERNATIVES = "|".join(_NUMBER_WORDS)
_NUMBER_WORD = re.compile(
    rf"(?=[sSdDtTeElL])(?<![Ss]alah )\b(?:{_NUMBER_WORD_ALTERNATIVES})"
    rf"(?:\s+(?:{_NUMBER_WORD_ALTERNATIVES}|{'|'.join(_MULTIPLIERS)})\b)*\b(?!-)",
    re.IGNORECASE,
)
# `satu orang` = `1 orang`, but `salah satu` (one of) and `satu-satunya` (the only) are no figures;
# ordinals are their figures too (`ketiga` = `ke-3`; `kedua`, second or both, is two either way).
_ONE = re.compile(r"(?<![Ss]alah )(?<![\w-])[Ss]atu\b(?!-)")
_ORDINAL = re.compile(
    r"(?=[kK])\bke(dua|tiga|empat|lima|enam|tujuh|delapan|sembilan|sepuluh)\b", re.IGNORECASE
)
# A scale or percent word may be glued to the next word by a scraper that drops the spaces around a
# link (`Rp3,76 triliunmodal asing`): it is still the figure's unit. The short forms need a word end.
_UNITS = r"%|persen|ribu|juta|miliar|milyar|triliun|per\s+sen\b|pct\b|(?:rb|jt|billion|million|trillion)\b"
# A range shares its unit (`10-15 persen` = `10 persen hingga 15 persen`, `Rp1-2 triliun`).
_RANGE = re.compile(rf"(\d+(?:[.,]\d+)*)\s*{_RANGE_JOIN}\s*(\d+(?:[.,]\d+)*)\s*({_UNITS})", re.I)
# `setengah juta` is `0,5 juta`.
_HALF = re.compile(r"(?=[sS])\bsetengah\s+(?=(?:juta|miliar|milyar|triliun)\b)", re.IGNORECASE)
_EXACT_BELOW = 100_000
_YEAR = re.compile(r"^(?:19[4-9]\d|20\d\d|2100)$")
_WRITTEN_DATE = re.compile(
    rf"(?=\d)\b(?:(\d{{1,2}})\s*{_DAYS_JOIN}\s*)?"
    rf"(?:(\d{{1,2}})\s+({_MONTH_NAMES})\b)"
    rf"(?:\s*{_DAYS_JOIN}\s*(\d{{1,2}})\s+({_MONTH_NAMES})\b)?\.?(?:\s+(\d{{4}}))?",
    re.IGNORECASE,
)
# A currency glued to its figure (`Rp1,5`, `US$2`) is split off; any other figure glued to letters
# (`Liputan6`, `COP30`) is part of a name, not a number of the story.
_CURRENCY = re.compile(r"(Rp|US\$|USD|IDR|\$)(?=\d)")
_QUARTER = re.compile(
    r"(?=[kKtTqQ])\b(?:kuartal|triwulan|quarter|q)\s*(iv|iii|ii|i|[1-4]|pertama|kedua|ketiga|keempat)\b"
    r"\s*(?:/|tahun\s+)?\s*(\d{4})?",
    re.IGNORECASE,
)
_NUMBER = re.compile(rf"(?<![\w.,/])(?P<value>\d+(?:[.,]\d+)*)\s*(?P<unit>{_UNITS}|[MT]\b)?", re.IGNORECASE)
_CAPITALISED = re.compile(r"(?<![\w'’&.-])[A-Z][A-Za-z'’&.-]+")
_OPENING_WORD = re.compile(r"\W*[A-Z][A-Za-z'’&.-]*\s+[a-z]")
_GLUED = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
# A scraper that drops the spaces around a link's text glues a name to the words beside it
# (`kerasLogitechmengonfirmasi`, `KabupatenCirebonmengetuk`): cut before a capital after a small letter,
# and before a verb's prefix (me-, ber-, ter-) after a capitalised word of three letters or more.
_GLUED_AFTER = re.compile(r"(?<=[a-z])(?=[A-Z][a-z])")
_GLUED_VERB = re.compile(r"\b([A-Z][a-z]{2,})((?:meng|meny|mem|men|me|ber|ter)[a-z]{3,})\b")
# A sentence ends at `.`, `!` or `?` and a space, but not after an abbreviation or an initial (`Tbk.`,
# `Jl.`, `Irly S. Permata`) nor before a small letter: a cut there makes a two-word "sentence" the
# lead's first and pushes the lead's facts out of it.
_ABBREVIATIONS = (
    "tbk", "pt", "cv", "jl", "jln", "no", "dr", "drs", "dra", "prof", "ir", "hj", "kh", "st", "kab", "kec",
    "kel", "prov", "bpk", "sdr", "yth", "ds",
)  # fmt: skip
_AFTER_NO_ABBREVIATION = "".join(rf"(?<!\b{word}\.)" for word in _ABBREVIATIONS)
_SENTENCE_END = re.compile(
    rf"(?<=[.!?])(?i:{_AFTER_NO_ABBREVIATION})(?<!\b[A-Z]\.)[\"”’)]*\s+(?![\W\d_]*[a-z])"
)
# Capitalised words that open clauses or name days and months, not people, places or organisations.
_NOT_NAMES = _DAYS | set(_MONTHS) | {
    "di", "ke", "dari", "dan", "yang", "pada", "dalam", "untuk", "dengan", "itu", "ini", "para", "sang",
    "menurut", "namun", "sementara", "adapun", "selain", "sebelumnya", "kemudian", "sedangkan", "saat",
    "sebanyak", "meski", "jika", "bila", "kata", "ujar", "rp", "wib", "wita", "wit", "baca", "juga",
    "tbk", "tbk.", "pt", "persero", "the", "a", "of", "us", "usd", "idr", "tahun", "hari",
}  # fmt: skip
# Titles and institution nouns, capitalised in names but shared by every story of their kind: a rewrite
# that says "BKPM" for "Badan Koordinasi Penanaman Modal" or drops "Presiden" has no new name.
_NOT_NAMES |= {
    "presiden", "wakil", "menteri", "gubernur", "bupati", "wali", "walikota", "kepala", "ketua", "direktur",
    "utama", "sekretaris", "jenderal", "komisaris", "anggota", "kapolri", "kapolda", "kapolres",
    "kementerian", "badan", "dinas", "kantor", "wilayah", "cabang", "balai", "lembaga", "direktorat",
    "komisi", "dewan",
    "pemerintah", "provinsi", "kabupaten", "kota", "kecamatan", "desa", "kelurahan", "bank", "perusahaan",
    "program", "rapat", "umum", "harga", "indeks", "saham", "data", "nasional", "daerah", "negara",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Facts:
    """The comparable keys of a text: numbers (with `%` for percentages), dates and folded names."""

    numbers: frozenset[str]
    dates: frozenset[str]
    names: frozenset[str]

    def without_years(self) -> Facts:
        """These facts with bare years left out: a copy that writes `sepanjang 2025` for `tahun ini`
        brings no new development."""
        return Facts(frozenset(n for n in self.numbers if not _YEAR.match(n)), self.dates, self.names)

    def within(self, whole: Facts) -> Facts:
        """These facts as the whole text reads them: a lead cut inside `15-22 November` or `Rp15.316
        triliun` reads a figure the text does not have."""
        return Facts(self.numbers & whole.numbers, self.dates & whole.dates, self.names & whole.names)


def facts_of(text: str) -> Facts:
    """Numbers, dates and name words in a text (furniture removed already)."""
    dates: set[str] = set()
    remaining = _ORDINAL.sub(lambda match: str(_NUMBER_WORDS[match.group(1).lower()]), _TIME.sub(" ", text))
    remaining = _ONE.sub("1", _NUMBER_WORD.sub(_number_words, _HALF.sub("0,5 ", remaining)))
    remaining = _RANGE.sub(r"\1 \3 - \2 \3", remaining)
    remaining = _QUARTER.sub(lambda match: _quarter(match, dates), _CURRENCY.sub(r"\1 ", remaining))
    remaining = _NUMERIC_DATE.sub(lambda match: _numeric_date(match, dates), remaining)
    remaining = _WRITTEN_DATE.sub(lambda match: _written_date(match, dates), remaining)
    numbers = {_number(match) for match in _NUMBER.finditer(remaining)}
    return Facts(frozenset(numbers - {""}), frozenset(dates), frozenset(_names(text)))


def latest_day(dates: frozenset[str]) -> int:
    """The latest day the dates name, as month * 100 + day (1120 for 20 November), 0 when none does.

    Years are not read, so a story spanning December and January reads January as earlier: the day
    then says nothing rather than something wrong."""
    return max((int(date[:2]) * 100 + int(date[3:]) for date in dates if _DAY.fullmatch(date)), default=0)


def canonical_numbers(text: str) -> str:
    """The text with every number (and its scale or percent) written as its canonical key, so that
    two sentences that differ only in how they write figures hash alike."""
    return _NUMBER.sub(lambda match: f" {_number(match)} ", _CURRENCY.sub(r"\1 ", text))


def sentences_of(line: str) -> list[str]:
    """A line cut into sentences at `.`, `!` or `?` followed by space (numbers like 1.500 stay whole)."""
    return [sentence for sentence in _SENTENCE_END.split(line) if sentence.strip()]


def _quarter(match: re.Match[str], dates: set[str]) -> str:
    year = match.group(2) or ""
    dates.add(f"q{_QUARTERS[match.group(1).lower()]}-{year}")
    return " "


def _number_words(match: re.Match[str]) -> str:
    """`tiga` -> `3`, `dua belas` -> `12`, `dua ratus tiga puluh lima` -> `235`; words that do not make
    one number (`dua tiga`, two or three) are read as numbers one after another. A lone `satu` is left
    to `_ONE`, which knows `salah satu`."""
    words = match.group(0).lower().split()
    if words == ["satu"]:
        return match.group(0)
    read, position = [], 0
    while position < len(words):
        value, after = _below_thousand(words, position)
        read.append(str(value) if after > position else words[position])
        position = max(after, position + 1)
    return " ".join(read)


def _below_thousand(words: list[str], start: int) -> tuple[int, int]:
    """The number the words from `start` spell (hundreds, tens, units; `seribu`, `sejuta` alone) and
    the position after it; the position is `start` when they spell none."""
    position, value = start, 0

    def digit_before(multiplier: str) -> int:
        """The digit at the position when the next word is the multiplier, else 0."""
        if position + 1 < len(words) and words[position + 1] == multiplier:
            return _DIGIT_WORDS.get(words[position], 0)
        return 0

    if position < len(words) and words[position] in ("seribu", "sejuta"):
        return _NUMBER_WORDS[words[position]], position + 1
    if position < len(words) and words[position] == "seratus":
        value, position = 100, position + 1
    elif hundreds := digit_before("ratus"):
        value, position = hundreds * 100, position + 2
    units_allowed = True
    if position < len(words) and words[position] in ("sepuluh", "sebelas"):
        value, position, units_allowed = value + _NUMBER_WORDS[words[position]], position + 1, False
    elif teen := digit_before("belas"):
        value, position, units_allowed = value + 10 + teen, position + 2, False
    elif tens := digit_before("puluh"):
        value, position = value + tens * 10, position + 2
    followed_by_multiplier = position + 1 < len(words) and words[position + 1] in _MULTIPLIERS
    if (
        units_allowed
        and position < len(words)
        and words[position] in _DIGIT_WORDS
        and not followed_by_multiplier
    ):
        value, position = value + _DIGIT_WORDS[words[position]], position + 1
    return value, position


def _numeric_date(match: re.Match[str], dates: set[str]) -> str:
    """`15/11`, `15/11/2025`, `15-11-2025`, `15.11.2025` and `2025-11-15` (day before month but in ISO);
    `15-16/11/2025` names both days."""
    if match.group(8):
        day, month = int(match.group(10)), int(match.group(9))
    else:
        day, month = int(match.group(2) or match.group(5)), int(match.group(3) or match.group(6))
    if not (1 <= day <= 31 and 1 <= month <= 12):
        return match.group(0)
    dates.add(f"{month:02d}-{day:02d}")
    if match.group(1) and 1 <= int(match.group(1)) <= 31:
        dates.add(f"{month:02d}-{int(match.group(1)):02d}")
    return " "


def _written_date(match: re.Match[str], dates: set[str]) -> str:
    """`15 November 2025`, `10-14 November`, `10 November sampai dengan 14 November 2025`: each day
    named is a date; years are left out (a story's dates fall in the same year as its copies')."""
    first, day, month = match.group(1), int(match.group(2)), _MONTHS[match.group(3).lower()]
    if not 1 <= day <= 31:
        return match.group(0)
    dates.add(f"{month:02d}-{day:02d}")
    if first and 1 <= int(first) <= 31:
        dates.add(f"{month:02d}-{int(first):02d}")
    if match.group(4) and 1 <= int(match.group(4)) <= 31:
        dates.add(f"{_MONTHS[match.group(5).lower()]:02d}-{int(match.group(4)):02d}")
    return " "


def _number(match: re.Match[str]) -> str:
    """The canonical key of a number: its value with the scale applied, `%` kept for percentages.

    A large or fractional figure is kept to three significant digits, as copies round it (`Rp78,478
    miliar`, `Rp78,48 M`); a whole number below 100,000 (a year, a count of people) stays exact."""
    value = _value(match.group("value"))
    if value is None:
        return ""
    unit = (match.group("unit") or "").lower()
    if unit in {"%", "persen"} or unit.startswith("per"):
        return f"{value:g}%"
    if unit in {"m", "t"} and match.group("unit") not in {"M", "T"}:
        unit = ""  # only a capital M or T after a figure means miliar or triliun
    value *= _SCALES.get(unit, 1)
    return str(int(value)) if value.is_integer() and value < _EXACT_BELOW else f"{value:.3g}"


def _value(written: str) -> float | None:
    """A written number: `.` groups thousands and `,` is the decimal mark, as in Indonesian, except a
    `.` not followed by exactly three digits, which is a decimal point as in English copy."""
    parts = written.split(",")
    if len(parts) > 2:
        return None
    whole = parts[0]
    groups = whole.split(".")
    if len(groups) > 1 and not all(len(group) == 3 for group in groups[1:]):
        if len(groups) != 2 or len(parts) == 2:
            return None
        return float(whole)
    number = float("".join(groups))
    if len(parts) == 2:
        number += float(f"0.{parts[1]}") if parts[1].isdigit() else 0.0
    return number


def _names(text: str) -> set[str]:
    """Words of capitalised spans, folded: word by word, so `Presiden Prabowo` and `Prabowo` share
    `prabowo`; glued words (`ProvinsiKepulauan`, a scraper's artefact) are split at the capital."""
    names: set[str] = set()
    for sentence in sentences_of(_GLUED_VERB.sub(r"\1 \2", _GLUED_AFTER.sub(" ", text))):
        words = _CAPITALISED.findall(sentence)
        if words and _OPENING_WORD.match(sentence):  # a lone sentence-initial word is no name
            words = words[1:]
        for word in words:
            for part in _GLUED.split(word.rstrip(".")):
                folded = part.lower()
                if len(part) > 1 and "." not in part and folded not in _NOT_NAMES:
                    names.add(folded)
    return names
