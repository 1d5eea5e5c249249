"""A mailbox that worker processes share with the test: one file per e-mail in a folder.

TEST_MAILBOX_DIR names the folder. TEST_MAILBOX_BLOCK_ON (optional) makes the process hang
before writing an e-mail to an address containing that text, after writing ``blocked`` into
the folder, so a test can kill the worker in the middle of sending.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Sequence
from email import message_from_bytes
from email.message import Message as ParsedEmail
from pathlib import Path

from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend


class FileMailbox(BaseEmailBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        folder = Path(os.environ["TEST_MAILBOX_DIR"])
        block_on = os.environ.get("TEST_MAILBOX_BLOCK_ON", "")
        for message in email_messages:
            if block_on and block_on in message.to[0]:
                (folder / "blocked").write_text(str(os.getpid()))
                time.sleep(3600)
            name = uuid.uuid4().hex
            partial = folder / f"{name}.partial"
            partial.write_bytes(message.message().as_bytes())
            partial.rename(folder / f"{name}.eml")  # whole files only, for the counting test
        return len(email_messages)


def read_mailbox(folder: Path) -> list[ParsedEmail]:
    return [message_from_bytes(path.read_bytes()) for path in sorted(folder.glob("*.eml"))]
