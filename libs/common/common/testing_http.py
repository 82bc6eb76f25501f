"""Serve a real WSGI app over HTTP in a thread, for tests that call a service
the way another service does; and sessions for tests that call a service for
longer than one internal token lives.

    url, stop = serve_in_thread(create_app(settings))
    with service_session(SECRET, audience="catalog", subject="tests") as catalog:
        catalog.get(f"{url}/items/plates", timeout=10)   # a fresh token on every request
    stop()
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

import requests
from werkzeug.serving import make_server

from common.auth import issue_token
from common.testing import free_port


def serve_in_thread(app: Any, port: int | None = None) -> tuple[str, Callable[[], None]]:
    """Serve `app` on 127.0.0.1 (a free port unless given); returns its URL and a stop()."""
    port = port or free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def stop() -> None:
        server.shutdown()
        thread.join(timeout=5)

    return f"http://127.0.0.1:{port}", stop


class FreshInternalToken(requests.auth.AuthBase):
    """Signs a new internal token for every request: a fault test that runs for
    minutes never sends one that expired while it waited (tokens live 60 s)."""

    def __init__(
        self,
        secret: str,
        *,
        audience: str,
        subject: str = "tests",
        roles: Iterable[str] = ("public",),
        now: Callable[[], float] = time.time,
    ) -> None:
        self._secret = secret
        self._audience = audience
        self._subject = subject
        self._roles = tuple(roles)
        self._now = now

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        token = issue_token(
            self._secret,
            subject=self._subject,
            roles=self._roles,
            audience=self._audience,
            now=self._now(),
        )
        request.headers["Authorization"] = f"Bearer {token}"
        return request


def service_session(
    secret: str,
    *,
    audience: str,
    subject: str = "tests",
    roles: Iterable[str] = ("public",),
    now: Callable[[], float] = time.time,
) -> requests.Session:
    """A requests.Session whose every request carries a fresh internal token."""
    session = requests.Session()
    session.auth = FreshInternalToken(
        secret, audience=audience, subject=subject, roles=roles, now=now
    )
    return session
