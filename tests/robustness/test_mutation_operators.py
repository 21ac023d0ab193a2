"""The mutation operators do what their names say and keep the truth; the judge applies its rules."""

from __future__ import annotations

import json
import random
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from lxml import html

from tests.robustness.mutations import markup, metadata
from tests.robustness.mutations.cases import Case, load_cases
from tests.robustness.mutations.dates import find_date_lines, moments_mentioned
from tests.robustness.mutations.harness import is_knowable, plain_trafilatura
from tests.robustness.mutations.judge import judge
from tests.robustness.mutations.landmarks import (
    find_body,
    find_bylines,
    find_headline,
    smallest_containing,
    visible_text,
)
from tests.robustness.mutations.mutants import apply_operator, make_mutant, parse, serialize
from tests.robustness.mutations.operators import OPERATORS

PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>Judul Berita Uji - Situs</title>
<meta name="viewport" content="width=device-width"><meta name="author" content="Sarah Gunawan">
<meta property="article:published_time" content="2022-09-06T11:24:00+07:00">
<meta property="og:title" content="Judul Berita Uji">
<script type="application/ld+json">{"@context": "https://schema.org", "@graph": [{"@type": "NewsArticle",
"headline": "Judul Berita Uji", "datePublished": "2022-09-06T11:24:00+07:00",
"author": {"@type": "Person", "name": "Sarah Gunawan"}}, {"@type": "WebSite", "name": "Situs"}]}</script>
</head><body><div class="top bar">Senin, 05 Desember 2026</div>
<div id="main" class="main col"><h1 class="title">Judul Berita Uji</h1>
<div class="meta"><span class="author">LAPORAN: <a href="/about/sarah">SARAH GUNAWAN</a></span>
<span class="date">&bull; Selasa, 06 September 2022, 11:24 ZONE</span></div>
<div class="content"><p>Paragraf pertama berita ini cukup panjang untuk dikenali,
kata Sarah Gunawan pada 06/09/2022.</p>
<p>Paragraf kedua berita ini juga cukup panjang untuk dikenali oleh harness.</p></div>
<aside class="side"><ul><li><a href="/x">Berita lain</a>
<span>Senin, 05 September 2022 | 10:00</span></li></ul></aside></div></body></html>"""
ZERO = timedelta(0)
BODY = (
    "Paragraf pertama berita ini cukup panjang untuk dikenali, kata Sarah Gunawan pada 06/09/2022.\n\n"
    "Paragraf kedua berita ini juga cukup panjang untuk dikenali oleh harness."
)


def _case(zone: str = "WIB", published_at: str = "2022-09-06T11:24:00+07:00", **expected: Any) -> Case:
    truth = {
        "title": "Judul Berita Uji",
        "authors": ["Sarah Gunawan"],
        "published_at": published_at,
        "section": "Dunia",
        "body": BODY,
    }
    page = PAGE.replace("ZONE", zone).encode()
    return Case(
        "test", "synthetic", "https://rmol.id/dunia/read/2022/09/06/1/judul", (page,), truth | expected
    )


def _apply(operator: Any, case: Case, seed: int = 1) -> html.HtmlElement:
    root = parse(case.pages[0])
    assert operator(root, case, random.Random(seed)) is True
    return parse(serialize(root))


def _classes_and_ids(root: html.HtmlElement) -> list[str]:
    return [
        name
        for element in root.iter()
        for name in [*(element.get("class") or "").split(), element.get("id")]
        if name
    ]


def test_renaming_every_class_and_id_leaves_no_old_name_and_renames_alike_on_every_page() -> None:
    case = _case()
    roots = [parse(case.pages[0]), parse(case.pages[0])]
    before = _classes_and_ids(roots[0])
    assert markup.rename_all_classes(roots[0], case, random.Random(5))
    assert markup.rename_all_classes(roots[1], case, random.Random(5))
    after = _classes_and_ids(roots[0])
    assert (len(after), set(after) & set(before), after) == (len(before), set(), _classes_and_ids(roots[1]))
    assert visible_text(roots[0]) == visible_text(parse(case.pages[0]))


def test_renaming_some_classes_keeps_some_old_names() -> None:
    case = next(case for case in load_cases("rmol_regional") if case.name == "rmollampung_garis_kemiskinan")
    before = set(_classes_and_ids(parse(case.pages[0])))
    after = set(_classes_and_ids(_apply(markup.rename_some_classes, case)))
    assert before & after and after - before


def _landmark_depths(root: html.HtmlElement, case: Case) -> dict[str, int]:
    landmarks = {
        "headline": find_headline(root, case.title),
        "byline": smallest_containing(root, "LAPORAN: SARAH GUNAWAN")[0],
        "body": find_body(root, case.body),
    }
    return {name: len(list(element.iterancestors())) for name, element in landmarks.items()}


def test_wrappers_only_add_wrapping_elements_and_each_landmark_gets_some() -> None:
    case = _case()
    original = parse(case.pages[0])
    deepened = set()
    for seed in range(20):
        mutated = _apply(markup.wrap_blocks, case, seed)
        added = [element for element in mutated.iter() if (element.get("class") or "").startswith("w")]
        assert added and len(list(mutated.iter())) == len(list(original.iter())) + len(added)
        assert visible_text(mutated) == visible_text(original)
        before, after = _landmark_depths(original, case), _landmark_depths(mutated, case)
        deepened |= {name for name in before if after[name] > before[name]}
    assert deepened == {"headline", "byline", "body"}


@pytest.mark.parametrize(
    ("setup", "operator", "where"),
    [
        (markup.byline_below_headline, markup.byline_above_headline, "before"),
        (markup.byline_above_headline, markup.byline_below_headline, "after"),
    ],
)
def test_the_byline_block_moves_next_to_the_headline(setup: Any, operator: Any, where: str) -> None:
    case = _case()
    root = parse(case.pages[0])
    setup(root, case, random.Random(0))
    mutated = _apply(operator, Case(**{**case.__dict__, "pages": (serialize(root),)}))
    headline = find_headline(mutated, case.title)
    assert headline is not None
    neighbour = headline.getprevious() if where == "before" else headline.getnext()
    assert visible_text(neighbour).startswith("LAPORAN: SARAH GUNAWAN • Selasa, 06 September 2022, 11:24")


def test_the_byline_block_moves_into_a_sidebar() -> None:
    mutated = _apply(markup.byline_in_sidebar, _case())
    aside = mutated.find(".//aside")
    assert "LAPORAN: SARAH GUNAWAN" in visible_text(aside)
    assert "LAPORAN" not in visible_text(mutated.find(".//div[@id='main']")).replace(visible_text(aside), "")


def _stated_moments(root: html.HtmlElement, day: str) -> set[tuple[tuple[int, int] | None, str | None]]:
    """What the date line under the headline states about `day`."""
    date_line = visible_text(root.find(".//div[@class='meta']"))
    return {
        (mention.hour_minute, mention.zone)
        for mention in find_date_lines(date_line)
        if mention.day.isoformat() == day
    }


def test_the_date_swap_keeps_the_instant_and_zone_and_varies_the_form() -> None:
    case = _case()
    lines = set()
    for seed in range(40):
        mutated = _apply(markup.swap_date_format, case, seed)
        date_line = visible_text(mutated.find(".//div[@class='meta']")).split("• ")[1]
        lines.add(date_line)
        assert _stated_moments(mutated, "2022-09-06") - {((11, 24), "WIB"), ((11, 24), None)} == set()
        assert "dikenali, kata Sarah Gunawan pada 06/09/2022." in visible_text(mutated)
        assert "Senin, 05 September 2022 | 10:00" in visible_text(mutated)
    assert len(lines) >= 6 and "Selasa, 06 September 2022, 11:24 WIB" not in lines


def test_the_date_swap_on_a_wita_page_always_names_the_zone() -> None:
    case = _case(zone="WITA", published_at="2022-09-06T11:24:00+08:00")
    for seed in range(40):
        assert _stated_moments(_apply(markup.swap_date_format, case, seed), "2022-09-06") == {
            ((11, 24), "WITA")
        }


def test_the_date_swap_keeps_a_date_only_page_date_only() -> None:
    case = _case(published_at="2022-09-06")
    page = case.pages[0].replace(b", 11:24 WIB", b"")
    case = Case(**{**case.__dict__, "pages": (page,)})
    for seed in range(10):
        assert _stated_moments(_apply(markup.swap_date_format, case, seed), "2022-09-06") == {(None, None)}


MARKUP_GROUPS = {"rename", "wrap", "byline", "breadcrumb", "menu", "date"}


def _visible_facts(case: Case, pages: tuple[bytes, ...]) -> set[str]:
    """Which stated names and times a reader sees on the pages (metadata left out)."""
    text = " ".join(visible_text(parse(page)) for page in pages)
    facts = {f"name:{name}" for name in (*case.people,) if name.casefold() in text.casefold()}
    stated = case.published_at
    if stated is not None and len(stated) > 10:
        moment = datetime.fromisoformat(stated)
        if (moment.date(), (moment.hour, moment.minute)) in moments_mentioned(
            text, moment.utcoffset() or ZERO
        ):
            facts.add(f"time:{stated}")
    elif stated is not None and (date.fromisoformat(stated), None) in moments_mentioned(text, ZERO):
        facts.add(f"day:{stated}")
    return facts


def test_markup_operators_keep_every_visible_name_and_time_on_every_fixture() -> None:
    swapped = checked = 0
    for case in load_cases():
        before = _visible_facts(case, case.pages)
        checked += len(before)
        for operator in OPERATORS:
            if operator.group not in MARKUP_GROUPS:
                continue
            roots = [parse(page) for page in case.pages]
            changed = apply_operator(operator, roots, case, 11)
            swapped += changed and operator.name == "swap_date_format"
            lost = before - _visible_facts(case, tuple(serialize(root) for root in roots))
            assert (case.name, operator.name, lost) == (case.name, operator.name, set())
    assert (swapped >= 40, checked >= 100) == (True, True)


def test_the_breadcrumb_ends_at_the_section_in_capitals_or_not_at_all() -> None:
    endings = set()
    for seed in range(20):
        crumbs = _apply(markup.breadcrumb_near_headline, _case(), seed).find_class("crumbs")[0]
        endings.add(visible_text(crumbs).split()[-1])
    assert endings <= {"DUNIA", "Dunia"} and "DUNIA" in endings
    root = parse(_case(section=None).pages[0])
    assert markup.breadcrumb_near_headline(root, _case(section=None), random.Random(1)) is False


def test_the_menu_puts_five_to_eight_kanal_links_next_to_the_headline() -> None:
    mutated = _apply(markup.menu_near_headline, _case(), 4)
    menu = mutated.find(".//nav")
    headline = find_headline(mutated, "Judul Berita Uji")
    assert headline is not None
    kanals = [link.text for link in menu.iter("a") if link.get("href") != "/"]
    assert 5 <= len(kanals) <= 8 and menu in (headline.getprevious(), headline.getnext())


def _meta_keys(root: html.HtmlElement) -> list[str]:
    return [meta.get("name") or meta.get("property") or "charset" for meta in root.iter("meta")]


def test_dropping_meta_removes_what_it_says_and_keeps_the_charset() -> None:
    assert _meta_keys(_apply(metadata.drop_author_date_meta, _case())) == ["charset", "viewport", "og:title"]
    assert _meta_keys(_apply(metadata.drop_all_meta, _case())) == ["charset"]


def _meta_authors(root: html.HtmlElement) -> list[str]:
    return [meta.get("content") for meta in root.iter("meta") if meta.get("name") == "author"]


def test_the_organisation_replaces_the_meta_author_or_is_added() -> None:
    replaced = _meta_authors(_apply(metadata.organisation_meta_author, _case()))
    root = parse(_case().pages[0].replace(b'<meta name="author" content="Sarah Gunawan">', b""))
    assert metadata.organisation_meta_author(root, _case(), random.Random(2))
    added = _meta_authors(root)
    assert len(replaced) == len(added) == 1 and {*replaced, *added} <= set(metadata.ORGANISATIONS)


def _graph(root: html.HtmlElement) -> list[dict[str, Any]]:
    graph: list[dict[str, Any]] = json.loads(root.find(".//script[@type='application/ld+json']").text)[
        "@graph"
    ]
    return graph


def test_jsonld_operators_retype_the_article_give_it_an_organisation_or_drop_it() -> None:
    retyped = _graph(_apply(metadata.retype_jsonld, _case()))
    assert {node["@type"] for node in retyped} in ({"WebPage", "WebSite"}, {"Organization", "WebSite"})
    assert (
        _graph(_apply(metadata.organisation_jsonld_author, _case()))[0]["author"]["@type"] == "Organization"
    )
    assert _apply(metadata.drop_jsonld, _case()).find(".//script") is None


def test_bylines_are_not_taken_from_story_text_or_photo_credits() -> None:
    blocks = {
        case.name: [
            visible_text(block)
            for block in find_bylines(parse(case.pages[0]), case.people, case.title, case.body)
        ]
        for case in load_cases("generic")
        if case.name in ("suara_jsonld_only", "antara_wire_pewarta_below")
    }
    assert blocks == {
        "antara_wire_pewarta_below": [
            "Pewarta: Dian Hadiyatna Editor: Budisantoso Budiman COPYRIGHT © ANTARA 2025"
        ],
        "suara_jsonld_only": [],
    }


def test_a_mutant_is_reproducible_from_its_seed_and_differs_from_the_page() -> None:
    case = load_cases("bisnis")[0]
    first, again = make_mutant(case, "15:x:1"), make_mutant(case, "15:x:1")
    assert first is not None and again is not None
    assert (first.operators, first.pages) == (again.operators, again.pages)
    assert first.pages != tuple(serialize(parse(page)) for page in case.pages)


def test_evidence_removed_by_a_mutation_makes_the_field_unknowable() -> None:
    case = next(case for case in load_cases("generic") if case.name == "suara_jsonld_only")
    mutated = _apply(metadata.drop_jsonld, case)
    assert is_knowable(case, "published_at", case.pages) is True
    assert is_knowable(case, "published_at", (serialize(mutated),)) is False


@pytest.mark.parametrize(
    ("field", "expected", "answer", "verdict"),
    [
        ("title", "Judul", {"title": "Judul"}, "exact"),
        ("title", "Judul", {"title": ""}, "missing"),
        ("title", "Judul", {"title": "Judul - Situs"}, "wrong"),
        ("authors", ["A B", "C D"], {"authors": ["C  D", "A B"]}, "exact"),
        ("authors", ["A B", "C D"], {"authors": ["A B"]}, "missing"),
        ("authors", ["A B"], {"authors": ["A B", "Home POLITIK"]}, "wrong"),
        ("authors", ["A B"], {"authors": ["A b"]}, "wrong"),
        ("authors", [], {"authors": ["Kantor Berita Politik RMOL"]}, "wrong"),
        ("editors", ["A B"], {}, "missing"),
        ("tags", ["KPK"], {"tags": ["kpk"]}, "exact"),
        ("source_org", None, {"source_org": "Antara"}, "wrong"),
        ("section", "Hukum", {"section": "HUKUM"}, "exact"),
        ("published_at", "2022-09-06T11:24:30+07:00", {"published_at": "2022-09-06T11:24:00+07:00"}, "exact"),
        ("published_at", "2022-09-06T11:24:00+07:00", {"published_at": "2022-09-06"}, "missing"),
        ("published_at", "2022-09-06T11:24:00+07:00", {"published_at": "2022-09-07"}, "wrong"),
        ("published_at", "2022-09-06T11:24:00+07:00", {"published_at": "2022-09-06T04:24:00+00:00"}, "wrong"),
        ("published_at", "2022-09-06", {"published_at": "2022-09-06T00:00:00+07:00"}, "wrong"),
        ("published_at", "2022-09-06", {"published_at": "2022-09-06"}, "exact"),
        ("modified_at", None, {"modified_at": None}, "exact"),
        ("published_at", "2022-09-06T11:24:00+07:00", {"published_at": None}, "missing"),
    ],
)
def test_the_judge_applies_its_rules(field: str, expected: Any, answer: dict[str, Any], verdict: str) -> None:
    assert judge(field, expected, answer) == verdict


def test_iso_stamps_count_in_the_page_zone() -> None:
    moments = moments_mentioned('content="2022-12-14T01:15:00+00:00"', timedelta(hours=8))
    assert (
        moments_mentioned("x", timedelta(hours=8)),
        (14, (9, 15)) in {(m[0].day, m[1]) for m in moments},
    ) == (
        set(),
        True,
    )


def test_plain_trafilatura_answers_in_the_extractors_form_with_the_day_only() -> None:
    case = next(case for case in load_cases("rmol") if case.name == "rmol_2022_dunia_leaked_author")
    answer = plain_trafilatura(case.pages, case.url)
    assert answer is not None and answer["title"]
    assert answer["published_at"] is None or len(answer["published_at"]) == len("2022-09-06")
    assert set(answer) == {"title", "authors", "published_at", "tags", "body"}
