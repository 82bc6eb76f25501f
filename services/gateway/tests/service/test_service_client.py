"""Calls to services as the gateway builds them from its settings: a timeout on
each, retries only for safe reads, failures as 503 said in the gateway's words."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from common.service_client import ServiceUnavailable
from common.testing import free_port
from gateway.clients.chat import ChatClient
from gateway.clients.http import ANONYMOUS, QUICK, Caller, GatewayServiceClient

APPLICANT = Caller("acct-1", ("applicant",))


class FailingService:
    """A real HTTP server that answers every request with the given status, slowly if asked."""

    def __init__(self, status: int, delay: float = 0.0) -> None:
        self.status, self.delay, self.calls = status, delay, []
        self.port = free_port()
        self.server = make_server("127.0.0.1", self.port, self._app, threaded=True)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def _app(self, environ, start_response):  # type: ignore[no-untyped-def]
        request = Request(environ)
        self.calls.append((request.method, request.headers.get("Authorization", "")))
        time.sleep(self.delay)
        return Response('{"title": "down"}', self.status, mimetype="application/json")(
            environ, start_response
        )


@pytest.fixture
def failing() -> Iterator[FailingService]:
    service = FailingService(503)
    yield service
    service.server.shutdown()


def _client(port: int, timeout: float = 2.0) -> GatewayServiceClient:
    return GatewayServiceClient(
        "catalog",
        f"http://127.0.0.1:{port}",
        token_secret="secret",
        timeout_seconds=timeout,
        read_retries=2,
        not_found="item.not_found",
        backoff_seconds=0.01,
    )


def test_a_read_is_retried_and_then_reported_as_unavailable(failing: FailingService) -> None:
    with pytest.raises(ServiceUnavailable) as unavailable:
        _client(failing.port).get("/items", caller=ANONYMOUS)
    assert unavailable.value.detail == "upstream.unavailable"
    assert [method for method, _ in failing.calls] == ["GET", "GET", "GET"]


def test_a_write_is_never_retried(failing: FailingService) -> None:
    with pytest.raises(ServiceUnavailable):
        _client(failing.port).post("/items/x/publish", caller=ANONYMOUS)
    assert [method for method, _ in failing.calls] == ["POST"]


def test_every_call_carries_a_signed_token_for_the_service(failing: FailingService) -> None:
    from common.auth import verify_token

    with pytest.raises(ServiceUnavailable):
        _client(failing.port).post("/items/x/publish", caller=ANONYMOUS)
    token = failing.calls[0][1].removeprefix("Bearer ")
    identity = verify_token("secret", token, audience="catalog")
    assert identity.subject == "anonymous"
    assert identity.roles == ("public",)


def test_a_slow_service_times_out_as_unavailable() -> None:
    # It would answer 200 after a second: the error is the timeout's.
    slow = FailingService(200, delay=1.0)
    try:
        with pytest.raises(ServiceUnavailable):
            _client(slow.port, timeout=0.2).post("/items/x/publish", caller=ANONYMOUS)
    finally:
        slow.server.shutdown()


def test_the_unread_notice_is_read_once_with_a_short_timeout() -> None:
    # A second's delay is within the client's own 2 s, but not within a quick read's.
    slow = FailingService(200, delay=1.0)
    chat = ChatClient(_client(slow.port))
    try:
        assert chat.unread(APPLICANT) == {}
        slow.calls.clear()
        with pytest.raises(ServiceUnavailable):
            chat.unread(APPLICANT, quick=True)
        assert [method for method, _ in slow.calls] == ["GET"]
        assert QUICK == (0.5, 0.5)
    finally:
        slow.server.shutdown()
