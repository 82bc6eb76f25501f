"""Answers as people type them, on the real catalog and orders: a native date
field that also takes 2021/5/18, 2021.5.18 and 2021年5月18日; a day that does not
exist refused naming the question; a VIN in lower case or full width accepted;
and "My applications" as a list of cards, so a phone never squeezes a table."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest

from .journeys import Browser

ANNUAL = "annual-licence-verification"


def _text(response: Any) -> str:
    return unescape(re.sub(r"\s+", " ", response.get_data(as_text=True)))


def _saved(browser: Browser, order_id: str, name: str) -> str:
    page = _text(browser.get(f"/applications/{order_id}/questions/{name}"))
    found = re.search(r'id="answer" name="answer" type="(\w+)" value="([^"]*)"', page)
    assert found, page
    return found.group(2)


@pytest.mark.parametrize(
    "typed", ["2021/5/18", "2021.5.18", "2021年5月18日", "２０２１－０５－１８"]
)
def test_a_date_typed_by_hand_is_kept_as_the_day_it_names(browser: Browser, typed: str) -> None:
    order_id = browser.start(ANNUAL)
    page = f"/applications/{order_id}/questions/registration_date"
    assert 'type="date"' in _text(browser.get(page))
    answered = browser.post(page, {"answer": typed})
    assert answered.status_code == 303, _text(answered)
    assert _saved(browser, order_id, "registration_date") == "2021-05-18"


def test_a_day_that_does_not_exist_is_refused_naming_the_question(browser: Browser) -> None:
    order_id = browser.start(ANNUAL)
    page = f"/applications/{order_id}/questions/registration_date"
    browser.client.set_cookie("lang", "zh-CN")
    refused = browser.post(page, {"answer": "2021-02-30"})
    html = _text(refused)
    assert refused.status_code == 422
    assert '<a href="#answer">“初次登记日期”须为真实存在的日期，例如 2021-05-18。</a>' in html
    # The hint's two sentences are each ended.
    assert "见行驶证“注册日期”。可在日历中选择，也可直接输入" in html
    browser.client.set_cookie("lang", "en")
    english = _text(browser.post(page, {"answer": "2021年2月30日"}))
    assert "“First registration date” must be a real date, like 2021-05-18." in english
    assert _saved(browser, order_id, "registration_date") == ""


def test_a_vin_in_lower_case_or_full_width_is_accepted_in_capitals(browser: Browser) -> None:
    order_id = browser.start(ANNUAL)
    page = f"/applications/{order_id}/questions/vin_last6"
    answered = browser.post(page, {"answer": "ａ1b 2c3"})
    assert answered.status_code == 303, _text(answered)
    assert _saved(browser, order_id, "vin_last6") == "A1B2C3"


def test_my_applications_is_a_list_of_cards_with_the_whole_fee(browser: Browser) -> None:
    order_id = browser.start(ANNUAL)
    browser.client.set_cookie("lang", "zh-CN")
    html = browser.get("/applications").get_data(as_text=True)
    assert '<ul class="order-cards">' in html and '<li class="order-card">' in html
    assert "<table" not in html.split("<main", 1)[1]
    card = html.split('<li class="order-card">', 1)[1].split("</li>", 1)[0]
    assert "年检" in card or "检验" in card  # the service's name heads the card
    assert f"/applications/{order_id}/tasks" in card
    assert re.search(r'<dd class="amount">(¥\d+\.\d\d|–)</dd>', card), card
