"""The pipeline stages on both databases: every story counts once, by its final outcome."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest
from scrapy.exceptions import DropItem
from sqlalchemy import select

from crawler.config import Config
from crawler.crawl.pipelines import ExtractStage, MatchStage, StoreStage
from crawler.domain.story import CandidateStory
from crawler.matching import WatchSet
from crawler.store.db import Database
from crawler.store.models import AlertOutbox, CrawlRun, SeedDocument, StoredArticle
from crawler.store.seeds import import_seeds
from crawler.store.sources import source_id
from tests.conftest import FIXTURES
from tests.crawl_helpers import settle

RMOL = FIXTURES / "replay" / "rmol"
BISNIS = FIXTURES / "articles" / "bisnis"
KIM_URL = "https://kabar24.bisnis.com/read/20230913/19/1694663/kim-jong-un-sebut-rusia-bakal-menang-dalam-perang-di-ukraina"
COPY_URL = "https://ekonomi.bisnis.com/read/20230914/9/1695001/kim-jong-un-sebut-rusia-bakal-menang"
KORUT_URL = "https://rmol.id/dunia/read/2025/11/21/687402/korea-utara-kirim-ribuan-insinyur-militer"
POLITIK_URL = "https://rmol.id/politik/read/2025/11/19/687311/komisi-ii-dpr-minta-kpu"


def _run(database: Database, config: Config) -> int:
    with database.session() as session:
        run = CrawlRun(source_id=source_id(session, "rmol", config))
        session.add(run)
        session.flush()
        return run.id


def _process(story: CandidateStory, config: Config, database: Database, run_id: int) -> CandidateStory:
    watches = WatchSet.from_config(config)
    for stage in (
        ExtractStage(config, watches, workers=0),
        MatchStage(watches),
        StoreStage(config, database, run_id),
    ):
        story = settle(stage.process_item(story))
    return story


def _page(name: str) -> str:
    return (RMOL / name).read_text(encoding="utf-8")


def _counts(database: Database, run_id: int) -> tuple[int, int, int, int, int]:
    with database.session() as session:
        run = session.get_one(CrawlRun, run_id)
        return run.items_new, run.items_duplicate, run.items_unmatched, run.items_failed, run.items_matched


def test_a_matching_new_story_is_stored_whole_with_its_match_and_an_alert(
    database: Database, default_config: Config
) -> None:
    run_id = _run(database, default_config)
    story = _process(CandidateStory(KORUT_URL, "rmol", [_page("dunia-2025-korut-insinyur.html")]),
                     default_config, database, run_id)  # fmt: skip
    assert [match.watch for match in story.matches] == ["korea-utara-rusia"]
    assert _counts(database, run_id) == (1, 0, 0, 0, 1)
    with database.session() as session:
        row = session.scalars(select(StoredArticle)).one()
        assert (row.verdict, row.body is not None, row.crawl_run_id) == ("new", True, run_id)
        assert session.scalars(select(AlertOutbox.channel)).all() == ["console"]


def test_a_story_no_watch_can_match_is_stored_as_seen_without_extraction_or_dedup(
    database: Database, default_config: Config
) -> None:
    run_id = _run(database, default_config)
    page = (FIXTURES / "articles" / "rmol" / "politik-desktop-2025.html").read_text(encoding="utf-8")
    story = _process(CandidateStory(POLITIK_URL, "rmol", [page]), default_config, database, run_id)
    assert story.skipped_extraction is True
    assert _counts(database, run_id) == (0, 0, 1, 0, 0)
    with database.session() as session:
        row = session.scalars(select(StoredArticle)).one()
        assert (row.title, row.body, row.published_at is not None) == (
            "Komisi II DPR Minta KPU Segera Tuntaskan Aturan Teknis Pilkada Ulang", None, True,
        )  # fmt: skip
        assert (row.verdict, row.cluster_id, row.similarity, row.content_hash) == (
            "unchecked", None, None, None,
        )  # fmt: skip


def test_watch_words_only_in_other_stories_headlines_do_not_get_a_page_extracted(
    database: Database, default_config: Config
) -> None:
    run_id = _run(database, default_config)
    page = (FIXTURES / "articles" / "rmol" / "politik-desktop-2025.html").read_text(encoding="utf-8")
    related = "Golkar Siapkan Kader Muda untuk Pilkada 2029"
    assert related in page  # a headline of ARTIKEL LAINNYA, after the article's body
    page = page.replace(related, "Korea Utara Kirim Ribuan Insinyur Militer ke Rusia")
    story = _process(CandidateStory(POLITIK_URL, "rmol", [page]), default_config, database, run_id)
    assert (story.skipped_extraction, story.matches) == (True, [])
    assert _counts(database, run_id) == (0, 0, 1, 0, 0)


def test_a_copy_of_an_article_that_copies_a_seed_is_a_seed_story_and_never_alerted(
    database: Database, default_config: Config
) -> None:
    import_seeds(database, default_config.seeds_path)
    run_id = _run(database, default_config)
    story_all = CandidateStory(
        KIM_URL, "bisnis", [(BISNIS / "kim-jong-un-all.html").read_text(encoding="utf-8")]
    )
    page_one = CandidateStory(
        COPY_URL, "bisnis", [(BISNIS / "kim-jong-un-p1.html").read_text(encoding="utf-8")]
    )
    _process(story_all, default_config, database, run_id)
    copy = _process(page_one, default_config, database, run_id)
    assert [match.watch for match in copy.matches] == ["korea-utara-rusia"]
    assert _counts(database, run_id) == (0, 2, 0, 0, 2)
    with database.session() as session:
        seed = session.scalars(
            select(SeedDocument).where(SeedDocument.name == "004_64116d368e759003.txt")
        ).one()
        first, second = session.scalars(select(StoredArticle).order_by(StoredArticle.id)).all()
        assert (first.verdict, first.duplicate_of_seed_id, first.cluster_id) == (
            "near", seed.id, seed.cluster_id,
        )  # fmt: skip
        # page 1 alone is too little of the seed to match it, but it matches the article that copies it
        assert (second.verdict, second.duplicate_of_article_id, second.duplicate_of_seed_id) == (
            "near", first.id, None,
        )  # fmt: skip
        assert second.cluster_id == seed.cluster_id
        assert session.scalars(select(AlertOutbox)).all() == []


def test_the_same_story_reached_twice_is_one_row_and_one_duplicate(
    database: Database, default_config: Config
) -> None:
    run_id = _run(database, default_config)
    page = _page("dunia-2025-korut-insinyur.html")
    _process(CandidateStory(KORUT_URL, "rmol", [page]), default_config, database, run_id)
    amp_url = "https://rmol.id/amp/2025/11/21/687402/korea-utara-kirim-ribuan-insinyur-militer"
    _process(CandidateStory(amp_url, "rmol", [page]), default_config, database, run_id)
    assert _counts(database, run_id) == (1, 1, 0, 0, 2)
    with database.session() as session:
        assert len(session.scalars(select(StoredArticle)).all()) == 1
        assert len(session.scalars(select(AlertOutbox)).all()) == 1


def test_a_failed_story_counts_once_and_its_cause_is_listed_on_the_run(
    database: Database, default_config: Config
) -> None:
    run_id = _run(database, default_config)
    with pytest.raises(DropItem, match="HTTP 404"):
        _process(CandidateStory(KORUT_URL, "rmol", [], failure="HTTP 404"), default_config, database, run_id)
    assert _counts(database, run_id) == (0, 0, 0, 1, 0)
    with database.session() as session:
        assert session.get_one(CrawlRun, run_id).errors == [f"{KORUT_URL}: HTTP 404"]
        assert session.scalars(select(StoredArticle)).all() == []


def test_stories_stored_in_one_batch_survive_one_that_cannot_be_stored(
    database: Database, default_config: Config
) -> None:
    run_id = _run(database, default_config)
    watches = WatchSet.from_config(default_config)
    extract, match = ExtractStage(default_config, watches, workers=0), MatchStage(watches)
    page = (FIXTURES / "articles" / "rmol" / "politik-desktop-2025.html").read_text(encoding="utf-8")
    stories = []
    for number in range(3):
        url = f"https://rmol.id/politik/read/2025/11/19/{687311 + number}/komisi-ii-dpr-minta-kpu"
        extracted = settle(extract.process_item(CandidateStory(url, "rmol", [page])))
        stories.append(settle(match.process_item(extracted)))
    broken = stories[1]
    assert broken.article is not None
    broken.article = replace(broken.article, canonical_url=None)  # type: ignore[arg-type]  # NOT NULL
    store = StoreStage(default_config, database, run_id)

    async def store_together() -> list[CandidateStory | BaseException]:
        storing = (store.process_item(story) for story in stories)
        return list(await asyncio.gather(*storing, return_exceptions=True))

    outcomes = asyncio.run(store_together())
    assert isinstance(outcomes[1], DropItem) and "cannot store" in str(outcomes[1])
    assert outcomes[0] is stories[0] and outcomes[2] is stories[2]
    assert _counts(database, run_id) == (0, 0, 2, 1, 0)
    with database.session() as session:
        stored = session.scalars(select(StoredArticle.canonical_url).order_by(StoredArticle.id)).all()
        assert stored == [stories[0].article.canonical_url, stories[2].article.canonical_url]  # type: ignore[union-attr]
        [error] = session.get_one(CrawlRun, run_id).errors
        assert error.startswith(f"{broken.url}: cannot store: ")


NO_ARTICLE = [
    ("", "empty page"),
    ("   \n", "empty page"),
    ('<html lang="id"><head><title></title></head><body></body></html>', "no article text on the page"),
]


@pytest.mark.parametrize("archive", ["matched", "all"])
@pytest.mark.parametrize(("page", "cause"), NO_ARTICLE)
def test_a_page_with_no_article_is_a_failed_story_never_stored_as_seen(
    database: Database, default_config: Config, archive: str, page: str, cause: str
) -> None:
    config = default_config.model_copy(update={"archive": archive})
    run_id = _run(database, config)
    with pytest.raises(DropItem, match=cause):
        _process(CandidateStory(KORUT_URL, "rmol", [page]), config, database, run_id)
    assert _counts(database, run_id) == (0, 0, 0, 1, 0)
    with database.session() as session:
        assert session.get_one(CrawlRun, run_id).errors == [f"{KORUT_URL}: {cause}"]
        assert session.scalars(select(StoredArticle)).all() == []  # so the next run fetches it again
