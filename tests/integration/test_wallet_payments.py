"""Paying with a wallet, the whole system as real processes on RabbitMQ and
PostgreSQL: the applicant chooses the wallet through the gateway's public API,
pays on the wallet sandbox's own page (served by the orders web process), and
the sandbox's signed notification, delivered by the orders worker, submits
the order. The page wallet takes the money at once and a rejection refunds
it, once; the QR wallet holds it and an approval's capture takes it."""

from __future__ import annotations

import uuid
from urllib.parse import urlsplit

import requests

from common.testing import eventually


def _wallet(applicant, order_id, method, return_url=None):
    body = {"method": method, **({"return_url": return_url} if return_url else {})}
    return applicant.call(
        "POST", f"/applications/{order_id}/payment/wallet", 201, json=body,
        headers={"Idempotency-Key": uuid.uuid4().hex},
    )  # fmt: skip


def _phone_pays(link: str) -> requests.Response:
    """The simulated phone's button on the sandbox's page."""
    parts = urlsplit(link)
    out_trade_no = parts.path.rsplit("/", 1)[1]
    return requests.post(
        f"{parts.scheme}://{parts.netloc}/sandbox/wallet/pay/{out_trade_no}",
        allow_redirects=False, timeout=30,
    )  # fmt: skip


def test_the_page_wallet_pays_at_once_and_a_rejection_refunds_it_once(journey, staff, events):
    applicant = journey.applicant()
    order_id = journey.ready_to_submit(applicant)
    journey.submit(applicant, order_id)
    back = f"{applicant.base}/back-from-the-wallet"
    payment = _wallet(applicant, order_id, "wallet_page", return_url=back)
    assert (payment["method"], payment["paid_at_once"]) == ("wallet_page", True)
    cashier = requests.get(payment["cashier_url"], timeout=30)
    assert cashier.status_code == 200 and "<svg" in cashier.text
    paid = _phone_pays(payment["cashier_url"])
    assert (paid.status_code, paid.headers["Location"]) == (303, back)

    submitted = journey.status_becomes(applicant, order_id, "submitted")
    assert submitted["payment"]["status"] == "captured"
    assert submitted["payment"]["captured_fen"] == submitted["payment"]["amount_fen"]

    reviewer = staff("reviewer")
    reviewer.claim(order_id)
    reviewer.decide(
        order_id, "reject", reason_code="documents-invalid",
        note="The ID card photographed is not an original.",
    )  # fmt: skip
    closed = journey.status_becomes(applicant, order_id, "closed")
    assert (closed["payment"]["status"], closed["payment"]["refunded_fen"]) == (
        "refunded", closed["payment"]["amount_fen"],
    )  # fmt: skip
    refunds = eventually(lambda: events.of(order_id) and [
        event for event in events.of(order_id) if event["type"] == "orders.payment_refunded"
    ])  # fmt: skip
    assert len(refunds) == 1


def test_the_qr_wallet_holds_the_money_until_approval_captures_it(journey, staff):
    applicant = journey.applicant()
    order_id = journey.ready_to_submit(applicant)
    journey.submit(applicant, order_id)
    payment = _wallet(applicant, order_id, "wallet_qr")
    assert (payment["method"], payment["paid_at_once"]) == ("wallet_qr", False)
    scanned = requests.get(payment["qr_payload"], timeout=30)
    assert scanned.status_code == 200
    assert _phone_pays(payment["qr_payload"]).status_code == 200

    held = journey.status_becomes(applicant, order_id, "submitted")
    assert held["payment"]["status"] == "authorised"
    reviewer = staff("reviewer")
    reviewer.claim(order_id)
    reviewer.verdicts(order_id)
    reviewer.decide(order_id, "approve")
    approved = eventually(
        lambda: (o := applicant.application(order_id))["payment"]["status"] == "captured" and o
    )
    assert approved["payment"]["captured_fen"] == approved["payment"]["amount_fen"]


def test_a_forged_notification_is_refused_by_the_orders_service(journey):
    applicant = journey.applicant()
    order_id = journey.ready_to_submit(applicant)
    journey.submit(applicant, order_id)
    payment = _wallet(applicant, order_id, "wallet_page")
    orders = urlsplit(payment["cashier_url"])
    out_trade_no = orders.path.rsplit("/", 1)[1]
    forged = requests.post(
        f"{orders.scheme}://{orders.netloc}/webhooks/payments/wallet_page",
        data={"notify_id": "x", "out_trade_no": out_trade_no, "trade_status": "TRADE_SUCCESS",
              "total_amount": "25.00", "sign_type": "RSA2", "sign": "AAAA"},
        timeout=30,
    )  # fmt: skip
    assert forged.status_code == 401
    assert "sign" in forged.json()["errors"]
    assert applicant.application(order_id)["status"] == "awaiting_payment"
