"""Paying by card through the sandbox provider: the card goes to the provider,
its answer comes back later as a signed webhook over HTTP."""

from __future__ import annotations

from datetime import timedelta

import pytest

from orders.app import create_app
from orders.payments import ProviderUnavailable
from orders.payments.sandbox import SandboxProvider

DECLINED = "4000 0000 0000 0002"
ERROR = "4000 0000 0000 0119"


def types(events):
    return [event["type"] for event in events]


def test_a_card_is_handed_to_the_provider_and_the_payment_is_processing(applicant, rows):
    order = applicant.submitted()
    answer = applicant.card(order["payment"]["id"])
    assert answer.status_code == 202
    assert answer.json["status"] == "processing"
    assert answer.json["card_last4"] == "4242"
    assert applicant.get(order["id"])["allowed_actions"] == ["cancel"]
    [webhook] = rows("SELECT type, delivered_at FROM sandbox_webhooks")
    assert webhook == {"type": "payment.authorised", "delivered_at": None}


def test_the_providers_authorisation_submits_the_order(applicant, outbox_events, client):
    order = applicant.submitted()
    applicant.card(order["payment"]["id"])
    [sent] = applicant.webhooks()
    assert sent.status == 200
    paid = applicant.get(order["id"])
    assert paid["status"] == "submitted"
    assert paid["payment"]["status"] == "authorised"
    assert paid["pay_by"] == "2026-03-02T01:30:00+00:00"
    events = outbox_events()
    assert types(events)[-2:] == ["orders.payment_authorised", "orders.submitted"]
    assert events[-2]["data"] == {
        "order_id": order["id"], "payment_id": order["payment"]["id"], "amount_fen": 2500,
    }  # fmt: skip
    submitted = dict(events[-1]["data"])
    answers = submitted.pop("answers")
    assert submitted == {
        "order_id": order["id"], "reference": order["reference"], "applicant_id": "acct-1",
        "item_code": "driving-licence-replacement", "total_fen": 2500,
        "submitted_at": "2026-03-02T01:00:00+00:00", "sla_working_days": 3,
    }  # fmt: skip
    # Verification checks the answers against the photos: all of them, in the form's order.
    assert [(a["name"], a["type"], a["value"]) for a in answers] == [
        ("full_name", "text", "张三"), ("id_number", "id_number", "11010519491231002X"),
        ("phone", "phone", "13912345678"), ("licence_class", "choice", "c1"),
        ("reason", "choice", "lost"),
    ]  # fmt: skip
    assert answers[1]["label"] == {"zh": "公民身份号码", "en": "Resident ID number"}
    last = client.get(f"/orders/{order['id']}/timeline", headers=applicant.headers).json["entries"][
        -1
    ]
    assert (last["from_status"], last["to_status"], last["actor"]) == (
        "awaiting_payment", "submitted", "payment-provider",
    )  # fmt: skip


def test_a_declined_card_leaves_the_order_payable_and_another_card_pays_it(
    applicant, outbox_events
):
    order = applicant.submitted()
    payment_id = order["payment"]["id"]
    applicant.card(payment_id, DECLINED)
    applicant.webhooks()
    declined = applicant.get(order["id"])
    assert declined["status"] == "awaiting_payment"
    assert declined["payment"]["status"] == "failed"
    assert declined["payment"]["failure_reason"] == "card_declined"
    assert declined["allowed_actions"] == ["pay", "cancel"]
    assert outbox_events()[-1]["type"] == "orders.payment_failed"
    assert outbox_events()[-1]["data"]["reason"] == "card_declined"
    assert applicant.card(payment_id).status_code == 202
    applicant.webhooks()
    paid = applicant.get(order["id"])
    assert (paid["status"], paid["payment"]["status"], paid["payment"]["id"]) == (
        "submitted", "authorised", payment_id,
    )  # fmt: skip
    assert paid["payment"]["failure_reason"] is None


def test_a_provider_error_fails_the_payment_with_its_reason(applicant):
    order = applicant.submitted()
    applicant.card(order["payment"]["id"], ERROR)
    applicant.webhooks()
    payment = applicant.get(order["id"])["payment"]
    assert (payment["status"], payment["failure_reason"]) == ("failed", "processing_error")


def test_a_card_for_a_payment_already_processing_is_refused(applicant, snapshot):
    order = applicant.submitted()
    applicant.card(order["payment"]["id"])
    before = snapshot()
    answer = applicant.card(order["payment"]["id"])
    assert answer.status_code == 409
    assert "processing" in answer.json["detail"]
    assert snapshot() == before


def test_a_card_for_a_paid_order_is_refused_naming_its_state(applicant):
    order = applicant.paid()
    answer = applicant.card(order["payment"]["id"])
    assert answer.status_code == 409
    assert "submitted" in answer.json["detail"]


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"number": "4242 4242 4242 4241"}, ["card_number"]),
        ({"expiry": "13/30"}, ["expiry"]),
        ({"cvc": "1"}, ["cvc"]),
        ({"expiry": "01/20", "cvc": "12a"}, ["cvc", "expiry"]),
    ],
)
def test_a_malformed_card_is_refused_naming_the_field_and_nothing_reaches_the_provider(
    applicant, snapshot, fields, named
):
    order = applicant.submitted()
    before = snapshot()
    answer = applicant.card(order["payment"]["id"], **fields)
    assert answer.status_code == 422
    assert sorted(answer.json["errors"]) == named
    assert snapshot() == before


