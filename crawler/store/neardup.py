"""The near-duplicate index in the database: signatures, LSH band rows, exact-hash lookups, clusters.

A stored document is a candidate when it shares at least `min_band_votes` keys with the text. Keys are
indexed rows (`near_duplicate_bands`), written in one place (`index_keys`): a 64-bit hash of
`rows_per_band` consecutive minimums per LSH band (two rows per band keep phrases that many unrelated
stories share from making every such story a candidate), then three more bands: the text's quotes and
lead sentences (a rewrite that keeps the quotes verbatim, or an excerpt that keeps the lead) and pairs
of the facts its lead states (a regional rewrite of wire copy or a flash item in new words keeps the
date, figures and names, though it shares few shingles; `FACT_KEY_VOTES` of them count as one other
key). At most `CANDIDATE_CAP` candidates are weighed, those sharing the most keys first, then the
newest: a template story or a story copied by every outlet costs a check a bounded judgement, and a key
shared by `HUGE_BUCKET` stored stories or more is logged. Candidates are judged
by crawler/dedup with the profile stored beside each signature; nothing lives in memory between calls,
so the index survives restarts and is shared by every process on the database, and SQLite and
PostgreSQL answer the same queries identically.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from sqlalchemy import (
    ColumnElement,
    Integer,
    and_,
    bindparam,
    case,
    func,
    insert,
    literal_column,
    or_,
    select,
    update,
)
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from crawler.dedup.fingerprint import Fingerprint, fingerprint
from crawler.dedup.judge import NEAR_DUPLICATE_THRESHOLD, Candidate, Finding, judge, nearest
from crawler.dedup.minhash import MinHasher, Signature
from crawler.dedup.profile import FACT_KEYS, Profile, fact_keys
from crawler.domain.verdict import DocumentKind, DocumentRef, Verdict
from crawler.store.bulk import table_of
from crawler.store.clusters import cluster_has_seed, link_follow_up, new_cluster
from crawler.store.models import NearDuplicateBand, NearDuplicateSignature, SeedDocument, StoredArticle

_Exclude = tuple[DocumentKind, int] | None
log = logging.getLogger(__name__)

STORY_KEYS = 8
"""Most quotes, and lead sentences, of a text indexed as candidate keys (in the two bands after the LSH
bands): a regional rewrite of wire copy keeps the quotes verbatim, and an aggregator's excerpt the
lead, but either shares too few shingles with its original to meet it in an LSH bucket."""

CANDIDATE_CAP = 64
"""Most candidates weighed per check, those sharing the most keys first (then the newest): a story
copied by hundreds of outlets (or a phrase every story shares) cannot make one check judge them all."""

FACT_KEY_VOTES = 3
"""Lead-fact pairs a stored story must share with a text to be weighed when no other key is shared."""

HUGE_BUCKET = 200
"""Stored stories sharing one key from which a check logs it: a daily template's sentences or a story
copied by every outlet (the probe still reads them all from the index; only CANDIDATE_CAP are judged)."""


class NearDuplicateIndex:
    """MinHash signatures and LSH bands of every article and seed, stored as indexed database rows."""

    def __init__(
        self,
        *,
        shingle_words: int = 4,
        permutations: int = 128,
        bands: int = 32,
        rows_per_band: int = 2,
        min_band_votes: int = 1,
        threshold: float = NEAR_DUPLICATE_THRESHOLD,
        seed: int = 20220906,
    ) -> None:
        if not 1 <= min_band_votes <= bands:
            raise ValueError("need 1 <= min_band_votes <= bands")
        self.hasher = MinHasher(
            shingle_words=shingle_words,
            permutations=permutations,
            bands=bands,
            rows_per_band=rows_per_band,
            seed=seed,
        )
        self.scheme = self.hasher.scheme
        self.permutations = permutations
        self.bands = bands
        self.threshold = threshold
        # Built once, bound per call: one equality probe of the (band, bucket, signature_id) index per key
        # (read from the index alone), then the candidates sharing the most keys. Bands, caps and votes
        # are written into the SQL: bound, they were a hundred more parameters to adapt on every check.
        key_band = NearDuplicateBand.band
        matches = (
            select(NearDuplicateBand.signature_id, key_band, NearDuplicateBand.bucket)
            .where(
                or_(
                    *(
                        and_(
                            key_band == _constant(band),
                            NearDuplicateBand.bucket == bindparam(f"bucket_{band}"),
                        )
                        for band in range(bands)
                    ),
                    *(
                        and_(
                            key_band == _constant(band),
                            NearDuplicateBand.bucket.in_(
                                [bindparam(f"{name}_{key}") for key in range(count)]
                            ),
                        )
                        for band, name, count in (
                            (bands, "quote", STORY_KEYS),
                            (bands + 1, "lead", STORY_KEYS),
                            (bands + 2, "fact", FACT_KEYS),
                        )
                    ),
                )
            )
            .cte("matches")
        )
        fullest_bucket = (
            select(func.count().label("rows")).select_from(matches).group_by(matches.c.band, matches.c.bucket)
        ).subquery()
        # A shared fact pair is a weaker key than a shared band bucket, quote or lead sentence: a story
        # met through facts alone must share FACT_KEY_VOTES of them (two stories on one institution share
        # a pair of its name's words; a copy shares most of its lead's pairs).
        votes = func.sum(
            case((matches.c.band == _constant(bands + 2), _constant(1)), else_=_constant(FACT_KEY_VOTES))
        )
        band_matches = (
            select(matches.c.signature_id)
            .group_by(matches.c.signature_id)
            .having(votes >= _constant(FACT_KEY_VOTES * min_band_votes))
            .order_by(votes.desc(), matches.c.signature_id.desc())
            .limit(_constant(CANDIDATE_CAP))
        )
        # Plain columns, not ORM objects: a check reads each candidate once and never changes it.
        stored = NearDuplicateSignature
        self._candidate_query = (
            select(
                stored.id,
                stored.document_kind,
                stored.document_id,
                stored.signature,
                stored.shingle_count,
                stored.profile,
                select(func.max(fullest_bucket.c.rows)).scalar_subquery().label("fullest_bucket"),
            )
            .where(NearDuplicateSignature.id.in_(band_matches))
            .where(NearDuplicateSignature.scheme == self.scheme)
            .order_by(NearDuplicateSignature.id)
        )

    def check(self, session: Session, title: str, body: str) -> Verdict:
        """The verdict for a text against every stored article and seed, without storing anything."""
        read = fingerprint(self.hasher, title, body)
        return self._judge(session, read.digest, read.signature, read.profile, exclude=None)

    def add(
        self,
        session: Session,
        kind: DocumentKind,
        document_id: int,
        title: str,
        body: str,
        verdict: Verdict | None = None,
        read: Fingerprint | None = None,
    ) -> Verdict:
        """Judge a stored document, index it, put it in its story cluster and (an article) keep the
        verdict on it, in the caller's transaction, with plain statements: no ORM object is loaded.
        `read` is the text's fingerprint when the caller has it already (made in a worker process).

        On PostgreSQL the text's content hash and band buckets are locked first (transaction-scoped
        advisory locks), so two processes adding copies of one story at once are serialised: the second
        sees the first and gets a duplicate verdict instead of starting a second cluster.
        """
        if read is None or read.scheme != self.scheme:
            read = fingerprint(self.hasher, title, body)
        digest, signature, profile = read.digest, read.signature, read.profile
        keys = self.index_keys(signature, profile)
        if verdict is None:
            _lock_story_keys(session, digest, keys)
            verdict = self._judge(session, digest, signature, profile, exclude=(kind, document_id))
        cluster_id = verdict.cluster_id if verdict.cluster_id is not None else new_cluster(session)
        model = _DOCUMENT_MODELS[kind]
        columns = {"cluster_id": cluster_id, "content_hash": digest}
        if kind == "article":
            columns |= _verdict_columns(verdict)
        written = update(table_of(model)).where(model.id == document_id).values(columns).returning(model.id)
        if session.execute(written).scalar_one_or_none() is None:
            raise LookupError(f"no {kind} with id {document_id} to index")
        held = session.identity_map.get(session.identity_key(model, document_id))
        for name, value in columns.items() if held is not None else ():
            set_committed_value(held, name, value)  # a caller's ORM object of the document sees them
        if verdict.follows is not None and kind == "article":
            link_follow_up(session, document_id, verdict.follows, verdict.similarity)
        signatures, bands = table_of(NearDuplicateSignature), table_of(NearDuplicateBand)
        signature_id = session.execute(
            insert(signatures).returning(signatures.c.id),
            {
                "document_kind": kind,
                "document_id": document_id,
                "scheme": self.scheme,
                "signature": signature.to_bytes(),
                "shingle_count": signature.shingle_count,
                "profile": profile.to_bytes(),
            },
        ).scalar_one()
        session.execute(
            insert(bands),
            [{"signature_id": signature_id, "band": band, "bucket": bucket} for band, bucket in keys],
        )
        return replace(verdict, cluster_id=cluster_id)

    def index_keys(self, signature: Signature, profile: Profile) -> list[tuple[int, int]]:
        """Every (band, bucket) row a document is indexed under: its LSH band buckets, then its quotes,
        lead sentences and lead-fact pairs as keys of three more bands. The one place that says which
        keys a story has: a bulk writer stores exactly these rows."""
        return [
            *enumerate(signature.band_buckets),
            *((self.bands, quote) for quote in _keys(profile.quotes)),
            *((self.bands + 1, lead) for lead in _keys(profile.lead_sentences)),
            *((self.bands + 2, pair) for pair in fact_keys(profile)),
        ]

    def _judge(
        self, session: Session, digest: str, signature: Signature, profile: Profile, exclude: _Exclude
    ) -> Verdict:
        near, follows = (
            nearest(
                signature,
                self._candidates(session, signature, profile, exclude),
                self.hasher,
                self.threshold,
                profile,
            )
            if signature.shingle_count
            else (None, None)
        )
        exact_seed, exact_article = _exact_duplicates(session, digest, exclude)
        finding = judge(exact_seed, near, exact_article)
        if finding is not None:
            return _duplicate(session, finding)
        if follows is not None:
            return Verdict("new", None, follows.similarity, follows=_reference(session, follows))
        return Verdict("new", None, 0.0)

    def _candidates(
        self, session: Session, signature: Signature, profile: Profile, exclude: _Exclude
    ) -> list[Candidate]:
        """Stored signatures of this scheme sharing at least `min_band_votes` keys (band buckets, quotes,
        lead sentences, or FACT_KEY_VOTES lead-fact pairs each), the most shared first, at most
        CANDIDATE_CAP."""
        buckets: dict[str, object] = {
            f"bucket_{band}": bucket for band, bucket in enumerate(signature.band_buckets)
        }
        for name, keys, count in (
            ("quote", _keys(profile.quotes), STORY_KEYS),
            ("lead", _keys(profile.lead_sentences), STORY_KEYS),
            ("fact", fact_keys(profile), FACT_KEYS),
        ):
            buckets |= {f"{name}_{index}": key for index, key in enumerate(_padded(keys, count))}
        rows = list(session.execute(self._candidate_query, buckets))
        if len(rows) == CANDIDATE_CAP:
            log.info("near-duplicate check: candidates capped at the %d sharing most keys", CANDIDATE_CAP)
        if rows and rows[0].fullest_bucket >= HUGE_BUCKET:
            # A template story (the same sentences every day) or a story copied by hundreds of outlets.
            log.info(
                "near-duplicate check: a key is shared by %d stored stories (a template or much-copied "
                "story); the %d sharing most keys weighed",
                rows[0].fullest_bucket,
                CANDIDATE_CAP,
            )
        return [
            Candidate(
                _document_kind(row.document_kind),
                row.document_id,
                row.id,
                Signature.from_stored(row.signature, row.shingle_count),
                Profile.from_bytes(row.profile) if row.profile is not None else None,
            )
            for row in rows
            if (row.document_kind, row.document_id) != exclude
        ]


def _exact_duplicates(session: Session, digest: str, exclude: _Exclude) -> tuple[int | None, int | None]:
    """The ids of the first seed and the first article whose normalised text has this hash, in one
    round trip (each a scalar subquery on its content-hash index)."""
    firsts = []
    for kind in ("seed", "article"):
        model = _DOCUMENT_MODELS[kind]
        query = select(model.id).where(model.content_hash == digest).order_by(model.id).limit(1)
        if exclude is not None and exclude[0] == kind:
            query = query.where(model.id != exclude[1])
        firsts.append(query.scalar_subquery())
    seed, article = session.execute(select(*firsts)).one()
    return seed, article


def _verdict_columns(verdict: Verdict) -> dict[str, object]:
    """An article's dedup columns: the verdict's kind, its score and the document it duplicates."""
    duplicate_of = verdict.duplicate_of
    return {
        "verdict": verdict.kind,
        "similarity": verdict.similarity if verdict.kind != "new" else None,
        "duplicate_of_seed_id": duplicate_of.id if duplicate_of and duplicate_of.kind == "seed" else None,
        "duplicate_of_article_id": duplicate_of.id if duplicate_of and duplicate_of.kind != "seed" else None,
    }


def _keys(hashes: frozenset[int]) -> list[int]:
    return sorted(hashes)[:STORY_KEYS]


def _constant(value: int) -> ColumnElement[int]:
    """An integer written into a statement's SQL, not bound on every execution."""
    return literal_column(str(int(value)), Integer)


