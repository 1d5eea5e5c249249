"""An SMTP server on 127.0.0.1 for tests with real worker processes: it accepts every message
and records it (when, Message-ID, the outbox key header, recipient), so a test can count
what arrived once, twice or never.

Only what Django's SMTP backend (smtplib) says is understood: EHLO/HELO, MAIL, RCPT, DATA,
RSET, NOOP, QUIT. ``delay`` slows each DATA answer, as a real server's does.
"""

from __future__ import annotations

import socketserver
import threading
import time
from collections import Counter
from dataclasses import dataclass
from email import message_from_bytes
from types import TracebackType


@dataclass(frozen=True)
class Received:
    at: float  # time.monotonic() in the test's process, when the server answered 250
    message_id: str
    key: str
    to: str


class _Session(socketserver.StreamRequestHandler):
    server: _Server

    def _reply(self, line: str) -> None:
        self.wfile.write(f"{line}\r\n".encode())

    def handle(self) -> None:
        try:
            self._serve()
        except ConnectionError:
            return  # the client died (a killed worker): what it sent in full is recorded

    def _serve(self) -> None:
        self._reply("220 test.local ESMTP")
        while line := self.rfile.readline():
            command = line.decode(errors="replace").strip()
            verb = command[:4].upper()
            if verb in {"EHLO", "HELO"}:
                self._reply("250 test.local")
            elif verb == "DATA":
                self._reply("354 end with <CRLF>.<CRLF>")
                self._data()
            elif verb == "QUIT":
                self._reply("221 bye")
                return
            else:  # MAIL, RCPT, RSET, NOOP
                self._reply("250 OK")

    def _data(self) -> None:
        lines = []
        while (line := self.rfile.readline()) not in {b".\r\n", b""}:
            lines.append(line[1:] if line.startswith(b"..") else line)
        time.sleep(self.server.delay)
        parsed = message_from_bytes(b"".join(lines))
        self.server.record(
            Received(
                at=time.monotonic(),
                message_id=str(parsed["Message-ID"]),
                key=str(parsed["X-Outbox-Key"]),
                to=str(parsed["To"]),
            )
        )
        self._reply("250 queued")


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, delay: float) -> None:
        super().__init__(("127.0.0.1", 0), _Session)
        self.delay = delay
        self.lock = threading.Lock()
        self.received: list[Received] = []

    def record(self, received: Received) -> None:
        with self.lock:
            self.received.append(received)


class SmtpServer:
    """``with SmtpServer() as smtp:`` serves on ``smtp.port`` until the block ends."""

    def __init__(self, delay: float = 0.0) -> None:
        self._server = _Server(delay)
        self.port = int(self._server.server_address[1])
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> SmtpServer:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()

    def received(self) -> list[Received]:
        with self._server.lock:
            return list(self._server.received)

    def count(self) -> int:
        with self._server.lock:
            return len(self._server.received)

    def copies(self) -> Counter[str]:
        """How many times each Message-ID arrived."""
        return Counter(item.message_id for item in self.received())

    def first_arrivals(self) -> dict[str, float]:
        """When each Message-ID first arrived."""
        first: dict[str, float] = {}
        for item in self.received():
            first.setdefault(item.message_id, item.at)
        return first
