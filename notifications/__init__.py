"""The outbox: what is sent to whom, once. Knows no domain app (see services.enqueue_message).

Adding a kind of message (one line, in the app that sends it):

1. Declare it in ``<app>/message_kinds.py``, in the tuple ``MESSAGE_KINDS``, with the
   context keys it is queued with::

       MessageKind("group.message", keys={"subject", "body", "sender_name"})

   (``optional=`` for keys that may be missing or are added just before sending,
   ``sms=True`` when it also goes by text message). An app without that module yet
   creates it; the outbox collects every installed app's at start-up (``kinds.py``).
2. Add ``templates/notifications/<kind>/``: subject.txt, body.txt, body.html (and sms.txt
   with ``sms=True``), each starting with a ``{# Context: ... #}`` line.
3. Add a sample context to ``tests/notifications/conftest.py``; ``test_kinds.py`` then
   renders the kind in every language of ``settings.LANGUAGES``.

``enqueue_message`` refuses an undeclared kind, or a context unlike the declaration, while
``NOTIFICATIONS_STRICT_KINDS`` is on (with DEBUG and in the tests).
"""
