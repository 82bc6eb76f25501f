"""Security headers on every page; nothing secret in the logs."""

from __future__ import annotations

import logging

import pytest
from flask.testing import FlaskClient

from .conftest import PASSWORD


def test_pages_carry_the_security_headers(client: FlaskClient) -> None:
    response = client.get("/sign-in")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_the_api_carries_them_too(client: FlaskClient) -> None:
    response = client.get("/api/v1/store")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_the_stylesheet_is_served_by_the_gateway_itself(client: FlaskClient) -> None:
    html = client.get("/sign-in").get_data(as_text=True)
    assert 'href="/static/gateway.css"' in html
    assert "http" not in html.split("<body>")[0].replace('content="width', "")
    assert client.get("/static/gateway.css").status_code == 200


def test_no_password_or_token_reaches_the_logs(
    client: FlaskClient, make_applicant, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    applicant = make_applicant()
    token = client.post(
        "/api/v1/sessions", json={"identifier": applicant.label, "password": PASSWORD}
    ).get_json()["token"]
    client.post(
        "/api/v1/sessions", json={"identifier": applicant.label, "password": "wrong wrong wrong"}
    )
    client.get("/api/v1/accounts/current", headers={"Authorization": f"Bearer {token}"})
    logged = "\n".join(f"{record.getMessage()} {vars(record)}" for record in caplog.records)
    assert PASSWORD not in logged
    assert token not in logged
