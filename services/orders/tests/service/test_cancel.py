"""Cancelling: a draft is discarded, an unpaid order closes unpaid, a paid one
is cancelled with its authorisation voided; nothing else may be cancelled by
the applicant."""

from __future__ import annotations

from datetime import timedelta

from orders import timers


def test_cancelling_a_draft_discards_it(applicant, outbox_events):
    order = applicant.draft()
    answer = applicant.cancel(order["id"], "选错了 / wrong item")
    assert answer.status_code == 200
    assert answer.json["status"] == "discarded"
    assert answer.json["allowed_actions"] == []
    assert outbox_events()[-1]["type"] == "orders.discarded"


def test_cancelling_an_unpaid_order_closes_it_and_voids_the_payment(applicant, outbox_events, rows):
    order = applicant.submitted()
    answer = applicant.cancel(order["id"])
    assert answer.json["status"] == "closed_unpaid"
    assert answer.json["payment"]["status"] == "voided"
    assert rows("SELECT status FROM sandbox_payments")[0]["status"] == "voided"
    events = outbox_events()
    assert [e["type"] for e in events][-2:] == ["orders.payment_voided", "orders.closed_unpaid"]
    assert events[-1]["data"]["reason"] == "Cancelled by the applicant."


def test_cancelling_a_paid_order_cancels_it_and_voids_the_authorisation(
    applicant, outbox_events, rows, client
):
    order = applicant.paid()
    answer = applicant.cancel(order["id"], "不需要了")
    assert answer.json["status"] == "cancelled"
    assert answer.json["payment"]["status"] == "voided"
    assert rows("SELECT status FROM sandbox_payments")[0]["status"] == "voided"
    events = outbox_events()
    assert [e["type"] for e in events][-2:] == ["orders.payment_voided", "orders.cancelled"]
    assert events[-1]["data"] == {
        "order_id": order["id"], "reference": order["reference"], "from_status": "submitted",
        "reason": "不需要了", "actor": "acct-1",
    }  # fmt: skip
    last = client.get(f"/orders/{order['id']}/timeline", headers=applicant.headers).json["entries"][
        -1
    ]
    assert (last["from_status"], last["to_status"], last["actor"]) == (
        "submitted", "cancelled", "acct-1",
    )  # fmt: skip
    assert (last["code"], last["params"]) == ("cancelled_by_applicant", {"reason_text": "不需要了"})


def test_a_cancelled_order_cannot_be_cancelled_again_and_nothing_changes(applicant, snapshot):
    order = applicant.paid()
    applicant.cancel(order["id"])
    before = snapshot()
    answer = applicant.cancel(order["id"])
    assert answer.status_code == 409
    assert answer.json["detail"] == "The order is cancelled: it cannot be cancelled."
    assert snapshot() == before


def test_a_closed_unpaid_order_cannot_be_cancelled(applicant, app, clock, snapshot):
    order = applicant.submitted()
    clock.advance(timedelta(minutes=30))
    timers.expire_unpaid_orders(app.extensions["orders.context"], clock.now())
    before = snapshot()
    answer = applicant.cancel(order["id"])
    assert answer.status_code == 409
    assert "closed_unpaid" in answer.json["detail"]
    assert snapshot() == before


def test_a_cancel_reason_that_is_too_long_is_refused(applicant, client):
    order = applicant.draft()
    answer = client.post(
        f"/orders/{order['id']}/cancel", json={"reason": "x" * 501}, headers=applicant.headers
    )
    assert answer.status_code == 422
    assert list(answer.json["errors"]) == ["reason"]


def test_cancelling_needs_no_body(applicant, client):
    order = applicant.draft()
    answer = client.post(f"/orders/{order['id']}/cancel", headers=applicant.headers)
    assert answer.status_code == 200
