"""Benchmark: 200 watches against realistic Indonesian articles, and the pre-check before extraction.

Run: `.venv/bin/python bench/bench_matching.py`. Articles are the seed corpus, the Media Indonesia
fixture and the Bisnis texts captured by two public scrapers (shared/neardup); the 200 watches are
generated from Indonesian news vocabulary with a fixed seed, so runs are comparable. The pre-check
reads the Bisnis texts in three layouts: a lean Bisnis-style page, the real rmollampung.id page of
the regional fixture and the real Media Indonesia page (no recipe), each with its menus and other
stories' headlines; it exits non-zero if the pre-check ever rejects a word of an extracted article.
"""

from __future__ import annotations

import html
import json
import random
import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from crawler.crawl.workers import read_story
from crawler.domain.article import Article
from crawler.domain.watch import Watch
from crawler.extract import PortalRecipe, extract_article, parse_html
from crawler.matching import CompiledWatch, WatchSet, parse_query
from crawler.matching.precheck import ExtractableText
from crawler.matching.text import tokens
from crawler.portals import registry
from crawler.portals.registry import GENERIC

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" if (ROOT.parent / "shared").is_dir() else Path("/work/shared")
ALIASES = {"Korea Utara": ["Korut", "DPRK"], "Joko Widodo": ["Jokowi"], "Bank Indonesia": ["BI"]}

PEOPLE = [
    "Prabowo Subianto", "Gibran Rakabuming", "Joko Widodo", "Sri Mulyani", "Purbaya Yudhi Sadewa",
    "Bahlil Lahadalia", "Erick Thohir", "Airlangga Hartarto", "Luhut Pandjaitan", "Kim Jong Un",
    "Vladimir Putin", "Donald Trump", "Xi Jinping", "Anwar Ibrahim", "Perry Warjiyo", "Mahendra Siregar",
    "Budi Gunadi Sadikin", "Dedi Mulyadi", "Pramono Anung", "Elon Musk", "Thomas Tuchel", "Sergei Shoigu",
]  # fmt: skip
ORGS = [
    "Bank Indonesia", "OJK", "Pertamina", "PLN", "Danantara", "BUMN", "KPK", "DPR", "Bursa Efek Indonesia",
    "IHSG", "Telkom", "Garuda Indonesia", "Bank Mandiri", "BRI", "BCA", "Logitech", "Apple", "Nvidia",
    "Kejaksaan Agung", "TNI", "Polri", "BPS", "Kementerian Keuangan", "Kementerian ESDM", "IMF", "Bank Dunia",
]  # fmt: skip
PLACES = [
    "Korea Utara", "Rusia", "Ukraina", "Jakarta", "Surabaya", "Papua", "Aceh", "Lampung", "Bali", "IKN",
    "China", "Amerika Serikat", "Gaza", "Israel", "Iran", "Jepang", "Singapura", "Malaysia", "Kalimantan",
]  # fmt: skip
TOPICS = [
    "inflasi", "suku bunga", "rupiah", "banjir", "gempa", "korupsi", "suap", "pemilu", "tarif", "ekspor",
    "impor", "nikel", "batu bara", "minyak sawit", "subsidi", "makan bergizi gratis", "utang", "pajak",
    "investasi", "saham", "obligasi", "kripto", "emas", "PHK", "upah minimum", "harga beras", "pangan",
    "rudal", "sanksi", "perang", "peretasan", "kebocoran data", "pembangunan", "penjualan", "dividen",
]  # fmt: skip


def phrase(words: str) -> str:
    return f'"{words}"' if " " in words else words


def last_name(person: str) -> str:
    return person.split()[-1]


TEMPLATES: list[Callable[[random.Random], str]] = [
    lambda r: phrase(r.choice(PEOPLE)),
    lambda r: f"{phrase(r.choice(PEOPLE))} AND {phrase(r.choice(TOPICS))}",
    lambda r: f"{phrase(r.choice(ORGS))} AND ({phrase(r.choice(TOPICS))} OR {phrase(r.choice(TOPICS))})",
    lambda r: f"{phrase(r.choice(PLACES))} AND {phrase(r.choice(PLACES))}",
    lambda r: f"{last_name(r.choice(PEOPLE))} NEAR/5 {phrase(r.choice(TOPICS))}",
    lambda r: f"title:{phrase(r.choice(ORGS))}",
    lambda r: f"{phrase(r.choice(TOPICS))} AND {phrase(r.choice(PLACES))} NOT {phrase(r.choice(TOPICS))}",
    lambda r: f"count({phrase(r.choice(ORGS))})>=3",
    lambda r: (
        f"lead:({last_name(r.choice(PEOPLE))} OR {phrase(r.choice(ORGS))}) AND {phrase(r.choice(TOPICS))}"
    ),
    lambda r: f"={r.choice(TOPICS).split()[0]} AND {phrase(r.choice(PLACES))}",
]


