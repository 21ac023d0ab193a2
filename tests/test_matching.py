"""The watch query language: operators, Indonesian word forms, aliases, scopes, counts, errors."""

from __future__ import annotations

import html
import json
import pickle
from pathlib import Path

import pytest

from crawler.config import Config, load_config
from crawler.crawl.workers import PRECHECK_PROBE, PRECHECK_TRIAL, read_story
from crawler.domain.article import Article
from crawler.domain.errors import QuerySyntaxError
from crawler.domain.watch import Watch
from crawler.extract import PortalRecipe, extract_article, parse_html
from crawler.matching import CompiledWatch, Hit, WatchMatch, WatchSet, compile_watches, parse_query
from crawler.matching.precheck import ExtractableText
from crawler.matching.text import tokens
from crawler.portals import registry
from crawler.portals.registry import GENERIC
from tests.conftest import DEFAULT_CONFIG, FIXTURES

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "config" / "seeds").glob("*.txt"))
ALIASES = {"Korea Utara": ["Korut", "DPRK"], "Joko Widodo": ["Jokowi"]}

Spot = tuple[str, str, int, int]


def spots(query: str, **fields: str) -> list[Spot] | None:
    """(term, field, start, end) of each hit, or None when the query does not match."""
    hits = parse_query(query, ALIASES).evaluate(fields)
    return None if hits is None else [(hit.term, hit.field, hit.start, hit.end) for hit in hits]


# --- operators ---------------------------------------------------------------------------------


def test_a_term_matches_on_token_boundaries_only() -> None:
    assert spots("Rusia", body="Rusia dan Belarusia") == [("Rusia", "body", 0, 5)]
    assert spots("rus", body="Rusia dan Belarusia") is None


def test_and_needs_every_operand_and_reports_the_hits_of_each() -> None:
    text = "Putin menerima Kim di Vladivostok"
    assert spots("Putin AND Kim", body=text) == [("Putin", "body", 0, 5), ("Kim", "body", 15, 18)]
    assert spots("Putin AND Xi", body=text) is None


def test_adjacent_operands_are_an_implicit_and() -> None:
    assert spots("Putin Kim", body="Kim bertemu Putin") == [("Kim", "body", 0, 3), ("Putin", "body", 12, 17)]
    assert spots("Putin Xi", body="Kim bertemu Putin") is None


def test_or_needs_one_operand_and_reports_every_one_present() -> None:
    assert spots("Xi OR Putin", body="Putin") == [("Putin", "body", 0, 5)]
    assert spots("Kim OR Putin", body="Putin dan Kim") == [("Putin", "body", 0, 5), ("Kim", "body", 10, 13)]
    assert spots("Xi OR Biden", body="Putin dan Kim") is None


def test_not_excludes_and_contributes_no_hit() -> None:
    assert spots("Rusia NOT Ukraina", body="Rusia dan Cina") == [("Rusia", "body", 0, 5)]
    assert spots("Rusia NOT Ukraina", body="Rusia dan Ukraina") is None
    assert spots("Rusia AND NOT (Ukraina OR Suriah)", body="Rusia di Suriah") is None


def test_and_binds_tighter_than_or_and_parentheses_override() -> None:
    assert spots("Biden OR Putin AND Xi", body="Biden") == [("Biden", "body", 0, 5)]
    assert spots("(Biden OR Putin) AND Xi", body="Biden") is None


def test_a_phrase_needs_its_words_adjacent_and_in_order() -> None:
    assert spots('"Kim Jong Un"', body="pemimpin Kim Jong Un") == [("Kim Jong Un", "body", 9, 20)]
    assert spots('"Kim Jong Un"', body="Un Jong Kim") is None
    assert spots('"Kim Un"', body="Kim Jong Un") is None


def test_near_allows_at_most_n_words_between_in_either_order() -> None:
    text = "Putin bertemu dengan Kim hari ini"
    assert spots("Kim NEAR/2 Putin", body=text) == [("Putin", "body", 0, 5), ("Kim", "body", 21, 24)]
    assert spots("Kim NEAR/1 Putin", body=text) is None


