"""Content-level deduplication: exact hashes of normalised text and a near-duplicate index in the database.

Near duplicates are found with MinHash over word shingles. Candidates come from LSH bands (a 64-bit hash
of `rows_per_band` consecutive minimums) stored as indexed rows: a stored document is a candidate when it
shares at least `min_band_votes` band buckets. Two rows per band keep phrases that many unrelated stories
share from making every such story a candidate, which would make lookups grow with the archive.
Candidates are then scored by the containment of the smaller text in the larger one, estimated from
both signatures and shingle counts, so a clean article still matches a seed capture that carries page
furniture, and a republished copy that drops paragraphs still matches its original.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
import numpy.typing as npt
from sqlalchemy import and_, bindparam, func, or_, select
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Session

from crawler.store.models import (
    NearDuplicateBand,
    NearDuplicateSignature,
    SeedDocument,
    StoredArticle,
    StoryCluster,
)

DocumentKind = Literal["article", "seed"]
VerdictKind = Literal["new", "exact", "near"]

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
    return _normalised_hash(normalise_text(text))


def _normalised_hash(normalised: str) -> str:
    return hashlib.sha256(normalised.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class DocumentRef:
    """A stored document a verdict points at: an article (labelled by URL) or a seed (by file name)."""

    kind: DocumentKind
    id: int
    label: str

    def to_dict(self) -> dict[str, object]:
        return {"kind": self.kind, "id": self.id, "label": self.label}


@dataclass(frozen=True, slots=True)
class Verdict:
    """Whether a text is a new story, an exact or a near duplicate, and of what.

    `seed_story` says the story is known from the seed corpus, also when the document duplicated is
    an article that itself copies a seed: such a story is never alerted.
    """

    kind: VerdictKind
    duplicate_of: DocumentRef | None
    similarity: float
    cluster_id: int | None = None
    seed_story: bool = False

    def to_dict(self) -> dict[str, object]:
        """The JSON form printed by `pantau dedup check --json`."""
        return {
            "verdict": self.kind,
            "duplicate_of": self.duplicate_of.to_dict() if self.duplicate_of else None,
            "similarity": round(self.similarity, 4),
        }


@dataclass(frozen=True, slots=True)
class Signature:
    """MinHash of a text's shingle set as stored (16 low bits per permutation), with its LSH buckets."""

    fingerprint: npt.NDArray[np.uint16]
    shingle_count: int
    band_buckets: tuple[int, ...] = ()


# Odd multipliers make a shingle's hash depend on word order.
_WORD_POSITION_MULTIPLIERS = (
    0x9E3779B97F4A7C15,
    0xC2B2AE3D27D4EB4F,
    0x165667B19E3779F9,
    0xD6E8FEB86659FD93,
    0xFF51AFD7ED558CCD,
    0xC4CEB9FE1A85EC53,
    0x27D4EB2F165667C5,
    0x94D049BB133111EB,
)
_FINGERPRINT_DTYPE = np.dtype("<u2")


