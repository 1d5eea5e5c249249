"""A repeat rule in words, for people: "Every Tuesday and Thursday, 18:00-21:00, from 5 Jan
to 30 Mar 2027: 25 shifts", and its first dates. No raw RRULE text is shown to a person.

The rule is read by the same parser the series use (``parse_rule`` / ``occurrence_dates``),
so the words and the dates shown are the shifts that saving would plan.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from dateutil.rrule import DAILY, MONTHLY, WEEKLY, YEARLY, rrule
from django.core.exceptions import ValidationError
from django.utils.dates import WEEKDAYS
from django.utils.text import get_text_list
from django.utils.translation import gettext, ngettext

from core.locales import format_cldr
from volunteers.models import ShiftSeries
from volunteers.services.series import PROBE_YEARS, occurrence_dates, parse_rule

# How many dates a preview lists.
FIRST_FEW = 5


@dataclass(frozen=True)
class RulePreview:
    words: str  # the whole sentence
    pattern: str  # "Every Tuesday and Thursday"
    dates: list[date]  # the first few dates
    total: int | None  # how many shifts in all; None when the series has no end


def _nth_weekday(n: int, weekday: str, interval: int) -> str | None:
    """ "The first Saturday of every month" (a whole sentence per ordinal, for translators)."""
    values = {"day": weekday, "count": interval}
    if n == 1:
        text = ngettext(
            "The first %(day)s of every month",
            "The first %(day)s of every %(count)d months",
            interval,
        )
    elif n == 2:
        text = ngettext(
            "The second %(day)s of every month",
            "The second %(day)s of every %(count)d months",
            interval,
        )
    elif n == 3:
        text = ngettext(
            "The third %(day)s of every month",
            "The third %(day)s of every %(count)d months",
            interval,
        )
    elif n == 4:
        text = ngettext(
            "The fourth %(day)s of every month",
            "The fourth %(day)s of every %(count)d months",
            interval,
        )
    elif n == -1:
        text = ngettext(
            "The last %(day)s of every month",
            "The last %(day)s of every %(count)d months",
            interval,
        )
    else:
        return None
    return text % values


def _days(weekdays: tuple[int, ...] | list[int]) -> str:
    return str(get_text_list([str(WEEKDAYS[day]) for day in sorted(weekdays)], gettext("and")))


def _short(day: date, *, year: bool = True) -> str:
    return format_cldr(day, "d MMM y" if year else "d MMM")


def _pattern(rule: rrule, dtstart: date) -> str:
    """The repeat in words, or a plain fallback for rules beyond the common shapes."""
    freq: int = rule._freq  # type: ignore[attr-defined]
    interval: int = rule._interval  # type: ignore[attr-defined]
    weekdays: tuple[int, ...] | None = rule._byweekday  # type: ignore[attr-defined]
    nth: tuple[tuple[int, int], ...] | None = rule._bynweekday  # type: ignore[attr-defined]
    monthdays: tuple[int, ...] = rule._bymonthday or ()  # type: ignore[attr-defined]
    unusual = any(
        getattr(rule, name, None)
        for name in ("_bysetpos", "_byyearday", "_byweekno", "_byeaster", "_bynmonthday")
    )
    fallback = gettext("Repeats by a custom rule")
    if unusual:
        return fallback
    count = {"count": interval}
    if freq == DAILY and not weekdays and not monthdays:
        return ngettext("Every day", "Every %(count)d days", interval) % count
    if freq in (DAILY, WEEKLY) and weekdays and not monthdays:
        days = _days(weekdays)
        if freq == DAILY or interval == 1:
            return gettext("Every %(days)s") % {"days": days}
        return ngettext("Every week on %(days)s", "Every %(count)d weeks on %(days)s", interval) % (
            count | {"days": days}
        )
    if freq == MONTHLY and nth and not weekdays and not monthdays:
        if len(nth) == 1:
            weekday, n = nth[0]
            return _nth_weekday(n, str(WEEKDAYS[weekday]), interval) or fallback
        return fallback
    if freq == MONTHLY and monthdays and not weekdays and not nth:
        days = str(get_text_list([str(day) for day in sorted(monthdays)], gettext("and")))
        return ngettext(
            "On day %(days)s of every month",
            "On day %(days)s of every %(count)d months",
            interval,
        ) % (count | {"days": days})
    if freq == YEARLY and not weekdays and not nth and len(monthdays) == 1:
        months: tuple[int, ...] = rule._bymonth or ()  # type: ignore[attr-defined]
        if len(months) == 1:
            day = date(2000, months[0], monthdays[0])
            when = format_cldr(day, "d MMMM")
            return ngettext(
                "Every year on %(day)s", "Every %(count)d years on %(day)s", interval
            ) % (count | {"day": when})
    return fallback


def _times(start_time: time, duration: timedelta) -> str:
    start = datetime.combine(date(2000, 1, 3), start_time)
    end = start + duration
    text = f"{start:%H:%M}\u2013{end:%H:%M}"
    if end.date() > start.date():
        return gettext("%(times)s (ends the next day)") % {"times": text}
    return text


def describe_rule(
    rule_text: str,
    *,
    dtstart: date,
    start_time: time,
    duration: timedelta,
    until: date | None = None,
    first_few: int = FIRST_FEW,
) -> RulePreview:
    """The rule in words with its first dates; a ValidationError (on "rrule") if unreadable."""
    rule = parse_rule(rule_text, dtstart=dtstart, start_time=start_time)
    pattern = _pattern(rule, dtstart)
    times = _times(start_time, duration)
    ends = until is not None or rule._count is not None or rule._until is not None  # type: ignore[attr-defined]
    last = dtstart.replace(year=dtstart.year + PROBE_YEARS, day=min(dtstart.day, 28))
    if not ends:
        last = dtstart + timedelta(days=400)
    dates = occurrence_dates(
        rule_text, dtstart=dtstart, start_time=start_time, until=until, first=dtstart, last=last
    )
    if not dates:
        words = gettext("%(pattern)s, %(times)s: no dates") % {
            "pattern": pattern,
            "times": times,
        }
        return RulePreview(words=words, pattern=pattern, dates=[], total=0)
    if not ends:
        words = gettext("%(pattern)s, %(times)s, from %(first)s, with no end date") % {
            "pattern": pattern,
            "times": times,
            "first": _short(dates[0]),
        }
        return RulePreview(words=words, pattern=pattern, dates=dates[:first_few], total=None)
    total = len(dates)
    first, final = dates[0], dates[-1]
    words = ngettext(
        "%(pattern)s, %(times)s, from %(first)s to %(last)s: %(count)d shift",
        "%(pattern)s, %(times)s, from %(first)s to %(last)s: %(count)d shifts",
        total,
    ) % {
        "pattern": pattern,
        "times": times,
        "first": _short(first, year=first.year != final.year),
        "last": _short(final),
        "count": total,
    }
    return RulePreview(words=words, pattern=pattern, dates=dates[:first_few], total=total)


def series_pattern(series: ShiftSeries) -> str:
    """A saved series' repeat in words ("Every Tuesday and Thursday"), for its shifts' pages."""
    try:
        rule = parse_rule(series.rrule, dtstart=series.dtstart, start_time=series.start_time)
    except ValidationError:
        return gettext("Repeats by a custom rule")
    return _pattern(rule, series.dtstart)