def test_near_needs_both_sides_in_the_same_field() -> None:
    assert spots("Kim NEAR/5 Putin", title="Kim", body="Putin") is None


def test_near_accepts_phrases_and_or_groups() -> None:
    text = "rudal dari Korea Utara untuk Rusia"
    assert spots('"Korea Utara" NEAR/1 (Rusia OR Iran)', body=text) == [
        ("Korea Utara", "body", 11, 22),
        ("Rusia", "body", 29, 34),
    ]


def test_a_term_near_itself_needs_two_occurrences() -> None:
    assert spots("Kim NEAR/3 Kim", body="Kim bertemu Putin") is None
    assert spots("Kim NEAR/3 Kim", body="Kim dan Kim") == [("Kim", "body", 0, 3), ("Kim", "body", 8, 11)]


# --- field scope and counts ----------------------------------------------------------------------


def test_a_field_scope_looks_only_in_that_field() -> None:
    assert spots("title:Rusia", title="Kabar Rusia", body="Rusia") == [("Rusia", "title", 6, 11)]
    assert spots("title:Rusia", title="Kabar", body="Rusia") is None
    assert spots('lead:"Korea Utara"', lead="Korea Utara", body="x") == [("Korea Utara", "lead", 0, 11)]
    assert spots("body:(Kim OR Putin)", title="Kim", body="Putin") == [("Putin", "body", 0, 5)]


def test_unscoped_terms_are_found_in_title_lead_and_body_in_that_order() -> None:
    assert spots("Rusia", body="Rusia", lead="Rusia", title="Rusia") == [
        ("Rusia", "title", 0, 5),
        ("Rusia", "lead", 0, 5),
        ("Rusia", "body", 0, 5),
    ]


def test_count_needs_at_least_n_mentions_and_reports_all_of_them() -> None:
    text = "Rusia, Rusia dan RUSIA"
    assert spots("count(Rusia)>=3", body=text) == [
        ("Rusia", "body", 0, 5),
        ("Rusia", "body", 7, 12),
        ("Rusia", "body", 17, 22),
    ]
    assert spots("count(Rusia)>=4", body=text) is None


def test_count_adds_up_mentions_across_fields_and_alternatives() -> None:
    assert spots("count(Moskow OR Kremlin)>=2", title="Moskow", body="Kremlin") == [
        ("Moskow", "title", 0, 6),
        ("Kremlin", "body", 0, 7),
    ]
    assert spots("count(body:Rusia)>=2", title="Rusia", body="Rusia") is None


# --- Indonesian word forms -------------------------------------------------------------------------


def test_case_and_accents_are_folded() -> None:
    assert spots("Óscar", body="OSCAR Oscar") == [("Óscar", "body", 0, 5), ("Óscar", "body", 6, 11)]
    assert spots("óscar", body="OSCAR oscar") == [("óscar", "body", 0, 5), ("óscar", "body", 6, 11)]
    assert spots("ibukota", body="IBUKOTA") == [("ibukota", "body", 0, 7)]


def test_hyphens_and_punctuation_split_words() -> None:
    assert spots('"Korea Utara"', body="Korea-Utara") == [("Korea Utara", "body", 0, 11)]
    assert spots("Timor-Leste", body="(Timor) Leste") == [("Timor-Leste", "body", 1, 13)]


@pytest.mark.parametrize("written", ["membangun", "pembangunan", "dibangun", "bangunan", "terbangun"])
def test_affixed_forms_match_their_root(written: str) -> None:
    assert spots("bangun", body=written) == [("bangun", "body", 0, len(written))]


@pytest.mark.parametrize("written", ["rumahnya", "rumahlah", "rumahkah"])
def test_clitics_are_stripped(written: str) -> None:
    assert spots("rumah", body=written) == [("rumah", "body", 0, len(written))]


