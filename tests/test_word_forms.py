"""Indonesian word forms and names: roots on second-hand forms, watch quality on second-hand pairs,
the affixed forms and name collisions of issue 20, and the data the analyser ships.

The floors below are the figures measured on the held-back report half when the analyser was
chosen (README, "Word forms and names"); a change that lowers one fails here. Raise them when the
figures rise; never lower them to make a change pass.
"""

from __future__ import annotations

import pytest

from bench.bench_morphology import load_forms, load_pairs, score, tuner_misses
from bench.bench_watch_pairs import counts, tuner_wrong
from bench.bench_watch_pairs import load_pairs as load_watch_pairs
from crawler.matching import WatchSet, parse_query
from crawler.matching.document import Document
from crawler.matching.morphology import is_listed_name, listed_runs, root
from crawler.matching.text import fold
from tests.test_matching import PAGE, could_match, watch

# The second pass on issue 20 raised the roots from 369 (96.6%) with function words carrying a
# particle (`apakah` -> `apa`), and the watch pairs' precision with places named after people
# (`Jalan Sudirman` is not `Sudirman`) and names after honorifics and places' generic words; the
# third raised the roots with ke-tidak-X-an and se- (`ketidakadilan`, `menyesuaikan`) and the
# recall with names' clitics (`Malang-lah`, `Jong-unnya`, `Rusiakah atau Ukrainakah`) (README,
# "Word forms and names", says which change moved which figure).
REPORT_ROOTS_RIGHT = 375  # of 382 forms: 98.2% (was 373 before se- bases, 371 before the third pass)
REPORT_FALSE_CONFLATIONS = 0  # of 58 pairs (was 1 before the k of meng- restored)
REPORT_FALSE_ALERTS = 1  # of 78 a reader does not want: precision 0.988 (was 2, 0.976; 3, 0.965; 4; 6, 0.932)
REPORT_MISSED_ALERTS = 1  # of 84 pairs a reader wants: recall 0.988 (was 2, 0.976)
TUNE_WRONG_ALERTS = 1  # of 165 pairs (was 2: `perintah` no longer matches `Pemerintah Provinsi`)
# The tuner's own forms and checks (tests/fixtures/tuner/): tuned on, so a gate, not a measurement.
TUNER_FORMS_WRONG = 31  # of 955 (was 32 before the k of meng-, 35 before se- bases)
TUNER_CHECKS_WRONG = 15  # of 129 (was 16 before the sixth pass, 22 before the fifth, 27 before the fourth)


def test_report_half_roots_and_conflations_stay_at_their_floor() -> None:
    forms = load_forms()
    accuracy, merged, held = score(root, forms, load_pairs(), "report")
    right = round(accuracy * sum(row["split"] == "report" for row in forms))
    assert (held, right >= REPORT_ROOTS_RIGHT, merged <= REPORT_FALSE_CONFLATIONS) == (58, True, True), (
        right,
        merged,
    )


def test_tune_half_roots_are_all_right_but_one_the_precheck_forbids() -> None:
    accuracy, merged, _ = score(root, load_forms(), load_pairs(), "tune")
    assert (round(accuracy * 390), merged) == (389, 0)  # pesantren -> santri loses letters of the root


def test_report_half_watch_pairs_stay_at_their_floor() -> None:
    pairs = [pair for pair in load_watch_pairs() if pair["split"] == "report"]
    _, false, missed, _ = counts(pairs)
    assert (len(pairs), false <= REPORT_FALSE_ALERTS, missed <= REPORT_MISSED_ALERTS) == (162, True, True), (
        false,
        missed,
    )


def test_the_tuners_own_forms_and_checks_stay_at_their_floor() -> None:
    assert len(tuner_misses()) <= TUNER_FORMS_WRONG and len(tuner_wrong()) <= TUNER_CHECKS_WRONG


def test_tune_half_watch_pairs_stay_at_their_floor() -> None:
    pairs = [pair for pair in load_watch_pairs() if pair["split"] == "tune"]
    _, false, missed, _ = counts(pairs)
    assert (len(pairs), false + missed <= TUNE_WRONG_ALERTS) == (165, True), (false, missed)


def matches(query: str, body: str, title: str = "Berita") -> bool:
    return parse_query(query).evaluate({"title": title, "body": body}) is not None