def test_a_card_with_an_unknown_field_is_refused(applicant, client):
    order = applicant.submitted()
    body = {"card_number": "4242424242424242", "expiry": "12/30", "cvc": "123", "amount_fen": 1}
    answer = client.post(
        f"/payments/{order['payment']['id']}/card", json=body, headers=applicant.with_key()
    )
    assert answer.status_code == 422
    assert list(answer.json["errors"]) == ["amount_fen"]


def test_a_retried_card_with_the_same_key_is_charged_once(applicant, rows):
    order = applicant.submitted()
    first = applicant.card(order["payment"]["id"], key="card-1")
    again = applicant.card(order["payment"]["id"], key="card-1")
    assert again.status_code == 202
    assert again.json == first.json
    assert again.headers["Idempotent-Replayed"] == "true"
    [at_provider] = rows("SELECT card_attempts FROM sandbox_payments")
    assert at_provider["card_attempts"] == 1
    assert len(rows("SELECT id FROM sandbox_webhooks")) == 1


def test_the_same_key_with_another_card_is_refused(applicant):
    order = applicant.submitted()
    applicant.card(order["payment"]["id"], key="card-2")
    answer = applicant.card(order["payment"]["id"], DECLINED, key="card-2")
    assert answer.status_code == 422
    assert list(answer.json["errors"]) == ["Idempotency-Key"]


def test_a_card_without_an_idempotency_key_is_refused(applicant, client):
    order = applicant.submitted()
    body = {"card_number": "4242424242424242", "expiry": "12/30", "cvc": "123"}
    answer = client.post(
        f"/payments/{order['payment']['id']}/card", json=body, headers=applicant.headers
    )
    assert answer.status_code == 400
    assert "Idempotency-Key" in answer.json["detail"]


def test_another_applicants_payment_is_not_found(applicant, other_applicant, client):
    order = applicant.submitted()
    payment_id = order["payment"]["id"]
    assert other_applicant.card(payment_id).status_code == 404
    assert client.get(f"/payments/{payment_id}", headers=other_applicant.headers).status_code == 404
    assert client.get("/payments/nope", headers=applicant.headers).status_code == 404


def test_the_payment_shows_its_state_and_amounts(applicant, client):
    order = applicant.paid()
    payment = client.get(f"/payments/{order['payment']['id']}", headers=applicant.headers).json
    assert payment["status"] == "authorised"
    assert (payment["amount_fen"], payment["captured_fen"], payment["refunded_fen"]) == (2500, 0, 0)
    assert payment["order_id"] == order["id"]


class _DownProvider(SandboxProvider):
    """The sandbox with the provider's servers unreachable."""

    def create(self, **kwargs):
        raise ProviderUnavailable("connection refused")

    def authorise_card(self, provider_payment_id, card):
        raise ProviderUnavailable("connection refused")

    def void(self, provider_payment_id):
        raise ProviderUnavailable("connection refused")


@pytest.fixture
def provider_down(db, settings, clock, orders_server):
    from common.db import make_engine, make_session_factory

    engine = make_engine(settings.database_url, pool_size=1)
    provider = _DownProvider(
        make_session_factory(engine), settings.payment_webhook_secret, clock=clock
    )
    app = create_app(settings, clock=clock, provider=provider)
    yield app.test_client()
    app.extensions["orders.engine"].dispose()
    engine.dispose()


def test_submitting_while_the_provider_is_down_is_a_503_and_nothing_changes(
    applicant, provider_down, snapshot
):
    order = applicant.ready()
    before = snapshot()
    answer = provider_down.post(f"/orders/{order['id']}/submit", headers=applicant.with_key())
    assert answer.status_code == 503
    assert "payment provider" in answer.json["detail"]
    assert snapshot() == before


def test_paying_while_the_provider_is_down_is_a_503_and_the_payment_stays_payable(
    applicant, provider_down, snapshot
):
    order = applicant.submitted()
    before = snapshot()
    body = {"card_number": "4242424242424242", "expiry": "12/30", "cvc": "123"}
    answer = provider_down.post(
        f"/payments/{order['payment']['id']}/card", json=body, headers=applicant.with_key()
    )
    assert answer.status_code == 503
    assert snapshot() == before
    assert applicant.get(order["id"])["allowed_actions"] == ["pay", "cancel"]


def test_the_answer_to_a_card_comes_only_once_it_is_due(applicant, clock, sender):
    order = applicant.submitted()
    applicant.card(order["payment"]["id"])
    assert sender.deliver_due(clock.now()) == []
    clock.advance(timedelta(seconds=1))
    assert len(sender.deliver_due(clock.now())) == 1
