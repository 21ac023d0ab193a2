"""What the judge keeps of a story: hashed sentences, paragraphs, lead words and facts, a few hundred bytes.

Unmatched stories are stored without their body, so the judge cannot re-read a stored text: it
compares the profile of the new text with the stored profiles of its candidates. A profile is read
from the story's own lines (furniture and datelines removed, dedup/text.py), with figures written in
one canonical form, so `Rp1,5 triliun` and `Rp 1.500 miliar` make the same sentence hash.
The lead is the first two sentences (at most 60 words): where a follow-up puts its new development.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, fields
from typing import Any

import numpy as np

from crawler.dedup.facts import Facts, canonical_numbers, facts_of, latest_day, sentences_of
from crawler.dedup.text import story_lines, words_of

LEAD_SENTENCES = 2
LEAD_WORDS = 60
_MIN_SENTENCE_WORDS = 3
_COUNT_DTYPE = np.dtype("<u2")
_HASH_DTYPE = np.dtype("<u4")
_MAX_ITEMS = 65_535
_QUOTE = re.compile(r"[\"“”]([^\"“”]{10,}?)[\"“”]")
_MIN_QUOTE_WORDS = 4
_MIN_KEY_SENTENCE_WORDS = 5
# How Indonesian newsrooms introduce the earlier coverage a follow-up repeats under its new lead
# (`Sebelumnya diberitakan, …`, `Seperti diberitakan sebelumnya, …`, `Dalam berita sebelumnya, …`),
# as words of a comparable sentence; a bare `Sebelumnya, …` too, which counts only where the rest is
# an earlier story's own sentence, word for word.
_RECAP = re.compile(
    r"^(?:(?:seperti|sebagaimana|sebelumnya) (?:telah )?diberitakan(?: sebelumnya)?"
    r"|diberitakan sebelumnya|(?:dalam|pada) (?:berita|pemberitaan) sebelumnya|sebelumnya) "
)


@dataclass(frozen=True, slots=True)
class StoryReading:
    """A story's text as the judge reads it, in words people can check (`pantau dedup explain`)."""

    sentences: tuple[str, ...]
    paragraphs: tuple[str, ...]
    lead: str
    facts: Facts
    lead_facts: Facts
    quotes: tuple[str, ...]
    word_count: int
    normalised: str
    """The text as `normalise_text` reads it: what the content hash and the MinHash signature are of."""


@dataclass(frozen=True, slots=True)
class Profile:
    """The hashed form of a reading, as stored beside the MinHash signature (CRC-32 of each piece)."""

    sentences: frozenset[int]
    paragraphs: frozenset[int]
    lead_words: frozenset[int]
    numbers: frozenset[int]
    dates: frozenset[int]
    names: frozenset[int]
    lead_numbers: frozenset[int]
    lead_dates: frozenset[int]
    lead_names: frozenset[int]
    quotes: frozenset[int]
    lead_sentences: frozenset[int]
    word_count: int
    latest_day: int = 0
    """The latest day the story names (month * 100 + day, `facts.latest_day`); 0 when it names none,
    and for profiles stored before it was kept."""
    recaps: frozenset[int] = frozenset()
    """Sentences the story introduces as earlier coverage, without the words that introduce them
    (`Sebelumnya diberitakan, tanah longsor menimbun …` as `tanah longsor menimbun …`): where one is
    another story's own sentence, this story follows that one up. Empty for profiles stored before."""

    def to_bytes(self) -> bytes:
        """Counts (16-bit) of every set, the word count and the latest day, then the sorted hashes
        (32-bit) of every set."""
        sets = [sorted(getattr(self, name))[:_MAX_ITEMS] for name in _SET_FIELDS]
        counts = np.array(
            [len(values) for values in sets] + [min(self.word_count, _MAX_ITEMS), self.latest_day]
        )
        hashes = np.array([value for values in sets for value in values], dtype=np.uint64)
        return counts.astype(_COUNT_DTYPE).tobytes() + hashes.astype(_HASH_DTYPE).tobytes()

    @classmethod
    def from_bytes(cls, stored: bytes) -> Profile:
        """A stored profile, also one stored before the recaps or the latest day were kept: its header
        is a count shorter, two bytes that no number of four-byte hashes makes up, so its length tells
        the layout; raises ValueError when the bytes are not one."""
        for set_count, tail_count in _LAYOUTS:
            header = (set_count + tail_count) * _COUNT_DTYPE.itemsize
            if len(stored) < header:
                continue
            counts = np.frombuffer(stored[:header], dtype=_COUNT_DTYPE).astype(int)
            if len(stored) - header == counts[:set_count].sum() * _HASH_DTYPE.itemsize:
                break
        else:
            raise ValueError("a stored profile's hashes do not match its counts")
        hashes = np.frombuffer(stored[header:], dtype=_HASH_DTYPE)
        # What an older profile lacks takes the dataclass default (no latest day, no recaps).
        tail = counts[set_count:].tolist()
        sets: dict[str, Any] = dict(zip(("word_count", "latest_day")[: len(tail)], tail, strict=True))
        start = 0
        for name, count in zip(_SET_FIELDS[:set_count], counts[:set_count], strict=True):
            sets[name] = frozenset(int(value) for value in hashes[start : start + count])
            start += count
        return cls(**sets)


