"""Text messages people send us: replies to reminders, and the keywords carriers require.

Each inbound message is stored once under the provider's id (``InboundSms``), inside the
transaction that acts on it, so a webhook delivered twice (or twice at once: the second
waits on the unique index) acts once; the second delivery gets no answer.

* ``YES``/``Y`` and ``NO``/``CANCEL`` answer the last message of a kind with a reply handler
  (notifications.services.hooks) that was sent to that number; the domain app decides what they do.
* ``STOP`` (and the carriers' synonyms) turns text messages off for every account with that
  number; ``START`` turns them back on; ``HELP`` says who we are and how to reach us.
* Anything else, or a YES with no reminder to answer, gets a polite explanation.
"""

from __future__ import annotations

import logging
import re

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import User
from notifications.models import Channel, InboundSms, Message, NotificationPreference, Status
from notifications.services import hooks

logger = logging.getLogger(__name__)

YES, NO, STOP, START, HELP, OTHER = "yes", "no", "stop", "start", "help", "other"
KEYWORDS = {
    "YES": YES,
    "Y": YES,
    "NO": NO,
    "N": NO,
    "CANCEL": NO,
    "STOP": STOP,
    "STOPALL": STOP,
    "UNSUBSCRIBE": STOP,
    "END": STOP,
    "QUIT": STOP,
    "START": START,
    "UNSTOP": START,
    "HELP": HELP,
    "INFO": HELP,
}


def keyword_of(body: str) -> str:
    """The keyword a text starts with ("yes!", " Stop please" -> yes, stop), else OTHER."""
    first = re.split(r"[^A-Za-z]+", body.strip(), maxsplit=1)[0] if body.strip() else ""
    return KEYWORDS.get(first.upper(), OTHER)


def _people(number: str) -> list[User]:
    return list(User.objects.filter(phone=number, is_active=True).order_by("pk"))


def _set_sms(people: list[User], enabled: bool) -> None:
    ids = [person.pk for person in people]
    NotificationPreference.objects.bulk_create(
        [NotificationPreference(user_id=pk) for pk in ids], ignore_conflicts=True
    )
    NotificationPreference.objects.filter(user_id__in=ids).update(sms_enabled=enabled)


def last_answerable(people: list[User]) -> Message | None:
    """The last text message with a reply handler sent to any of ``people``."""
    return (
        Message.objects.select_related("recipient")
        .filter(
            recipient__in=people,
            channel=Channel.SMS,
            status=Status.SENT,
            kind__in=hooks.reply_kinds(),
        )
        .order_by("-sent_at", "-pk")
        .first()
    )


def _answer(keyword: str, people: list[User], inbound: InboundSms) -> str:
    org = settings.ORG_NAME
    if keyword == STOP:
        _set_sms(people, False)
        return _(
            "%(org)s: you will get no more text messages from us. Reminders go by e-mail. "
            "Reply START to get texts again."
        ) % {"org": org}
    if keyword == START:
        _set_sms(people, True)
        return _("%(org)s: text messages are on again. Reply STOP to stop them.") % {"org": org}
    if keyword == HELP:
        return _(
            "%(org)s volunteer reminders. Reply YES to confirm a shift, NO to cancel it, "
            "STOP to stop texts. Help: %(email)s"
        ) % {"org": org, "email": settings.ORG_EMAIL}
    if keyword in (YES, NO):
        message = last_answerable(people)
        if message is not None:
            inbound.answered = message
            return hooks.answer_reply(message, keyword)
        return _("%(org)s: we have no reminder waiting for your answer.") % {"org": org}
    return _(
        "%(org)s: sorry, we did not understand. Reply YES to confirm your shift, NO to "
        "cancel it, or HELP."
    ) % {"org": org}


def receive_sms(*, provider_sid: str, from_number: str, body: str) -> str | None:
    """Act on one inbound text, once per ``provider_sid``: the answer to text back, or None
    when this message was received before (nothing is done again)."""
    keyword = keyword_of(body)
    with transaction.atomic():
        try:
            with transaction.atomic():
                inbound = InboundSms.objects.create(
                    provider_sid=provider_sid[:64],
                    from_number=from_number[:32],
                    body=body[:1600],
                    keyword=keyword,
                )
        except IntegrityError:
            return None
        people = _people(from_number)
        if not people and keyword not in (STOP, START, HELP):
            reply = _("%(org)s: this number is not linked to a volunteer account.") % {
                "org": settings.ORG_NAME
            }
        else:
            language = people[0].preferred_language if people else settings.LANGUAGE_CODE
            with translation.override(language):
                reply = _answer(keyword, people, inbound)
        inbound.reply = reply
        inbound.save(update_fields=["reply", "answered"])
    logger.info("Inbound SMS %s: %s", inbound.pk, keyword)
    return reply
