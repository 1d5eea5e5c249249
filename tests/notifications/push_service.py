"""A Web Push service on 127.0.0.1 for tests, and browsers' subscription keys.

It records every push it is sent and answers each endpoint with the statuses queued for
it (then 201 Created), as FCM or Mozilla's autopush would; ``Browser`` holds a
subscription's keys and decrypts what the service received (RFC 8291, aes128gcm).
"""

from __future__ import annotations

import base64
import json
import os
import threading
from collections import defaultdict, deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import http_ece
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def vapid_keys() -> tuple[str, str]:
    """(public, private) as the settings take them."""
    key = ec.generate_private_key(ec.SECP256R1())
    public = key.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    return b64url(public), b64url(key.private_numbers().private_value.to_bytes(32, "big"))


@dataclass(frozen=True)
class Push:
    name: str
    headers: dict[str, str]  # names in lower case
    body: bytes
    status: int


@dataclass
class PushService:
    server: ThreadingHTTPServer
    received: list[Push] = field(default_factory=list)
    answers: dict[str, deque[int]] = field(default_factory=lambda: defaultdict(deque))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def endpoint(self, name: str) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}/push/{name}"

    def accepted(self, name: str | None = None) -> list[Push]:
        return [p for p in self.received if p.status == 201 and name in (None, p.name)]


def start_push_service() -> PushService:
    service: PushService

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            name = self.path.rsplit("/", 1)[-1]
            with service.lock:
                queued = service.answers[name]
                status = queued.popleft() if queued else 201
                headers = {key.lower(): value for key, value in self.headers.items()}
                service.received.append(Push(name, headers, body, status))
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    service = PushService(server=server)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return service


class Browser:
    """One browser's push subscription: its key pair and auth secret."""

    def __init__(self) -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.auth = os.urandom(16)

    @property
    def p256dh(self) -> str:
        return b64url(
            self.key.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
        )

    @property
    def auth_secret(self) -> str:
        return b64url(self.auth)

    def read(self, push: Push) -> dict[str, Any]:
        """Decrypt a push meant for this browser (fails for anyone else's)."""
        plain = http_ece.decrypt(
            push.body, private_key=self.key, auth_secret=self.auth, version="aes128gcm"
        )
        data: dict[str, Any] = json.loads(plain)
        return data
