"""Story clusters: every stored copy of one story, articles and seeds, and the outlets that carried it."""

from __future__ import annotations

from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from crawler.store.models import SeedDocument, StoredArticle, StoryCluster


def new_cluster(session: Session) -> int:
    """Start a story cluster (its first document joins it next) and return its id."""
    cluster = StoryCluster()
    session.add(cluster)
    session.flush()
    return cluster.id


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
