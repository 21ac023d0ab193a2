"""Alert messages from Jinja2 templates: shipped in Bahasa Indonesia and English, overridable by file name."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from crawler.alerts import AlertRenderer
from crawler.alerts.rendering import QueuedAlert
from crawler.domain.errors import AlertError

TITLE = "Kim Jong Un Sebut Rusia Bakal Menang dalam Perang di Ukraina"
URL = "https://kabar24.bisnis.com/read/20230913/19/1694663/kim-jong-un-sebut-rusia-bakal-menang"


def _alert(
    kind: str = "alert", delivery: str = "immediate", title: str = TITLE, **cluster: Any
) -> QueuedAlert:
    payload = {
        "idempotency_key": f"key-{kind}-{title[:3]}",
        "kind": kind,
        "watch": "korea-utara-rusia",
        "delivery": delivery,
        "article": {
            "id": 7,
            "url": URL,
            "title": title,
            "source": "bisnis",
            "outlet": "kabar24.bisnis.com",
            "published_at": "2023-09-13T03:05:00+00:00",
            "lead": "",
        },
        "match": {
            "id": 9,
            "terms": ["Korea Utara", "Rusia"],
            "snippet": "Kim Jong Un menyebut Rusia…",
            "hits": [],
        },
        "cluster": {"id": 3, "other_outlets": [], **cluster},
    }
    return QueuedAlert(f"korea-utara-rusia:cluster-3:mail:{kind}:{title[:3]}", kind, payload)


def test_english_alert_text_names_watch_title_outlet_time_terms_and_snippet() -> None:
    message = AlertRenderer("en").render([_alert()])
    assert message.subject == f"[Pantau] korea-utara-rusia: {TITLE}"
    assert message.text == (
        'New story for watch "korea-utara-rusia"\n\n'
        f"{TITLE}\nkabar24.bisnis.com · 2023-09-13 10:05 WIB\n\n{URL}\n\n"
        "Terms: Korea Utara, Rusia\n"
        '"Kim Jong Un menyebut Rusia…"\n'
    )
    assert message.payload["idempotency_key"] == message.idempotency_key == "key-alert-Kim"


def test_html_part_escapes_article_text() -> None:
    message = AlertRenderer("id").render([_alert(title="Rusia <b>menang</b> & Korut")])
    assert "Rusia &lt;b&gt;menang&lt;/b&gt; &amp; Korut</a></h2>" in message.html
    assert message.subject == "[Pantau] korea-utara-rusia: Rusia <b>menang</b> & Korut"


JOINED = [
    {"outlet": "rmoljatim.id", "url": "https://rmoljatim.id/kim-jong-un-sebut-rusia-bakal-menang"},
    {"outlet": "rmollampung.id", "url": "https://rmollampung.id/kim-jong-un-sebut-rusia-bakal-menang"},
]


@pytest.mark.parametrize(
    ("language", "joined", "phrase"),
    [
        ("en", 1, "also carried by 1 more outlet"),
        ("en", 2, "also carried by 2 more outlets"),
        ("id", 1, "juga dimuat oleh satu media lain"),
        ("id", 2, "juga dimuat oleh 2 media lain"),
    ],
)
def test_follow_up_counts_and_lists_the_outlets_new_since_the_alert(
    language: str, joined: int, phrase: str
) -> None:
    new_outlets = JOINED[:joined]
    message = AlertRenderer(language).render([_alert("follow_up", new_outlets=new_outlets)])
    listed = "".join(f"- {copy['outlet']}: {copy['url']}\n" for copy in new_outlets)
    assert message.subject == f"[Pantau] korea-utara-rusia: {phrase}: {TITLE}"
    assert message.text.endswith(f" {phrase}:\n\n{TITLE}\n{listed}")
    assert f" {phrase}:</p>" in message.html


def test_english_follow_up_text_in_full() -> None:
    message = AlertRenderer("en").render([_alert("follow_up", new_outlets=JOINED)])
    assert message.text == (
        'A story already alerted for watch "korea-utara-rusia" is now also carried by 2 more outlets:\n\n'
        f"{TITLE}\n"
        "- rmoljatim.id: https://rmoljatim.id/kim-jong-un-sebut-rusia-bakal-menang\n"
        "- rmollampung.id: https://rmollampung.id/kim-jong-un-sebut-rusia-bakal-menang\n"
    )


@pytest.mark.parametrize(
    ("language", "others", "line"),
    [
        ("en", 1, "Also carried by 1 other outlet:"),
        ("en", 2, "Also carried by 2 other outlets:"),
        ("id", 1, "Juga dimuat oleh satu media lain:"),
        ("id", 2, "Juga dimuat oleh 2 media lain:"),
    ],
)
def test_alert_names_the_other_outlets_in_singular_or_plural(language: str, others: int, line: str) -> None:
    message = AlertRenderer(language).render([_alert(other_outlets=JOINED[:others])])
    listed = "".join(f"- {copy['outlet']}: {copy['url']}\n" for copy in JOINED[:others])
    assert message.text.endswith(f'"\n\n{line}\n{listed}')
    assert f"<p>{line}</p>" in message.html


@pytest.mark.parametrize(
    ("language", "subject"),
    [
        ("en", '[Pantau] Hourly digest "korea-utara-rusia": 1 story'),
        ("id", '[Pantau] Ringkasan per jam "korea-utara-rusia": satu berita'),
    ],
)
def test_a_digest_of_one_story_says_so_in_the_singular(language: str, subject: str) -> None:
    assert AlertRenderer(language).render([_alert(delivery="hourly")]).subject == subject


@pytest.mark.parametrize(
    ("language", "delivery", "subject"),
    [
        ("id", "hourly", '[Pantau] Ringkasan per jam "korea-utara-rusia": 2 berita'),
        ("id", "daily", '[Pantau] Ringkasan harian "korea-utara-rusia": 2 berita'),
        ("en", "daily", '[Pantau] Daily digest "korea-utara-rusia": 2 stories'),
    ],
)
def test_digest_is_one_message_listing_every_alert(language: str, delivery: str, subject: str) -> None:
    alerts = [_alert(delivery=delivery), _alert(delivery=delivery, title="Rusia dan Korea Utara Teken Pakta")]
    message = AlertRenderer(language).render(alerts)
    assert message.kind == "digest"
    assert message.subject == subject
    assert [alert["article"]["title"] for alert in message.payload["alerts"]] == [
        TITLE,
        "Rusia dan Korea Utara Teken Pakta",
    ]
    assert f"1. {TITLE}\n" in message.text
    assert "2. Rusia dan Korea Utara Teken Pakta\n" in message.text


def test_digest_key_depends_on_its_alerts_not_their_order() -> None:
    first, second = _alert(delivery="daily"), _alert(delivery="daily", title="Lain")
    renderer = AlertRenderer("id")
    assert (
        renderer.render([first, second]).idempotency_key == renderer.render([second, first]).idempotency_key
    )
    assert renderer.render([first]).idempotency_key != renderer.render([first, second]).idempotency_key


def test_a_template_in_the_configured_folder_replaces_the_shipped_one(tmp_path: Path) -> None:
    (tmp_path / "alert_subject.txt").write_text("Perhatian: {{ alert.article.title | upper }}\n")
    message = AlertRenderer("id", tmp_path).render([_alert()])
    assert message.subject == f"Perhatian: {TITLE.upper()}"
    assert message.text.startswith('Berita baru untuk pantauan "korea-utara-rusia"\n')


def test_a_broken_override_template_is_one_clear_alert_error(tmp_path: Path) -> None:
    (tmp_path / "alert.txt").write_text("{{ alert.article.missing_field }}")
    with pytest.raises(AlertError) as raised:
        AlertRenderer("en", tmp_path).render([_alert()])
    assert (
        str(raised.value)
        == "alert template for alert cannot be rendered: 'dict object' has no attribute 'missing_field'"
    )


def test_the_time_is_shown_in_the_zone_the_portal_gave_it_in() -> None:
    papua = _alert()
    papua.payload["article"]["published_at"] = "2025-11-10T10:05:00+09:00"
    message = AlertRenderer("id").render([papua])
    assert "kabar24.bisnis.com · 2025-11-10 10:05 WIT" in message.text


def test_a_story_that_gave_only_its_day_is_shown_without_a_time() -> None:
    day_only = _alert()
    day_only.payload["article"]["published_at"] = "2025-07-24"
    message = AlertRenderer("id").render([day_only])
    assert "kabar24.bisnis.com · 2025-07-24\n" in message.text
    assert "00:00" not in message.text and "00:00" not in message.html
