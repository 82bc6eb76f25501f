"""Simplified Chinese by default, English on request, switchable on every page."""

from __future__ import annotations

from flask.testing import FlaskClient


def test_pages_are_in_simplified_chinese_by_default(client: FlaskClient) -> None:
    html = client.get("/sign-in").get_data(as_text=True)
    assert '<html lang="zh-CN">' in html
    assert "登录" in html
    assert 'href="/language?lang=en&amp;next=%2Fsign-in"' in html


def test_the_language_link_sets_a_cookie_and_returns_to_the_same_page(client: FlaskClient) -> None:
    response = client.get("/language?lang=en&next=/register")
    assert response.status_code == 303
    assert response.headers["Location"] == "/register"
    html = client.get("/register").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "Register an applicant account" in html
    assert 'lang="zh-CN"' in html  # the link back to Chinese is marked as Chinese


def test_the_language_switch_never_redirects_to_another_site(client: FlaskClient) -> None:
    response = client.get("/language?lang=en&next=//evil.example/")
    assert response.headers["Location"] == "/"
