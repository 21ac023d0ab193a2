"""Watches in the database: the file's copied in once, then the database rules; `pantau watches
import|export` round-trips; a crawl matches and alerts by the database's watches, muted ones silently."""

from __future__ import annotations

import logging
from datetime import time
from pathlib import Path

import pytest
from sqlalchemy import select

from crawler.config import Config, dump_watches, load_config
from crawler.demo import DEMO_ARCHIVE, DEMO_CONFIG
from crawler.domain.watch import Watch
from crawler.store.db import Database, open_database
from crawler.store.models import AlertOutbox, Match
from crawler.store.watches import (
    WatchStoreError,
    configured,
    create_watch,
    delete_watch,
    import_config_watches_on_first_start,
    list_watches,
    note_ignored_config_watches,
    stored_watches,
    update_watch,
)
from tests.crawl_helpers import run_pantau

KOREA = Watch(name="korea-utara-rusia", query='"Korea Utara" AND Rusia')


def test_the_files_watches_are_copied_into_a_new_database_once(
    database: Database, default_config: Config
) -> None:
    assert import_config_watches_on_first_start(database, default_config) is True
    assert stored_watches(database) == default_config.watches
    for record in list_watches(database):
        delete_watch(database, record.id)
    # Emptied on purpose: a restart with the same file does not bring the watches back.
    assert import_config_watches_on_first_start(database, default_config) is False
    assert configured(default_config, database).watches == []


def test_a_database_with_watches_keeps_them_and_the_log_says_the_files_are_not_read(
    database: Database, default_config: Config, caplog: pytest.LogCaptureFixture
) -> None:
    mine = Watch(name="banjir", query="banjir", sources=["rmol"])
    create_watch(database, mine, by="ani")
    assert import_config_watches_on_first_start(database, default_config) is False
    assert configured(default_config, database).watches == [mine]
    with caplog.at_level(logging.WARNING, logger="crawler.store.watches"):
        note_ignored_config_watches(default_config, database)
    assert caplog.messages == [
        f"{default_config.path} lists 1 watches; the database's 1 watches are used (the database rules: "
        f"'pantau watches import {default_config.path}' applies the file's)"
    ]


def test_a_watch_is_created_updated_renamed_and_keeps_its_author(database: Database) -> None:
    record = create_watch(database, KOREA, by="ani")
    with pytest.raises(WatchStoreError, match="a watch named 'korea-utara-rusia' already exists"):
        create_watch(database, KOREA, by="budi")
    changed = KOREA.model_copy(update={"name": "korut", "muted": True, "daily_at": time(6, 30)})
    updated = update_watch(database, record.id, changed, by="budi")
    assert (updated.watch, updated.created_by, updated.updated_by) == (changed, "ani", "budi")
    assert updated.updated_at >= record.updated_at
    with pytest.raises(WatchStoreError, match="there is no watch 999"):
        update_watch(database, 999, KOREA, by="budi")


def test_a_stale_watch_is_left_out_with_a_log_line_and_the_others_still_run(
    database: Database, default_config: Config, caplog: pytest.LogCaptureFixture
) -> None:
    create_watch(database, Watch(name="old", query="banjir", channels=["telegram"]), by="ani")
    create_watch(database, KOREA, by="ani")
    with caplog.at_level(logging.ERROR, logger="crawler.config"):
        assert [watch.name for watch in configured(default_config, database).watches] == [KOREA.name]
    assert caplog.messages == [
        "watch 'old' is left out until it is fixed: watch 'old' names unknown alert channel 'telegram' "
        "(configured: console)"
    ]


def _pantau(tmp_path: Path, *args: str) -> tuple[int, str, str]:
    result = run_pantau(*args, config=DEMO_CONFIG, database_url=f"sqlite:///{tmp_path / 'pantau.db'}")
    return result.returncode, result.stdout, result.stderr


