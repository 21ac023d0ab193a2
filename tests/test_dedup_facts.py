"""Facts read from a story's text: one key however a figure, a date or a name is written."""

from __future__ import annotations

import pytest

from crawler.dedup.facts import facts_of, latest_day, sentences_of
from crawler.dedup.profile import read_story


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("laba Rp1,5 triliun", "laba Rp 1.500 miliar"),
        ("laba Rp162,58 miliar", "laba Rp 162,58 M"),
        ("naik 5%", "naik 5 persen"),
        ("turun 0,31% ke Rp16.690", "turun 0,31 persen ke Rp 16.690"),
        ("sebanyak 2,1 juta pekerja", "sebanyak 2.100.000 pekerja"),
    ],
)
def test_a_figure_has_one_key_however_it_is_written(first: str, second: str) -> None:
    assert facts_of(first).numbers == facts_of(second).numbers != frozenset()


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("pada Sabtu (15/11/2025) pagi", "pada Sabtu, 15 November 2025 pagi"),
        ("hingga kuartal III/2025", "hingga kuartal ketiga 2025"),
        ("selama 10-14 November 2025", "selama 10 November sampai dengan 14 November 2025"),
    ],
)
def test_a_date_has_one_key_however_it_is_written(first: str, second: str) -> None:
    assert facts_of(first).dates == facts_of(second).dates != frozenset()


def test_names_are_capitalised_words_without_titles_days_or_a_lone_opening_word() -> None:
    facts = facts_of(
        "Menurut Gubernur Bobby Nasution, Kamis (20/11/2025), ProvinsiKepulauan Riau siap. Harga naik."
    )
    assert facts.names == frozenset(
        {"bobby", "nasution", "kepulauan", "riau"}
    )  # "Provinsi": an institution noun


def test_figures_glued_to_names_and_dates_are_not_figures_of_the_story() -> None:
    facts = facts_of("Liputan6.com melaporkan COP30 dibuka pada 15/11/2025")
    assert (facts.numbers, facts.dates) == (frozenset(), frozenset({"11-15"}))


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("tiga orang tewas", "3 orang tewas"),
        ("dua belas rumah", "12 rumah"),
        ("naik 10-15 persen", "naik 10 persen hingga 15 persen"),
        ("dibuka pukul 10.00 WIB pada 17-11-2025", "dibuka pukul 10:00 WIB pada 17 November 2025"),
        ("rapat 2025-11-17", "rapat 17.11.2025"),
    ],
)
def test_reformatted_figures_times_and_dates_read_alike(first: str, second: str) -> None:
    assert (facts_of(first).numbers, facts_of(first).dates) == (
        facts_of(second).numbers,
        facts_of(second).dates,
    )


def test_salah_satu_is_no_figure_and_years_are_no_new_development() -> None:
    facts = facts_of("Salah satu saksi menyebut omzet sepanjang 2025 naik 5%")
    assert (facts.numbers, facts.without_years().numbers) == (frozenset({"2025", "5%"}), frozenset({"5%"}))


_UNITS = ["satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan"]


def _spelled(number: int) -> str:
    """An Indonesian number below 1,000 in words, as a newsroom writes it (`seratus dua puluh satu`)."""
    hundreds, rest = divmod(number, 100)
    words = [] if not hundreds else ["seratus"] if hundreds == 1 else [_UNITS[hundreds - 1], "ratus"]
    tens, units = divmod(rest, 10)
    if rest == 10:
        words.append("sepuluh")
    elif rest == 11:
        words.append("sebelas")
    elif tens == 1:
        words += [_UNITS[units - 1], "belas"]
    else:
        words += [_UNITS[tens - 1], "puluh"] if tens else []
        words += [_UNITS[units - 1]] if units else []
    return " ".join(words)


@pytest.mark.parametrize("number", range(2, 1000, 7))
def test_every_number_below_a_thousand_in_words_is_its_figure(number: int) -> None:
    spelled = _spelled(number)
    assert facts_of(f"sebanyak {spelled} orang mengungsi").numbers == {str(number)}, spelled
    assert facts_of(f"dana {spelled} juta").numbers == facts_of(f"dana {number} juta").numbers