def test_a_query_term_with_affixes_matches_other_forms_of_its_root() -> None:
    assert spots("pembangunan", body="mereka membangun") == [("pembangunan", "body", 7, 16)]


def test_the_exact_form_operator_switches_stemming_off() -> None:
    text = "membangun pembangunan"
    assert spots("=pembangunan", body=text) == [("pembangunan", "body", 10, 21)]
    assert spots("=bangun", body=text) is None
    assert spots('="Korea Utara"', body="KOREA UTARA") == [("Korea Utara", "body", 0, 11)]


def test_names_lose_the_nya_clitic_too() -> None:
    assert spots("Rusia", body="Rusianya") == [("Rusia", "body", 0, 8)]
    assert spots("Kenya", body="Ken") is None


@pytest.mark.parametrize(
    ("name", "written"),
    [("Jokowi", "Jokowilah"), ("Rusia", "Rusialah"), ("Prabowo", "Prabowokah"), ("Jakarta", "Jakartalah"),
     ("Rusia", "Rusianyalah"), ("KPK", "KPKnya")],
)  # fmt: skip
def test_names_the_stemmer_does_not_know_lose_lah_and_kah_both_ways(name: str, written: str) -> None:
    assert [spot[1:] for spot in spots(name, body=f"{written}?") or []] == [("body", 0, len(written))]
    assert [spot[1:] for spot in spots(written, body=name) or []] == [("body", 0, len(name))]


def test_name_clitics_leave_dictionary_words_and_llah_names_whole() -> None:
    assert spots("masa", body="masalah") is None  # a dictionary word, not masa + -lah
    assert spots("Abdul", body="Abdullah") is None
    assert spots("Abdullah", body="Abdullahnya") == [("Abdullah", "body", 0, 11)]


def test_reduplication_matches_the_single_word_both_ways() -> None:
    assert spots("anak", body="anak-anak itu") == [("anak", "body", 0, 9)]
    assert spots("anak-anak", body="seorang anak") == [("anak-anak", "body", 8, 12)]
    assert spots("lari", body="berlari-lari") == [("lari", "body", 0, 12)]


# --- aliases -----------------------------------------------------------------------------------------


def test_an_alias_matches_every_member_of_its_set_under_the_canonical_name() -> None:
    text = "DPRK, Korut dan Korea-Utara"
    expected = [
        ("Korea Utara", "body", 0, 4),
        ("Korea Utara", "body", 6, 11),
        ("Korea Utara", "body", 16, 27),
    ]
    assert spots("Korut", body=text) == expected
    assert spots('"Korea Utara"', body=text) == expected
    assert spots("jokowi", body="Presiden Joko Widodo") == [("Joko Widodo", "body", 9, 20)]


def test_a_term_that_only_contains_an_alias_is_not_expanded() -> None:
    assert spots("Korea", body="Korut") is None


# --- provenance -----------------------------------------------------------------------------------


def test_a_hit_carries_original_offsets_and_a_snippet_cut_at_words() -> None:
    words = " ".join(f"kata{number}" for number in range(30))
    text = f"{words} Rusia {words}"
    (hit,) = parse_query("rusia").evaluate({"body": text}) or ()
    assert text[hit.start : hit.end] == "Rusia"
    assert hit.snippet == (
        "…kata22 kata23 kata24 kata25 kata26 kata27 kata28 kata29 Rusia "
        "kata0 kata1 kata2 kata3 kata4 kata5 kata6 kata7 kata8…"
    )
    assert hit.to_dict() == {
        "term": "rusia", "field": "body", "start": hit.start, "end": hit.end, "snippet": hit.snippet,
    }  # fmt: skip


def test_a_short_field_is_its_own_snippet_with_whitespace_collapsed() -> None:
    (hit,) = parse_query("Rusia").evaluate({"title": "Kabar\n\n  Rusia hari ini"}) or ()
    assert hit == Hit("Rusia", "title", 9, 14, "Kabar Rusia hari ini")


