"""The web's words in Bahasa Indonesia and English, and times shown the Indonesian way, in WIB."""

from __future__ import annotations

from datetime import datetime, timedelta

from crawler.domain.zones import WIB

LANGUAGES = {"id": "Bahasa Indonesia", "en": "English"}
DEFAULT_LANGUAGE = "id"

_MONTHS = {
    "id": ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}

MESSAGES: dict[str, dict[str, str]] = {
    "id": {
        "inbox": "Kotak masuk",
        "sources": "Sumber",
        "watches": "Pantauan",
        "new_watch": "Pantauan baru",
        "no_watches": "Belum ada pantauan.",
        "query": "Kueri",
        "channels": "Saluran peringatan",
        "webhook": "Webhook pantauan ini (opsional)",
        "delivery": "Pengiriman",
        "delivery.immediate": "segera",
        "delivery.hourly": "tiap jam",
        "delivery.daily": "harian",
        "daily_at": "Jam kirim harian (WIB)",
        "changed": "Diubah",
        "muted": "dibisukan",
        "mute": "Bisukan",
        "unmute": "Bunyikan",
        "muted_hint": "Bisukan: berita tetap masuk kotak masuk, tanpa peringatan",
        "query_hint": 'Contoh: "Korea Utara" AND Rusia, title:Jokowi, kemiskinan NOT beras',
        "query_required": "Isi kuerinya.",
        "control_characters": "Karakter kendali tidak boleh dipakai.",
        "watch_name_required": "Nama pantauan 1 sampai {length} karakter.",
        "unknown_delivery": "Pengiriman {value!r} tidak dikenal.",
        "bad_time": "Jam {value!r} tidak dikenal: tulis JJ:MM.",
        "sources_required": "Pilih minimal satu sumber (atau Semua).",
        "watch_saved": "Pantauan disimpan; berlaku mulai putaran berikutnya.",
        "watch_made": "dibuat oleh {who}, {when}",
        "watch_changed": "diubah oleh {who}, {when}",
        "preview": "Pratinjau",
        "save": "Simpan",
        "preview_title": "Pratinjau: {days} hari terakhir",
        "preview_count": "Cocok dengan {matched} dari {scanned} berita tersimpan dalam {days} hari terakhir.",
        "preview_without_body": (
            "({count} di antaranya tanpa isi tersimpan: dicocokkan pada judul dan teras saja.)"
        ),
        "preview_fix_first": "Perbaiki pantauan dulu:",
        "feeds": "Umpan (RSS, Atom, JSON Feed)",
        "feeds_intro": (
            "Tautan rahasia untuk pembaca umpan; {count} tautan aktif. "
            "Siapa pun yang memegang tautan dapat membacanya."
        ),
        "feed.rss": "RSS 2.0",
        "feed.atom": "Atom",
        "feed.json": "JSON Feed",
        "feed_once": "Salin sekarang: tautan ini hanya ditampilkan sekali.",
        "new_feed": "Buat tautan umpan",
        "revoke_feeds": "Cabut semua tautan umpan",
        "delete_watch": "Hapus pantauan",
        "sign_in": "Masuk",
        "sign_out": "Keluar",
        "name": "Nama",
        "password": "Kata sandi",
        "password_again": "Ulangi kata sandi",
        "bad_login": "Nama atau kata sandi salah.",
        "throttled": "Terlalu banyak percobaan gagal. Coba lagi dalam {seconds} detik.",
        "setup_title": "Buat admin pertama",
        "setup_intro": "Belum ada pengguna. Pilih nama dan kata sandi untuk admin pertama.",
        "create_admin": "Buat admin",
        "passwords_differ": "Kedua kata sandi tidak sama.",
        "name_required": "Isi nama pengguna.",
        "password_short": "Kata sandi minimal {length} karakter.",
        "watch": "Pantauan",
        "source": "Sumber",
        "since": "Dari tanggal",
        "until": "Sampai tanggal",
        "all": "Semua",
        "filter": "Saring",
        "no_stories": "Belum ada berita yang cocok dengan saringan ini.",
        "carried_by": "dimuat {count} media, pertama: {outlet} {time}",
        "older": "Lebih lama",
        "newest": "Terbaru",
        "bad_date": "Tanggal {value!r} tidak dikenal: tulis TTTT-BB-HH.",
        "field": "Kolom",
        "value": "Isi",
        "evidence": "Asal",
        "title": "Judul",
        "authors": "Penulis",
        "editors": "Editor",
        "published_at": "Terbit",
        "modified_at": "Diubah",
        "section": "Rubrik",
        "tags": "Tag",
        "source_org": "Sumber berita",
        "lead": "Teras",
        "body": "Isi berita",
        "no_body": "Isi berita tidak disimpan.",
        "matches": "Cocok dengan pantauan",
        "terms": "Kata kunci",
        "cluster": "Media yang memuat berita ini",
        "outlet": "Media",
        "time": "Waktu",
        "lag": "Selisih",
        "follows": "Lanjutan dari",
        "followed_by": "Dilanjutkan oleh",
        "original": "Buka di situs asal",
        "verdict": "Duplikasi",
        "health": "Kesehatan",
        "last_run": "Putaran terakhir",
        "stories_7d": "Berita 7 hari",
        "never_ran": "belum pernah",
        "run_now": "Jalankan sekarang",
        "queued": "Menunggu daemon",
        "no_daemon": "Tidak ada daemon yang berjalan: permintaan menunggu sampai daemon dimulai.",
        "daemon_running": "Daemon berjalan ({process}).",
        "run_counts": "{pages} halaman, {new} baru, {duplicate} duplikat, {matched} cocok, {failed} gagal",
        "language": "Bahasa",
        "forbidden": "Anda tidak boleh mengubah ini.",
        "not_found": "Halaman tidak ditemukan.",
        "bad_csrf": "Formulir kedaluwarsa. Muat ulang halaman lalu coba lagi.",
        "error": "Galat",
        "back": "Kembali ke kotak masuk",
        "signed_in_as": "Masuk sebagai {name} ({role})",
        "state.healthy": "sehat",
        "state.degraded": "terganggu",
        "state.blocked": "diblokir",
        "state.unhealthy": "tidak sehat",
        "state.unknown": "belum diketahui",
        "state.running": "berjalan",
        "state.succeeded": "berhasil",
        "state.failed": "gagal",
        "state.aborted": "dihentikan",
        "state.abandoned": "ditinggalkan",
    },
    "en": {
        "inbox": "Inbox",
        "sources": "Sources",
        "watches": "Watches",
        "new_watch": "New watch",
        "no_watches": "No watches yet.",
        "query": "Query",
        "channels": "Alert channels",
        "webhook": "This watch's own webhook (optional)",
        "delivery": "Delivery",
        "delivery.immediate": "immediately",
        "delivery.hourly": "hourly",
        "delivery.daily": "daily",
        "daily_at": "Daily delivery time (WIB)",
        "changed": "Changed",
        "muted": "muted",
        "mute": "Mute",
        "unmute": "Unmute",
        "muted_hint": "Muted: stories still reach the inbox, no alerts are sent",
        "query_hint": 'For example: "Korea Utara" AND Rusia, title:Jokowi, kemiskinan NOT beras',
        "query_required": "Fill in the query.",
        "control_characters": "Control characters are not allowed.",
        "watch_name_required": "A watch name has 1 to {length} characters.",
        "unknown_delivery": "Unknown delivery {value!r}.",
        "bad_time": "Unknown time {value!r}: write HH:MM.",
        "sources_required": "Choose at least one source (or All).",
        "watch_saved": "Watch saved; it applies from the next run.",
        "watch_made": "created by {who}, {when}",
        "watch_changed": "changed by {who}, {when}",
        "preview": "Preview",
        "save": "Save",
        "preview_title": "Preview: the last {days} days",
        "preview_count": "Matches {matched} of {scanned} stored stories of the last {days} days.",
        "preview_without_body": "({count} of them without a stored body: matched on title and lead only.)",
        "preview_fix_first": "Fix the watch first:",
        "feeds": "Feeds (RSS, Atom, JSON Feed)",
        "feeds_intro": "Secret links for feed readers; {count} active. Anyone holding a link can read it.",
        "feed.rss": "RSS 2.0",
        "feed.atom": "Atom",
        "feed.json": "JSON Feed",
        "feed_once": "Copy them now: these links are shown only once.",
        "new_feed": "Create feed links",
        "revoke_feeds": "Revoke every feed link",
        "delete_watch": "Delete watch",
        "sign_in": "Sign in",
        "sign_out": "Sign out",
        "name": "Name",
        "password": "Password",
        "password_again": "Password again",
        "bad_login": "Wrong name or password.",
        "throttled": "Too many failed attempts. Try again in {seconds} seconds.",
        "setup_title": "Create the first admin",
        "setup_intro": "There are no users yet. Choose a name and password for the first admin.",
        "create_admin": "Create admin",
        "passwords_differ": "The two passwords differ.",
        "name_required": "Fill in a user name.",
        "password_short": "A password needs at least {length} characters.",
        "watch": "Watch",
        "source": "Source",
        "since": "From date",
        "until": "To date",
        "all": "All",
        "filter": "Filter",
        "no_stories": "No story matches these filters yet.",
        "carried_by": "carried by {count} outlets, first: {outlet} {time}",
        "older": "Older",
        "newest": "Newest",
        "bad_date": "Unknown date {value!r}: write YYYY-MM-DD.",
        "field": "Field",
        "value": "Value",
        "evidence": "From",
        "title": "Title",
        "authors": "Authors",
        "editors": "Editors",
        "published_at": "Published",
        "modified_at": "Modified",
        "section": "Section",
        "tags": "Tags",
        "source_org": "Credited source",
        "lead": "Lead",
        "body": "Body",
        "no_body": "The body was not kept.",
        "matches": "Matched watches",
        "terms": "Terms",
        "cluster": "Outlets that carried this story",
        "outlet": "Outlet",
        "time": "Time",
        "lag": "Lag",
        "follows": "Follows",
        "followed_by": "Followed by",
        "original": "Open at the source",
        "verdict": "Dedup",
        "health": "Health",
        "last_run": "Last run",
        "stories_7d": "Stories, 7 days",
        "never_ran": "never",
        "run_now": "Run now",
        "queued": "Waiting for the daemon",
        "no_daemon": "No daemon is running: the request waits until one starts.",
        "daemon_running": "Daemon running ({process}).",
        "run_counts": "{pages} pages, {new} new, {duplicate} duplicate, {matched} matched, {failed} failed",
        "language": "Language",
        "forbidden": "You may not change this.",
        "not_found": "Page not found.",
        "bad_csrf": "The form expired. Reload the page and try again.",
        "error": "Error",
        "back": "Back to the inbox",
        "signed_in_as": "Signed in as {name} ({role})",
        "state.healthy": "healthy",
        "state.degraded": "degraded",
        "state.blocked": "blocked",
        "state.unhealthy": "unhealthy",
        "state.unknown": "unknown",
        "state.running": "running",
        "state.succeeded": "succeeded",
        "state.failed": "failed",
        "state.aborted": "aborted",
        "state.abandoned": "abandoned",
    },
}