def generate_watches(count: int = 200) -> list[CompiledWatch]:
    chooser = random.Random(20260120)
    watches = []
    for number in range(count):
        query = TEMPLATES[number % len(TEMPLATES)](chooser)
        config = Watch(name=f"watch-{number:03d}", query=query)
        watches.append(CompiledWatch(config, parse_query(query, ALIASES)))
    return watches


def load_articles() -> list[Article]:
    articles = []
    for path in sorted((ROOT / "config" / "seeds").glob("*.txt")):
        articles.append(_article(path.as_uri(), "", path.read_text("utf-8")))
    expected = json.loads((SHARED / "pages" / "mediaindonesia_article_2026-01-20.expected.json").read_text())
    version = expected["V1"]
    paragraphs = [text for section in version["body"]["sections"] for text in section["paragraphs"]]
    articles.append(_article("https://mediaindonesia.com/x", version["title"], "\n\n".join(paragraphs)))
    for path in sorted((SHARED / "neardup" / "bisnis-two-scrapers").glob("*.json*")):
        text = path.read_text("utf-8")
        rows = (
            [json.loads(line) for line in text.splitlines()] if path.suffix == ".jsonl" else json.loads(text)
        )
        for row in rows:
            title = row.get("title") or row.get("judul") or ""
            body = row.get("content") or row.get("isi_artikel") or ""
            articles.append(_article(row["link"], title, body))
    return articles


def _article(url: str, title: str, body: str) -> Article:
    return Article(url=url, canonical_url=url, title=title, body=body)


def heavy_page(article: Article, template: str, template_title: str) -> str:
    """The real Media Indonesia page (menus, news ticker, related stories) around `article`."""
    start = template.rindex("<p", 0, template.index("INTERNATIONAL Golden Institute"))
    end = template.index("</p>", template.index("(E-2)</p>")) + len("</p>")
    page = template[:start] + _paragraphs(article) + template[end:]
    return page.replace(template_title, html.escape(article.title))


def regional_page(article: Article, template: str) -> str:
    """The real rmollampung.id page of the regional fixture (menus, ticker, most-read and other
    stories' headlines) around `article`: its title, description and body replace the fixture's."""
    title = "Garis Kemiskinan Lampung Naik, Beras Jadi Penyumbang Terbesar"
    description = re.search(r'<meta name="description" content="([^"]*)"', template)
    keywords = re.search(r'<meta name="keywords" content="([^"]*)"', template)
    assert description is not None and keywords is not None
    start = template.index(">", template.index('<div class="post-text mt-30 read-content">')) + 1
    end = template.index("</div>", start)
    page = template[:start] + _paragraphs(article) + template[end:]
    first_sentence = re.split(r"(?<=\.) ", article.body, maxsplit=1)[0]
    return (
        page.replace(title, html.escape(article.title))
        .replace(description.group(1), html.escape(first_sentence, quote=True))
        .replace(keywords.group(1), "")
    )


def lean_page(article: Article, others: list[Article]) -> str:
    """A Bisnis-style article page (portals.md selectors) with six other stories' headlines."""
    related = "".join(f"<li><a class='artLink'>{html.escape(other.title)}</a></li>" for other in others[1:])
    title = html.escape(article.title)
    return (
        f"<!DOCTYPE html><html lang='id'><head><meta charset='utf-8'><title>{title} - Bisnis.com</title>"
        f"<meta property='og:title' content='{title}'>"
        "<meta property='article:published_time' content='2025-11-15T10:00:00+07:00'></head><body>"
        "<header><nav><a href='/'>Home</a> <a>Ekonomi</a> <a>Market</a> <a>Finansial</a> <a>Teknologi</a>"
        f" <a>Kabar24</a></nav></header><main><h1 class='detailsTitleCaption'>{title}</h1>"
        "<div class='detailsAttributeDates'>Sabtu, 15 November 2025 | 10:00</div>"
        f"<article class='detailsContent force-17 mt40'>{_paragraphs(article)}"
        f"<div class='baca-juga-box'>Baca Juga: <a>{html.escape(others[0].title)}</a></div></article>"
        f"<h2>Berita Lainnya</h2><ul>{related}</ul></main>"
        "<footer>Copyright © 2025 Bisnis.com. All rights reserved.</footer></body></html>"
    )


