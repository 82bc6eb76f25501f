"""A long test's HTTP session never sends an internal token that expired while it waited."""

from __future__ import annotations

import time

import pytest
from flask import Flask, request

from common.auth import DEFAULT_TTL_SECONDS, LEEWAY_SECONDS, verify_token
from common.errors import Unauthorized
from common.testing_http import serve_in_thread, service_session

SECRET = "testing-http-secret-of-at-least-32-bytes"


@pytest.fixture(scope="module")
def tokens_url():
    app = Flask("tokens")

    @app.get("/token")
    def token():
        return {"token": request.headers["Authorization"].removeprefix("Bearer ")}

    url, stop = serve_in_thread(app)
    yield url
    stop()


def test_every_request_of_a_long_test_carries_a_token_valid_at_that_moment(tokens_url):
    clock = [time.time()]
    session = service_session(SECRET, audience="catalog", subject="tests", now=lambda: clock[0])
    first = session.get(f"{tokens_url}/token", timeout=5).json()["token"]
    clock[0] += DEFAULT_TTL_SECONDS + LEEWAY_SECONDS + 60  # a slow fault test, minutes later
    later = session.get(f"{tokens_url}/token", timeout=5).json()["token"]

    with pytest.raises(Unauthorized, match="expired"):
        verify_token(SECRET, first, audience="catalog", now=clock[0])
    assert verify_token(SECRET, later, audience="catalog", now=clock[0]).subject == "tests"