def test_a_watch_match_lists_distinct_terms_in_first_hit_order() -> None:
    hits = parse_query("Putin AND Kim").evaluate({"body": "Kim, Putin dan Kim"}) or ()
    match = WatchMatch("w", hits)
    assert match.terms == ("Kim", "Putin")
    assert match.snippet == "Kim, Putin dan Kim"


# --- bad queries -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "column 1: the query is empty"),
        ('"Korea Utara', 'column 1: unterminated phrase: add the closing "'),
        ('Rusia ""', "column 7: empty phrase"),
        ("(Kim OR Putin", "column 14: expected ')' to close the '(' at column 1"),
        ("Kim )", "column 5: unmatched ')'"),
        ("()", "column 1: empty parentheses"),
        ("Kim OR", "column 7: expected a term, phrase or '(' after 'OR', found the end of the query"),
        ("Kim AND )", "column 9: expected a term, phrase or '(' after 'AND', found ')'"),
        ("OR Kim", "column 1: 'OR' needs a term before it"),
        ("Kim NEAR Putin", "column 5: 'NEAR': NEAR needs a distance in words, e.g. NEAR/5"),
        (
            "(Kim AND Xi) NEAR/3 Putin",
            "column 2: NEAR joins terms and phrases (or OR-groups of them), nothing else",
        ),
        ("country:Rusia", "column 1: unknown field 'country': use title:, lead: or body:"),
        ("title:", "column 7: expected a term, phrase or '(' after 'title:', found the end of the query"),
        (
            "title: Rusia",
            "column 7: 'title:' must be followed directly by a term, phrase or '(', e.g. title:Rusia",
        ),
        (
            "Kim AND body: (Putin)",
            "column 14: 'body:' must be followed directly by a term, phrase or '(', e.g. body:Rusia",
        ),
        ("Kabar: Rusia", "column 1: unknown field 'Kabar': use title:, lead: or body:"),
        ("count(Rusia)", "column 13: count(...) needs '>=' and a number, e.g. count(Rusia)>=3"),
        ("count(Rusia)>=0", "column 15: count(...)>= needs a whole number of at least 1"),
        ("count(Kim AND Xi)>=2", "column 1: count(...) counts terms and phrases (or OR-groups of them)"),
        ("Rusia >= 3", "column 7: '>=' only follows count(...), e.g. count(Rusia)>=3"),
        ("= Rusia", "column 1: '=' must be followed directly by a term or phrase"),
        ("Rusia &&", "column 7: '&&' has no letters or digits"),
        ("NOT Rusia", "column 1: the query only excludes (NOT): add a term it must contain"),
        ("Kim OR NOT Putin", "column 1: the query only excludes (NOT): add a term it must contain"),
    ],
)
def test_a_bad_query_is_one_message_with_the_column(query: str, message: str) -> None:
    with pytest.raises(QuerySyntaxError) as raised:
        parse_query(query)
    assert str(raised.value) == message


def test_a_field_scope_is_not_a_search_term() -> None:
    assert parse_query('title:Rusia AND lead:("Korea Utara" OR Kim)').search_terms() == (
        "Rusia", "Korea Utara", "Kim",
    )  # fmt: skip


def test_lower_case_operator_words_are_plain_terms() -> None:
    assert spots("Biden or Putin", body="Biden or Putin") == [
        ("Biden", "body", 0, 5), ("or", "body", 6, 8), ("Putin", "body", 9, 14),
    ]  # fmt: skip


def test_a_bad_watch_query_in_the_config_names_the_file_key_watch_and_column(tmp_path: Path) -> None:
    path = tmp_path / "pantau.yaml"
    path.write_text(
        "sources:\n  bisnis:\n    family: bisnis\n    sites: [bisnis.com]\n"
        "watches:\n  - name: ok\n    query: Rusia\n  - name: rusak\n    query: '(Rusia OR Kim'\n",
        encoding="utf-8",
    )
    with pytest.raises(QuerySyntaxError) as raised:
        load_config(path, environ={})
    assert str(raised.value) == (
        f"{path}: watches.1.query: watch 'rusak': column 14: expected ')' to close the '(' at column 1"
    )


