"""Facts read from a story's text: one key however a figure, a date or a name is written."""

from __future__ import annotations

import pytest

from crawler.dedup.facts import facts_of


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
