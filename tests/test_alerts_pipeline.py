"""Alerts from the crawl pipeline on both databases: outlets carrying one story make one alert per channel
and at most one follow-up, delivered to a real webhook receiver and a real SMTP server."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import select

from crawler.alerts import DeliveryReport, Dispatcher
from crawler.config import Config
from crawler.crawl.pipelines import ExtractStage, MatchStage, StoreStage
from crawler.domain.story import CandidateStory
from crawler.matching import WatchSet
from crawler.store.db import Database
from crawler.store.models import AlertOutbox, CrawlRun, StoredArticle
from crawler.store.sources import source_id
from tests.conftest import FIXTURES
from tests.crawl_helpers import settle

if TYPE_CHECKING:
    from tests.conftest_alerts import ConfigFactory, HttpReceiver, SmtpServer

pytest_plugins = ["tests.conftest_alerts"]

ORIGINAL_PAGE = FIXTURES / "replay" / "rmol" / "dunia-2025-korut-insinyur.html"
REGIONAL_PAGE = FIXTURES / "articles" / "rmol_regional" / "jatim-swasembada-garam.html"
ORIGINAL_URL = "https://rmol.id/dunia/read/2025/11/21/687402/korea-utara-kirim-ribuan-insinyur-militer"
TITLE = "Korea Utara Kirim Ribuan Insinyur Militer ke Rusia untuk Bangun Kembali Kursk"
SLUG = "korea-utara-kirim-ribuan-insinyur-militer-ke-rusia-untuk-bangun-kembali-kursk"
JATIM_URL = f"https://www.rmoljatim.id/{SLUG}"
LAMPUNG_URL = f"https://www.rmollampung.id/{SLUG}"


def _original_paragraphs() -> list[str]:
    """The RMOL story's paragraphs, without its logo image and its Google News footer."""
    content = ORIGINAL_PAGE.read_text(encoding="utf-8").split('<div class="detail-content">')[1]
    content = content.split('<p class="google-news">')[0]
    return re.findall(r"<p>(?:<img[^>]*> )?(.*?)</p>", content)


def _regional_copy(outlet: str, drop_last_paragraph: bool = False) -> str:
    """An RMOL regional site republishing the RMOL story: the real regional page layout around the
    story's paragraphs (perhaps one fewer), its own date line and the network's attribution line."""
    paragraphs = _original_paragraphs()[: -1 if drop_last_paragraph else None]
    attribution = f'Artikel ini telah tayang di RMOL.ID dengan judul "{TITLE}", {ORIGINAL_URL}'
    body = "".join(f"<p>{paragraph}</p>\n" for paragraph in [*paragraphs, f"<em>{attribution}</em>"])
    page = REGIONAL_PAGE.read_text(encoding="utf-8")
    before, rest = page.split('<div class="post-text mt-30 read-content">')
    page = f'{before}<div class="post-text mt-30 read-content">\n{body}</div>{rest.split("</div>", 1)[1]}'
    page = re.sub(r'(<meta name="description" content=")[^"]*', rf"\g<1>{paragraphs[0]}", page)
    page = page.replace("Rabu, 8 Oktober 2025 | 19:40 WIB", "Jumat, 21 November 2025 | 10:05 WIB")
    page = page.replace("Pemerintah Targetkan Swasembada Garam Tahun 2027", TITLE)
    page = page.replace("pemerintah-targetkan-swasembada-garam-tahun-2027", SLUG)
    return page.replace("rmoljatim.id", outlet).replace("RMOLJATIM", outlet.removesuffix(".id").upper())


class Crawl:
    """The pipeline stages of one crawl run, as Scrapy would call them for each story."""

    def __init__(self, config: Config, database: Database) -> None:
        with database.session() as session:
            run = CrawlRun(source_id=source_id(session, "rmol", config))
            session.add(run)
            session.flush()
            run_id = run.id
        watches = WatchSet.from_config(config)
        self._stages: list[Any] = [
            ExtractStage(config, watches, workers=0),
            MatchStage(watches),
            StoreStage(config, database, run_id),
        ]

    def story(self, url: str, source: str, page: str) -> None:
        story = CandidateStory(url, source, [page])
        for stage in self._stages:
            story = settle(stage.process_item(story))
        assert [match.watch for match in story.matches] == ["korea-utara-rusia"], url


