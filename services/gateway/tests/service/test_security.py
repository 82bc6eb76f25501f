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


def test_a_control_character_in_a_page_form_is_refused_in_the_page_language(
    client: FlaskClient, submit
) -> None:
    response = submit(client, "/sign-in", {"identifier": "a\x00b@example.cn", "password": "x"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "控制字符" in page
    assert "\x00" not in page


def test_a_control_character_in_the_api_is_a_422_naming_the_field(client: FlaskClient) -> None:
    response = client.post(
        "/api/v1/accounts", json={"identifier": "nul\x00@example.cn", "password": "p" * 12}
    )
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"identifier": ["Control characters are not allowed."]}


def test_a_texts_values_are_escaped_and_a_marked_name_is_kept_as_markup(app) -> None:
    from flask import g

    from gateway.pages import _page_text, verbatim

    with app.test_request_context("/"):
        g.lang = "en"
        typed = _page_text("text.label_value", label="<b>label</b>", value="<script>x</script>")
        assert "<script>" not in typed and "&lt;script&gt;" in typed
        marked = _page_text("text.label_value", label="Ref", value=verbatim("鲁价费发〔2026〕1号"))
        assert '<span translate="no">鲁价费发〔2026〕1号</span>' in marked
        assert verbatim("青岛交警", "zh-CN") == '<span lang="zh-CN" translate="no">青岛交警</span>'
