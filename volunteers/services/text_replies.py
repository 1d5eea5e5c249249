"""Answers to a shift reminder sent by text: YES confirms the place (the roster shows it),
NO cancels it through the same rules as the page (cancel_signup: the waitlist moves up and
the person promoted is told). Registered with the outbox in VolunteersConfig.ready."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.services import audit
from notifications.models import Message
from notifications.services.hooks import NO, YES, context_pk
from volunteers.models import ShiftSignup, ShiftSignupStatus, ShiftStatus
from volunteers.services.errors import VolunteeringError
from volunteers.services.signups import cancel_signup
from volunteers.shift_text import describe_shift


def answer_shift_reminder(message: Message, intent: str) -> str:
    """Act on YES or NO to the reminder ``message``; the text to send back."""
    volunteer = message.recipient
    signup = (
        ShiftSignup.objects.select_related("shift__role", "shift__location")
        .filter(pk=context_pk(message, "signup_id"), volunteer=volunteer)
        .first()
    )
    now = timezone.now()
    if (
        signup is None
        or signup.status != ShiftSignupStatus.CONFIRMED
        or signup.shift.status != ShiftStatus.PUBLISHED
    ):
        return _("This place is no longer booked, so there is nothing to answer. Thank you!")
    shift = signup.shift
    label = describe_shift(shift)
    if shift.starts_at <= now:
        return _("%(shift)s has started; please talk to the coordinator.") % {"shift": label}
    if intent == YES:
        with transaction.atomic():
            confirmed = ShiftSignup.objects.filter(
                pk=signup.pk, confirmed_by_text_at__isnull=True
            ).update(confirmed_by_text_at=now)
            if confirmed:  # a second YES changes nothing and records nothing
                audit.record(
                    "volunteers.signup.confirmed_by_text",
                    actor=volunteer,
                    subject=volunteer,
                    obj=signup,
                    changes=audit.changed_fields(
                        {"confirmed_by_text_at": None}, {"confirmed_by_text_at": now}
                    ),
                    data={"shift": shift.pk, "message": message.pk},
                )
        return _("Thank you, you are confirmed: %(shift)s. See you there!") % {"shift": label}
    if intent == NO:
        try:
            cancel_signup(signup=signup, by=volunteer)
        except VolunteeringError as exc:
            return str(exc)
        return _("Your place is cancelled: %(shift)s. Thank you for letting us know.") % {
            "shift": label
        }
    raise ValueError(f"unknown intent {intent!r}")
