"""The words that tell names from ordinary words around them (crawler/matching/names.py reads them):
heads a name follows, nouns for a kind of person, class nouns written after a name, and the words
that stand between a subject and its verb."""

from __future__ import annotations

# Words that stand before a name and are capitalised with it, written as PUEBI (Pedoman Umum Ejaan
# Bahasa Indonesia, on capital letters) lists them: honorifics and titles of birth or religion
# before a person's name (`Pak Untung`, `Kiai Ma'ruf`) and the generic part of a geographical
# name (`Pasar Minggu`, `Pulau Seribu`). The capitalised word right after one is a name.
NAME_HEADS = frozenset((
    "pak", "bu", "ibu", "bapak", "mas", "mbak", "bung", "haji", "hajah", "kiai", "ustaz", "ustazah",
    "habib", "syekh", "gus", "nabi", "raden", "teuku", "cut", "andi", "daeng", "sang", "raja", "ratu",
    "sultan", "pangeran", "kota", "kabupaten", "provinsi", "kecamatan", "kelurahan", "desa", "dusun",
    "kampung", "pulau", "selat", "sungai", "danau", "teluk",
    "pasar", "pelabuhan", "bandara", "stasiun", "jalan", "jl", "gang", "gg",
    # and of a building, monument or park (`Monumen Pancasila Sakti`, `Gedung Putih`, `Taman Mini
    # Indonesia Indah`, `Masjid Istiqlal`, `Istana Merdeka`)
    "monumen", "museum", "taman", "gedung", "wisma", "stadion", "lapangan", "masjid", "gereja",
    "pura", "vihara", "klenteng", "candi", "istana",
    # The class nouns of bodies whose names are chosen, not descriptive (`Partai Keadilan Sejahtera`,
    # `PT Bumi Resources`, `Yayasan Sumber Makmur`, `Rumah Sakit Harapan Kita`, `Hotel Mulia`), unlike
    # a government body's, which names its remit (`Kementerian Keuangan`, `Dinas Kesehatan`).
    "partai", "pt", "cv", "yayasan", "koperasi", "hotel", "sakit", "rs", "klinik", "sekolah", "klub",
    "koran", "harian", "majalah", "tabloid",  # a newspaper's or magazine's (`Koran Sinar Harapan`)
))  # fmt: skip
# The generic word of a street, building, institution or military unit often named after a person
# (`Jalan Sudirman`, `Bandara Soekarno-Hatta`, `Universitas Diponegoro`, `Kodam Siliwangi`): the
# person's name there is the place's.
MEMORIAL_HEADS = frozenset((
    "jalan", "jl", "bandara", "universitas", "institut", "stadion", "gedung", "wisma", "masjid",
    "museum", "monumen", "lapangan", "taman", "rsud", "gelora", "kodam", "korem", "lanud", "kri",
))  # fmt: skip
MEMORIAL_REACH = 2  # words between the generic word and the name (`Jalan Jenderal Sudirman`)
# The generic words of a street: a place's name after one names the street, which lies elsewhere as
# often as not (`Jalan Raya Bogor` in East Jakarta, `Jalan Medan Merdeka Barat`, `Jalan Surabaya`).
STREET_HEADS = frozenset(("jalan", "jl", "gang", "gg"))
# Words that stand before a name without being part of it: those, titles of office and the class
# nouns of bodies (`Presiden Prabowo`, `Bank Mandiri`); a watch on them still finds them there.
HEADS = NAME_HEADS | frozenset((
    "presiden", "wakil", "menteri", "gubernur", "bupati", "wali", "ketua", "kepala", "direktur",
    "camat", "hakim", "jaksa", "jenderal", "komisaris", "sekretaris", "anggota", "mantan", "calon",
    "panglima", "pelatih", "kapten", "warga", "dokter", "profesor", "bank", "universitas",
    "kementerian", "badan", "dinas", "komisi", "tol", "layang", "lingkar",
))  # fmt: skip

# Nouns for a kind of person that a person's name follows, in lower case (`pemain Bambang Pamungkas`,
# `seorang pria bernama Untung`) or opening a sentence (`Penyanyi Dewi Persik tampil`); the titles
# of office are in `HEADS`.
# A name is also who a quotation is attributed to (`kata Bambang`), listed last.
ROLE_NOUNS = frozenset((
    "pemain", "penyanyi", "penyair", "penulis", "pelukis", "aktor", "aktris", "artis", "atlet",
    "petinju", "pembalap", "pesepak", "pebulu", "pegolf", "perenang", "sutradara", "komedian",
    "wartawan", "jurnalis", "pengusaha", "politikus", "politisi", "ekonom", "pengamat", "peneliti",
    "budayawan", "sastrawan", "seniman", "musisi", "selebritas", "pemilik", "pendiri", "tokoh",
    "sosok", "bernama", "berinisial", "alias", "almarhum", "almarhumah", "mendiang",
    "tersangka", "terdakwa", "terpidana", "pelaku", "korban", "saksi", "petani", "nelayan",
    "pedagang", "sopir", "bocah", "pria", "wanita", "remaja", "siswa", "siswi", "mahasiswa",
    "mahasiswi", "guru", "dosen", "istri", "suami", "putra", "putri", "kakak", "adik", "ayah",
    "cucu", "rekan", "kakek", "nenek", "paman", "bibi", "keponakan",
    # and the verbs that attribute a quotation to its speaker (`…, kata Bambang Pamungkas.`)
    "kata", "ujar", "ucap", "tutur", "ungkap", "tegas", "imbuh", "tambah", "papar", "jelas",
    "menurut", "sebut", "lanjut", "kilah",
))  # fmt: skip

# Class nouns written after a chosen name (`Harapan Jaya FC`, `Surya Kencana Hotel`).
CLASS_NOUNS_AFTER = frozenset((
    "fc", "united", "club", "hotel", "resort", "residence", "mall", "plaza", "tbk", "group", "grup",
    "corporation", "corp", "inc", "ltd", "foundation", "institute",
))  # fmt: skip


# Adverbs of time, aspect and negation that stand between a subject and its verb (`Tuban kembali
# diguyur hujan`, `Garut sudah menetapkan …`), from Tala's list of Indonesian function words.
ADVERBS_BEFORE_A_VERB = frozenset((
    "akan", "sudah", "telah", "masih", "juga", "pun", "sedang", "kembali", "belum", "tidak", "tak",
    "kini", "pernah", "segera", "terus",
))  # fmt: skip
VERBAL_PREFIXES = ("di", "me", "ber", "be", "ter")