# --- watches, the seed corpus and the pre-check -----------------------------------------------------


def seed_article(path: Path) -> Article:
    return Article(url=path.as_uri(), canonical_url=path.as_uri(), title="", body=path.read_text("utf-8"))


@pytest.mark.parametrize("seed", SEEDS, ids=[path.name for path in SEEDS])
def test_the_default_watch_matches_both_seed_texts(default_config: Config, seed: Path) -> None:
    (watch,) = compile_watches(default_config)
    match = watch.match(seed_article(seed))
    assert match is not None
    assert match.watch == "korea-utara-rusia"
    assert set(match.terms) == {"Korea Utara", "Rusia"}
    assert could_match(WatchSet([watch]), seed_page(seed)) is True


def test_the_seed_texts_hit_at_their_first_mentions() -> None:
    hits = parse_query('"Korea Utara" AND Rusia', ALIASES).evaluate({"body": SEEDS[0].read_text("utf-8")})
    assert hits is not None
    assert [(hit.term, hit.start, hit.end) for hit in hits[:2]] == [
        ("Rusia", 63, 68),
        ("Korea Utara", 96, 107),
    ]
    assert hits[1].snippet == (
        "…Panel Intelijen AS: Rusia Beli Roket dan Peluru dari Korea Utara untuk Perang di Ukraina "
        "LAPORAN: <a…"
    )


def watch(name: str, query: str, sources: list[str] | None = None) -> CompiledWatch:
    return CompiledWatch(Watch(name=name, query=query, sources=sources or ["*"]), parse_query(query, ALIASES))


def test_a_watch_set_matches_only_watches_for_the_source_in_config_order() -> None:
    watches = WatchSet(
        [watch("bisnis-only", "Rusia", ["bisnis"]), watch("all", "Kim"), watch("none", "Biden")]
    )
    article = Article(url="u", canonical_url="u", title="Kim dan Rusia", body="")
    assert [match.watch for match in watches.match(article, "bisnis")] == ["bisnis-only", "all"]
    assert [match.watch for match in watches.match(article, "rmol")] == ["all"]


PAGE = (
    "<html><head><title>{title}</title><meta name='description' content='{lead}'></head>"
    "<body><h1>{title}</h1><p>{body}</p></body></html>"
)


def could_match(watches: WatchSet, *pages: str, recipe: PortalRecipe = GENERIC) -> bool:
    return watches.could_match([parse_html(page, "https://example.org/a") for page in pages], recipe)


def seed_page(seed: Path) -> str:
    """A seed text as a plain page of a site of no known family: trafilatura reads its body."""
    first, *rest = seed.read_text("utf-8").splitlines()
    paragraphs = "".join(f"<p>{html.escape(line)}</p>" for line in rest if line.strip())
    return f"<html><head><title>{html.escape(first)}</title></head><body>{paragraphs}</body></html>"