@pytest.mark.parametrize(
    ("query", "body"),
    [
        ("penyeberangan", "Kapal menyeberangi Selat Sunda pagi ini."),
        ("penyeberangan", "Selat itu diseberangi ribuan pemudik."),
        ("kunjungan", "Presiden mengunjungi Amman, Yordania."),
        ("kunjungan", "Jumlah pengunjung pantai naik."),
        ("seberang", "Arus penyeberangan di Merak meningkat."),
        ("Malang", "Wali Kota Malang meresmikan pasar."),
        ("Malang", "Banjir di Malangnya sendiri surut."),
        ("Kejagung", "Penyidik Kejagung memeriksa saksi."),
        ("Jokowi", "Pak Jokowinya belum menjawab."),
        ("BI", "Tanya saja ke BInya, kata bankir itu."),
        ("Bahlil", "Publik menilai Bahlillah yang paling bertanggung jawab."),
        ('"Kim Jong Un"', "Adik pemimpin Kim Jong-un mengecam latihan itu."),
        ("Malang", "Banjir di Malang-lah yang terparah."),  # a hyphenated clitic is no reduplication
        ('"Kim Jong Un"', "Kim Jong-unnya hadir."),  # a hyphenated name's later part keeps two letters
        ("Ukraina", "Belum jelas Rusiakah atau Ukrainakah yang menyerang."),  # an indirect question
        ("Padang", "PADANG, KOMPAS.com - Gempa mengguncang kota itu."),  # a dateline names its place
        ("Padang", "PADANG (ANTARA) - Gempa mengguncang kota itu."),  # after it, the agency
        ("tol", "Jalan Tol Cipularang ditutup sementara."),  # a street's generic word, no name
        ("Aceh", "Gempa terasa di Banda Aceh."),  # a listed name inside a longer listed one
        ("Polri", "Penyidik Mabes Polri datang."),
        ("Jakarta", "Banjir merendam Jakarta Utara."),
    ],
)
def test_affixed_forms_and_names_with_clitics_match(query: str, body: str) -> None:
    assert matches(query, body) is True


@pytest.mark.parametrize(
    ("query", "title", "body"),
    [
        ("Malang", "Banjir Rendam Rumah di Pemalang", "Hujan deras merendam rumah di Kabupaten Pemalang."),
        ("Kediri", "Warga Dirikan Posko", "Warga mendirikan posko banjir."),
        ("jagung", "Kejagung Tetapkan Tersangka", "Kejagung menetapkan tiga tersangka."),
        ("awal", "Dua Pengawal Pejabat Terluka", "Seorang pengawal pribadi terluka."),
        ("malang", "Arema Kembali ke Malang", "Arema kembali berkandang di Malang."),
        ("Medan", "Medan Magnet Bumi Melemah", "Ilmuwan mencatat medan magnet bumi melemah."),
        ("Padang", "Savana Sumba", "Padang rumput di Sumba menjadi incaran wisatawan."),
        ("kelapa", "Banjir Rendam Kelapa Gading", "Banjir merendam jalan di Kelapa Gading."),
        ("puan", "Sidang Paripurna", "Ketua DPR Puan Maharani memimpin sidang."),
        ("Malik", "Hakim Baru", "Malikah Hanum resmi dilantik."),
        ("Abdul", "Raja Tiba", "Raja Abdullah II tiba di Jakarta."),
        ("rawan", "Relawan Bergerak", "Para relawan membagikan makanan."),
        ("perintah", "Pemprov Bali", "Kementerian Investasi dan Pemerintah Provinsi Bali membuat desk."),
        ("untung", "Warga Bicara", "Menurut Pak Untung, harga cabai naik."),
        ("minggu", "Banjir", "Banjir merendam Pasar Minggu dan sekitarnya."),
        ("Sudirman", "Macet", "Macet panjang di Jalan Jenderal Sudirman pagi ini."),
        ("Soekarno", "Mudik", "Penumpang di Bandara Soekarno-Hatta naik."),
        ("sirih", "Macet", "Kemacetan terjadi di Jalan Kebon Sirih pagi ini."),  # the run after Jalan
        ("makmur", "Panen", "Warga Desa Sumber Makmur panen raya."),
        ("putri", "Olahraga", "Pebulu tangkis Putri Kusuma Wardani menang."),  # a run with a foreign word
        ("Gading", "Banjir", "Banjir merendam Kelapa Gading."),  # not inside a longer listed name
        ("Fitri", "Mudik", "Arus mudik Idul Fitri meningkat."),
        ("Serang", "Serang Balik, Timnas Cetak Gol", "Timnas membalas lewat serangan balik cepat."),
        ("Batu", "Ekspor Batu Bara Naik", "Ekspor batubara Indonesia naik 5 persen."),  # a compound
    ],
)
def test_names_stay_names_and_ordinary_words_stay_out_of_them(query: str, title: str, body: str) -> None:
    assert matches(query, body, title) is False


