"""The payment webhook endpoint refuses what it cannot trust and acts once on
what it can; the sandbox delivers its webhooks with retries and backoff."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from common.db import make_session_factory
from common.testing import free_port
from common.webhooks import WebhookSender
from orders.payments.sandbox import SandboxWebhook
from orders.payments.signature import HEADER, sign

SECRET = "orders-test-webhook-secret"  # the tests' PAYMENT_WEBHOOK_SECRET


def _body(event_id="evt_1", kind="payment.authorised", payment_id="sbx_pay_x", **data):
    return json.dumps(
        {"id": event_id, "type": kind, "created": 0, "data": {"payment_id": payment_id, **data}}
    ).encode()


def _post(client, body, *, secret=SECRET, at=None, clock=None):
    stamp = int((at or clock.now()).timestamp())
    headers = {HEADER: sign(secret, body, stamp), "Content-Type": "application/json"}
    return client.post("/webhooks/payments", data=body, headers=headers)


@pytest.fixture
def processing(applicant, rows):
    """An order whose card the provider has answered; the webhook not yet sent."""
    order = applicant.submitted()
    applicant.card(order["payment"]["id"])
    [webhook] = rows("SELECT body FROM sandbox_webhooks")
    return order, webhook["body"].encode()


def test_the_providers_webhook_needs_no_internal_token_but_a_signature(
    client, clock, processing, applicant
):
    order, body = processing
    answer = _post(client, body, clock=clock)
    assert answer.status_code == 200
    assert answer.json == {"status": "processed"}
    assert applicant.get(order["id"])["status"] == "submitted"


def test_a_bad_signature_is_refused_with_401_and_changes_nothing(
    client, clock, processing, snapshot
):
    _order, body = processing
    before = snapshot()
    answer = _post(client, body, secret="someone-else", clock=clock)
    assert answer.status_code == 401
    assert answer.mimetype == "application/problem+json"
    assert "signature" in answer.json["errors"]
    assert snapshot() == before


def test_a_missing_signature_is_refused_with_401(client, processing):
    _order, body = processing
    assert client.post("/webhooks/payments", data=body).status_code == 401


def test_a_signed_body_that_was_changed_is_refused(client, clock, processing):
    _order, body = processing
    stamp = int(clock.now().timestamp())
    headers = {HEADER: sign(SECRET, body, stamp)}
    tampered = body.replace(b"payment.authorised", b"payment.declined")
    assert client.post("/webhooks/payments", data=tampered, headers=headers).status_code == 401


@pytest.mark.parametrize("offset", [timedelta(minutes=-6), timedelta(minutes=6)])
def test_a_stale_or_future_timestamp_is_refused_with_400(
    client, clock, processing, snapshot, offset
):
    _order, body = processing
    before = snapshot()
    answer = _post(client, body, at=clock.now() + offset)
    assert answer.status_code == 400
    assert "signed" in answer.json["detail"]
    assert snapshot() == before


def test_a_replayed_event_is_refused_with_409_logged_and_changes_nothing(
    client, clock, processing, snapshot, applicant, caplog
):
    order, body = processing
    _post(client, body, clock=clock)
    before = snapshot()
    clock.advance(timedelta(seconds=30))
    answer = _post(client, body, clock=clock)
    assert answer.status_code == 409
    assert "already received" in answer.json["errors"]["id"][0]
    assert snapshot() == before
    assert applicant.get(order["id"])["status"] == "submitted"
    assert "webhook refused" in caplog.text


def test_a_webhook_for_an_unknown_payment_is_refused_with_404_logged_and_changes_nothing(
    client, clock, applicant, snapshot, caplog
):
    applicant.submitted()
    before = snapshot()
    answer = _post(client, _body(payment_id="sbx_pay_nobody"), clock=clock)
    assert answer.status_code == 404
    assert "does not know" in answer.json["errors"]["payment_id"][0]
    assert snapshot() == before
    assert "does not know" in caplog.text


def test_a_webhook_with_another_amount_is_refused_with_422_logged_and_changes_nothing(
    client, clock, processing, rows, snapshot, applicant, caplog
):
    order, body = processing
    event = json.loads(body)
    event["data"]["amount_fen"] += 1
    before = snapshot()
    answer = _post(client, json.dumps(event).encode(), clock=clock)
    assert answer.status_code == 422
    assert "amount_fen" in answer.json["errors"]
    assert snapshot() == before
    assert applicant.get(order["id"])["status"] == "awaiting_payment"
    assert "webhook refused" in caplog.text
    assert _post(client, body, clock=clock).json == {"status": "processed"}  # the true one


def test_a_signed_webhook_that_is_not_an_event_is_refused_with_400(client, clock):
    assert _post(client, b'{"id": "evt_9"}', clock=clock).status_code == 400
    assert _post(client, b"not json", clock=clock).status_code == 400


def test_an_event_that_changes_nothing_is_recorded_as_ignored(
    client, clock, processing, rows, applicant
):
    order, body = processing
    _post(client, body, clock=clock)
    late_decline = _body(
        "evt_late", "payment.declined", order_provider_id(rows), reason="card_declined"
    )
    assert _post(client, late_decline, clock=clock).json == {"status": "ignored"}
    assert applicant.get(order["id"])["payment"]["status"] == "authorised"


def order_provider_id(rows):
    return rows("SELECT provider_payment_id FROM payments")[0]["provider_payment_id"]


def test_an_authorisation_arriving_after_the_order_closed_changes_nothing_as_it_was_voided(
    applicant, rows, client, clock
):
    order = applicant.submitted()
    applicant.card(order["payment"]["id"])
    [webhook] = rows("SELECT body FROM sandbox_webhooks")
    with_authorisation = webhook["body"].encode()  # still on its way when the applicant cancels
    applicant.cancel(order["id"])
    assert rows("SELECT status FROM sandbox_payments")[0]["status"] == "voided"
    answer = _post(client, with_authorisation, clock=clock)
    assert answer.json == {"status": "ignored"}
    assert applicant.get(order["id"])["payment"]["status"] == "voided"


# --- the sandbox's delivery ---------------------------------------------------------------


def test_an_undelivered_webhook_is_retried_with_backoff_then_given_up(
    applicant, app, settings, clock, rows
):
    order = applicant.submitted()
    applicant.card(order["payment"]["id"])
    dead = WebhookSender(
        make_session_factory(app.extensions["orders.engine"]),
        SandboxWebhook,
        SECRET,
        HEADER,
        url=f"http://127.0.0.1:{free_port()}/webhooks/payments",
        max_attempts=3,
        timeout_seconds=2,
    )
    clock.advance(timedelta(seconds=2))
    [first] = dead.deliver_due(clock.now())
    assert first.status is None and "ConnectionError" in (first.error or "")
    [row] = rows("SELECT attempts, due_at, delivered_at, abandoned_at FROM sandbox_webhooks")
    assert row["attempts"] == 1 and row["due_at"] == clock.now() + timedelta(seconds=1)
    assert dead.deliver_due(clock.now()) == []  # not due again yet
    clock.advance(timedelta(seconds=1))
    dead.deliver_due(clock.now())
    [row] = rows("SELECT attempts, due_at FROM sandbox_webhooks")
    assert row["attempts"] == 2 and row["due_at"] == clock.now() + timedelta(seconds=2)
    clock.advance(timedelta(seconds=2))
    dead.deliver_due(clock.now())
    [row] = rows("SELECT attempts, abandoned_at, delivered_at FROM sandbox_webhooks")
    assert (
        row["attempts"] == 3 and row["abandoned_at"] == clock.now() and row["delivered_at"] is None
    )
    clock.advance(timedelta(hours=1))
    assert dead.deliver_due(clock.now()) == []


def test_a_webhook_the_merchant_refuses_is_retried_and_then_delivered(
    applicant, sender, clock, rows
):
    order = applicant.submitted()
    applicant.card(order["payment"]["id"])
    wrong = WebhookSender(
        sender.sessions, SandboxWebhook, "a-wrong-secret", HEADER, url=sender.url, max_attempts=3
    )
    clock.advance(timedelta(seconds=2))
    [refused] = wrong.deliver_due(clock.now())
    assert refused.status == 401
    clock.advance(timedelta(seconds=1))
    [delivered] = sender.deliver_due(clock.now())
    assert delivered.status == 200
    [row] = rows("SELECT attempts, delivered_at FROM sandbox_webhooks")
    assert row == {"attempts": 2, "delivered_at": clock.now()}
    assert applicant.get(order["id"])["status"] == "submitted"
