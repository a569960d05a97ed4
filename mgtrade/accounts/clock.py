"""Times as people read them: with their zone spelled out.

"23:13 CST" is ambiguous (China, Cuba or US Central); every time the app shows a rep or a
buyer says "2026-11-30 23:13 China Standard Time (UTC+8)": the zone's name and its
offset on that date, in the reader's zone (``TIME_ZONE``, or one given).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

# IANA zone → (standard name, daylight-saving name), for the zones mgtrade's people read in.
ZONE_NAMES = {
    "Asia/Shanghai": ("China Standard Time", "China Daylight Time"),
    "Asia/Hong_Kong": ("Hong Kong Time", "Hong Kong Summer Time"),
    "Asia/Tokyo": ("Japan Standard Time", "Japan Daylight Time"),
    "Asia/Seoul": ("Korea Standard Time", "Korea Daylight Time"),
    "Asia/Kolkata": ("India Standard Time", "India Standard Time"),
    "Asia/Dubai": ("Gulf Standard Time", "Gulf Standard Time"),
    "Europe/Berlin": ("Central European Time", "Central European Summer Time"),
    "Europe/Amsterdam": ("Central European Time", "Central European Summer Time"),
    "Europe/Rome": ("Central European Time", "Central European Summer Time"),
    "Europe/Paris": ("Central European Time", "Central European Summer Time"),
    "Europe/Istanbul": ("Turkey Time", "Turkey Time"),
    "Europe/London": ("Greenwich Mean Time", "British Summer Time"),
    "America/New_York": ("Eastern Standard Time", "Eastern Daylight Time"),
    "America/Chicago": ("Central Standard Time", "Central Daylight Time"),
    "America/Los_Angeles": ("Pacific Standard Time", "Pacific Daylight Time"),
    "America/Sao_Paulo": ("Brasília Time", "Brasília Summer Time"),
    "UTC": ("Coordinated Universal Time", "Coordinated Universal Time"),
}


def _offset(delta: timedelta | None) -> str:
    minutes = int((delta or timedelta()).total_seconds() // 60)
    sign = "+" if minutes >= 0 else "−"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def zone_label(value: datetime, zone: ZoneInfo | None = None) -> str:
    """ "China Standard Time (UTC+8)" for an aware datetime in ``zone`` (default: the
    current time zone)."""
    zone = zone or timezone.get_current_timezone()
    local = value.astimezone(zone)
    key = getattr(zone, "key", str(zone))
    standard, daylight = ZONE_NAMES.get(key, (key, key))
    name = daylight if local.dst() else standard
    return f"{name} ({_offset(local.utcoffset())})"


def when(value: datetime | None, zone: ZoneInfo | None = None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """ "2026-11-30 23:13 China Standard Time (UTC+8)"; empty for None."""
    if value is None:
        return ""
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    zone = zone or timezone.get_current_timezone()
    return f"{value.astimezone(zone).strftime(fmt)} {zone_label(value, zone)}"
