"""The service-to-service client against a real HTTP server (werkzeug in a thread)."""

from __future__ import annotations

import threading
import time
from collections import Counter

import pytest
from flask import Flask, jsonify, request

from common.auth import verify_token
from common.errors import problem, register_error_handlers
from common.logging import request_id_var
from common.service_client import (
    TOKEN_RENEW_SECONDS,
    Caller,
    ServiceClient,
    ServiceConflict,
    ServiceError,
    ServiceForbidden,
    ServiceNotFound,
    ServiceRejected,
    ServiceUnavailable,
)
from common.testing import free_port
from common.testing_http import serve_in_thread

SECRET = "client-test-secret-of-at-least-32-bytes"


def _upstream(calls: Counter, release: threading.Event) -> Flask:
    app = Flask("upstream")

    @app.route("/whoami", methods=["GET", "POST"])
    def whoami():
        calls["whoami"] += 1
        token = request.headers["Authorization"].removeprefix("Bearer ")
        identity = verify_token(SECRET, token, audience="catalog")
        return jsonify(
            subject=identity.subject,
            roles=list(identity.roles),
            token=token,
            request_id=request.headers.get("X-Request-ID"),
            idempotency_key=request.headers.get("Idempotency-Key"),
        )

    @app.route("/flaky/<int:failures>", methods=["GET", "POST"])
    def flaky(failures):
        calls[request.method] += 1
        if calls[request.method] <= failures:
            return problem(503, "Busy")
        return {"attempts": calls[request.method]}

    @app.get("/refuse/<int:status>")
    def refuse(status):
        return problem(
            status,
            "Refused",
            "The plate is already taken.",
            slug="plate-taken",
            errors={"plate_number": ["Already taken."]},
        )

    @app.get("/slow")
    def slow():
        calls["slow"] += 1
        release.wait(5)
        return {}

    @app.get("/empty")
    def empty():
        return "", 204

    return app


@pytest.fixture(scope="module")
def server():
    calls: Counter = Counter()
    release = threading.Event()
    url, stop = serve_in_thread(_upstream(calls, release))
    yield url, calls
    release.set()
    stop()


@pytest.fixture
def upstream(server):
    """The server with its call counts at zero."""
    server[1].clear()
    return server


def _client(url: str, **options) -> ServiceClient:
    options.setdefault("backoff", 0)
    return ServiceClient(url, audience="catalog", token_secret=SECRET, **options)


def test_a_call_carries_a_token_for_the_service_called_naming_the_caller(upstream):
    url, _calls = upstream
    client = _client(url, subject="orders", roles=("service",))
    assert client.get("/whoami")["subject"] == "orders"
    answer = client.get("/whoami", caller=Caller("acct-7", ("applicant",)))
    assert (answer["subject"], answer["roles"]) == ("acct-7", ["applicant"])


def test_a_token_is_reused_while_fresh_and_renewed_before_it_expires(upstream):
    url, _calls = upstream
    clock = [time.time()]
    client = _client(url, now=lambda: clock[0])
    first = client.get("/whoami")["token"]
    clock[0] += 60 - TOKEN_RENEW_SECONDS - 1
    assert client.get("/whoami")["token"] == first
    clock[0] += 2
    assert client.get("/whoami")["token"] != first


def test_the_request_id_in_hand_is_passed_on(upstream):
    url, _calls = upstream
    token = request_id_var.set("req-42")
    try:
        assert _client(url).get("/whoami")["request_id"] == "req-42"
    finally:
        request_id_var.reset(token)


def test_a_read_answered_503_is_retried_until_it_succeeds(upstream):
    url, _calls = upstream
    assert _client(url, retries=2).get("/flaky/2") == {"attempts": 3}


def test_a_read_still_503_after_its_retries_is_unavailable(upstream):
    url, calls = upstream
    with pytest.raises(ServiceUnavailable) as raised:
        _client(url, retries=2).get("/flaky/5")
    assert calls["GET"] == 3
    assert (raised.value.status, raised.value.upstream_status) == (503, 503)


def test_a_write_is_never_retried(upstream):
    url, calls = upstream
    with pytest.raises(ServiceUnavailable):
        _client(url, retries=3).post("/flaky/1", json={})
    assert calls["POST"] == 1


def test_a_write_sends_its_idempotency_key(upstream):
    url, _calls = upstream
    assert _client(url).post("/whoami", idempotency_key="k-1")["idempotency_key"] == "k-1"


def test_a_service_that_cannot_be_reached_is_unavailable():
    client = _client(f"http://127.0.0.1:{free_port()}", retries=1)
    with pytest.raises(ServiceUnavailable) as raised:
        client.get("/anything")
    assert raised.value.upstream_status is None
    assert raised.value.status == 503


def test_a_read_slower_than_its_timeout_is_unavailable(upstream):
    url, calls = upstream
    with pytest.raises(ServiceUnavailable):
        _client(url, timeout=(1.0, 0.2)).get("/slow", retry=False)
    assert calls["slow"] == 1


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (403, ServiceForbidden),
        (404, ServiceNotFound),
        (409, ServiceConflict),
        (422, ServiceRejected),
    ],
)
def test_a_refusal_is_raised_as_its_kind_with_the_problem_documents_fields(upstream, status, kind):
    url, _calls = upstream
    with pytest.raises(kind) as raised:
        _client(url).get(f"/refuse/{status}")
    error = raised.value
    assert (error.status, error.upstream_status) == (status, status)
    assert error.problem_type == "/problems/plate-taken"
    assert error.detail == "The plate is already taken."
    assert error.errors == {"plate_number": ["Already taken."]}


def test_another_4xx_keeps_its_status(upstream):
    url, _calls = upstream
    with pytest.raises(ServiceError) as raised:
        _client(url).get("/refuse/413")
    assert type(raised.value) is ServiceError
    assert raised.value.status == 413


@pytest.mark.parametrize("status", [401, 500])
def test_our_token_refused_or_a_server_error_is_unavailable_not_the_callers_fault(upstream, status):
    url, _calls = upstream
    with pytest.raises(ServiceUnavailable) as raised:
        _client(url).get(f"/refuse/{status}")
    assert raised.value.status == 503
    assert raised.value.upstream_status == status


def test_an_empty_answer_is_none(upstream):
    url, _calls = upstream
    assert _client(url).get("/empty") is None


def test_a_refusal_left_uncaught_in_a_view_answers_the_same_problem(upstream):
    url, _calls = upstream
    caller = Flask("caller")
    register_error_handlers(caller)
    client = _client(url)

    @caller.get("/proxy")
    def proxy():
        return client.get("/refuse/409")

    answer = caller.test_client().get("/proxy")
    assert answer.status_code == 409
    assert answer.json["type"] == "/problems/plate-taken"
    assert answer.json["errors"] == {"plate_number": ["Already taken."]}