@pytest.mark.parametrize(
    ("query", "page_text"),
    [
        ("bangun", "pembangunan jembatan"),
        ("pukul", "polisi memukul"),
        ("tulis", "penulis buku"),
        ("sapu", "menyapu jalan"),
        ("kirim", "mengirim surat"),
        ("Korut", "DPRK menembakkan rudal"),
        ('"Korea Utara"', "KOREA-UTARA"),
        ("Óscar", "Oscar"),
        ("oscar", "&Oacute;scar"),
        ("anak", "anak-anaknya"),
        ("=anak-anak", "anak&#8209;anak"),
        ("rumah", "rumah<b>nya</b>"),
        ("rumahnya", "ru<i>mah</i>"),
        ("rawan", "para relawan"),
        ("Rusia", "Rusianya"),
        ("Jokowi", "Jokowilah"),
        ("Prabowo", "Prabowo<b>kah</b>"),
        ("Jakarta", "Jakartalah"),
        ("Rusia", "Rusianyalah"),
        ("OJK", "<p>Kata</p><p>O<b>JK</b></p>"),
        ("OJK", "<dt>Kata</dt><dd>O<b>JK</b></dd>"),
        ("OJK", "OJK—BI"),
        ("dałam", "DAŁAM"),
        ("Rusia NOT Ukraina", "Rusia"),
        ("count(Rusia)>=2", "Rusia dan Rusia"),
        ("title:Kim NEAR/2 Putin", "Kim dan Putin"),
    ],
)
def test_the_pre_check_lets_through_every_page_that_matches(query: str, page_text: str) -> None:
    watches = WatchSet([watch("w", query)])
    assert could_match(watches, PAGE.format(title="x", lead="", body=page_text)) is True


def test_the_pre_check_reads_the_meta_description() -> None:
    watches = WatchSet([watch("w", "Rusia")])
    assert could_match(watches, PAGE.format(title="x", lead="Rusia", body="y")) is True


def test_the_pre_check_rejects_pages_that_no_watch_can_match() -> None:
    watches = WatchSet([watch("a", "Rusia"), watch("b", '"Korea Utara" AND Kim'), watch("c", "bangun")])
    page = PAGE.format(title="Harga cabai naik", lead="", body="Pedagang pasar mengeluh. Korea Selatan")
    assert could_match(watches, page) is False


def test_the_pre_check_needs_a_word_sastrawi_does_not_know_to_stand_alone() -> None:
    watches = WatchSet([watch("w", "OJK")])
    assert could_match(watches, PAGE.format(title="Kinerja BOJKA", lead="", body="x")) is False
    assert could_match(watches, PAGE.format(title="Kinerja OJK-nya", lead="", body="x")) is True
    assert could_match(watches, PAGE.format(title="Kinerja OJKlah", lead="", body="x")) is True


BISNIS_PAGE = (
    "<html><head><title>Harga Cabai Naik - Bisnis.com</title></head><body>"
    "<nav><a>Rusia</a> <a>Korea Utara</a></nav><h1 class='detailsTitleCaption'>Harga Cabai Naik</h1>"
    "<article class='detailsContent'><p>Pedagang pasar mengeluh.</p>{inside}</article>"
    "<ul><li>Kim Jong Un kirim rudal ke Rusia</li></ul><footer>Rusia</footer>{after}</body></html>"
)


def test_the_pre_check_ignores_navigation_and_other_stories_around_the_article() -> None:
    watches = WatchSet([watch("w", '"Korea Utara" AND Rusia'), watch("k", "Kim")])
    page = BISNIS_PAGE.format(inside="<div class='baca-juga-box'>Baca Juga: Kim ke Rusia</div>", after="")
    assert could_match(watches, page, recipe=registry.family("bisnis").recipe) is False
    assert could_match(watches, page, recipe=GENERIC) is True  # trafilatura could read any of it


def test_the_pre_check_reads_the_whole_page_where_the_recipe_finds_no_body() -> None:
    watches = WatchSet([watch("k", "Kim")])
    page = BISNIS_PAGE.format(inside="", after="").replace("detailsContent", "newLayout")
    assert could_match(watches, page, recipe=registry.family("bisnis").recipe) is True


def test_the_pre_check_reads_the_body_of_every_page_of_a_story() -> None:
    watches = WatchSet([watch("k", "Putin")])
    first = BISNIS_PAGE.format(inside="", after="")
    second = BISNIS_PAGE.format(inside="<p>Putin menyambut Kim.</p>", after="")
    assert could_match(watches, first, recipe=registry.family("bisnis").recipe) is False
    assert could_match(watches, first, second, recipe=registry.family("bisnis").recipe) is True


