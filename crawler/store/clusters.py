"""Story clusters: every stored copy of one story, articles and seeds, and the outlets that carried it;
and the `follows` links from a story reporting a new development to the earlier story it builds on."""

from __future__ import annotations

from urllib.parse import urlsplit

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from crawler.domain.verdict import DocumentRef
from crawler.store.bulk import table_of
from crawler.store.models import SeedDocument, StoredArticle, StoryCluster, StoryFollow, utcnow


def new_cluster(session: Session) -> int:
    """Start a story cluster (its first document joins it next) and return its id."""
    table = table_of(StoryCluster)
    return session.execute(insert(table).values(created_at=utcnow()).returning(table.c.id)).scalar_one()


def cluster_has_seed(session: Session, cluster_id: int) -> bool:
    """Whether a seed text is in the cluster: its story is known from the seed corpus."""
    query = select(SeedDocument.id).where(SeedDocument.cluster_id == cluster_id).limit(1)
    return session.scalar(query) is not None


def cluster_seed_names(session: Session, cluster_id: int) -> list[str]:
    """File names of the seed texts in the cluster, in name order."""
    query = select(SeedDocument.name).where(SeedDocument.cluster_id == cluster_id).order_by(SeedDocument.name)
    return list(session.scalars(query))


def outlet_of(url: str) -> str:
    """The outlet that published a URL, as its host without `www.` (e.g. `news.example.id`)."""
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.")


def story_outlets(session: Session, cluster_id: int | None) -> dict[str, str]:
    """Every outlet of a story cluster with the URL of its first copy, oldest first."""
    if cluster_id is None:
        return {}
    urls = session.scalars(
        select(StoredArticle.url)
        .where(StoredArticle.cluster_id == cluster_id)
        .order_by(StoredArticle.first_seen, StoredArticle.id)
    )
    outlets: dict[str, str] = {}
    for url in urls:
        outlets.setdefault(outlet_of(url), url)
    return outlets


def link_follow_up(session: Session, article_id: int, earlier: DocumentRef, score: float) -> None:
    """Record that an article reports a new development on an earlier stored story."""
    values = {
        "article_id": article_id,
        "earlier_article_id": earlier.id if earlier.kind == "article" else None,
        "earlier_seed_id": earlier.id if earlier.kind == "seed" else None,
        "score": score,
    }
    session.execute(insert(table_of(StoryFollow)), values)


def followed_story(session: Session, article_id: int) -> DocumentRef | None:
    """The earlier story an article follows up: an article (labelled by title, else URL) or a seed."""
    link = session.get(StoryFollow, article_id)
    if link is None:
        return None
    if link.earlier_seed_id is not None:
        name = session.scalar(select(SeedDocument.name).where(SeedDocument.id == link.earlier_seed_id))
        return DocumentRef("seed", link.earlier_seed_id, name or "")
    earlier = session.get_one(StoredArticle, link.earlier_article_id)
    return DocumentRef("article", earlier.id, earlier.title or earlier.url)


def follow_ups(session: Session, article_id: int) -> list[int]:
    """Ids of the later articles that report a new development on this one, oldest first."""
    query = select(StoryFollow.article_id).where(StoryFollow.earlier_article_id == article_id)
    return list(session.scalars(query.order_by(StoryFollow.article_id)))
