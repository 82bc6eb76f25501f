"""The wallets on the pay page: the choice says what becomes of the money in
words (held, or paid now and refunded if refused), the page wallet sends the
browser to its cashier with the gateway's return address, the QR wallet's
code is drawn on the gateway's own page, with an "I have paid" button to the
return address, which has orders ask the wallet before going on.

Orders is the fake of test_pay_in_progress.py, answering the wallet calls as
docs/api.md gives them; the journey through the real services and the
sandbox's pages is in tests/integration/test_wallet_payments.py and
tests/e2e/test_wallet_payment.py."""

# ruff: noqa: F811 - the `applicant` fixture is imported, and tests name it as a parameter

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask, jsonify, request

from . import test_pay_in_progress as base
from .test_pay_in_progress import ORDER_ID, REFERENCE, _text, _visible, applicant  # noqa: F401

CASHIER = "http://wallet.test/sandbox/wallet/cashier/abc123"
QR = "http://wallet.test/sandbox/wallet/scan/def456"


class WalletOrders(base.FakeOrders):
    def __init__(self) -> None:
        super().__init__()
        self.opened: list[dict[str, Any]] = []
        self.queries = 0
        self.method = "card"

    def order(self) -> dict[str, Any]:
        order = super().order()
        wallet = None
        if self.method == "wallet_page":
            wallet = {"cashier_url": CASHIER}
        elif self.method == "wallet_qr":
            wallet = {"qr_payload": QR}
        order["payment"].update(method=self.method, paid_at_once=self.method == "wallet_page",
                                wallet=wallet)  # fmt: skip
        return order

    def app(self) -> Flask:
        fake = super().app()

        @fake.post("/payments/<payment_id>/wallet")
        def wallet(payment_id: str) -> Any:
            self.opened.append(request.get_json())
            self.method = request.get_json()["method"]
            return jsonify(self.order()["payment"]), 201

        @fake.post("/payments/<payment_id>/query")
        def query(payment_id: str) -> Any:
            self.queries += 1
            return jsonify(self.order()["payment"])

        return fake


@pytest.fixture
def orders():
    fake = WalletOrders()
    url, stop = base.serve_in_thread(fake.app())
    try:
        yield fake, url
    finally:
        stop()


def test_the_chinese_pay_page_offers_three_ways_each_saying_what_becomes_of_the_money(
    applicant,
):
    applicant.set_cookie("lang", "zh-CN")
    said = _visible(_text(applicant.get(f"/applications/{ORDER_ID}/pay")))
    assert "银行卡" in said and "网页钱包" in said and "扫码钱包" in said
    assert "付款时即扣款；申请未通过或您取消申请时，全额退款。" in said
    assert "付款时只冻结该金额（预授权）" in said
    assert "现在只冻结该金额（预授权）" in said
    assert re.findall(r"[A-Za-z]+", said.replace(REFERENCE, "")) == []


def test_the_english_pay_page_says_held_or_paid_and_refunded(applicant):
    applicant.set_cookie("lang", "en")
    said = _visible(_text(applicant.get(f"/applications/{ORDER_ID}/pay")))
    assert "Paid when you pay; refunded in full if the application is refused" in said
    assert "Only held now (authorised)" in said


def test_the_page_wallet_goes_to_its_cashier_with_the_gateways_return_address(
    applicant, orders, submit,
):  # fmt: skip
    fake, _url = orders
    pressed = submit(applicant, f"/applications/{ORDER_ID}/pay/wallet", {"method": "wallet_page"})
    assert pressed.status_code == 303
    assert pressed.headers["Location"] == CASHIER
    [opened] = fake.opened
    assert opened["method"] == "wallet_page"
    assert opened["return_url"].endswith(f"/applications/{ORDER_ID}/pay/return")


def test_back_from_the_cashier_orders_is_asked_to_check_before_going_on(applicant, orders):
    fake, _url = orders
    back = applicant.get(f"/applications/{ORDER_ID}/pay/return")
    assert fake.queries == 1
    assert back.status_code == 303 and back.headers["Location"].endswith(
        f"/applications/{ORDER_ID}/pay"
    )


def test_the_qr_wallets_code_is_drawn_on_a_page_with_an_i_have_paid_button(
    applicant, orders, submit
):
    pressed = submit(applicant, f"/applications/{ORDER_ID}/pay/wallet", {"method": "wallet_qr"})
    assert pressed.headers["Location"].endswith(f"/applications/{ORDER_ID}/pay/qr")
    applicant.set_cookie("lang", "zh-CN")
    page = applicant.get(f"/applications/{ORDER_ID}/pay/qr")
    html = _text(page)
    assert page.status_code == 200
    assert "<svg" in html and 'http-equiv="refresh"' not in html  # WCAG 2.2.1
    assert f"/applications/{ORDER_ID}/pay/return" in html
    assert "<script" not in html
    said = _visible(html)
    assert "用手机扫码付款" in said and "我已付款，查看结果" in said
    back = applicant.get(f"/applications/{ORDER_ID}/pay/return")  # not paid yet: the code again
    assert back.headers["Location"].endswith(f"/applications/{ORDER_ID}/pay/qr")
    assert re.findall(r"[A-Za-z]+", said.replace(REFERENCE, "")) == []


def test_an_unknown_method_goes_back_to_the_pay_page(applicant, orders, submit):
    fake, _url = orders
    pressed = submit(applicant, f"/applications/{ORDER_ID}/pay/wallet", {"method": "cash"})
    assert pressed.status_code == 303 and pressed.headers["Location"].endswith("/pay")
    assert fake.opened == []
