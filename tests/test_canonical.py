"""Canonical URLs: every form of one story's link maps to one key, and the mapping is idempotent."""

from __future__ import annotations

import pytest

from crawler.portals.urls import canonical_url

RMOL_STORY = "https://rmol.id/read/2022/09/06/546353"
BISNIS_STORY = "https://bisnis.com/read/20230913/1694663"

FORMS = [
    ("https://dunia.rmol.id/read/2022/09/06/546353/intelijen-as-rusia-beli-roket", RMOL_STORY),
    ("https://rmol.id/dunia/read/2022/09/06/546353/intelijen-as-rusia-beli-roket", RMOL_STORY),
    ("http://www.rmol.id/dunia/read/2022/09/06/546353/intelijen-as/?utm_source=fb", RMOL_STORY),
    ("https://rmol.id/amp/2022/09/06/546353/intelijen-as-rusia-beli-roket", RMOL_STORY),
    ("https://m.rmol.id/read/2022/09/06/546353/slug-berbeda#komentar", RMOL_STORY),
    ("https://kabar24.bisnis.com/read/20230913/19/1694663/kim-jong-un-sebut-rusia", BISNIS_STORY),
    ("https://kabar24.bisnis.com/read/20230913/19/1694663/kim-jong-un-sebut-rusia/2", BISNIS_STORY),
    ("https://kabar24.bisnis.com/read/20230913/19/1694663/kim-jong-un-sebut-rusia?page=all", BISNIS_STORY),
    ("https://m.bisnis.com/amp/read/20230913/19/1694663/kim-jong-un-sebut-rusia", BISNIS_STORY),
    ("https://www.bisnis.com/read/20230913/15/1694663/slug-lain?utm_medium=social", BISNIS_STORY),
    (
        "https://search.bisnis.com/link?url=https%3A%2F%2Fkabar24.bisnis.com%2Fread%2F20230913%2F19%2F1694663%2Fx",
        BISNIS_STORY,
    ),
    (
        "https://sulawesi.bisnis.com/read/20190402/540/9072/lama",
        "https://sulawesi.bisnis.com/read/20190402/9072",
    ),
    (
        "https://www.rmoljatim.id/gubernur-resmikan-jalan-baru/",
        "https://rmoljatim.id/gubernur-resmikan-jalan-baru",
    ),
    (
        "https://rmoljatim.id/gubernur-resmikan-jalan-baru/2",
        "https://rmoljatim.id/gubernur-resmikan-jalan-baru",
    ),
    (
        "https://rmoljatim.id/gubernur-resmikan-jalan-baru/amp",
        "https://rmoljatim.id/gubernur-resmikan-jalan-baru",
    ),
    # The regional network's old .com form keys by its id, with or without its page segment.
    (
        "https://www.rmolbanten.com/read/2018/06/27/1485/Belum-Ada-Pemenang,-Survei-LSI-Sebut",
        "https://rmolbanten.com/read/2018/06/27/1485",
    ),
    (
        "https://www.rmolsumsel.com/read/2016/01/17/43807/1/Aswari-Menunggu-Sinyal-Alex-Noerdin",
        "https://rmolsumsel.com/read/2016/01/17/43807",
    ),
    ("HTTP://WWW.Example.COM/news/a-b/?b=2&fbclid=x&a=1#top", "https://example.com/news/a-b?a=1&b=2"),
    ("https://example.com/news/a-b/amp/", "https://example.com/news/a-b"),
    ("https://example.com/news/a-b?page=all&amp=1", "https://example.com/news/a-b"),
    ("https://example.com/news/a-b?page=2", "https://example.com/news/a-b?page=2"),
    ("http://127.0.0.1:8080/read/x/", "https://127.0.0.1:8080/read/x"),
    ("https://example.com:443/x", "https://example.com/x"),
]


@pytest.mark.parametrize(("url", "expected"), FORMS)
def test_every_form_of_a_link_maps_to_its_story_key(url: str, expected: str) -> None:
    assert canonical_url(url) == expected


@pytest.mark.parametrize("url", [url for url, _ in FORMS])
def test_canonical_url_is_idempotent(url: str) -> None:
    assert canonical_url(canonical_url(url)) == canonical_url(url)


def test_different_stories_keep_different_keys() -> None:
    keys = {
        canonical_url("https://rmol.id/dunia/read/2022/09/06/546353/a"),
        canonical_url("https://rmol.id/dunia/read/2022/09/06/546354/a"),
        canonical_url("https://ekonomi.bisnis.com/read/20251115/9/1929001/a"),
        canonical_url("https://ekonomi.bisnis.com/read/20251115/9/1929002/a"),
        canonical_url("https://rmoljatim.id/gubernur-resmikan-jalan-baru"),
        canonical_url("https://rmoljabar.id/gubernur-resmikan-jalan-baru"),
    }
    assert len(keys) == 6