def _padded(keys: list[int], count: int) -> list[int]:
    """Exactly `count` keys, padded with one no CRC-32 can be: every check sends the same SQL, so
    PostgreSQL plans it once per connection (a prepared statement) instead of on every check, where
    planning the band probe took longer than running it."""
    return keys + [_NO_KEY] * (count - len(keys))


_NO_KEY = -1


def _lock_story_keys(session: Session, digest: str, keys: list[tuple[int, int]]) -> None:
    """Lock the content hash and every index key of a story (one lock per bucket value, whatever band)."""
    if session.get_bind().dialect.name != "postgresql":
        return  # SQLite lets one writer at a time into the whole database already
    # Sorted, so two transactions always take shared keys in the same order and cannot deadlock.
    locks = sorted({int.from_bytes(bytes.fromhex(digest)[:8], "big", signed=True), *(key for _, key in keys)})
    session.execute(
        sql_text("SELECT pg_advisory_xact_lock(key) FROM unnest(CAST(:keys AS bigint[])) AS key"),
        {"keys": locks},
    )


_DOCUMENT_MODELS: dict[DocumentKind, type[StoredArticle] | type[SeedDocument]] = {
    "seed": SeedDocument,
    "article": StoredArticle,
}


def _document_kind(stored: str) -> DocumentKind:
    if stored not in _DOCUMENT_MODELS:
        raise ValueError(f"unknown document kind {stored!r} in the near-duplicate index")
    return "seed" if stored == "seed" else "article"