@pytest.fixture
def config(make_config: ConfigFactory, http_receiver: HttpReceiver, smtp_server: SmtpServer) -> Config:
    smtp_server.start()
    channels = {
        "hook": {"type": "webhook", "url": http_receiver.url, "secret": "rahasia"},
        "mail": smtp_server.channel(),
    }
    return make_config(channels, language="en")


def _story_clusters(database: Database) -> dict[str, int | None]:
    with database.session() as session:
        rows = session.execute(select(StoredArticle.url, StoredArticle.cluster_id)).all()
        return {url: cluster_id for url, cluster_id in rows}


def _outbox(database: Database) -> list[tuple[str, str, str]]:
    with database.session() as session:
        rows = session.scalars(select(AlertOutbox).order_by(AlertOutbox.channel, AlertOutbox.id))
        return [(row.channel, row.kind, row.status) for row in rows]


def test_copies_published_after_the_alert_bring_exactly_one_follow_up_per_channel_naming_them_all(
    database: Database, config: Config, http_receiver: HttpReceiver, smtp_server: SmtpServer
) -> None:
    crawl, dispatcher = Crawl(config, database), Dispatcher(database, config)
    crawl.story(ORIGINAL_URL, "rmol", ORIGINAL_PAGE.read_text(encoding="utf-8"))
    assert dispatcher.deliver_due() == DeliveryReport(sent=2, messages=2)

    crawl.story(JATIM_URL, "rmol_regional", _regional_copy("rmoljatim.id"))
    crawl.story(LAMPUNG_URL, "rmol_regional", _regional_copy("rmollampung.id", drop_last_paragraph=True))
    clusters = _story_clusters(database)
    assert clusters[JATIM_URL] == clusters[LAMPUNG_URL] == clusters[ORIGINAL_URL] is not None
    assert dispatcher.deliver_due() == DeliveryReport(sent=2, messages=2)
    assert dispatcher.deliver_due() == DeliveryReport()

    assert _outbox(database) == [
        ("hook", "alert", "sent"),
        ("hook", "follow_up", "sent"),
        ("mail", "alert", "sent"),
        ("mail", "follow_up", "sent"),
    ]
    alert, follow_up = (request.json() for request in http_receiver.requests)
    assert (alert["kind"], alert["article"]["url"], alert["cluster"]["other_outlets"]) == (
        "alert",
        ORIGINAL_URL,
        [],
    )
    assert follow_up["kind"] == "follow_up"
    assert follow_up["cluster"]["new_outlets"] == [
        {"outlet": "rmoljatim.id", "url": JATIM_URL},
        {"outlet": "rmollampung.id", "url": LAMPUNG_URL},
    ]
    assert [email["Subject"] for email in smtp_server.messages] == [
        f"[Pantau] korea-utara-rusia: {TITLE}",
        f"[Pantau] korea-utara-rusia: also carried by 2 more outlets: {TITLE}",
    ]


def test_copies_published_before_delivery_are_named_in_the_one_alert_and_bring_no_follow_up(
    database: Database, config: Config, http_receiver: HttpReceiver, smtp_server: SmtpServer
) -> None:
    crawl, dispatcher = Crawl(config, database), Dispatcher(database, config)
    crawl.story(ORIGINAL_URL, "rmol", ORIGINAL_PAGE.read_text(encoding="utf-8"))
    crawl.story(JATIM_URL, "rmol_regional", _regional_copy("rmoljatim.id", drop_last_paragraph=True))

    assert dispatcher.deliver_due() == DeliveryReport(sent=2, dropped=2, messages=2)
    assert dispatcher.deliver_due() == DeliveryReport()

    assert _outbox(database) == [("hook", "alert", "sent"), ("mail", "alert", "sent")]
    (alert,) = (request.json() for request in http_receiver.requests)
    assert alert["cluster"]["other_outlets"] == [{"outlet": "rmoljatim.id", "url": JATIM_URL}]
    (email,) = smtp_server.messages
    text = email.get_body(("plain",))
    assert text is not None
    assert text.get_content().endswith(f"\n\nAlso carried by 1 other outlet:\n- rmoljatim.id: {JATIM_URL}\n")
