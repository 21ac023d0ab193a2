"""Leases in the database: one holder at a time, taken over only when expired or its process is gone."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from scrapy.exceptions import DropItem
from sqlalchemy import select, update

from crawler.config import Config
from crawler.crawl.pipelines import ExtractStage, MatchStage, StoreStage
from crawler.domain.story import CandidateStory
from crawler.matching import WatchSet
from crawler.store.db import Database
from crawler.store.leases import QUEUE_SCHEDULER_LEASE_PREFIX, SCHEDULER_LEASE, Leases, live_scheduler
from crawler.store.models import CrawlRun, Lease, StoredArticle
from crawler.store.sources import source_id
from tests.conftest import FIXTURES
from tests.crawl_helpers import settle

MINUTE = timedelta(minutes=1)


def test_a_live_lease_refuses_every_other_holder_and_its_own_holder_twice(database: Database) -> None:
    first, second = Leases(database, "host-a:1:aa"), Leases(database, "host-b:2:bb")
    assert first.acquire("scheduler", MINUTE) is True
    assert second.acquire("scheduler", MINUTE) is False
    assert first.acquire("scheduler", MINUTE) is False
    holder = second.current("scheduler")
    assert holder is not None and (holder.holder, holder.process) == ("host-a:1:aa", "host-a:1")


def test_an_expired_lease_is_taken_over_and_the_old_holder_cannot_renew_it(database: Database) -> None:
    first, second = Leases(database, "host-a:1:aa"), Leases(database, "host-b:2:bb")
    assert first.acquire("run:lampung", MINUTE)
    with database.session() as session:
        session.execute(update(Lease).values(expires_at=datetime.now(UTC) - timedelta(seconds=1)))
    assert first.current("run:lampung") is None
    assert second.acquire("run:lampung", MINUTE) is True
    assert first.renew("run:lampung", MINUTE) is False
    assert second.renew("run:lampung", MINUTE) is True


def test_the_lease_of_a_dead_process_on_this_host_is_taken_over_at_once(database: Database) -> None:
    child = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    dead_pid = int(child.stdout)
    dead = Leases(database, f"{socket.gethostname()}:{dead_pid}:aa")
    assert dead.acquire("scheduler", timedelta(hours=1))
    assert Leases(database).acquire("scheduler", MINUTE) is True


def test_an_earlier_process_with_our_pid_is_gone_but_our_own_lease_is_live(database: Database) -> None:
    earlier = Leases(database, f"{socket.gethostname()}:{os.getpid()}:old")
    assert earlier.acquire("scheduler", timedelta(hours=1))
    restarted = Leases(database, f"{socket.gethostname()}:{os.getpid()}:new")
    assert restarted.acquire("scheduler", MINUTE) is True
    holder = restarted.current("scheduler")
    assert holder is not None and holder.holder == f"{socket.gethostname()}:{os.getpid()}:new"


def test_release_frees_the_lease_only_for_its_holder(database: Database) -> None:
    first, second = Leases(database, "host-a:1:aa"), Leases(database, "host-b:2:bb")
    assert first.acquire("scheduler", MINUTE)
    second.release("scheduler")
    assert second.acquire("scheduler", MINUTE) is False
    first.release("scheduler")
    assert second.acquire("scheduler", MINUTE) is True


def test_a_run_whose_lease_another_process_holds_stores_nothing(
    database: Database, default_config: Config
) -> None:
    with database.session() as session:
        run = CrawlRun(source_id=source_id(session, "rmol", default_config))
        session.add(run)
        session.flush()
        run_id = run.id
    assert Leases(database, "host-b:2:bb").acquire("run:rmol", MINUTE)  # the lease passed on
    watches = WatchSet.from_config(default_config)
    page = (FIXTURES / "articles" / "rmol" / "politik-desktop-2025.html").read_text(encoding="utf-8")
    url = "https://rmol.id/politik/read/2025/11/19/687311/komisi-ii-dpr-minta-kpu"
    story = CandidateStory(url, "rmol", [page])
    for stage in (ExtractStage(default_config, watches, workers=0), MatchStage(watches)):
        story = settle(stage.process_item(story))
    fenced = StoreStage(default_config, database, run_id, run_lease=("run:rmol", "host-a:1:aa"))

    with pytest.raises(DropItem, match="the lease run:rmol passed to another process"):
        asyncio.run(fenced.process_item(story))

    with database.session() as session:
        assert session.scalars(select(StoredArticle)).all() == []
        assert session.get_one(CrawlRun, run_id).items_new == 0


def test_the_web_sees_a_scale_out_scheduler_as_the_one_that_runs_requests(database: Database) -> None:
    assert live_scheduler(database) is None
    assert Leases(database, "host-q:1:aa").acquire(f"{QUEUE_SCHEDULER_LEASE_PREFIX}host-q:1", MINUTE)
    alive = live_scheduler(database)
    assert alive is not None and alive.name == f"{QUEUE_SCHEDULER_LEASE_PREFIX}host-q:1"
    assert Leases(database, "host-d:2:bb").acquire(SCHEDULER_LEASE, MINUTE)
    daemon = live_scheduler(database)
    assert daemon is not None and daemon.name == SCHEDULER_LEASE