def test_an_ordinary_word_still_matches_its_own_mentions_beside_a_name() -> None:
    assert matches("kelapa", "Harga kelapa bulat naik.", "Harga Kelapa Naik, Pedagang Kelapa Gading Mengeluh")
    assert matches("presiden", "Kata Presiden Prabowo di Istana.") is True
    assert matches("bank", "Laba Bank Mandiri naik.") is True
    assert matches("mandiri", "Laba Bank Mandiri naik.") is False
    assert matches("pemerintah", "Kementerian Investasi dan Pemerintah Provinsi Bali membuat desk.") is True
    assert matches("perintah", "Pemerintah memberi perintah tegas.") is True
    assert matches("keuangan", "Kata Menteri Keuangan di Jakarta.") is True  # an office, not an honorific
    assert matches("Untung", "Menurut Pak Untung, harga cabai naik.") is True


def test_a_chosen_name_after_a_private_bodys_class_noun_holds_no_ordinary_word() -> None:
    """Parties, companies, foundations, hospitals, hotels and schools choose their names; a
    government body's name says what it does, so its words still match."""
    assert matches("harapan", "Pasien dirawat di Rumah Sakit Harapan Kita.") is False
    assert matches("kencana", "Rapat digelar di Hotel Kencana Sari.") is False
    assert matches("pelita", "Siswa Sekolah Pelita Bangsa berprestasi.") is False
    assert matches("cahaya", "Yayasan Cahaya Bangsa menyalurkan bantuan.") is False  # opening a sentence
    assert matches("sejahtera", "Koperasi Sejahtera Bersama digugat nasabah.") is False
    assert matches("hotel", "Rapat digelar di Hotel Kencana Sari.") is True
    assert matches("keuangan", "Pejabat Kementerian Keuangan menerbitkan aturan.") is True
    assert matches("harapan", "Pasien itu punya harapan sembuh.", "Harapan Pasien Rumah Sakit") is True


def test_a_capitalised_run_after_a_noun_for_a_kind_of_person_is_that_persons_name() -> None:
    """PUEBI capitalises names; a lower-case noun such as `pemain` says the run after it is someone's."""
    assert matches("bambang", "Mantan pemain Bambang Pamungkas memberi komentar.") is False
    assert matches("pamungkas", "Mantan pemain Bambang Pamungkas memberi komentar.") is False
    assert matches("untung", "Polisi menangkap seorang pria bernama Untung.") is False
    assert matches("pamungkas", "Gol pamungkas dicetak pemain itu.") is True
    assert matches("keuangan", "Seorang pegawai Kementerian Keuangan diperiksa.") is True  # a remit


def test_a_noun_for_a_kind_of_person_opening_a_sentence_still_says_a_name_follows() -> None:
    assert matches("dewi", "Penyanyi Dewi Persik tampil di Surabaya.") is False
    assert matches("untung", "Kata Untung, harga cabai naik.") is False
    assert matches("dewi", "Dewi keberuntungan berpihak pada tim itu.") is True


def test_a_capitalised_run_a_quotation_is_attributed_to_is_a_name() -> None:
    assert matches("untung", '"Harga naik," kata Untung Wijaya.') is False
    assert matches("harapan", '"Kami siap," ujar Harapan Sihombing.') is False
    assert matches("untung", "Pedagang meraup untung, kata warga.") is True
    assert matches("keuangan", '"Aturan terbit," menurut Kementerian Keuangan.') is True


