"""Issue 15: a text message names the shift's time zone in a form every reader understands.

Not "EDT" (English, and ambiguous: CST is in America, China and Cuba) but the offset in
CLDR's short localized GMT format ("GMT-4"), and only when the recipient's own clock reads
differently then: a volunteer in the shift's zone (or one with the same offset at that
moment) reads the bare local time. The time is always the shift's local time."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from core.locales import gmt_offset
from notifications.models import Channel, Message, NotificationPreference
from notifications.services.rendering import Renderer
from notifications.services.sms import sms_segments
from tests.factories import make_user
from tests.notifications.conftest import SAMPLE_CONTEXTS

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("zone", "moment", "shown"),
    [
        ("America/New_York", datetime(2031, 7, 15, 22, tzinfo=UTC), "GMT-4"),
        ("America/New_York", datetime(2031, 1, 15, 22, tzinfo=UTC), "GMT-5"),
        ("Asia/Bangkok", datetime(2031, 7, 15, 22, tzinfo=UTC), "GMT+7"),
        ("Asia/Kolkata", datetime(2031, 7, 15, 22, tzinfo=UTC), "GMT+5:30"),
        ("Asia/Kathmandu", datetime(2031, 7, 15, 22, tzinfo=UTC), "GMT+5:45"),
        ("America/St_Johns", datetime(2031, 7, 15, 22, tzinfo=UTC), "GMT-2:30"),
        ("Europe/London", datetime(2031, 1, 15, 22, tzinfo=UTC), "GMT"),
        ("Europe/London", datetime(2031, 7, 15, 22, tzinfo=UTC), "GMT+1"),
    ],
)
@pytest.mark.parametrize("language", ["en", "es", "vi", "th", "fil"])
def test_the_short_localized_gmt_offset(
    zone: str, moment: datetime, shown: str, language: str
) -> None:
    assert gmt_offset(moment.astimezone(ZoneInfo(zone)), language) == shown


def _sms(language: str, recipient_zone: str, kind: str = "shift.reminder", **context: str) -> str:
    user = make_user(first_name="Ploy", preferred_language=language, time_zone=recipient_zone)
    message = Message(
        recipient=user,
        kind=kind,
        channel=Channel.SMS,
        dedupe_key=f"t:{kind}",
        context={**SAMPLE_CONTEXTS[kind], **context},
    )
    return Renderer().render(message, NotificationPreference(user=user, unsubscribe_token="t")).sms


# The sample reminder: a shift in New York at 18:00 on Tue 15 Jul 2031 (22:00 UTC, EDT).
REMINDERS = {
    "en": (
        "Hope Line: Crisis text line, evening Tue 15 Jul 18:00{zone}, Harbour Street of...."
        " Reply YES to confirm, NO to cancel."
    ),
    "es": (
        "Hope Line: Crisis text line, evening mar 15 jul 18:00{zone}, Harbour Street of...."
        " Responda YES para confirmar, NO para cancelar."
    ),
    "vi": (
        "Hope Line: Crisis text line, evening Thứ 3 15 thg 7 18:00{zone}, Harbour Street of...."
        " Trả lời YES để xác nhận, NO để hủy."
    ),
    "th": (
        "Hope Line: Crisis text line, evening อังคาร 15 ก.ค. 18:00{zone}, Harbour Street of..."
        " ตอบ YES เพื่อยืนยัน NO เพื่อยกเลิก"
    ),
    "fil": (
        "Hope Line: Crisis text line, evening Mar 15 Hul 18:00{zone}, Harbour Street of...."
        " Mag-reply ng YES para kumpirmahin, NO para mag-cancel."
    ),
}
# Segments: English, Spanish and Filipino stay GSM-7 (160 a message) with the offset;
# Vietnamese (its tone marks) and Thai are UCS-2: 70, or 67 a part.
SEGMENTS = {"en": 1, "es": 1, "vi": 2, "th": 2, "fil": 1}


@pytest.mark.parametrize("language", sorted(REMINDERS))
def test_a_reminder_in_the_recipients_own_zone_names_no_zone(language: str) -> None:
    sms = _sms(language, "America/New_York")
    assert sms == REMINDERS[language].format(zone="")
    assert "EDT" not in sms
    assert sms_segments(sms) == SEGMENTS[language]
    # Another zone with the same clock then (Detroit keeps New York's time) needs none either.
    assert _sms(language, "America/Detroit") == sms


@pytest.mark.parametrize("language", sorted(REMINDERS))
def test_a_reminder_for_someone_elsewhere_gives_the_shifts_offset(language: str) -> None:
    sms = _sms(language, "Asia/Bangkok")
    assert sms == REMINDERS[language].format(zone=" GMT-4")
    assert sms_segments(sms) == SEGMENTS[language]


def test_the_offset_is_the_one_at_the_shifts_moment() -> None:
    # Phoenix keeps GMT-7 all year; Denver is GMT-7 in winter, GMT-6 in summer.
    winter = {"starts_at": "2031-01-14T01:00:00+00:00", "zone": "America/Denver"}
    summer = {"starts_at": "2031-07-16T00:00:00+00:00", "zone": "America/Denver"}
    assert "Mon 13 Jan 18:00, Harbour" in _sms("en", "America/Phoenix", **winter)
    assert "Tue 15 Jul 18:00 GMT-6, Harbour" in _sms("en", "America/Phoenix", **summer)


def test_a_training_reminder_names_londons_summer_offset() -> None:
    assert _sms("th", "Asia/Bangkok", kind="training.session_reminder") == (
        "Hope Line: อบรม Safeguarding basics อาทิตย์ 20 ก.ค. 15:00 GMT+1, Room 2"
    )
    assert _sms("en", "Europe/London", kind="training.session_reminder") == (
        "Hope Line: training Safeguarding basics Sun 20 Jul 15:00, Room 2."
    )


def test_the_longest_thai_reminder_still_fits_two_segments(settings) -> None:
    """Names as long as the template lets through, Thai's longest short weekday (Sunday,
    อาทิตย์) and month (มิ.ย.), a two-digit day and the longest offset ("GMT+10:30", Lord Howe
    Island in winter): 134 UCS-2 characters at most, two segments."""
    settings.ORG_NAME = "มูลนิธิ" * 5  # cut at 12
    sms = _sms(
        "th",
        "Asia/Bangkok",
        shift_title="ก" * 80,
        location="ข" * 80,
        starts_at="2031-11-12T23:00:00+00:00",  # Thu 13 Nov, 10:00 on Lord Howe
        zone="Australia/Lord_Howe",
    )
    assert "พฤหัส 13 พ.ย. 10:00 GMT+11, " in sms  # Lord Howe's summer: +11
    assert len(sms) <= 134
    assert sms_segments(sms) == 2
    winter = _sms(
        "th",
        "Asia/Bangkok",
        shift_title="ก" * 80,
        location="ข" * 80,
        starts_at="2031-06-21T23:30:00+00:00",  # Sun 22 Jun, 10:00 on Lord Howe
        zone="Australia/Lord_Howe",
    )
    assert "อาทิตย์ 22 มิ.ย. 10:00 GMT+10:30, " in winter
    assert len(winter) == 132
    assert sms_segments(winter) == 2
