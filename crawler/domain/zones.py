"""Indonesia's time zones: portals give times in WIB, WITA or WIT; schedules and digests run in
Asia/Jakarta."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

WIB = timezone(timedelta(hours=7), "WIB")
WITA = timezone(timedelta(hours=8), "WITA")
WIT = timezone(timedelta(hours=9), "WIT")
PORTAL_ZONES = {"WIB": WIB, "WITA": WITA, "WIT": WIT}
JAKARTA = ZoneInfo("Asia/Jakarta")


def zone_name(moment: datetime) -> str | None:
    """WIB, WITA or WIT when the time carries one of their offsets."""
    offset = moment.utcoffset()
    return next((name for name, zone in PORTAL_ZONES.items() if zone.utcoffset(None) == offset), None)