class Words:
    """One language's messages and formats, as templates call them: `t("inbox")`, `when(moment)`."""

    def __init__(self, language: str) -> None:
        self.language = language if language in MESSAGES else DEFAULT_LANGUAGE

    def __call__(self, key: str, **values: object) -> str:
        return MESSAGES[self.language][key].format(**values)

    def state(self, name: str) -> str:
        """A source's health or a run's status in words; a state this table does not know, as stored."""
        return MESSAGES[self.language].get(f"state.{name}", name)

    def when(self, moment: datetime | None, *, date_only: bool = False) -> str:
        """`21 Nov 2025 09:30 WIB` (`21 Agu 2025` for a date without a time); empty for None."""
        if moment is None:
            return ""
        local = moment.astimezone(WIB) if not date_only else moment
        month = _MONTHS[self.language][local.month - 1]
        day = f"{local.day} {month} {local.year}"
        return day if date_only else f"{day} {local:%H:%M} WIB"

    def lag(self, span: timedelta) -> str:
        """`+1 j 5 m` / `+1 h 5 min`: how long after the first outlet a copy appeared."""
        minutes = int(span.total_seconds() // 60)
        if minutes <= 0:
            return "—"
        hours, minutes = divmod(minutes, 60)
        days, hours = divmod(hours, 24)
        units = ("h", "j", "m") if self.language == "id" else ("d", "h", "min")
        parts = [
            f"{count} {unit}" for count, unit in zip((days, hours, minutes), units, strict=True) if count
        ]
        return "+" + " ".join(parts)
