"""Leases in the database: one holder at a time, taken over only when expired or its process is gone."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from crawler.store.db import Database
from crawler.store.leases import Leases
from crawler.store.models import Lease

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