def _duplicate(session: Session, finding: Finding) -> Verdict:
    """A duplicate verdict pointing at a stored document, in that document's story cluster.

    An article's story is a seed story when the article copies a seed or its cluster holds one:
    a copy of a copy of a seed is still never alerted.
    """
    if finding.kind == "seed":
        cluster_id = session.scalar(
            select(SeedDocument.cluster_id).where(SeedDocument.id == finding.document_id)
        )
        return Verdict(finding.verdict, _reference(session, finding), finding.similarity, cluster_id, True)
    query = select(StoredArticle.canonical_url, StoredArticle.cluster_id, StoredArticle.duplicate_of_seed_id)
    url, cluster_id, seed_copied = session.execute(query.where(StoredArticle.id == finding.document_id)).one()
    seed_story = seed_copied is not None or (cluster_id is not None and cluster_has_seed(session, cluster_id))
    reference = DocumentRef("article", finding.document_id, url)
    return Verdict(finding.verdict, reference, finding.similarity, cluster_id, seed_story)


def _reference(session: Session, finding: Finding) -> DocumentRef:
    """The stored document a finding points at: an article by its URL, a seed by its file name."""
    if finding.kind == "seed":
        name = select(SeedDocument.name).where(SeedDocument.id == finding.document_id)
        return DocumentRef("seed", finding.document_id, session.execute(name).scalar_one())
    url = select(StoredArticle.canonical_url).where(StoredArticle.id == finding.document_id)
    return DocumentRef("article", finding.document_id, session.execute(url).scalar_one())
