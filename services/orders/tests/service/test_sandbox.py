"""The sandbox provider on its own: its state, its rules for capture, void and
refund, its test cards, and the signature on its webhooks."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from common.db import make_session_factory
from common.errors import Conflict
from orders.payments import (
    BadSignature,
    Card,
    MalformedWebhook,
    ProviderRefused,
    StaleWebhook,
)
from orders.payments.sandbox import SandboxProvider
from orders.payments.signature import HEADER, sign
from orders.services.money import capture_payment, refund_payment

SECRET = "sandbox-test-secret"


@pytest.fixture
def sandbox(db, clock):
    return SandboxProvider(
        make_session_factory(db), SECRET, clock=clock, webhook_delay=timedelta(0)
    )


@pytest.fixture
def webhooks(rows):
    def sent():
        return [
            json.loads(row["body"])
            for row in rows("SELECT body FROM sandbox_webhooks ORDER BY created_at, type")
        ]

    return sent


def _authorised(sandbox, amount=2500):
    payment = sandbox.create(
        merchant_reference="pay-1", reference="LT20260302000001", amount_fen=amount
    )
    sandbox.authorise_card(payment, Card("4242424242424242", "12/30", "123"))
    return payment


def _status(rows):
    return rows("SELECT status, captured_fen, refunded_fen FROM sandbox_payments")[0]


def test_opening_a_payment_twice_for_the_same_reference_gives_the_same_payment(sandbox, rows):
    first = sandbox.create(merchant_reference="pay-1", reference="LT1", amount_fen=2500)
    assert sandbox.create(merchant_reference="pay-1", reference="LT1", amount_fen=2500) == first
    assert len(rows("SELECT id FROM sandbox_payments")) == 1
    with pytest.raises(ProviderRefused):
        sandbox.create(merchant_reference="pay-1", reference="LT1", amount_fen=2600)


@pytest.mark.parametrize(
    ("number", "kind", "reason"),
    [
        ("4242424242424242", "payment.authorised", None),
        ("4000000000000002", "payment.declined", "card_declined"),
        ("4000000000000119", "payment.failed", "processing_error"),
        ("5555555555554444", "payment.authorised", None),
    ],
)
def test_each_test_card_gets_its_answer_by_webhook(sandbox, webhooks, number, kind, reason):
    payment = sandbox.create(merchant_reference="pay-1", reference="LT1", amount_fen=2500)
    sandbox.authorise_card(payment, Card(number, "12/30", "123"))
    [event] = webhooks()
    assert event["type"] == kind
    assert event["data"]["payment_id"] == payment
    assert event["data"]["card_last4"] == number[-4:]
    assert event["data"].get("reason") == reason


def test_a_card_number_failing_luhn_is_refused(sandbox):
    payment = sandbox.create(merchant_reference="pay-1", reference="LT1", amount_fen=2500)
    with pytest.raises(ProviderRefused):
        sandbox.authorise_card(payment, Card("4242424242424241", "12/30", "123"))


def test_a_declined_payment_takes_another_card_but_an_authorised_one_does_not(sandbox):
    payment = sandbox.create(merchant_reference="pay-1", reference="LT1", amount_fen=2500)
    sandbox.authorise_card(payment, Card("4000000000000002", "12/30", "123"))
    sandbox.authorise_card(payment, Card("4242424242424242", "12/30", "123"))
    with pytest.raises(ProviderRefused, match="authorised"):
        sandbox.authorise_card(payment, Card("4242424242424242", "12/30", "123"))


def test_an_authorisation_is_captured_up_to_its_amount(sandbox, rows, webhooks):
    payment = _authorised(sandbox)
    with pytest.raises(ProviderRefused):
        sandbox.capture(payment, 2501)
    sandbox.capture(payment, 2500)
    assert _status(rows) == {"status": "captured", "captured_fen": 2500, "refunded_fen": 0}
    assert webhooks()[-1]["type"] == "payment.captured"
    with pytest.raises(ProviderRefused):
        sandbox.capture(payment, 2000)


def test_the_same_capture_again_succeeds_without_a_second_capture(sandbox, rows, webhooks):
    payment = _authorised(sandbox)
    sandbox.capture(payment, 2500)
    sandbox.capture(payment, 2500)  # an orders transaction rolled back after the first
    assert _status(rows) == {"status": "captured", "captured_fen": 2500, "refunded_fen": 0}
    assert [w["type"] for w in webhooks()].count("payment.captured") == 1


def test_the_capture_refused_card_authorises_but_its_capture_is_refused(sandbox, rows, webhooks):
    payment = sandbox.create(merchant_reference="pay-9995", reference="LT9", amount_fen=2500)
    sandbox.authorise_card(payment, Card("4000000000009995", "12/30", "123"))
    assert webhooks()[-1]["type"] == "payment.authorised"
    with pytest.raises(ProviderRefused, match="insufficient_funds"):
        sandbox.capture(payment, 2500)
    assert _status(rows) == {"status": "authorised", "captured_fen": 0, "refunded_fen": 0}


def test_refunds_may_be_partial_and_never_exceed_what_was_captured(sandbox, rows, webhooks):
    payment = _authorised(sandbox)
    sandbox.capture(payment, 2500)
    sandbox.refund(payment, 1000, "partly produced")
    assert _status(rows) == {"status": "captured", "captured_fen": 2500, "refunded_fen": 1000}
    with pytest.raises(ProviderRefused, match="1 and 1500"):
        sandbox.refund(payment, 1501, "too much")
    sandbox.refund(payment, 1500, "the rest")
    assert _status(rows) == {"status": "refunded", "captured_fen": 2500, "refunded_fen": 2500}
    with pytest.raises(ProviderRefused):
        sandbox.refund(payment, 1, "nothing left")
    assert webhooks()[-1]["data"]["refunded_fen"] == 2500


def test_nothing_is_refunded_before_it_is_captured(sandbox):
    payment = _authorised(sandbox)
    with pytest.raises(ProviderRefused, match="nothing was captured"):
        sandbox.refund(payment, 100, "early")


def test_a_void_releases_an_authorisation_once_and_never_a_capture(sandbox, rows, webhooks):
    payment = _authorised(sandbox)
    sandbox.void(payment)
    sandbox.void(payment)  # idempotent: no second webhook
    assert _status(rows)["status"] == "voided"
    assert [event["type"] for event in webhooks()].count("payment.voided") == 1
    captured = sandbox.create(merchant_reference="pay-2", reference="LT2", amount_fen=100)
    sandbox.authorise_card(captured, Card("4242424242424242", "12/30", "123"))
    sandbox.capture(captured, 100)
    with pytest.raises(ProviderRefused, match="refund it instead"):
        sandbox.void(captured)


def test_an_unknown_payment_is_refused(sandbox):
    with pytest.raises(ProviderRefused):
        sandbox.void("sbx_pay_nobody")


def test_a_webhook_is_parsed_only_with_a_good_fresh_signature(sandbox, clock):
    body = json.dumps(
        {"id": "evt_1", "type": "payment.authorised", "data": {"payment_id": "p"}}
    ).encode()
    now = int(clock.now().timestamp())
    event = sandbox.parse_webhook(body, {HEADER: sign(SECRET, body, now)}, clock.now())
    assert (event.id, event.type, event.payment_id) == ("evt_1", "payment.authorised", "p")
    with pytest.raises(BadSignature):
        sandbox.parse_webhook(body, {HEADER: sign("other", body, now)}, clock.now())
    with pytest.raises(StaleWebhook):
        sandbox.parse_webhook(body, {HEADER: sign(SECRET, body, now - 301)}, clock.now())
    with pytest.raises(MalformedWebhook):
        sandbox.parse_webhook(b"[]", {HEADER: sign(SECRET, b"[]", now)}, clock.now())


# --- capture and refund as orders asks for them (the review work will) ------------------


@pytest.fixture
def paid(applicant, app):
    """A paid order's context and a way to lock its payment in a unit of work."""
    from sqlalchemy import select

    from orders.models import Payment

    order = applicant.paid()

    def lock(uow):
        query = select(Payment).where(Payment.order_id == order["id"]).with_for_update()
        return uow.session.scalars(query).one()

    return app.extensions["orders.context"], lock