def test_the_run_after_a_buildings_or_a_newspapers_generic_word_is_its_name() -> None:
    assert matches("sakti", "Warga berkumpul di Monumen Pancasila Sakti.") is False
    assert matches("putih", "Juru bicara Gedung Putih menjawab.") is False
    assert matches("sinar", "Koran Sinar Harapan terbit lagi.") is False
    assert matches("monumen", "Warga berkumpul di Monumen Pancasila Sakti.") is True  # the generic word


def test_a_capitalised_run_that_ends_in_a_class_noun_written_after_it_is_a_name() -> None:
    assert matches("harapan", "Pelatih memuji Harapan Jaya FC.") is False
    assert matches("alam", "Rapat digelar di Alam Permai Resort.") is False
    assert matches("harapan", "Pelatih memuji harapan itu.") is True
    assert matches("resort", "Rapat digelar di Alam Permai Resort.") is True


def test_a_listed_place_is_not_matched_inside_a_religious_figure_or_phrase() -> None:
    """`Banda Aceh` is in Aceh; `Roh Kudus` (the Holy Spirit) is not in the regency of Kudus."""
    assert matches("Kudus", "Umat Kristiani merayakan turunnya Roh Kudus di gereja.") is False
    assert matches("Agung", "Umat Kristiani memperingati Jumat Agung.") is False
    assert matches("Kudus", "Banjir merendam sejumlah desa di Kudus.") is True
    assert matches('"Roh Kudus"', "Umat Kristiani merayakan turunnya Roh Kudus di gereja.") is True
    assert matches("Aceh", "Gempa terasa di Banda Aceh.") is True


def test_a_word_watched_capitalised_is_the_word_in_a_title_where_the_story_writes_it_in_lower_case() -> None:
    """A title capitalises every word: `Jaga Tempo` is the magazine only if the story does not write
    `tempo` (or a form of it) in lower case, or names the magazine mid-sentence too."""
    assert (
        matches("Tempo", "Polisi mengimbau pengemudi menjaga tempo.", "Pengemudi Diminta Jaga Tempo") is False
    )
    assert (
        matches("Puan", "Peringatan itu menyoroti para puan di desa.", "Para Puan Penggerak Ekonomi") is False
    )
    assert matches("Tempo", "Laporan itu terbit Senin.", "Tempo Rilis Laporan Investigasi") is True
    assert matches("Tempo", "Majalah Tempo menjaga tempo terbitnya.", "Tempo Rilis Laporan") is True


def test_a_listed_name_between_two_names_in_a_title_is_the_headlines_verb() -> None:
    """Headlines put the verb between subject and object: `Israel Serang Gaza` says nothing of Serang."""
    body = "Militer Israel kembali menggempur wilayah utara Gaza."
    assert matches("Serang", body, "Israel Serang Gaza Lagi") is False
    assert matches("Serang", "Banjir merendam rumah warga.", "Banjir Rendam Serang") is True
    assert matches("Malang", "Tim itu menang 2-0.", "Arema Malang FC Menang") is True  # a club's name


def test_a_listed_name_of_several_words_opening_a_sentence_is_a_name() -> None:
    """A listed place that is also a word is read as the word when it opens a sentence alone
    (`Padang rumput …`), but not as the first word of a longer listed name."""
    assert matches('"Padang Lawas"', "Padang Lawas kembali diguyur hujan deras.") is True
    assert matches("Bandung", "Bandung Barat kembali dilanda longsor.") is True
    assert matches("padang", "Padang Lawas kembali diguyur hujan deras.") is False
    assert matches("Padang", "Padang ilalang itu terbakar lagi.") is False