def test_export_then_import_round_trips_and_replace_removes_the_others(tmp_path: Path) -> None:
    watches = tmp_path / "watches.yaml"
    watches.write_text(
        dump_watches(
            [
                Watch(
                    name="korea-utara-rusia", query='"Korea Utara" AND Rusia', muted=True,
                    webhook="https://93.184.216.34/hooks/pantau?token=abc",
                ),
                Watch(
                    name="lampung", query="title:Lampung", sources=["rmol_regional"],
                    delivery="daily", daily_at=time(6, 30),
                ),
            ]
        ),
        encoding="utf-8",
    )  # fmt: skip
    status, out, err = _pantau(tmp_path, "watches", "import", str(watches), "--replace")
    assert (status, out.strip()) == (0, f"{watches}: 1 added, 1 updated, 0 unchanged, 1 removed"), err
    status, exported, err = _pantau(tmp_path, "watches", "export")
    assert status == 0, err
    assert exported == watches.read_text(encoding="utf-8")
    assert "daily_at: 06:30:00" in exported and "muted: true" in exported and "?token=abc" in exported
    again = tmp_path / "again.yaml"
    again.write_text(exported, encoding="utf-8")
    status, out, err = _pantau(tmp_path, "watches", "import", str(again))
    assert (status, out.strip()) == (0, f"{again}: 0 added, 0 updated, 2 unchanged, 0 removed"), err


def test_a_bad_import_names_every_problem_and_imports_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "watches:\n"
        "- {name: a, query: '(banjir'}\n"
        "- {name: b, query: banjir, sources: [kompas]}\n"
        "- {name: c, query: banjir, channels: [telegram]}\n"
        "- {name: a, query: banjir}\n"
        "- {name: e, query: banjir, webhook: 'http://127.0.0.1:9/hook'}\n"
        "- {name: d, query: banjir, delivery: weekly}\n",
        encoding="utf-8",
    )
    status, _, err = _pantau(tmp_path, "watches", "import", str(bad))
    assert status != 0
    assert err.splitlines() == [
        f"error: {bad}: watches.5.delivery: Input should be 'immediate', 'hourly' or 'daily'"
    ]
    bad.write_text("\n".join(bad.read_text().splitlines()[:-1]) + "\n", encoding="utf-8")
    status, _, err = _pantau(tmp_path, "watches", "import", str(bad))
    assert status != 0
    assert err.splitlines() == [
        f"error: {bad}: watches.0.query: watch 'a': column 8: expected ')' to close the '(' at column 1",
        f"error: {bad}: watches.1.sources.0: watch 'b' names unknown source 'kompas' "
        "(configured: bisnis, rmol, rmol_regional)",
        f"error: {bad}: watches.2.channels.0: watch 'c' names unknown alert channel 'telegram' "
        "(configured: console)",
        f"error: {bad}: watches.3.name: watch name 'a' is used twice",
        f"error: {bad}: watches.4.webhook: watch 'e': http://127.0.0.1:9/hook: 127.0.0.1 is a loopback "
        "address; Pantau does not call it unless network.allow in the configuration names its network",
    ]
    status, exported, _ = _pantau(tmp_path, "watches", "export")
    assert exported == dump_watches(load_config(DEMO_CONFIG).watches)  # the file's, copied on first start


def test_a_crawl_matches_by_the_databases_watches_and_a_muted_one_sends_nothing(tmp_path: Path) -> None:
    watches = tmp_path / "watches.yaml"
    watches.write_text(
        "watches:\n"
        "- {name: korea-utara-rusia, query: '\"Korea Utara\" AND Rusia', muted: true}\n"
        "- {name: lampung, query: Lampung, sources: [rmol_regional]}\n",
        encoding="utf-8",
    )
    assert _pantau(tmp_path, "watches", "import", str(watches), "--replace")[0] == 0
    for source in ("rmol", "rmol_regional"):
        status, _, err = _pantau(tmp_path, "crawl", source, "--replay", str(DEMO_ARCHIVE))
        assert status == 0, err
    database = open_database(f"sqlite:///{tmp_path / 'pantau.db'}")
    with database.session() as session:
        matched = sorted(session.scalars(select(Match.watch).where(Match.article_id.is_not(None))))
        alerted = sorted(session.scalars(select(AlertOutbox.watch)))
    database.dispose()
    assert matched == ["korea-utara-rusia", "korea-utara-rusia", "lampung"]  # "kemiskinan" was replaced
    assert alerted == ["lampung"]
