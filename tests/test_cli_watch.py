"""`pantau watch test` and `pantau watch backfill`, and backfill itself on both databases."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from crawler.config import Config
from crawler.domain.watch import Watch
from crawler.matching import CompiledWatch, parse_query
from crawler.store.backfill import BackfillReport, backfill
from crawler.store.db import Database, open_database
from crawler.store.models import AlertOutbox, Match, SeedDocument, Source, StoredArticle
from crawler.store.seeds import import_seeds
from tests.crawl_helpers import run_pantau

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "config" / "pantau.yaml"
SEED = ROOT / "config" / "seeds" / "000_d8c0db3640f267ed.txt"
SEED_NAMES = ("000_d8c0db3640f267ed.txt", "004_64116d368e759003.txt")


def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'pantau.db'}"


def test_watch_test_json_says_why_a_text_file_matches_its_first_line_being_the_title(tmp_path: Path) -> None:
    result = run_pantau(
        "watch", "test", '"Korea Utara" AND Rusia', "--file", str(SEED), "--json",
        config=CONFIG, database_url=sqlite_url(tmp_path),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    verdict = json.loads(result.stdout)
    assert verdict["matched"] is True
    assert len(verdict["hits"]) == 23
    assert verdict["hits"][1] == {
        "term": "Korea Utara",
        "field": "body",
        "start": 78,  # in the body, which starts after the title line "Dimensy.id Mobile"
        "end": 89,
        "snippet": "…Panel Intelijen AS: Rusia Beli Roket dan Peluru dari Korea Utara untuk Perang di "
        "Ukraina LAPORAN: <a…",
        "written": "Korea Utara",
        "roots": ["korea", "utara"],
    }


def test_watch_test_shows_which_written_form_matched_which_term_and_their_root(tmp_path: Path) -> None:
    story = tmp_path / "story.txt"
    story.write_text(
        "Kapal Penuh\nRibuan pemudik menyeberangi Selat Sunda dari Pemalang.\n", encoding="utf-8"
    )
    result = run_pantau(
        "watch", "test", "penyeberangan OR Malang", "--file", str(story), "--json",
        config=CONFIG, database_url=sqlite_url(tmp_path),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    hits = json.loads(result.stdout)["hits"]
    assert [(hit["term"], hit["written"], hit["roots"]) for hit in hits] == [
        ("penyeberangan", "menyeberangi", ["seberang"])
    ]
    table = run_pantau(
        "watch",
        "test",
        "penyeberangan",
        "--file",
        str(story),
        config=CONFIG,
        database_url=sqlite_url(tmp_path),
    )
    assert "│ penyeberangan │ body  │ 15-27   │ menyeberangi │ seberang │" in table.stdout


def test_watch_test_reads_the_first_line_of_a_text_file_as_its_title(tmp_path: Path) -> None:
    story = tmp_path / "story.txt"
    story.write_text(
        "\nKim Jong Un ke Rusia\n\nPemimpin Korea Utara tiba di Vladivostok.\n", encoding="utf-8"
    )
    result = run_pantau(
        "watch", "test", "title:Rusia AND body:Vladivostok", "--file", str(story), "--json",
        config=CONFIG, database_url=sqlite_url(tmp_path),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    hits = json.loads(result.stdout)["hits"]
    assert [(hit["term"], hit["field"], hit["start"], hit["end"]) for hit in hits] == [
        ("Rusia", "title", 15, 20), ("Vladivostok", "body", 30, 41),
    ]  # fmt: skip


def test_watch_test_exits_1_when_nothing_matches(tmp_path: Path) -> None:
    result = run_pantau(
        "watch", "test", "Jokowi NEAR/3 Putin", "--file", str(SEED), "--json",
        config=CONFIG, database_url=sqlite_url(tmp_path),
    )  # fmt: skip
    assert result.returncode == 1, result.stderr
    assert json.loads(result.stdout) == {"matched": False, "hits": []}


def test_watch_test_reads_a_stored_story_by_id_and_prints_a_table(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path)
    database = open_database(url)
    with database.session() as session:
        article = StoredArticle(
            canonical_url="https://rmol.id/x",
            url="https://rmol.id/x",
            title="Korut uji rudal",
            body="Tanpa isi",
        )
        session.add(article)
        session.flush()
        article_id = article.id
    database.dispose()
    result = run_pantau(
        "watch", "test", "title:DPRK", "--item", str(article_id), config=CONFIG, database_url=url
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "matched: 1 hits"
    assert "│ Korea Utara │ title │ 0-5     │ Korut   │ korut │ Korut uji rudal │" in result.stdout


def test_watch_test_reports_a_bad_query_in_one_line_with_exit_code_2(tmp_path: Path) -> None:
    result = run_pantau(
        "watch", "test", "(Rusia", "--file", str(SEED), config=CONFIG, database_url=sqlite_url(tmp_path)
    )
    assert result.returncode == 2
    assert result.stderr.strip() == "error: column 7: expected ')' to close the '(' at column 1"


def test_watch_backfill_prints_what_it_scanned_and_matched(tmp_path: Path) -> None:
    result = run_pantau(
        "watch", "backfill", "korea-utara-rusia", config=CONFIG, database_url=sqlite_url(tmp_path)
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "watch 'korea-utara-rusia': 0 stored stories scanned, 0 matched; "
        f"2 seeds scanned, 2 matched: {', '.join(SEED_NAMES)}; "
        "historical matches: 2 recorded, 0 updated, 0 removed (never alerted)"
    )


def test_backfilled_hits_are_never_delivered_as_alerts(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path)
    database = open_database(url)
    add_article(database, "kim", "Kim ke Rusia", "Korea Utara kirim peluru ke Rusia", source="bisnis")
    database.dispose()
    backfilled = run_pantau("watch", "backfill", "korea-utara-rusia", config=CONFIG, database_url=url)
    assert backfilled.returncode == 0, backfilled.stderr
    assert "1 stored stories scanned, 1 matched; 2 seeds scanned, 2 matched" in backfilled.stdout
    delivered = run_pantau("alerts", "deliver", config=CONFIG, database_url=url)
    assert delivered.returncode == 0, delivered.stderr
    assert delivered.stdout.startswith("sent 0 alerts in 0 messages;")
    database = open_database(url)
    with database.session() as session:
        assert session.scalars(select(AlertOutbox)).all() == []
        assert [(match.historical, match.seed_id is None) for match in session.scalars(select(Match))] == [
            (True, True), (True, False), (True, False),
        ]  # fmt: skip
    database.dispose()


def test_watch_backfill_of_an_unknown_watch_names_the_configured_ones(tmp_path: Path) -> None:
    result = run_pantau("watch", "backfill", "nope", config=CONFIG, database_url=sqlite_url(tmp_path))
    assert result.returncode == 1
    assert result.stderr.strip() == "error: unknown watch 'nope'; configured watches: korea-utara-rusia"


def add_article(
    database: Database, slug: str, title: str, body: str | None, source: str | None = None
) -> int:
    with database.session() as session:
        source_id = None
        if source is not None:
            row = session.scalar(select(Source).where(Source.name == source))
            if row is None:
                row = Source(name=source, family=source)
                session.add(row)
                session.flush()
            source_id = row.id
        article = StoredArticle(
            canonical_url=f"https://bisnis.com/{slug}", url=f"https://bisnis.com/{slug}",
            title=title, body=body, source_id=source_id,
        )  # fmt: skip
        session.add(article)
        session.flush()
        return article.id


def test_backfill_records_historical_matches_once_and_never_alerts(
    database: Database, default_config: Config
) -> None:
    import_seeds(database, default_config.seeds_path)
    matching = add_article(database, "a", "Kim ke Rusia", "Korea Utara kirim peluru", source="bisnis")
    add_article(database, "b", "Harga cabai", "Pedagang mengeluh", source="bisnis")
    add_article(database, "c", "Korea Utara dan Rusia", None, source="bisnis")  # seen only: no body
    add_article(database, "d", "Korut dan Rusia", "isi", source="rmol")  # a source the watch skips
    query = '"Korea Utara" AND Rusia'
    watch = CompiledWatch(
        Watch(name="kr", query=query, sources=["bisnis"]), parse_query(query, default_config.aliases)
    )

    first = backfill(database, watch)
    second = backfill(database, watch)

    assert first == BackfillReport("kr", 2, 1, 2, SEED_NAMES, recorded=3, updated=0, removed=0)
    assert second == BackfillReport("kr", 2, 1, 2, SEED_NAMES, recorded=0, updated=0, removed=0)
    with database.session() as session:
        match, *seed_matches = session.scalars(select(Match).order_by(Match.id)).all()
        assert (match.article_id, match.seed_id, match.watch, match.historical, match.terms) == (
            matching, None, "kr", True, ["Rusia", "Korea Utara"],
        )  # fmt: skip
        assert match.hits[0] == {
            "term": "Rusia", "field": "title", "start": 7, "end": 12, "snippet": "Kim ke Rusia",
        }  # fmt: skip
        assert match.snippet == "Kim ke Rusia"
        seeds = {seed.id: seed.name for seed in session.scalars(select(SeedDocument))}
        assert [(seeds[m.seed_id or 0], m.article_id, m.historical) for m in seed_matches] == [
            (name, None, True) for name in SEED_NAMES
        ]
        assert session.scalars(select(AlertOutbox)).all() == []


def test_backfill_of_a_changed_watch_replaces_the_historical_matches_that_no_longer_hold(
    database: Database, default_config: Config
) -> None:
    import_seeds(database, default_config.seeds_path)
    korut = add_article(
        database, "a", "Korut dan Rusia", "Korea Utara kirim peluru ke Rusia", source="bisnis"
    )
    putin = add_article(
        database, "b", "Putin di Vladivostok", "Putin bertemu Kim dari Korea Utara di Rusia", source="bisnis"
    )
    live = add_article(database, "c", "Rusia dan Korut", "Korea Utara dan Rusia", source="bisnis")
    with database.session() as session:  # matched when it was crawled, and alerted: stays as it was
        session.add(
            Match(article_id=live, watch="kr", terms=["Rusia"], hits=[], snippet="", historical=False)
        )
    before = backfill(database, kr_watch('"Korea Utara" AND Rusia', default_config))
    assert (before.articles_matched, before.seeds_matched, before.recorded) == (3, SEED_NAMES, 4)

    after = backfill(database, kr_watch("Rusia AND NOT Putin AND NOT Jong", default_config))

    assert after == BackfillReport("kr", 3, 2, 2, (), recorded=0, updated=1, removed=3)
    with database.session() as session:
        matches = session.scalars(select(Match).order_by(Match.article_id)).all()
        assert [(m.article_id, m.seed_id, m.historical, m.terms) for m in matches] == [
            (korut, None, True, ["Rusia"]), (live, None, False, ["Rusia"]),
        ]  # fmt: skip
        assert putin not in {m.article_id for m in matches}
        assert session.scalars(select(AlertOutbox)).all() == []


def kr_watch(query: str, config: Config) -> CompiledWatch:
    return CompiledWatch(
        Watch(name="kr", query=query, sources=["bisnis"]), parse_query(query, config.aliases)
    )


def test_nothing_normalised_is_stored_so_a_changed_analyser_needs_only_a_backfill(
    database: Database, default_config: Config
) -> None:
    """Stories are stored as written and a match records the query's term as written and offsets
    into the stored text, so a change of the word data or the analyser leaves nothing stale: the
    next start matches with it, and `pantau watch backfill` rewrites the historical matches."""
    body = "Ribuan pemudik menyeberangi Selat Sunda dari Merak-nya, kata Pak Untung."
    story = add_article(database, "a", "Arus Mudik", body, source="bisnis")
    query = "penyeberangan AND Merak"
    backfill(database, CompiledWatch(Watch(name="m", query=query, sources=["bisnis"]), parse_query(query)))
    with database.session() as session:
        stored = session.get(StoredArticle, story)
        match = session.scalars(select(Match)).one()
        assert stored is not None and (stored.title, stored.body) == ("Arus Mudik", body)
        assert match.terms == ["penyeberangan", "Merak"]
        assert [(hit["term"], body[hit["start"] : hit["end"]]) for hit in match.hits] == [
            ("penyeberangan", "menyeberangi"), ("Merak", "Merak"),
        ]  # fmt: skip