@pytest.mark.parametrize(
    ("watch", "text", "alerts"),
    [
        ("Bandung", "Longsor menimbun rumah di Bandung Barat.", True),  # a part named by a compass word
        ("Jakarta", "Banjir merendam Jakarta Utara.", True),
        ("Aceh", "Banjir merendam Aceh Tamiang.", True),  # a regency listed under the province
        ("Papua", "Gempa mengguncang Papua Pegunungan.", True),  # a province split from it
        ("Korea", "Rudal Korea Utara jatuh di laut.", True),  # a country named by its region
        ("Amerika", "Presiden Amerika Serikat tiba.", True),
        ("Aceh", "Banjir merendam Banda Aceh.", True),  # the listed name at the end: in it
        ("Polri", "Penyidik Mabes Polri datang.", True),
        ("Jakarta", "Banjir merendam Jakarta Pusat.", True),
        ("BPJS", "Iuran BPJS Kesehatan naik.", True),  # an institution named with it, not a place
        ("Padang", "Bupati Padang Lawas meninjau jalan.", False),  # another place that starts with it
        ("Bone", "Banjir merendam Kabupaten Bone Bolango.", False),
        ("Papua", "Pesawat jatuh di Papua Nugini.", False),  # another country
        ("Gading", "Banjir merendam Kelapa Gading.", False),  # an unlisted name inside a listed one
        ("Bogor", "Tiga motor bertabrakan di Jalan Raya Bogor, Kramat Jati.", False),  # a street's name
        ("Medan", "Massa tertahan di Jalan Medan Merdeka Barat.", False),
        ("Bogor", "Tiga motor bertabrakan di Jalan Pajajaran, Kota Bogor.", True),
    ],
)
def test_a_place_inside_a_longer_listed_name_only_where_it_names_that_place_or_part_of_it(
    watch: str, text: str, alerts: bool
) -> None:
    assert matches(watch, text) is alerts


def test_a_listed_name_opening_a_sentence_as_the_subject_of_a_verb_is_a_name() -> None:
    """A name opening a sentence is followed by its verb; the word it also is, by what qualifies it."""
    assert matches("Tuban", "Tuban diguyur hujan deras sejak pagi.") is True
    assert matches("Tuban", "Tuban kembali diguyur hujan deras.") is True  # one adverb between
    assert matches("tuban", "Tuban diguyur hujan deras sejak pagi.") is False
    assert matches("Padang", "Padang rumput di Sumba menjadi incaran wisatawan.") is False
    assert matches("Malang", "Malang nian nasib pekerja itu.") is False
    assert matches("Padang", "Padang itu, kata warga, dulu hutan.") is False  # the clause breaks


def test_a_capitalised_word_opening_a_sentence_is_no_name_without_other_evidence() -> None:
    """`Untung saja …` is the adverb; the story has to say elsewhere that `Untung` is someone."""
    assert matches("Untung", "Untung saja tidak ada korban jiwa.") is False
    assert matches("Untung", "Untung saja tidak ada korban. Kata Untung, itu takdir.") is True
    assert matches("Untung", "Untung menolak tuduhan itu.") is True  # the subject of a verb
    assert matches("Kim", "Kim Jong Un meninjau uji coba rudal.") is True  # beside a name
    assert matches("Ganjar", "Ganjarnya sendiri belum bicara.") is True  # a clitic, as before


def test_a_place_named_after_someone_is_matched_by_its_own_name_and_places_keep_theirs() -> None:
    assert matches('"Jalan Sudirman"', "Macet panjang di Jalan Sudirman pagi ini.") is True
    assert matches("Merak", "Antrean di Pelabuhan Merak panjang.") is True
    assert matches("Malang", "Mahasiswa Universitas Negeri Malang berunjuk rasa.") is True
    assert matches("Gibran", "Gibran berkunjung ke Universitas Indonesia.") is True


def test_a_capitalised_indonesian_word_matches_as_written_in_any_case() -> None:
    assert matches('"Bank Pembangunan Daerah"', "Keduanya menjadi bank pembangunan daerah yang kuat.")
    assert matches("Pembangunan", "Mereka membangun jalan.") is False


def test_a_capitalised_indonesian_word_alone_matches_only_where_the_story_capitalises_it() -> None:
    """Alone, the capital is all that tells the name `Untung` from *untung* (profit)."""
    assert matches("Untung", "Pedagang cabai meraup untung besar.") is False
    assert matches("Untung", "Menurut Pak Untung, harga cabai naik.") is True
    assert matches("Untung", "Kata Untungnya, harga cabai naik.") is True
    assert matches("Sinar", "Para nelayan melihat sinar terang.") is False
    assert matches("Sinar", "Nelayan itu bernama Sinar.") is True
    assert matches('"Sinar Harapan"', "Koran sinar harapan terbit lagi.") is True


