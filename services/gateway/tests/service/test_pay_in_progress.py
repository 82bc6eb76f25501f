"""Pressing Pay answers at once: the card goes to orders, and the browser is
sent to the pay page, which while the provider's webhook has not come back is
a "payment in progress" page that reloads itself (a meta refresh, no
JavaScript); once the answer is in, the confirmation, or the pay page with the
reason the card was declined.

Orders is a fake here (its JSON as docs/api.md gives it) whose payment stays
`processing` until a test says the webhook came; the journey through the real
services is in tests/integration/gateway."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from html import unescape
from typing import Any

import pytest
from flask import Flask, jsonify
from flask.testing import FlaskClient

from common.testing_http import serve_in_thread
from gateway import services as accounts
from gateway.app import create_app

from .conftest import PASSWORD, gateway_settings, unique_email

ORDER_ID = str(uuid.uuid4())
PAYMENT_ID = str(uuid.uuid4())
REFERENCE = "LT20260302000009"


class FakeOrders:
    """An order awaiting payment; its payment as the provider's webhook left it."""

    def __init__(self) -> None:
        self.payment_status = "created"
        self.failure_reason: str | None = None
        self.cards = 0

    def order(self) -> dict[str, Any]:
        paid = self.payment_status == "authorised"
        return {
            "id": ORDER_ID, "reference": REFERENCE, "item_code": "driving-licence-replacement",
            "item_title": {"zh": "驾驶证补领", "en": "Replace a lost driving licence"},
            "applicant_id": "acct", "status": "submitted" if paid else "awaiting_payment",
            "answers": {}, "missing_answers": [], "delivery": None, "required_documents": [],
            "documents": {"complete": True, "missing": []},
            "price": {"fee_version": 1, "production_fen": 1000, "delivery_fen": 1500,
                      "total_fen": 2500, "approval_reference": "鲁价费〔2026〕1号", "locked": True},
            "payment": {"id": PAYMENT_ID, "status": self.payment_status, "amount_fen": 2500,
                        "captured_fen": 0, "refunded_fen": 0, "card_last4": "4242",
                        "failure_reason": self.failure_reason,
                        "updated_at": "2026-03-02T01:05:00+00:00"},
            "allowed_actions": ["cancel"] if paid else ["pay", "cancel"],
            "created_at": "2026-03-02T01:00:00+00:00", "updated_at": "2026-03-02T01:05:00+00:00",
            "submitted_at": "2026-03-02T01:05:00+00:00", "pay_by": "2026-03-02T01:35:00+00:00",
            "expected_completion": None,
        }  # fmt: skip

    def app(self) -> Flask:
        fake = Flask("fake-orders")

        @fake.get("/orders/<order_id>")
        def order(order_id: str) -> Any:
            return jsonify(self.order())

        @fake.post("/payments/<payment_id>/card")
        def card(payment_id: str) -> Any:
            self.cards += 1
            self.payment_status = "processing"  # the webhook comes later
            return jsonify(self.order()["payment"]), 202

        return fake


@pytest.fixture
def orders() -> Iterator[tuple[FakeOrders, str]]:
    fake = FakeOrders()
    url, stop = serve_in_thread(fake.app())
    try:
        yield fake, url
    finally:
        stop()


@pytest.fixture
def applicant(
    clean_database: Any,
    gateway_database_url: str,
    catalog_url: str,
    nowhere: str,
    orders: Any,
    submit: Callable[..., Any],
) -> Iterator[FlaskClient]:
    _fake, url = orders
    settings = gateway_settings(
        gateway_database_url, catalog_url, url, nowhere, FULFILLMENT_URL=nowhere,
        RATINGS_URL=nowhere, NOTIFICATIONS_URL=nowhere, SERVICE_READ_RETRIES="1",
    )  # fmt: skip
    app = create_app(settings)
    gw = app.extensions["gateway"]
    identifier = unique_email("payer")
    accounts.register_applicant(gw.uow(), gw.hasher, identifier=identifier, password=PASSWORD)
    client = app.test_client()
    assert (
        submit(client, "/sign-in", {"identifier": identifier, "password": PASSWORD}).status_code
        == 303
    )
    yield client
    app.extensions["gateway.engine"].dispose()


def _text(answer: Any) -> str:
    return unescape(answer.get_data(as_text=True))


def _visible(html: str) -> str:
    """The page's own text: its main part (the header names the account and offers English)."""
    main = re.search(r"<main\b.*?</main>", html, flags=re.DOTALL)
    assert main, "the page has no main part"
    return " ".join(re.sub(r"<[^>]+>", " ", main.group(0)).split())


def test_pay_answers_at_once_then_the_page_refreshes_itself_until_the_webhook(
    applicant, orders, submit
):
    fake, _url = orders
    pay = f"/applications/{ORDER_ID}/pay"
    card = {"card_number": "4242 4242 4242 4242", "expiry": "12/30", "cvc": "123"}
    pressed = submit(applicant, pay, card)
    assert fake.cards == 1
    assert pressed.status_code == 303 and pressed.headers["Location"].endswith(pay)

    applicant.set_cookie("lang", "zh-CN")
    waiting = applicant.get(pay)
    html = _text(waiting)
    assert waiting.status_code == 200
    assert '<meta http-equiv="refresh" content="2">' in html
    said = _visible(html)
    assert "支付处理中" in said and "本页每 2 秒自动刷新一次。" in said
    assert re.findall(r"[A-Za-z]+", said.replace(REFERENCE, "")) == []
    assert "<script" not in html

    fake.payment_status = "authorised"  # the provider's webhook came
    done = applicant.get(pay)
    assert done.status_code == 303
    assert done.headers["Location"].endswith(f"/applications/{ORDER_ID}/confirmation")


def test_a_decline_shows_the_pay_page_with_the_reason_and_no_refresh(applicant, orders):
    fake, _url = orders
    fake.payment_status, fake.failure_reason = "failed", "card_declined"
    applicant.set_cookie("lang", "en")
    page = applicant.get(f"/applications/{ORDER_ID}/pay")
    html = _text(page)
    assert page.status_code == 200
    assert 'http-equiv="refresh"' not in html
    assert "Your card was declined and you have not been charged." in html
    # A card is held, not paid: the applicant is told so.
    assert "the amount is held and taken when the application is approved" in html
    applicant.set_cookie("lang", "zh-CN")
    chinese = _visible(_text(applicant.get(f"/applications/{ORDER_ID}/pay")))
    assert "现在只冻结该金额（预授权）：审核通过后才扣款" in chinese