def test_words_that_make_no_single_number_are_read_one_by_one_and_salah_satu_is_none() -> None:
    assert facts_of("dua tiga hari lagi").numbers == {"2", "3"}
    assert facts_of("salah satu dari dua-duanya, satu-satunya").numbers == frozenset()
    assert facts_of("setengah juta warga").numbers == facts_of("500.000 warga").numbers


@pytest.mark.parametrize(
    "join", ["-", "–", "—", " - ", " — ", " hingga ", " sampai dengan ", " s.d. ", " s/d "]
)
@pytest.mark.parametrize(
    ("first", "last", "month"), [(10, 14, "November"), (1, 3, "Maret"), (28, 30, "Juni")]
)
def test_a_range_of_days_names_both_days_whichever_dash_or_word_joins_it(
    join: str, first: int, last: int, month: str
) -> None:
    spelled_out = facts_of(f"pada {first} {month} hingga {last} {month} 2025").dates
    assert facts_of(f"pada {first}{join}{last} {month} 2025").dates == spelled_out
    numeric = {"November": 11, "Maret": 3, "Juni": 6}[month]
    assert facts_of(f"pada {first}{join}{last}/{numeric}/2025").dates == spelled_out
    assert len(spelled_out) == 2


@pytest.mark.parametrize("join", ["-", "—", " hingga ", " sampai "])
@pytest.mark.parametrize("unit", ["persen", "%", " triliun", " miliar"])
def test_a_range_of_figures_shares_its_unit_whichever_dash_joins_it(join: str, unit: str) -> None:
    assert facts_of(f"naik 3{join}7{unit}").numbers == facts_of(f"naik 3{unit} hingga 7{unit}").numbers


@pytest.mark.parametrize("value", ["1,5", "3,76", "26,31", "162,58", "0,75", "12"])
@pytest.mark.parametrize("glued", ["modal", "pada", "dari"])
def test_a_scale_word_glued_to_the_next_word_is_still_the_figures_scale(value: str, glued: str) -> None:
    """A scraper that drops the spaces around a link glues `triliun` to the next word."""
    for unit in ("triliun", "miliar", "juta", "persen"):
        assert (
            facts_of(f"sebesar Rp{value} {unit}{glued} asing").numbers
            == facts_of(f"sebesar Rp{value} {unit} {glued} asing").numbers
        )


def test_a_full_stop_after_an_abbreviation_or_before_a_small_letter_ends_no_sentence() -> None:
    line = (
        "PT Bank BJB Tbk. mengajukan dua nama baru kepada OJK. Kasubdit Irly S. Permata menyebut berkas "
        "dikirim ke Jl. Sudirman No. 5 pada Selasa (25/11/2025). Perseroan menunggu."
    )
    assert sentences_of(line) == [
        "PT Bank BJB Tbk. mengajukan dua nama baru kepada OJK.",
        "Kasubdit Irly S. Permata menyebut berkas dikirim ke Jl. Sudirman No. 5 pada Selasa (25/11/2025).",
        "Perseroan menunggu.",
    ]
    # So the date of a lead that names a listed company stays in the lead.
    assert read_story(line).lead_facts.dates == {"11-25"}


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("Rapat digelar Minggu (16/11/2025), putusan dibacakan Kamis, 20 November 2025.", 1120),
        ("Pameran berlangsung 28 Oktober hingga 2 November 2025 di Jakarta.", 1102),
        ("Laba kuartal III/2025 naik 5 persen sepanjang 2025.", 0),
        ("Tidak ada tanggal di sini, hanya Rp1,5 triliun.", 0),
    ],
)
def test_the_latest_day_a_story_names_is_read_whatever_the_date_form(text: str, day: int) -> None:
    """Quarters and bare years name no day; a range names its last day."""
    assert latest_day(facts_of(text).dates) == day