def test_orders_captures_the_authorised_amount_at_the_provider(paid, rows):
    context, lock = paid
    with context.uow() as uow:
        capture_payment(context, uow, lock(uow))
        uow.commit()
    assert rows("SELECT status, captured_fen FROM payments")[0] == {
        "status": "captured",
        "captured_fen": 2500,
    }
    assert rows("SELECT status, captured_fen FROM sandbox_payments")[0] == {
        "status": "captured",
        "captured_fen": 2500,
    }


def test_orders_refunds_in_parts_and_never_more_than_was_captured(paid, rows):
    context, lock = paid
    with context.uow() as uow:
        payment = lock(uow)
        capture_payment(context, uow, payment)
        refund_payment(context, uow, payment, 1500, "courier not needed")
        uow.commit()
    with context.uow() as uow:
        payment = lock(uow)
        with pytest.raises(Conflict, match="Only 1000 fen"):
            refund_payment(context, uow, payment, 1001, "too much")
        refund_payment(context, uow, payment, 1000, "the rest")
        uow.commit()
    assert rows("SELECT status, refunded_fen FROM payments")[0] == {
        "status": "refunded",
        "refunded_fen": 2500,
    }
    assert rows("SELECT refunded_fen FROM sandbox_payments")[0]["refunded_fen"] == 2500


def test_orders_refunds_nothing_that_was_not_captured(paid, rows):
    context, lock = paid
    with context.uow() as uow, pytest.raises(Conflict, match="this one is authorised"):
        refund_payment(context, uow, lock(uow), 100, "early")
    assert rows("SELECT status FROM sandbox_payments")[0]["status"] == "authorised"