@pytest.mark.parametrize(
    ("written", "expected"),
    [("menyeberangi", "seberang"), ("diseberangi", "seberang"), ("pengunjung", "kunjung"),
     ("pengawal", "kawal"), ("pemalang", "pemalang"), ("kejagung", "kejagung"), ("kediri", "kediri"),
     ("sayur-mayur", "sayur"), ("bolak-balik", "balik"), ("jokowinya", "jokowi"), ("perlukah", "perlu"),
     ("disinilah", "sini"), ("bukankah", "bukan"), ("masalah", "masalah"), ("langkah", "langkah"),
     ("ketidakadilan", "adil"), ("ketidakpastian", "pasti"), ("sepekan", "pekan"), ("sebulan", "bulan"),
     ("sebaran", "sebar"), ("menyesuaikan", "sesuai"), ("kesesuaian", "sesuai"), ("sesuai", "sesuai"),
     ("menyeragamkan", "seragam"), ("bebatuan", "batu"), ("tetapi", "tetapi"), ("bebas", "bebas"),
     ("kesetaraan", "setara"), ("setaranya", "setara"), ("keserupaan", "serupa"), ("setujunya", "setuju"),
     ("ketidaksetaraan", "setara"), ("sebaris", "baris"), ("seminggu", "minggu"),
     # meng- before a vowel: the k of a root dropped where the peN- form says so, else the vowel's root
     ("mengemas", "kemas"), ("mengemasi", "kemas"), ("mengarang", "karang"), ("mengukur", "ukur"),
     ("mengubah", "ubah"), ("mengurus", "urus"), ("mengisi", "isi"), ("mengakui", "aku"),
     # districts whose names are no Indonesian word stay whole (data/districts.txt)
     ("sekayu", "sekayu"), ("sepaku", "sepaku"), ("sekupang", "sekupang"), ("mentarang", "mentarang")],
)  # fmt: skip
def test_roots(written: str, expected: str) -> None:
    assert root(written) == expected


def test_a_word_that_other_prefixes_derive_from_keeps_its_se_in_every_form() -> None:
    """se- does not stack under meN-, peN-, per-, ber- or ke-…-an, so a word they derive from
    keeps it (`setara`: `menyetarakan`, `penyetaraan`), and its root is not the word without se-."""
    assert matches("setara", "Pemerintah menyetarakan upah guru honorer.") is True
    assert matches("setara", "Tuntutan penyetaraan gaji menguat.") is True
    assert matches("kesetaraan", "Upah buruh perempuan belum setara.") is True
    assert matches("tara", "Pemerintah menyetarakan upah guru honorer.") is False
    assert matches("tuju", "Dewan bersetuju dengan usul itu.") is False
    assert matches("rupa", "Bentuknya menyerupai perahu.") is False


def test_the_name_list_holds_provinces_regencies_institutions_and_countries() -> None:
    names = ("Sulsel", "Pemalang", "Kejagung", "Pegadaian", "Rusia", "Supiori", "Selandia Baru", "Prabowo")
    listed = [is_listed_name(fold(name)) or bool(listed_runs(fold(name).split()[0])) for name in names]
    assert listed == [True, True, True, True, True, True, True, False]


@pytest.mark.parametrize(
    ("query", "page_text"),
    [("kunjungan", "para pengunjung"), ("penyeberangan", "menyeberangi selat"), ("Malang", "Malangnya"),
     ("BI", "BInya"), ("Ganjar", "Ganjarnya"), ('"Bank Pembangunan Daerah"', "bank pembangunan daerah")],
)  # fmt: skip
def test_the_pre_check_lets_through_every_new_form_that_matches(query: str, page_text: str) -> None:
    assert could_match(WatchSet([watch("w", query)]), PAGE.format(title="x", lead="", body=page_text)) is True


def test_the_word_filter_never_rules_out_a_match() -> None:
    """A query is evaluated only when the story holds a form or root of each word it needs
    (`Document.words`); on every second-hand pair it must decide as the full evaluation does."""
    for pair in load_watch_pairs():
        query = parse_query(str(pair["watch"]))
        document = Document({name: str(pair[name]) for name in ("title", "lead", "body")})
        full = query._root.evaluate(document, document.names) is not None
        assert (query.evaluate_document(document) is not None) == full, pair["id"]


def test_the_pre_check_lets_through_a_function_word_with_a_particle() -> None:
    page = PAGE.format(title="x", lead="", body="Sejak dulupun begitu.")
    assert (matches("dulu", "Sejak dulupun begitu."), could_match(WatchSet([watch("w", "dulu")]), page)) == (
        True,
        True,
    )