_SET_FIELDS = tuple(field.name for field in fields(Profile) if field.name not in {"word_count", "latest_day"})
# (sets, counts after them) of every layout a profile was stored in, newest first: the recaps came
# last, after the latest day.
_LAYOUTS = ((len(_SET_FIELDS), 2), (len(_SET_FIELDS) - 1, 2), (len(_SET_FIELDS) - 1, 1))


def read_story(text: str) -> StoryReading:
    """The judge's reading of a story's text (title excluded: copies often retitle)."""
    lines = story_lines(text)
    sentences = tuple(sentence for line in lines for sentence in sentences_of(line))
    words = [word for line in lines for word in words_of(line)]
    # At most LEAD_WORDS words: a text whose sentence ends were lost would otherwise be all lead.
    lead = " ".join(" ".join(sentences[:LEAD_SENTENCES]).split()[:LEAD_WORDS])
    whole = "\n".join(lines)
    facts = facts_of(whole)
    return StoryReading(
        sentences=sentences,
        paragraphs=tuple(lines),
        lead=lead,
        facts=facts,
        lead_facts=facts_of(lead).within(facts).without_years(),
        quotes=tuple(quote for quote in _QUOTE.findall(whole) if len(words_of(quote)) >= _MIN_QUOTE_WORDS),
        word_count=len(words),
        normalised=" ".join(words),
    )


def profile_of(reading: StoryReading) -> Profile:
    """The profile of a reading: each piece reduced to a stable 32-bit hash."""
    facts, lead_facts = reading.facts, reading.lead_facts
    # Each sentence is made comparable once; a paragraph reads as its sentences' comparables joined
    # (the same string as its own, as sentences split only at spaces), not a second pass of the text.
    comparables = {sentence: _comparable(sentence) for sentence in reading.sentences}
    return Profile(
        sentences=_hashed(
            comparable
            for comparable in comparables.values()
            if comparable.count(" ") >= _MIN_SENTENCE_WORDS - 1
        ),
        paragraphs=_hashed(
            " ".join(filter(None, (comparables[sentence] for sentence in sentences_of(paragraph))))
            for paragraph in reading.paragraphs
        ),
        lead_words=_hashed(words_of(reading.lead)),
        numbers=_hashed(facts.numbers),
        dates=_hashed(facts.dates),
        names=_hashed(facts.names),
        lead_numbers=_hashed(lead_facts.numbers),
        lead_dates=_hashed(lead_facts.dates),
        lead_names=_hashed(lead_facts.names),
        quotes=_hashed(_comparable(quote) for quote in reading.quotes),
        lead_sentences=_hashed(
            comparable
            for comparable in map(comparables.__getitem__, reading.sentences[:LEAD_SENTENCES])
            if comparable.count(" ") >= _MIN_KEY_SENTENCE_WORDS - 1
        ),
        word_count=reading.word_count,
        latest_day=latest_day(facts.dates),
        recaps=_hashed(
            comparable[found.end() :]
            for comparable in comparables.values()
            if (found := _RECAP.match(comparable))
            and comparable.count(" ", found.end()) >= _MIN_SENTENCE_WORDS - 1
        ),
    )


FACT_KEYS = 16
"""Most pairs of lead facts a story is indexed under (the lowest hashes of all its pairs)."""


def fact_keys(profile: Profile) -> list[int]:
    """Pairs of the facts a story's lead states (its dates, figures and names), as candidate keys.

    A regional outlet's rewrite of wire copy, or a flash item and its copy, shares too few shingles,
    quotes or lead sentences with its original to meet it through them, yet its lead states the same
    date, figures and names. One fact alone is shared by thousands of stories (a day, `Jakarta`); a
    pair of them seldom is. The lowest-hashed pairs are kept, so a copy whose lead keeps most of the
    original's facts keeps some of its keys. Read from the profile alone: a story stored without its
    body has the same keys as its text on disk.
    """
    facts = sorted(profile.lead_dates | profile.lead_numbers | profile.lead_names)
    pairs = {
        zlib.crc32(first.to_bytes(4, "little") + second.to_bytes(4, "little"))
        for position, first in enumerate(facts)
        for second in facts[position + 1 :]
    }
    return sorted(pairs)[:FACT_KEYS]


def lead_word_hashes(words: Iterable[str]) -> frozenset[int]:
    """Lead words as a profile holds them, to ask whether a lead says a given word."""
    return _hashed(words)


def _comparable(text: str) -> str:
    """Words of a sentence or paragraph with its figures in canonical form."""
    return " ".join(words_of(canonical_numbers(text)))


def _hashed(items: Iterable[str]) -> frozenset[int]:
    """CRC-32 of each item: stable across processes and fast; a rare collision only nudges a share."""
    return frozenset(zlib.crc32(item.encode()) for item in items if item)
