"""Simplified Chinese by default, English on request, switchable on every page;
Flask-Babel's locale is the page's language."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from flask_babel import get_locale, get_timezone

from gateway.formatting import money
from gateway.i18n import babel_locale


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


def test_flask_babel_speaks_the_language_the_visitor_chose(app: Flask) -> None:
    for cookie, language in ((None, "zh-CN"), ("en", "en"), ("fr", "zh-CN")):
        headers = {"Cookie": f"lang={cookie}"} if cookie else {}
        with app.test_request_context("/", headers=headers):
            app.preprocess_request()
            assert get_locale() == babel_locale(language)
            assert str(get_timezone()) == "Asia/Shanghai"


def test_prices_are_in_yuan_with_the_yuan_sign_in_every_language(client: FlaskClient) -> None:
    fee = client.get("/api/v1/items").get_json()[0]["fee"]
    chinese = client.get("/").get_data(as_text=True)
    client.set_cookie("lang", "en")
    english = client.get("/").get_data(as_text=True)
    for html, language in ((chinese, "zh-CN"), (english, "en")):
        assert money(fee["production_fen"], language) in html
        assert "CN¥" not in html
