"""The outbox side of alerts: one alert per story and channel, one follow-up at most, digest slots."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import select

from crawler.domain.watch import Watch
from crawler.store.db import Database
from crawler.store.models import AlertOutbox
from crawler.store.outbox import enqueue_alerts, next_delivery_time

if TYPE_CHECKING:
    from tests.conftest_alerts import ConfigFactory, StoryWriter

pytest_plugins = ["tests.conftest_alerts"]

WATCH = "korea-utara-rusia"

NOW = datetime(2026, 3, 2, 3, 15, tzinfo=UTC)  # 10:15 WIB
TWO_CHANNELS = {"console": {"type": "console"}, "hook": {"type": "webhook", "url": "http://127.0.0.1:9/"}}


def _outbox(database: Database) -> list[tuple[str, str, str]]:
    with database.session() as session:
        rows = session.scalars(select(AlertOutbox).order_by(AlertOutbox.id))
        return [(row.dedup_key, row.kind, row.channel) for row in rows]


def test_first_copy_of_a_story_enqueues_one_alert_per_channel_with_the_full_payload(
    database: Database, make_config: ConfigFactory, stories: StoryWriter
) -> None:
    config = make_config(TWO_CHANNELS)
    with database.session() as session:
        cluster = stories.cluster(session)
        article, match = stories.store(
            session, "https://rmol.id/dunia/read/2022/09/06/546353/roket", cluster=cluster
        )
        rows = enqueue_alerts(session, config, article, match, now=NOW)
        keys = [row.dedup_key for row in rows]
        payload = rows[1].payload
        ids = (article.id, match.id, cluster.id)
    assert keys == [f"{WATCH}:cluster-{ids[2]}:console", f"{WATCH}:cluster-{ids[2]}:hook"]
    assert payload == {
        "idempotency_key": payload["idempotency_key"],
        "kind": "alert",
        "watch": WATCH,
        "delivery": "immediate",
        "article": {
            "id": ids[0],
            "url": "https://rmol.id/dunia/read/2022/09/06/546353/roket",
            "title": "Intelijen AS: Rusia Beli Roket dan Peluru dari Korea Utara",
            "source": "rmol",
            "outlet": "rmol.id",
            "published_at": "2022-09-06T04:24:00+00:00",
            "lead": "Rusia membeli roket dari Korea Utara.",
        },
        "match": {
            "id": ids[1],
            "terms": ["Korea Utara", "Rusia"],
            "snippet": "Rusia sedang membeli jutaan roket dan peluru artileri dari Korea Utara.",
            "hits": [
                {"term": "Rusia", "field": "body", "start": 0, "end": 5, "snippet": "Rusia sedang membeli"}
            ],
        },
        "cluster": {"id": ids[2], "other_outlets": []},
        "follows": None,
    }
    assert len(payload["idempotency_key"]) == 32


def test_an_article_without_a_cluster_is_its_own_story(
    database: Database, make_config: ConfigFactory, stories: StoryWriter
) -> None:
    config = make_config({"console": {"type": "console"}})
    with database.session() as session:
        article, match = stories.store(session, "https://rmol.id/read/1")
        enqueue_alerts(session, config, article, match, now=NOW)
        article_id = article.id
    assert _outbox(database) == [(f"{WATCH}:article-{article_id}:console", "alert", "console")]


def test_more_outlets_carrying_an_alerted_story_give_one_follow_up_per_channel(
    database: Database, make_config: ConfigFactory, stories: StoryWriter
) -> None:
    config = make_config(TWO_CHANNELS)
    with database.session() as session:
        cluster = stories.cluster(session)
        for url in (
            "https://rmol.id/dunia/read/2022/09/06/546353/roket",
            "https://www.rmoljatim.id/intelijen-as-rusia-beli-roket",
            "https://rmollampung.id/intelijen-as-rusia-beli-roket",
        ):
            article, match = stories.store(session, url, cluster=cluster)
            enqueue_alerts(session, config, article, match, now=NOW)
        story = f"{WATCH}:cluster-{cluster.id}"
        follow_up = session.scalar(
            select(AlertOutbox).where(AlertOutbox.dedup_key == f"{story}:hook:follow-up")
        )
        assert follow_up is not None
        assert follow_up.payload["kind"] == "follow_up"
        assert follow_up.payload["article"]["outlet"] == "rmoljatim.id"
        assert follow_up.payload["cluster"]["other_outlets"] == [
            {"outlet": "rmol.id", "url": "https://rmol.id/dunia/read/2022/09/06/546353/roket"}
        ]
    assert _outbox(database) == [
        (f"{story}:console", "alert", "console"),
        (f"{story}:hook", "alert", "hook"),
        (f"{story}:console:follow-up", "follow_up", "console"),
        (f"{story}:hook:follow-up", "follow_up", "hook"),
    ]


def test_another_copy_from_the_alerted_outlet_gives_no_follow_up(
    database: Database, make_config: ConfigFactory, stories: StoryWriter
) -> None:
    config = make_config({"console": {"type": "console"}})
    with database.session() as session:
        cluster = stories.cluster(session)
        for url in (
            "https://rmol.id/dunia/read/2022/09/06/546353/roket",
            "https://rmol.id/amp/2022/09/06/546353/x",
        ):
            article, match = stories.store(session, url, cluster=cluster)
            added = enqueue_alerts(session, config, article, match, now=NOW)
    assert added == []
    assert [kind for _, kind, _ in _outbox(database)] == ["alert"]


def test_follow_ups_off_means_exactly_one_alert_per_story(
    database: Database, make_config: ConfigFactory, stories: StoryWriter
) -> None:
    config = make_config({"console": {"type": "console"}}, follow_ups=False)
    with database.session() as session:
        cluster = stories.cluster(session)
        added = []
        for url in ("https://rmol.id/read/1", "https://rmoljatim.id/a", "https://rmolsumut.id/b"):
            article, match = stories.store(session, url, cluster=cluster)
            added.append(len(enqueue_alerts(session, config, article, match, now=NOW)))
    assert added == [1, 0, 0]
    assert len(_outbox(database)) == 1


def test_a_story_alerted_by_an_earlier_transaction_is_not_alerted_again(
    database: Database, make_config: ConfigFactory, stories: StoryWriter
) -> None:
    config = make_config({"console": {"type": "console"}}, follow_ups=False)
    with database.session() as session:
        cluster = stories.cluster(session)
        article, match = stories.store(session, "https://rmol.id/read/1", cluster=cluster)
        enqueue_alerts(session, config, article, match, now=NOW)
    with database.session() as session:
        article, match = stories.store(session, "https://rmoljatim.id/a", cluster=cluster)
        assert enqueue_alerts(session, config, article, match, now=NOW) == []
    assert len(_outbox(database)) == 1


def test_a_digest_watch_schedules_its_alerts_for_the_next_slot(
    database: Database, make_config: ConfigFactory, stories: StoryWriter
) -> None:
    config = make_config({"console": {"type": "console"}}, watch={"delivery": "hourly"})
    with database.session() as session:
        article, match = stories.store(session, "https://rmol.id/read/1")
        (row,) = enqueue_alerts(session, config, article, match, now=NOW)
    assert row.next_attempt_at == datetime(2026, 3, 2, 4, 0, tzinfo=UTC)  # 11:00 WIB
    assert (row.kind, row.payload["delivery"]) == ("alert", "hourly")


@pytest.mark.parametrize(
    ("delivery", "now", "slot"),
    [
        ("immediate", datetime(2026, 3, 2, 3, 15, tzinfo=UTC), datetime(2026, 3, 2, 3, 15, tzinfo=UTC)),
        ("hourly", datetime(2026, 3, 2, 3, 15, tzinfo=UTC), datetime(2026, 3, 2, 4, 0, tzinfo=UTC)),
        ("hourly", datetime(2026, 3, 2, 4, 0, tzinfo=UTC), datetime(2026, 3, 2, 5, 0, tzinfo=UTC)),
        # 06:59 WIB: today's 07:00 WIB digest is still ahead
        ("daily", datetime(2026, 3, 1, 23, 59, tzinfo=UTC), datetime(2026, 3, 2, 0, 0, tzinfo=UTC)),
        # 10:15 WIB: the next 07:00 WIB is tomorrow
        ("daily", datetime(2026, 3, 2, 3, 15, tzinfo=UTC), datetime(2026, 3, 3, 0, 0, tzinfo=UTC)),
        # 18:30 UTC is already 01:30 WIB the next day: the 07:00 WIB slot of that same Jakarta day
        ("daily", datetime(2026, 3, 2, 18, 30, tzinfo=UTC), datetime(2026, 3, 3, 0, 0, tzinfo=UTC)),
    ],
)
def test_delivery_slots_are_computed_in_asia_jakarta(delivery: str, now: datetime, slot: datetime) -> None:
    watch = Watch(name=WATCH, query="Rusia", delivery=delivery, daily_at=time(7, 0))  # type: ignore[arg-type]
    assert next_delivery_time(watch, now) == slot