def _paragraphs(article: Article) -> str:
    sentences = re.split(r"\n\s*\n|(?<=\.) (?=[A-Z])", article.body)
    return "".join(f"<p>{html.escape(sentence)}</p>" for sentence in sentences)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main() -> None:
    watches = generate_watches()
    watch_set = WatchSet(watches)
    articles = load_articles()
    print(
        f"{len(watches)} watches, {len(articles)} articles "
        f"(median {statistics.median(len(a.body) for a in articles):.0f} characters of body)"
    )

    def timed_pass() -> list[float]:
        times = []
        for article in articles:
            started = time.perf_counter()
            watch_set.match(article, "bisnis")
            times.append((time.perf_counter() - started) * 1000)
        return times

    cold = timed_pass()  # the first pass stems every new word with Sastrawi
    warm = [value for _ in range(5) for value in timed_pass()]
    matched = [article for article in articles if watch_set.match(article, "bisnis")]
    for label, times in (("cold", cold), ("warm", warm)):
        print(
            f"match, {label} stem cache: median {statistics.median(times):.2f} ms, "
            f"p95 {percentile(times, 0.95):.2f} ms"
        )
    print(f"articles matching at least one watch: {len(matched)} of {len(articles)}")

    template = (SHARED / "pages" / "mediaindonesia_article_2026-01-20.html").read_text("utf-8")
    template_title = json.loads(
        (SHARED / "pages" / "mediaindonesia_article_2026-01-20.expected.json").read_text()
    )["V1"]["title"]
    regional = (
        ROOT / "tests" / "fixtures" / "articles" / "rmol_regional" / "lampung-garis-kemiskinan.html"
    ).read_text("utf-8")
    crawled = articles[3:]  # the Bisnis captures: what a crawl of candidate pages would fetch
    chooser = random.Random(7)
    mixes = {
        "lean Bisnis-style pages": (
            "https://kabar24.bisnis.com/read/20251115/19/{n}/berita",
            registry.family("bisnis").recipe,
            [lean_page(article, chooser.sample(crawled, 6)) for article in crawled],
        ),
        "rmollampung.id pages (real menus, ticker, other headlines)": (
            "https://www.rmollampung.id/berita-{n}",
            registry.family("rmol_regional").recipe,
            [regional_page(article, regional) for article in crawled],
        ),
        "Media Indonesia pages (full menus and ticker; no recipe: trafilatura)": (
            "https://mediaindonesia.com/politik-dan-hukum/{n}/berita",
            GENERIC,
            [heavy_page(article, template, template_title) for article in crawled],
        ),
    }
    for label, (url, recipe, pages) in mixes.items():
        stories = [(url.format(n=1000 + number), page) for number, page in enumerate(pages)]
        words = prove_no_false_negative(label, stories, recipe)
        for some in (watch_set, WatchSet(watches[:20])):
            report_pre_check(f"{label}, {len(some)} watches", some, stories, recipe, words)


def prove_no_false_negative(label: str, stories: list[tuple[str, str]], recipe: PortalRecipe) -> int:
    """Every distinct word of every extracted article, exact and by root, passes the pre-check."""
    checked = 0
    for url, page in stories:
        tree = parse_html(page, url)
        article = extract_article([page], url, recipe, trees=[tree])
        text = ExtractableText.of_pages([tree], recipe)
        forms = {
            token.form for field in (article.title, article.lead, article.body) for token in tokens(field)
        }
        for form in forms:
            for query in (parse_query(f"={form}"), parse_query(form)):
                checked += 1
                if not text.allows(query.requirement):
                    sys.exit(f"{label}: pre-check rejects {query.text!r} on {url}")
    return checked


def report_pre_check(
    label: str, watch_set: WatchSet, stories: list[tuple[str, str]], recipe: PortalRecipe, words: int
) -> None:
    """Read a mix where 10% of the stories match, with and without the pre-check: what it skips and saves."""
    matching, other = [], []
    for url, page in stories:
        article = extract_article([page], url, recipe)
        (matching if watch_set.match(article, "bench") else other).append((url, page))
    share = min(len(matching), len(other) // 9)
    mix = matching[:share] + other[: share * 9]
    with_check, without, check_ms, skipped, set_aside = 0.0, 0.0, [], 0, 0
    for url, page in mix:
        started = time.perf_counter()
        read_story([page], url, recipe, None)
        without += time.perf_counter() - started
        started = time.perf_counter()
        could = watch_set.could_match([parse_html(page, url)], recipe)
        check_ms.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        _, headline_only = read_story([page], url, recipe, watch_set)
        with_check += time.perf_counter() - started
        if headline_only and could:
            sys.exit(f"{label}: read_story skipped a page could_match lets through: {url}")
        set_aside += could == headline_only  # not skipped though it could be: the check was set aside
        if headline_only and (url, page) in matching:
            sys.exit(f"{label}: a matching story was not extracted: {url}")
        skipped += headline_only
    print(
        f"{label}: {len(mix)} pages (median {statistics.median(len(p) for _, p in mix) / 1000:.0f} kB), "
        f"{share} matching; pre-check skipped {skipped} ({set_aside} more it could have skipped read in full "
        f"while it was set aside), 0 false negatives ({words} words checked)"
    )
    print(
        f"  pre-check (parse + check) median {statistics.median(check_ms):.2f} ms/page; reading all "
        f"pages {1000 * without:.0f} ms without it, {1000 * with_check:.0f} ms with it "
        f"(saved {100 * (without - with_check) / without:.0f}%)"
    )


if __name__ == "__main__":
    main()
