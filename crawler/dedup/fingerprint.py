"""A text's fingerprint for the near-duplicate index: its normalised hash, MinHash signature and the
judge's profile, read once, where the text is (an extraction worker), not in the crawling process."""

from __future__ import annotations

from dataclasses import dataclass

from crawler.dedup.minhash import MinHasher, Signature
from crawler.dedup.profile import Profile, profile_of, read_story
from crawler.dedup.text import document_text, normalised_hash


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """What the index reads of a story's text; `scheme` names the hashing that made the signature."""

    scheme: str
    digest: str
    signature: Signature
    profile: Profile


def fingerprint(hasher: MinHasher, title: str, body: str) -> Fingerprint:
    reading = read_story(document_text(title, body))
    signature = hasher.signature_of_normalised(reading.normalised)
    return Fingerprint(hasher.scheme, normalised_hash(reading.normalised), signature, profile_of(reading))
