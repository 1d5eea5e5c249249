"""The live server the browser tests talk to: Django's threaded test server, in this process.

pytest-django's ``LiveServer`` stops its server without waiting for the threads answering
requests: a browser keeps connections open (keep-alive), so those threads live on, blocked
in a read, and wake up after the server stopped, when the browser closes its sockets. On
SQLite they then close the in-memory database connection that is no longer shared with
them ("DatabaseWrapper objects created in a thread can only be used in that same thread")
and leave their sockets unclosed: errors and ResourceWarnings in whatever test runs then.

This server keeps the connections it accepted; stopping it shuts them down and waits for
every request thread to finish before the database connection stops being shared.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from typing import Any

from django.conf import settings
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.servers.basehttp import ThreadedWSGIServer
from django.db import connections
from django.test.testcases import LiveServerThread
from django.test.utils import modify_settings


class _ClosingServer(ThreadedWSGIServer):
    daemon_threads = False  # server_close() joins the request threads...
    block_on_close = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def server_close(self) -> None:
        # ...once their kept-alive connections are shut, which ends their wait for a request.
        with self._lock:
            still_open = list(self._open)
        for request in still_open:
            with contextlib.suppress(OSError):  # the browser closed it meanwhile
                request.shutdown(socket.SHUT_RDWR)
        super().server_close()


class _Thread(LiveServerThread):
    server_class = _ClosingServer


class LiveServer:
    """The app on ``127.0.0.1`` at a free port, sharing this process's test database."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        # An in-memory SQLite database exists only in this connection: the server's threads
        # use it (Django's LiveServerTestCase does the same).
        self._shared = {
            conn.alias: conn
            for conn in connections.all()
            if conn.vendor == "sqlite" and conn.is_in_memory_db()  # type: ignore[attr-defined]
        }
        self.thread = _Thread(host, StaticFilesHandler, connections_override=self._shared)
        self.thread.daemon = True
        self._settings = modify_settings(ALLOWED_HOSTS={"append": host})

    @property
    def url(self) -> str:
        return f"http://{self.thread.host}:{self.thread.port}"

    def start(self) -> None:
        assert "django.contrib.staticfiles" in settings.INSTALLED_APPS
        self._settings.enable()
        for conn in self._shared.values():
            conn.inc_thread_sharing()
        self.thread.start()
        self.thread.is_ready.wait()
        if self.thread.error:
            self.stop()
            raise self.thread.error

    def stop(self) -> None:
        self.thread.terminate()  # shutdown(), server_close() (joins the requests), join()
        for conn in self._shared.values():
            conn.dec_thread_sharing()
        self._settings.disable()