def _mix(values: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """splitmix64's finaliser: a bijection of 64-bit integers, so each key gives one permutation."""
    values = values ^ (values >> np.uint64(30))
    values = values * np.uint64(0xBF58476D1CE4E5B9)
    values = values ^ (values >> np.uint64(27))
    values = values * np.uint64(0x94D049BB133111EB)
    return values ^ (values >> np.uint64(31))


def stable_hashes(items: list[str]) -> npt.NDArray[np.uint64]:
    """64-bit hashes that are the same in every process (Python's `hash` is salted per process)."""
    digests = b"".join(hashlib.blake2b(item.encode(), digest_size=8).digest() for item in items)
    return np.frombuffer(digests, dtype="<u8").astype(np.uint64)


class NearDuplicateIndex:
    """MinHash signatures and LSH bands of every article and seed, stored as indexed database rows.

    Nothing lives in memory between calls, so the index survives restarts and is shared by every
    process on the same database; SQLite and PostgreSQL answer the same queries identically.
    """

    def __init__(
        self,
        *,
        shingle_words: int = 4,
        permutations: int = 128,
        bands: int = 32,
        rows_per_band: int = 2,
        min_band_votes: int = 1,
        threshold: float = 0.65,
        seed: int = 20220906,
    ) -> None:
        if not 1 <= shingle_words <= len(_WORD_POSITION_MULTIPLIERS):
            raise ValueError(f"shingle_words must be 1..{len(_WORD_POSITION_MULTIPLIERS)}")
        if not (1 <= min_band_votes <= bands and bands * rows_per_band <= permutations):
            raise ValueError("need 1 <= min_band_votes <= bands and bands * rows_per_band <= permutations")
        self.shingle_words = shingle_words
        self.permutations = permutations
        self.bands = bands
        self.rows_per_band = rows_per_band
        self.min_band_votes = min_band_votes
        self.threshold = threshold
        # Everything a stored fingerprint depends on: signatures of another scheme are never compared.
        self.scheme = (
            f"minhash-v1 words={shingle_words} perms={permutations} bits=16 seed={seed} "
            f"bands={bands}x{rows_per_band}"
        )
        self._permutation_keys = stable_hashes([f"{seed}:{index}" for index in range(permutations)])
        # Built once: one equality probe of the (band, bucket) index per band, bucket values bound per call.
        band_matches = (
            select(NearDuplicateBand.signature_id)
            .where(
                or_(
                    *(
                        and_(
                            NearDuplicateBand.band == band,
                            NearDuplicateBand.bucket == bindparam(f"bucket_{band}"),
                        )
                        for band in range(bands)
                    )
                )
            )
            .group_by(NearDuplicateBand.signature_id)
            .having(func.count() >= min_band_votes)
        )
        self._candidate_query = (
            select(NearDuplicateSignature)
            .where(NearDuplicateSignature.id.in_(band_matches))
            .where(NearDuplicateSignature.scheme == self.scheme)
            .order_by(NearDuplicateSignature.id)
        )

    def signature(self, text: str) -> Signature:
        """The signature of a text (furniture, datelines and punctuation ignored)."""
        return self._signature_of(normalise_text(text))

    def _signature_of(self, normalised: str) -> Signature:
        return self.signature_of_words(stable_hashes(normalised.split()))

    def signature_of_words(self, word_hashes: npt.NDArray[np.uint64]) -> Signature:
        """The signature of a normalised text given as the stable hashes of its words, in order.

        Bulk loads (the scale benchmark) hash each vocabulary word once and call this directly.
        """
        if len(word_hashes) == 0:
            return Signature(np.zeros(self.permutations, dtype=np.uint16), 0)
        width = min(self.shingle_words, len(word_hashes))
        count = len(word_hashes) - width + 1
        shingles = np.zeros(count, dtype=np.uint64)
        for position in range(width):
            shingles += word_hashes[position : position + count] * np.uint64(
                _WORD_POSITION_MULTIPLIERS[position]
            )
        shingles = np.unique(shingles)
        minimums = _mix(shingles[:, None] ^ self._permutation_keys[None, :]).min(axis=0)
        rows = minimums[: self.bands * self.rows_per_band].reshape(self.bands, self.rows_per_band)
        buckets = np.zeros(self.bands, dtype=np.uint64)
        for row in range(self.rows_per_band):
            buckets = _mix(buckets ^ rows[:, row])
        return Signature(
            fingerprint=minimums.astype(np.uint16),
            shingle_count=len(shingles),
            band_buckets=tuple(int(bucket) for bucket in buckets.view(np.int64)),
        )

    def similarity(self, first: Signature, second: Signature) -> float:
        """Containment of the smaller shingle set in the larger, estimated from the two signatures.

        Jaccard J and the set sizes give |A ∩ B| = J (|A| + |B|) / (1 + J); dividing by the smaller
        size tolerates noise (furniture, extra paragraphs) on the larger side.
        """
        smaller = min(first.shingle_count, second.shingle_count)
        if smaller == 0:
            return 0.0
        jaccard = np.count_nonzero(first.fingerprint == second.fingerprint) / self.permutations
        shared = jaccard * (first.shingle_count + second.shingle_count) / (1 + jaccard)
        return float(min(1.0, shared / smaller))

    def check(self, session: Session, title: str, body: str) -> Verdict:
        """The verdict for a text against every stored article and seed, without storing anything."""
        normalised = normalise_text(_document_text(title, body))
        return self._judge(
            session, _normalised_hash(normalised), self._signature_of(normalised), exclude=None
        )

    def add(
        self,
        session: Session,
        kind: DocumentKind,
        document_id: int,
        title: str,
        body: str,
        verdict: Verdict | None = None,
    ) -> Verdict:
        """Judge a stored document, index it and put it in its story cluster, in the caller's transaction.

        On PostgreSQL the text's content hash and band buckets are locked first (transaction-scoped
        advisory locks), so two processes adding copies of one story at once are serialised: the second
        sees the first and gets a duplicate verdict instead of starting a second cluster.
        """
        document = (
            session.get(StoredArticle, document_id)
            if kind == "article"
            else session.get(SeedDocument, document_id)
        )
        if document is None:
            raise LookupError(f"no {kind} with id {document_id} to index")
        normalised = normalise_text(_document_text(title, body))
        digest = _normalised_hash(normalised)
        signature = self._signature_of(normalised)
        if verdict is None:
            _lock_story_keys(session, digest, signature)
            verdict = self._judge(session, digest, signature, exclude=(kind, document_id))
        cluster_id = verdict.cluster_id
        if cluster_id is None:
            cluster = StoryCluster()
            session.add(cluster)
            session.flush()
            cluster_id = cluster.id
        document.cluster_id = cluster_id
        document.content_hash = digest
        stored = NearDuplicateSignature(
            document_kind=kind,
            document_id=document_id,
            scheme=self.scheme,
            signature=signature.fingerprint.astype(_FINGERPRINT_DTYPE).tobytes(),
            shingle_count=signature.shingle_count,
        )
        session.add(stored)
        session.flush()
        session.add_all(
            NearDuplicateBand(signature_id=stored.id, band=band, bucket=bucket)
            for band, bucket in enumerate(signature.band_buckets)
        )
        session.flush()
        return replace(verdict, cluster_id=cluster_id)

    def _judge(
        self, session: Session, digest: str, signature: Signature, exclude: tuple[DocumentKind, int] | None
    ) -> Verdict:
        """Seeds first (exact, then near), then articles: a story known from the seed corpus is never
        alerted, even when an article that carried it is a closer match."""
        exact_seed = _exact_duplicate(session, "seed", digest, exclude)
        if exact_seed is not None:
            return _duplicate(session, "exact", "seed", exact_seed, 1.0)
        nearest = self._nearest(session, signature, exclude)
        near = None
        if nearest is not None:
            score, match = nearest
            near = _duplicate(session, "near", _document_kind(match.document_kind), match.document_id, score)
            if near.duplicate_of is not None and near.duplicate_of.kind == "seed":
                return near
        exact_article = _exact_duplicate(session, "article", digest, exclude)
        if exact_article is not None:
            return _duplicate(session, "exact", "article", exact_article, 1.0)
        return near or Verdict("new", None, 0.0)

    def _nearest(
        self, session: Session, signature: Signature, exclude: tuple[DocumentKind, int] | None
    ) -> tuple[float, NearDuplicateSignature] | None:
        """The best stored match at or above the threshold: any seed before any article, then by score,
        then the earliest indexed."""
        if signature.shingle_count == 0:
            return None
        matches = []
        for candidate in self._candidates(session, signature):
            if (candidate.document_kind, candidate.document_id) == exclude:
                continue
            stored = Signature(
                np.frombuffer(candidate.signature, dtype=_FINGERPRINT_DTYPE).astype(np.uint16),
                candidate.shingle_count,
            )
            score = self.similarity(signature, stored)
            if score >= self.threshold:
                matches.append((candidate.document_kind == "seed", score, -candidate.id, candidate))
        if not matches:
            return None
        _, score, _, match = max(matches, key=lambda ranked: ranked[:3])
        return score, match

    def _candidates(self, session: Session, signature: Signature) -> list[NearDuplicateSignature]:
        """Stored signatures of this scheme sharing at least `min_band_votes` band buckets."""
        buckets = {f"bucket_{band}": bucket for band, bucket in enumerate(signature.band_buckets)}
        return list(session.scalars(self._candidate_query, buckets))


def _exact_duplicate(
    session: Session, kind: DocumentKind, digest: str, exclude: tuple[DocumentKind, int] | None
) -> int | None:
    """The id of the first document of this kind whose normalised text has this hash."""
    model = _DOCUMENT_MODELS[kind]
    query = select(model.id).where(model.content_hash == digest).order_by(model.id).limit(1)
    if exclude is not None and exclude[0] == kind:
        query = query.where(model.id != exclude[1])
    return session.scalar(query)


def _lock_story_keys(session: Session, digest: str, signature: Signature) -> None:
    if session.get_bind().dialect.name != "postgresql":
        return  # SQLite lets one writer at a time into the whole database already
    # Sorted, so two transactions always take shared keys in the same order and cannot deadlock.
    keys = sorted({int.from_bytes(bytes.fromhex(digest)[:8], "big", signed=True), *signature.band_buckets})
    session.execute(
        sql_text("SELECT pg_advisory_xact_lock(key) FROM unnest(CAST(:keys AS bigint[])) AS key"),
        {"keys": keys},
    )


_DOCUMENT_MODELS: dict[DocumentKind, type[StoredArticle] | type[SeedDocument]] = {
    "seed": SeedDocument,
    "article": StoredArticle,
}


def _document_kind(stored: str) -> DocumentKind:
    if stored not in _DOCUMENT_MODELS:
        raise ValueError(f"unknown document kind {stored!r} in the near-duplicate index")
    return "seed" if stored == "seed" else "article"


def _document_text(title: str, body: str) -> str:
    """Body alone when there is one: a copy under another headline is still the same story."""
    return body if body.strip() else title


def _duplicate(
    session: Session, verdict: VerdictKind, kind: DocumentKind, document_id: int, score: float
) -> Verdict:
    """A duplicate verdict pointing at a stored document, in that document's story cluster.

    An article's story is a seed story when the article copies a seed or its cluster holds one:
    a copy of a copy of a seed is still never alerted.
    """
    if kind == "seed":
        seed = session.get_one(SeedDocument, document_id)
        return Verdict(verdict, DocumentRef("seed", seed.id, seed.name), score, seed.cluster_id, True)
    article = session.get_one(StoredArticle, document_id)
    seed_story = article.duplicate_of_seed_id is not None or (
        article.cluster_id is not None
        and session.scalar(
            select(SeedDocument.id).where(SeedDocument.cluster_id == article.cluster_id).limit(1)
        )
        is not None
    )
    reference = DocumentRef("article", article.id, article.canonical_url)
    return Verdict(verdict, reference, score, article.cluster_id, seed_story)


_DEFAULT_INDEX = NearDuplicateIndex()


def similarity(a: str, b: str) -> float:
    """The similarity the default index scores candidates with, for `pantau dedup compare`."""
    return _DEFAULT_INDEX.similarity(_DEFAULT_INDEX.signature(a), _DEFAULT_INDEX.signature(b))
