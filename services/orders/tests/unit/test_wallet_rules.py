"""The rules of paying by wallet, without I/O: which methods take the money at
once, when a payment may change method, how the QR wallet's XML is read and
how a refund is made idempotent."""

from __future__ import annotations

import pytest

from orders import domain
from orders.payments import MalformedWebhook
from orders.payments.wallet_qr import parse_xml
from orders.payments.wallet_sandbox import to_xml, yuan_text
from orders.payments.wallets import refund_request_no

OFFERED = ("card", "wallet_page", "wallet_qr")


def test_only_the_page_wallet_takes_the_money_at_once():
    assert domain.paid_at_once("wallet_page")
    assert not domain.paid_at_once("wallet_qr")
    assert not domain.paid_at_once("card")


@pytest.mark.parametrize("status", ["created", "failed"])
def test_a_payment_changes_method_while_no_money_moved(status):
    assert domain.method_problem(status, "wallet_qr", OFFERED) is None


@pytest.mark.parametrize("status", ["processing", "authorised", "captured", "refunded", "voided"])
def test_a_payment_keeps_its_method_once_the_money_moved(status):
    assert status in domain.method_problem(status, "wallet_page", OFFERED)


def test_a_method_not_offered_is_named_in_the_refusal():
    assert "'wallet_qr'" in domain.method_problem("created", "wallet_qr", ("card",))


def test_the_qr_wallets_flat_xml_reads_back_what_was_written():
    params = {"out_trade_no": "abc", "total_fee": "2500", "sign": "X"}
    assert parse_xml(to_xml(params).encode()) == params


@pytest.mark.parametrize(
    "body",
    [
        b'<!DOCTYPE xml [<!ENTITY a "aaaa">]><xml><a>&a;</a></xml>',
        b"<xml><a><b>nested</b></a></xml>",
        b"<other/>",
        b"not xml",
    ],
)
def test_xml_other_than_the_wallets_flat_form_is_refused(body):
    with pytest.raises(MalformedWebhook):
        parse_xml(body)


def test_the_page_wallet_writes_yuan_with_two_decimals():
    assert (yuan_text(2500), yuan_text(5), yuan_text(123456)) == ("25.00", "0.05", "1234.56")


def test_the_same_refund_asked_again_carries_the_same_request_number():
    first = refund_request_no("trade-1", 2500, "rejected")
    assert refund_request_no("trade-1", 2500, "rejected") == first
    assert refund_request_no("trade-1", 2400, "rejected") != first
    assert refund_request_no("trade-2", 2500, "rejected") != first
