"""Filters for message templates, whose context holds only JSON (times as ISO strings).

Names of days and months come from Babel in the active language (the recipient's, at
send time), so "Tue 15 Jul 2031" reads "mar. 15 juil. 2031" for a French reader, and the
year is the reader's (core.locales.format_cldr: a Thai reader's Buddhist era when chosen).
The active time zone is the recipient's too (notifications.services.rendering).
"""

from __future__ import annotations

import functools
import zoneinfo
from datetime import UTC, datetime

from django import template
from django.utils import timezone, translation

from core.dates import format_day
from core.locales import format_cldr, gmt_offset, year_offset, zone_name

register = template.Library()


def _moment(value: str, zone: str) -> datetime:
    moment = datetime.fromisoformat(str(value))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zoneinfo.ZoneInfo(zone or "UTC"))


@register.filter
def local_time(value: str, zone: str) -> str:
    """An ISO date-time in ``zone``, the zone named in the reader's language: "Tue 15 Jul 2031,
    18:00 (United States (New York) Time)"."""
    if not value:
        return ""
    language = translation.get_language() or "en"
    return _local_time(str(value), zone, language, year_offset(language))


# The same shift's time is shown in every reminder of a batch (a shift's volunteers are
# reminded together), in the text and in the HTML part: formatted once per language (and
# era, which the organisation may change).
@functools.lru_cache(maxsize=4096)
def _local_time(value: str, zone: str, language: str, era: int) -> str:
    moment = _moment(value, zone)
    shown = format_cldr(moment, "EEE d MMM y, HH:mm", language)
    return f"{shown} ({zone_name(zone or 'UTC', language)})"


@register.filter
def sms_time(value: str, zone: str) -> str:
    """Short form for text messages, in ``zone`` (where the shift happens): "Tue 15 Jul 18:00"
    when the recipient's clock reads the same then (their zone, the active one while a
    message is rendered, has the same offset), else with the offset: "Tue 15 Jul 18:00
    GMT-4". Never an abbreviation such as "EDT", which readers of other languages do not
    know and which is ambiguous (CST)."""
    if not value:
        return ""
    local = _moment(value, zone)
    shown = format_cldr(local, "EEE d MMM HH:mm")
    if local.astimezone(timezone.get_current_timezone()).utcoffset() == local.utcoffset():
        return shown
    return f"{shown} {gmt_offset(local)}"


@register.filter
def sms_cut(value: str, length: int) -> str:
    """At most ``length`` characters, cut with "..." rather than "…": the ellipsis is not in
    the GSM-7 alphabet and would make an English text message UCS-2 (70 characters a
    segment instead of 160; notifications.services.sms.sms_segments)."""
    text = str(value)
    if len(text) <= length:
        return text
    return text[: max(length - 3, 0)].rstrip() + "..."


@register.filter
def local_date(value: str) -> str:
    """An ISO date ("2031-07-15") or date-time for people: "Jul 15, 2031", the day in the
    organisation's zone in the one format of pages and PDFs (``core.dates.format_day``)."""
    if not value:
        return ""
    return format_day(str(value))