def test_the_pre_check_agrees_with_matching_on_the_seed_texts(default_config: Config) -> None:
    watches = WatchSet([watch("a", "Rusia"), watch("b", "Korut NEAR/3 Rusia"), watch("c", "=membangun")])
    for seed in SEEDS:
        assert [match.watch for match in watches.match(seed_article(seed), "rmol")] != []
        assert could_match(watches, seed_page(seed)) is True


def _fixture_stories() -> list[tuple[str, list[str], str]]:
    """(name, pages, url) of every article fixture, and of each seed as a page of no known family."""
    stories = []
    for expected_path in sorted(FIXTURES.glob("articles/*/*.expected.json")):
        expected = json.loads(expected_path.read_text(encoding="utf-8"))
        names = expected.get("pages") or [expected_path.name.replace(".expected.json", ".html")]
        pages = [(expected_path.parent / name).read_text(encoding="utf-8") for name in names]
        stories.append((f"{expected_path.parent.name}/{names[0]}", pages, expected["url"]))
    for seed in SEEDS:
        stories.append((seed.name, [seed_page(seed)], f"https://example.org/{seed.stem}"))
    return stories


@pytest.mark.parametrize(("pages", "url"), [story[1:] for story in _fixture_stories()],
                         ids=[story[0] for story in _fixture_stories()])  # fmt: skip
@pytest.mark.parametrize("recipe_kind", ["family", "generic"])
def test_the_pre_check_never_rejects_a_word_of_the_extracted_article(
    pages: list[str], url: str, recipe_kind: str
) -> None:
    """Every word extraction returns (title, lead, body), exact and by root, passes the pre-check."""
    recipe = registry.recipe_for(url) if recipe_kind == "family" else GENERIC
    trees = [parse_html(page, url) for page in pages]
    article = extract_article(pages, url, recipe, trees=trees)
    text = ExtractableText.of_pages(trees, recipe)
    forms = {token.form for field in (article.title, article.lead, article.body) for token in tokens(field)}
    queries = [parse_query(query) for form in sorted(forms) for query in (f"={form}", form)]
    rejected = [query.text for query in queries if not text.allows(query.requirement)]
    assert (len(forms) > 40, rejected) == (True, [])


def test_a_watch_set_sent_to_a_worker_matches_the_same_and_is_unpickled_once() -> None:
    config = load_config(DEFAULT_CONFIG)
    watches = WatchSet.from_config(config)
    article = Article(
        url="https://rmol.id/x", canonical_url="https://rmol.id/x", title="Korut dan Rusia",
        body="Korea Utara mengirim insinyur ke Rusia.",
    )  # fmt: skip

    sent = pickle.dumps(watches)
    first, again = pickle.loads(sent), pickle.loads(pickle.dumps(watches))

    assert first is again  # the second story's copy costs no unpickling
    assert first.match(article, "rmol") == watches.match(article, "rmol") != []
    changed = WatchSet(compile_watches(config)[:0])
    assert pickle.loads(pickle.dumps(changed)) is not first  # a reloaded configuration is its own set


def test_a_pre_check_that_skips_nothing_is_set_aside_until_a_probe_skips_again() -> None:
    watches = WatchSet([watch("rupiah", "rupiah")])
    url = "https://example.org/a"
    matching = PAGE.format(title="Rupiah menguat", lead="", body="Rupiah naik tipis pagi ini.")
    other = PAGE.format(title="Banjir di Bekasi", lead="", body="Hujan deras sejak malam.")
    for _ in range(PRECHECK_TRIAL):  # the check lets every one of these through
        assert read_story([matching], url, None, watches)[1] is False
    article, headline_only = read_story([other], url, None, watches)
    assert (headline_only, article.body) == (False, "Hujan deras sejak malam.")  # read in full, unchecked
    probed = [read_story([other], url, None, watches)[1] for _ in range(PRECHECK_PROBE)]
    assert probed == [False] * (PRECHECK_PROBE - 2) + [True, True]  # the probe skips: checked again
