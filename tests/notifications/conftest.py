"""Fixtures of the outbox tests: a captured broker and sample contexts for every kind."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from notifications.services.sms import LocmemSmsBackend


@pytest.fixture
def sms_outbox(settings: Any) -> Iterator[list[Any]]:
    settings.NOTIFICATIONS_SMS_BACKEND = "notifications.services.sms.LocmemSmsBackend"
    LocmemSmsBackend.outbox.clear()
    yield LocmemSmsBackend.outbox
    LocmemSmsBackend.outbox.clear()


SHIFT = {
    "shift_id": 12,
    "shift_title": "Crisis text line, evening",
    "starts_at": "2031-07-15T22:00:00+00:00",
    "ends_at": "2031-07-16T01:00:00+00:00",
    "zone": "America/New_York",
    "location": "Harbour Street office",
    "shift_url": "http://127.0.0.1:8000/volunteer/shifts/12/",
    "cancel_url": "http://127.0.0.1:8000/volunteer/signups/345/cancel/",
}
BLOCKED = [
    {
        "title": "School outreach",
        "starts_at": "2031-08-02T13:00:00+00:00",
        "zone": "America/Chicago",
    }
]

# A context for every kind an app declares (notifications.kinds), with every key it
# declares, required and optional: tests/notifications/test_kinds.py renders each one in
# every language with templates that show any key the context lacks.
SAMPLE_CONTEXTS: dict[str, dict[str, Any]] = {
    "test.message": {"title": "Hello & welcome", "body": "A <b>test</b> body"},
    "shift.signup_confirmed": {**SHIFT, "signup_id": 345},
    "shift.waitlist_promoted": {**SHIFT, "signup_id": 345},
    "shift.invitation": {**SHIFT, "accept_url": "http://x/invitations/abc/"},
    "shift.swap_offered": {
        **SHIFT,
        "offer_id": 7,
        "offered_by": "Ana Lopez",
        "accept_url": "http://x/accept/",
    },
    "shift.swap_accepted": {**SHIFT, "offer_id": 7, "signup_id": 345, "accepted_by": "Ben Ng"},
    "shift.changed": {
        **SHIFT,
        "signup_id": 345,
        "status": "confirmed",
        "previous_starts_at": "2031-07-15T21:00:00+00:00",
        "note": "The time changed.",
    },
    "shift.cancelled": {
        **SHIFT,
        "signup_id": 345,
        "reason": "Office closed",
        "shifts_url": "http://x/shifts/",
    },
    "shift.signup_cancelled": {
        **SHIFT,
        "signup_id": 345,
        "reason": "Two leads were booked; we need you on Thursday instead.",
        "moved_to": {
            "title": "Crisis text line, late",
            "starts_at": "2031-07-17T23:00:00+00:00",
            "zone": "America/New_York",
            "url": "http://127.0.0.1:8000/volunteer/shifts/13/",
        },
        "shifts_url": "http://x/shifts/",
    },
    "shift.reminder": {
        **SHIFT,
        "signup_id": 345,
        "lead_hours": 3,
        "blocked_reasons": ["Safeguarding basics expired on 1 Jul 2031."],
    },
    "training.session_reminder": {
        "session_signup_id": 9,
        "training_name": "Safeguarding basics",
        "starts_at": "2031-07-20T14:00:00+00:00",
        "ends_at": "2031-07-20T16:00:00+00:00",
        "zone": "Europe/London",
        "location": "Room 2",
        "session_url": "http://x/sessions/3/",
    },
    "training.expiry_warning": {
        "training_name": "Safeguarding basics",
        "expires_on": "2031-08-01",
        "renew_url": "http://x/trainings/",
        "blocked_shifts": BLOCKED,
    },
    "clearance.expiry_warning": {
        "clearance_name": "Background check",
        "expires_on": "2031-08-01",
        "details_url": "http://x/me/",
        "blocked_shifts": BLOCKED,
    },
    "coordinator.group_message": {
        "subject": "Saturday's outreach & the new meeting point",
        "body": "We meet at the <library> now.\nBring water.",
        "sender_name": "Maya Sparks",
    },
    "coordinator.digest": {
        "date": "2031-07-15",
        "understaffed_shifts": [
            {
                "title": "School outreach",
                "starts_at": "2031-07-17T13:00:00+00:00",
                "zone": "America/Chicago",
                "location": "Lincoln High",
                "signed_up": 1,
                "capacity": 4,
                "missing_lead": True,
                "url": "http://x/coord/shifts/9/",
            }
        ],
        "hours_awaiting_approval": 3,
        "hours_url": "http://x/coord/hours/",
        "failed_payments": [
            {"donor_name": "Grace Hopper", "amount": "$25.00", "failed_at": "2031-07-14"}
        ],
        "dashboard_url": "http://x/coord/",
    },
    "donation.payment_failed": {
        "donation_id": 77,
        "amount": "$25.00",
        "billing_portal_url": "https://billing.stripe.com/p/session/test_123",
        "next_attempt_on": "2031-07-18",
    },
    "donation.recurring_cancelled": {"amount": "$25.00", "give_url": "http://x/give/"},
    "donation.recurring_amount_changed": {
        "old_amount": "$15.00",
        "new_amount": "$20.00",
        "portal_url": "http://x/donor/",
    },
    "donation.receipt": {
        "receipt_id": 42,
        "receipt_number": "2031-000042",
        "amount": "$100.00",
        "received_on": "2031-07-01",
        "history_url": "http://x/donor/",
    },
    "donation.statement": {"year": 2031, "history_url": "http://x/donor/"},
    "accounts.magic_link": {"link": "http://x/login/magic/abc/", "valid_minutes": 15},
    "accounts.confirm_email": {"name": "Ana", "link": "http://x/accounts/confirm/MQ/abc/"},
    "accounts.already_registered": {
        "name": "Ana",
        "login_link": "http://x/accounts/login/",
        "reset_link": "http://x/accounts/password/reset/",
    },
    "accounts.password_reset": {
        "email": "ana@example.org",
        "link": "http://x/accounts/password/reset/MQ/abc/",
    },
}


@pytest.fixture(autouse=True)
def no_domain_refreshers(monkeypatch: pytest.MonkeyPatch) -> None:
    """The outbox on its own: the checks domain apps register (notifications.services.hooks)
    are off; tests that need one register it."""
    import notifications.services.hooks

    monkeypatch.setattr(notifications.services.hooks, "_REFRESHERS", {})
    monkeypatch.setattr(notifications.services.hooks, "_BATCH_REFRESHERS", {})
