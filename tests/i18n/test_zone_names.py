"""Time zones are named in the reader's language wherever a person reads one: a shift's
page, a message's times, a shift in words; never the raw IANA name ("America/New_York")."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.utils import translation

from notifications.models import Channel, Message, NotificationPreference
from notifications.services.rendering import Renderer
from tests.factories import make_user
from tests.notifications.conftest import SAMPLE_CONTEXTS
from tests.volunteers.factories import make_location, make_shift, make_volunteer
from volunteers.shift_text import time_range_text

pytestmark = pytest.mark.django_db

START = datetime(2099, 12, 1, 23, 0, tzinfo=UTC)  # 18:00 in New York

NEW_YORK = {
    "en": "United States (New York) Time",
    "es": "hora de Estados Unidos (Nueva York)",
    "vi": "Giờ Hoa Kỳ (New York)",
    "th": "เวลาสหรัฐอเมริกา (นิวยอร์ก)",
    "fil": "Oras sa Estados Unidos (New York)",
}


@pytest.mark.parametrize("language", sorted(NEW_YORK))
def test_a_shift_page_names_its_zone_in_the_volunteers_language(language: str) -> None:
    volunteer = make_volunteer(preferred_language=language, time_zone="Asia/Bangkok")
    shift = make_shift(location=make_location("Office"), starts_at=START)
    client = Client()
    client.force_login(volunteer)
    page = client.get(f"/volunteer/shifts/{shift.pk}/").content.decode()
    assert f"({NEW_YORK[language]})" in page
    assert "America/New_York" not in page.replace('datetime="', "")


@pytest.mark.parametrize("language", sorted(NEW_YORK))
def test_a_shift_in_words_names_its_zone_in_the_active_language(language: str) -> None:
    with translation.override(language):
        text = time_range_text(START, START + timedelta(hours=3), "America/New_York")
    assert text.endswith(f"18:00\u201321:00 ({NEW_YORK[language]})")


@pytest.mark.parametrize("language", sorted(NEW_YORK))
def test_a_reminders_times_name_the_zone_in_the_recipients_language(language: str) -> None:
    user = make_user(first_name="Ploy", preferred_language=language)
    message = Message(
        recipient=user,
        kind="shift.reminder",
        channel=Channel.EMAIL,
        dedupe_key="t:zone",
        context=SAMPLE_CONTEXTS["shift.reminder"],
    )
    rendered = Renderer().render(message, NotificationPreference(user=user, unsubscribe_token="t"))
    assert rendered.subject.endswith(f"18:00 ({NEW_YORK[language]})")
    assert f"18:00 ({NEW_YORK[language]})" in rendered.text
    assert "America/New" not in rendered.text
