"""Timers as data, fired by the worker's sweeps on a clock the tests move:
an order unpaid 30 minutes after submission closes with its authorisation
voided; a draft untouched for 7 days is discarded."""

from __future__ import annotations

from datetime import timedelta

import pytest

from orders import timers


@pytest.fixture
def context(app):
    return app.extensions["orders.context"]


def test_an_unpaid_order_stays_open_until_its_pay_by_time(applicant, context, clock):
    order = applicant.submitted()
    clock.advance(timedelta(minutes=29, seconds=59))
    assert timers.expire_unpaid_orders(context, clock.now()) == 0
    assert applicant.get(order["id"])["status"] == "awaiting_payment"


def test_an_order_unpaid_after_30_minutes_closes_and_its_payment_is_voided(
    applicant, context, clock, outbox_events, rows, client
):
    order = applicant.submitted()
    clock.advance(timedelta(minutes=30))
    assert timers.expire_unpaid_orders(context, clock.now()) == 1
    closed = applicant.get(order["id"])
    assert closed["status"] == "closed_unpaid"
    assert closed["payment"]["status"] == "voided"
    assert closed["allowed_actions"] == []
    assert rows("SELECT status FROM sandbox_payments")[0]["status"] == "voided"
    events = outbox_events()
    assert [e["type"] for e in events][-2:] == ["orders.payment_voided", "orders.closed_unpaid"]
    assert events[-1]["data"] == {
        "order_id": order["id"], "reference": order["reference"],
        "reason": "Not paid within 30 minutes of submission.",
    }  # fmt: skip
    last = client.get(f"/orders/{order['id']}/timeline", headers=applicant.headers).json["entries"][
        -1
    ]
    assert (last["to_status"], last["actor"]) == ("closed_unpaid", "system")
    assert (
        rows("SELECT fired_at FROM timers WHERE kind = 'unpaid_expiry'")[0]["fired_at"]
        == clock.now()
    )


def test_expiry_voids_an_authorisation_whose_webhook_had_not_arrived(
    applicant, context, clock, rows
):
    order = applicant.submitted()
    applicant.card(order["payment"]["id"])  # the sandbox authorises; its webhook is not yet sent
    clock.advance(timedelta(minutes=31))
    timers.expire_unpaid_orders(context, clock.now())
    assert rows("SELECT status FROM sandbox_payments")[0]["status"] == "voided"
    applicant.sender.deliver_due(clock.now())  # the late authorisation, then the void
    late = applicant.get(order["id"])
    assert (late["status"], late["payment"]["status"]) == ("closed_unpaid", "voided")


def test_a_paid_order_is_not_closed_when_its_expiry_timer_comes(
    applicant, context, clock, outbox_events
):
    order = applicant.paid()
    events = outbox_events()
    clock.advance(timedelta(hours=1))
    assert timers.expire_unpaid_orders(context, clock.now()) == 0
    assert applicant.get(order["id"])["status"] == "submitted"
    assert outbox_events() == events


def test_expiry_waits_while_the_provider_cannot_void_and_closes_once_it_can(
    applicant, context, clock, rows, monkeypatch
):
    order = applicant.submitted()
    clock.advance(timedelta(minutes=30))
    from orders.payments import ProviderUnavailable

    def down(_payment_id):
        raise ProviderUnavailable("timeout")

    monkeypatch.setattr(context.provider, "void", down)
    assert timers.expire_unpaid_orders(context, clock.now()) == 0
    assert applicant.get(order["id"])["status"] == "awaiting_payment"
    [timer] = rows(
        "SELECT due_at, fired_at, attempts, last_error FROM timers WHERE kind = 'unpaid_expiry'"
    )
    assert timer["fired_at"] is None and timer["attempts"] == 1
    assert timer["due_at"] == clock.now() + timedelta(seconds=30)
    assert "payment provider" in timer["last_error"]
    monkeypatch.undo()
    clock.advance(timedelta(seconds=30))
    assert timers.expire_unpaid_orders(context, clock.now()) == 1
    assert applicant.get(order["id"])["status"] == "closed_unpaid"


def test_a_draft_untouched_for_7_days_is_discarded(applicant, context, clock, outbox_events):
    order = applicant.draft()
    clock.advance(timedelta(days=7) - timedelta(seconds=1))
    assert timers.discard_idle_drafts(context, clock.now()) == 0
    clock.advance(timedelta(seconds=1))
    assert timers.discard_idle_drafts(context, clock.now()) == 1
    assert applicant.get(order["id"])["status"] == "discarded"
    event = outbox_events()[-1]
    assert event["type"] == "orders.discarded"
    assert event["data"] == {"order_id": order["id"], "reference": order["reference"]}


def test_a_draft_worked_on_stays_for_7_days_after_its_last_change(
    applicant, context, clock, answers
):
    order = applicant.draft()
    clock.advance(timedelta(days=3))
    applicant.answer(order["id"], answers)
    clock.advance(timedelta(days=4))
    assert timers.discard_idle_drafts(context, clock.now()) == 0
    clock.advance(timedelta(days=3))
    assert timers.discard_idle_drafts(context, clock.now()) == 1
    assert applicant.get(order["id"])["status"] == "discarded"


def test_an_upload_counts_as_work_on_the_draft(applicant, context, clock, rows):
    order = applicant.draft()
    clock.advance(timedelta(days=6))
    applicant.documents(order["id"], missing=["portrait_photo"])
    clock.advance(timedelta(days=2))
    assert timers.discard_idle_drafts(context, clock.now()) == 0
    [timer] = rows("SELECT due_at, fired_at FROM timers WHERE kind = 'draft_idle'")
    assert timer["fired_at"] is None
    assert timer["due_at"] == clock.now() + timedelta(days=5)


def test_a_submitted_draft_is_never_discarded(applicant, context, clock):
    order = applicant.submitted()
    clock.advance(timedelta(days=8))
    timers.expire_unpaid_orders(context, clock.now())
    assert timers.discard_idle_drafts(context, clock.now()) == 0
    assert applicant.get(order["id"])["status"] == "closed_unpaid"
