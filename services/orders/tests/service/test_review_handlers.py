"""The order follows its review: verification's events handled through the
common Dispatcher on the real database; the payment captured, voided or
refunded at the sandbox provider by the worker's sweep that follows, never in
the consumer's transaction."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from orders import timers
from orders.api import CONTEXT
from orders.payments import ProviderUnavailable

from .conftest import CAPTURE_REFUSED_CARD, REVIEWER


def types(events):
    return [event["type"] for event in events]


def timeline(client, applicant, order_id):
    answer = client.get(f"/orders/{order_id}/timeline", headers=applicant.headers)
    return [
        (e["from_status"], e["to_status"], e["actor"], (e["code"], e["params"]))
        for e in answer.json["entries"]
    ]


def paid_with(applicant, card):
    order = applicant.submitted()
    assert applicant.card(order["payment"]["id"], card).status_code == 202
    applicant.webhooks()
    return applicant.get(order["id"])


@pytest.fixture
def in_review(applicant, verification):
    order = applicant.paid()
    assert verification.claim(order["id"]).action == "ack"
    return applicant.get(order["id"])


# --- the claim ------------------------------------------------------------------------


def test_a_claimed_case_puts_the_order_in_review_with_the_reviewer_on_the_timeline(
    applicant, verification, outbox_events, client
):
    order = applicant.paid()
    assert verification.claim(order["id"]).action == "ack"
    assert applicant.get(order["id"])["status"] == "in_review"
    assert timeline(client, applicant, order["id"])[-1] == (
        "submitted", "in_review", f"reviewer:{REVIEWER}", ("review_started", {}),
    )  # fmt: skip
    assert outbox_events()[-1]["type"] == "orders.review_started"
    assert outbox_events()[-1]["data"] == {
        "order_id": order["id"], "reference": order["reference"], "reviewer_id": REVIEWER,
    }  # fmt: skip


def test_a_second_claim_is_stale_and_changes_nothing(in_review, verification, rows, snapshot):
    before = snapshot()
    assert verification.claim(in_review["id"], "staff-22").action == "ack"
    after = snapshot()
    assert after.pop("inbox") != before.pop("inbox")
    assert after == before  # only the inbox row of the stale event is new
    claims = rows("SELECT outcome FROM inbox WHERE event_type = 'verification.review_started'")
    assert sorted(claim["outcome"] for claim in claims) == ["handled", "stale"]


# --- approval and capture -------------------------------------------------------------


def unreachable(*_args):
    raise ProviderUnavailable("connection refused")


def test_an_approval_asks_for_the_capture_and_the_sweep_takes_the_money_and_approves(
    in_review, applicant, verification, sweep_money, outbox_events, rows, client
):
    assert verification.approve(in_review["id"]).action == "ack"
    waiting = applicant.get(in_review["id"])
    assert (waiting["status"], waiting["payment"]["status"]) == ("in_review", "authorised")
    assert rows("SELECT status FROM sandbox_payments") == [{"status": "authorised"}]
    assert types(outbox_events())[-1] == "orders.review_started"
    assert sweep_money() == 1
    order = applicant.get(in_review["id"])
    assert order["status"] == "approved"
    assert (order["payment"]["status"], order["payment"]["captured_fen"]) == ("captured", 2500)
    assert rows("SELECT status, captured_fen FROM sandbox_payments") == [
        {"status": "captured", "captured_fen": 2500}
    ]
    events = outbox_events()
    assert types(events)[-2:] == ["orders.payment_captured", "orders.approved"]
    assert events[-2]["data"] == {
        "order_id": order["id"], "payment_id": order["payment"]["id"], "amount_fen": 2500,
    }  # fmt: skip
    approved = events[-1]["data"]
    assert (approved["total_fen"], approved["approved_at"]) == (2500, "2026-03-02T03:00:00+00:00")
    assert approved["delivery"]["kind"] == "courier"
    assert approved["delivery"]["address"]["city"] == "青岛市"
    assert timeline(client, applicant, order["id"])[-1] == (
        "in_review", "approved", f"reviewer:{REVIEWER}", ("approved", {"captured_fen": 2500}),
    )  # fmt: skip
    assert sweep_money() == 0


def test_the_approval_carries_what_production_and_the_courier_need_and_no_full_id_number(
    in_review, verification, sweep_money, outbox_events
):
    assert verification.approve(in_review["id"]).action == "ack"
    sweep_money()
    envelope = outbox_events()[-1]
    approved = envelope["data"]
    assert envelope["type"] == "orders.approved"
    assert (approved["applicant_name"], approved["id_number_masked"]) == (
        "张三", "110***********002X",
    )  # fmt: skip
    assert (approved["plate_number"], approved["sla_working_days"]) == (None, 3)
    assert approved["delivery"]["carrier"] == "EMS"
    assert "11010519491231002X" not in json.dumps(envelope, ensure_ascii=False)


def test_a_pickup_approval_carries_the_office_as_the_catalog_describes_it(
    applicant, verification, sweep_money, outbox_events
):
    order = applicant.paid(kind="pickup", office_code="pickup-shinan")
    assert verification.approve(order["id"]).action == "ack"
    sweep_money()
    delivery = outbox_events()[-1]["data"]["delivery"]
    assert (delivery["kind"], delivery["office_code"]) == ("pickup", "pickup-shinan")
    assert set(delivery["office"]) == {"name", "address", "hours"}
    assert delivery["office"]["hours"]["zh"].startswith("周一至周五")
    assert "carrier" not in delivery and "address" not in delivery


def test_an_approval_calls_no_provider_while_the_event_is_handled(
    in_review, verification, app, monkeypatch, rows
):
    monkeypatch.setattr(app.extensions[CONTEXT].provider, "capture", unreachable)
    assert verification.approve(in_review["id"]).action == "ack"
    assert rows("SELECT kind, attempts, fired_at FROM timers WHERE kind = 'capture'") == [
        {"kind": "capture", "attempts": 0, "fired_at": None}
    ]


def test_an_approval_that_overtook_the_claim_applies_the_claim_first(
    applicant, verification, sweep_money, outbox_events, client
):
    order = applicant.paid()
    assert verification.approve(order["id"]).action == "ack"
    assert applicant.get(order["id"])["status"] == "in_review"
    sweep_money()
    assert applicant.get(order["id"])["status"] == "approved"
    assert [(f, t) for f, t, _a, _r in timeline(client, applicant, order["id"])[-2:]] == [
        ("submitted", "in_review"), ("in_review", "approved"),
    ]  # fmt: skip
    assert types(outbox_events())[-3:] == [
        "orders.review_started", "orders.payment_captured", "orders.approved",
    ]  # fmt: skip
    assert verification.claim(order["id"]).action == "ack"  # the late claim: stale
    assert applicant.get(order["id"])["status"] == "approved"


def test_a_free_order_is_approved_without_a_capture(
    applicant, verification, sweep_money, outbox_events
):
    order = applicant.draft("annual-licence-verification")
    applicant.answer(order["id"], {
        "owner_name": "张三", "id_number": "11010519491231002X", "phone": "13912345678",
        "plate_number": "鲁B12345", "vin_last6": "AB1234", "registration_date": "2021-05-01",
        "insurance_valid_until": "2027-05-01",
    })  # fmt: skip
    applicant.deliver_to(order["id"], kind="pickup", office_code="pickup-shinan")
    applicant.documents(order["id"])
    submitted = applicant.submit(order["id"]).json
    assert submitted["status"] == "submitted" and submitted["payment"] is None
    assert verification.approve(order["id"]).action == "ack"
    assert sweep_money() == 1
    assert applicant.get(order["id"])["status"] == "approved"
    assert "orders.payment_captured" not in types(outbox_events())


def test_a_capture_the_provider_refuses_leaves_the_order_capture_failed(
    applicant, verification, sweep_money, outbox_events, rows, client
):
    order = paid_with(applicant, CAPTURE_REFUSED_CARD)
    assert verification.claim(order["id"]).action == "ack"
    assert verification.approve(order["id"]).action == "ack"
    assert sweep_money() == 1
    failed = applicant.get(order["id"])
    assert failed["status"] == "capture_failed"
    assert failed["payment"]["status"] == "authorised"
    assert outbox_events()[-1]["type"] == "orders.capture_failed"
    assert outbox_events()[-1]["data"] == {
        "order_id": order["id"], "payment_id": order["payment"]["id"],
        "reason": "insufficient_funds",
    }  # fmt: skip
    _from, _to, actor, reason = timeline(client, applicant, order["id"])[-1]
    assert actor == "payment-provider"
    assert reason == ("capture_failed", {"provider_reason": "insufficient_funds"})
    assert rows("SELECT status FROM sandbox_payments") == [{"status": "authorised"}]
    assert sweep_money() == 0  # a refusal is an outcome: the capture is not tried again


def test_a_provider_out_of_reach_keeps_the_capture_due_later_and_then_it_succeeds(
    in_review, applicant, verification, sweep_money, app, clock, monkeypatch, rows, snapshot
):
    assert verification.approve(in_review["id"]).action == "ack"
    monkeypatch.setattr(app.extensions[CONTEXT].provider, "capture", unreachable)
    assert sweep_money() == 0
    assert applicant.get(in_review["id"])["status"] == "in_review"
    [timer] = rows(
        "SELECT due_at, fired_at, attempts, last_error FROM timers WHERE kind = 'capture'"
    )
    assert (timer["fired_at"], timer["attempts"]) == (None, 1)
    assert timer["due_at"] == clock.now() + timedelta(seconds=30)
    assert "payment provider" in timer["last_error"]
    before = snapshot()
    clock.advance(timedelta(seconds=29))
    assert sweep_money() == 0
    assert snapshot() == before  # not due yet: not even tried
    clock.advance(timedelta(seconds=1))
    assert sweep_money() == 0
    [timer] = rows("SELECT due_at, attempts FROM timers WHERE kind = 'capture'")
    assert (timer["due_at"], timer["attempts"]) == (clock.now() + timedelta(minutes=1), 2)
    monkeypatch.undo()
    clock.advance(timedelta(minutes=1))
    assert sweep_money() == 1
    order = applicant.get(in_review["id"])
    assert (order["status"], order["payment"]["status"]) == ("approved", "captured")


def test_a_provider_out_of_reach_for_long_is_tried_again_at_most_every_10_minutes():
    waits = [timers.retry_after(attempts) for attempts in range(1, 9)]
    assert waits[:3] == [timedelta(seconds=30), timedelta(minutes=1), timedelta(minutes=2)]
    assert waits[-1] == timedelta(minutes=10)


def test_a_capture_the_provider_made_before_a_failure_is_not_taken_twice(
    in_review, applicant, verification, sweep_money, app, clock, monkeypatch, rows
):
    """The provider took the money but its answer was lost: the next sweep finds
    the capture done at the provider and approves."""
    provider = app.extensions[CONTEXT].provider
    real_capture = provider.capture

    def capture_then_fail(provider_payment_id, amount_fen):
        real_capture(provider_payment_id, amount_fen)
        raise ProviderUnavailable("the answer was lost on the way back")

    verification.approve(in_review["id"])
    monkeypatch.setattr(provider, "capture", capture_then_fail)
    assert sweep_money() == 0
    monkeypatch.undo()
    applicant.webhooks()  # the provider's payment.captured arrives meanwhile
    clock.advance(timedelta(seconds=30))
    assert sweep_money() == 1
    order = applicant.get(in_review["id"])
    assert (order["status"], order["payment"]["captured_fen"]) == ("approved", 2500)
    assert rows("SELECT captured_fen FROM sandbox_payments") == [{"captured_fen": 2500}]


def test_an_approval_sent_twice_asks_for_one_capture_and_captures_once(
    in_review, applicant, verification, sweep_money, outbox_events, rows
):
    assert verification.approve(in_review["id"]).action == "ack"
    assert verification.approve(in_review["id"]).action == "ack"  # a second event, another id
    assert rows("SELECT outcome FROM inbox WHERE event_type = 'verification.approved'") == [
        {"outcome": "handled"}, {"outcome": "stale"},
    ]  # fmt: skip
    assert sweep_money() == 1
    assert sweep_money() == 0
    assert verification.approve(in_review["id"]).action == "ack"  # after the approval: stale
    assert sweep_money() == 0
    assert applicant.get(in_review["id"])["status"] == "approved"
    assert types(outbox_events()).count("orders.payment_captured") == 1
    assert rows("SELECT count(*) AS n FROM timers WHERE kind = 'capture'") == [{"n": 1}]


def test_an_order_cancelled_before_its_capture_is_left_cancelled_and_nothing_is_taken(
    in_review, applicant, verification, sweep_money, outbox_events, rows
):
    assert verification.approve(in_review["id"]).action == "ack"
    assert applicant.cancel(in_review["id"]).status_code == 200  # until approval, as ever
    assert sweep_money() == 0
    order = applicant.get(in_review["id"])
    assert (order["status"], order["payment"]["status"]) == ("cancelled", "voided")
    assert rows("SELECT status, captured_fen FROM sandbox_payments") == [
        {"status": "voided", "captured_fen": 0}
    ]
    assert "orders.payment_captured" not in types(outbox_events())
    [timer] = rows("SELECT fired_at FROM timers WHERE kind = 'capture'")
    assert timer["fired_at"] is not None  # dropped, never tried again


def test_an_approval_for_an_order_orders_never_made_is_recorded_as_stale(verification, rows):
    outcome = verification.approve("7a1c9e1e-0000-4000-8000-000000000000")
    assert outcome.action == "ack"
    assert rows("SELECT outcome FROM inbox") == [{"outcome": "stale"}]


def test_an_approval_for_a_cancelled_order_is_stale_and_captures_nothing(
    applicant, verification, rows
):
    order = applicant.paid()
    assert applicant.cancel(order["id"]).status_code == 200
    assert verification.approve(order["id"]).action == "ack"
    assert applicant.get(order["id"])["status"] == "cancelled"
    assert rows("SELECT status FROM sandbox_payments") == [{"status": "voided"}]
    assert rows("SELECT outcome FROM inbox WHERE event_type = 'verification.approved'") == [
        {"outcome": "stale"}
    ]


def test_an_approval_missing_its_reviewer_is_dead_lettered_at_once(in_review, verification):
    outcome = verification.send("approved", in_review["id"], approved_at="2026-03-02T03:00:00Z")
    assert outcome.action == "dead"
    assert "reviewer_id" in (outcome.reason or "")


# --- new photos -----------------------------------------------------------------------


def test_a_request_for_new_photos_says_which_and_why_on_the_timeline(
    in_review, applicant, verification, outbox_events, client
):
    assert verification.ask(in_review["id"], reviewer_id=REVIEWER).action == "ack"
    assert applicant.get(in_review["id"])["status"] == "needs_resubmission"
    _from, to, actor, reason = timeline(client, applicant, in_review["id"])[-1]
    assert (to, actor) == ("needs_resubmission", f"reviewer:{REVIEWER}")
    assert reason == ("resubmission_requested", {
        "round": 1, "deadline": "2026-03-09T03:00:00+00:00",
        "documents": [
            {"code": "selfie_with_id_card", "reason_code": "blurred",
             "note": "The card in your hand cannot be read."},
            {"code": "portrait_photo", "reason_code": "glare", "note": None},
        ],
    })  # fmt: skip
    assert outbox_events()[-1]["data"] == {
        "order_id": in_review["id"], "reference": in_review["reference"], "round": 1,
        "deadline": "2026-03-09T03:00:00+00:00",
    }  # fmt: skip


def test_resubmitted_photos_put_the_order_back_in_review(
    in_review, applicant, verification, outbox_events, client
):
    verification.ask(in_review["id"])
    assert verification.resubmitted(in_review["id"]).action == "ack"
    assert applicant.get(in_review["id"])["status"] == "in_review"
    assert timeline(client, applicant, in_review["id"])[-1][1:3] == ("in_review", "applicant")
    assert outbox_events()[-1]["type"] == "orders.resubmitted"


def test_a_resubmission_for_an_order_in_review_is_stale(in_review, applicant, verification, rows):
    assert verification.resubmitted(in_review["id"]).action == "ack"
    assert applicant.get(in_review["id"])["status"] == "in_review"
    assert {"outcome": "stale"} in rows("SELECT outcome FROM inbox")


def test_a_request_without_refused_documents_is_dead_lettered(in_review, verification):
    outcome = verification.send("resubmission_requested", in_review["id"], round=1,
                                deadline="2026-03-09T03:00:00+00:00", documents=[])  # fmt: skip
    assert outcome.action == "dead"
    assert "documents" in (outcome.reason or "")


# --- rejection ------------------------------------------------------------------------


def test_a_rejection_voids_the_authorisation_and_closes_the_order(
    in_review, applicant, verification, sweep_money, outbox_events, rows, client
):
    assert verification.reject(in_review["id"]).action == "ack"
    rejected = applicant.get(in_review["id"])
    assert (rejected["status"], rejected["payment"]["status"]) == ("rejected", "authorised")
    assert types(outbox_events())[-1] == "orders.rejected"
    assert sweep_money() == 1
    order = applicant.get(in_review["id"])
    assert order["status"] == "closed"
    assert order["payment"]["status"] == "voided"
    assert rows("SELECT status FROM sandbox_payments") == [{"status": "voided"}]
    events = outbox_events()
    assert types(events)[-3:] == ["orders.rejected", "orders.payment_voided", "orders.closed"]
    assert events[-3]["data"]["reason_code"] == "identity-mismatch"
    assert timeline(client, applicant, order["id"])[-2:] == [
        ("in_review", "rejected", f"reviewer:{REVIEWER}", ("rejected", {
            "reason_code": "identity-mismatch",
            "note": "The selfie does not show the person on the ID card.",
        })),
        ("rejected", "closed", "system", ("closed_after_rejection", {
            "reason_code": "identity-mismatch", "money": "voided", "refunded_fen": 0,
        })),
    ]  # fmt: skip


def test_a_rejection_whose_void_cannot_reach_the_provider_closes_once_it_can(
    in_review, applicant, verification, sweep_money, app, clock, monkeypatch, rows
):
    monkeypatch.setattr(app.extensions[CONTEXT].provider, "void", unreachable)
    assert verification.reject(in_review["id"]).action == "ack"
    assert sweep_money() == 0
    assert applicant.get(in_review["id"])["status"] == "rejected"
    [timer] = rows("SELECT due_at, attempts FROM timers WHERE kind = 'release_money'")
    assert (timer["due_at"], timer["attempts"]) == (clock.now() + timedelta(seconds=30), 1)
    monkeypatch.undo()
    clock.advance(timedelta(seconds=30))
    assert sweep_money() == 1
    order = applicant.get(in_review["id"])
    assert (order["status"], order["payment"]["status"]) == ("closed", "voided")


def test_a_rejection_after_a_capture_refunds_it_and_closes_the_order(
    in_review, applicant, verification, sweep_money, app, monkeypatch, outbox_events
):
    """The provider captured but its answer never came back; verification rejects."""
    provider = app.extensions[CONTEXT].provider
    real_capture = provider.capture

    def capture_then_fail(provider_payment_id, amount_fen):
        real_capture(provider_payment_id, amount_fen)
        raise ProviderUnavailable("the answer was lost on the way back")

    monkeypatch.setattr(provider, "capture", capture_then_fail)
    verification.approve(in_review["id"])
    assert sweep_money() == 0
    monkeypatch.undo()
    applicant.webhooks()  # the order learns of the capture
    assert verification.reject(in_review["id"]).action == "ack"
    assert sweep_money() == 1
    order = applicant.get(in_review["id"])
    assert (order["status"], order["payment"]["status"]) == ("closed", "refunded")
    assert types(outbox_events())[-2:] == ["orders.payment_refunded", "orders.closed"]


def test_a_missed_deadline_rejects_by_the_system(
    in_review, applicant, verification, sweep_money, client
):
    verification.ask(in_review["id"])
    outcome = verification.reject(
        in_review["id"], by="system", reason_code="resubmission-deadline-missed", note=None
    )
    assert outcome.action == "ack"
    sweep_money()
    assert applicant.get(in_review["id"])["status"] == "closed"
    rejected = timeline(client, applicant, in_review["id"])[-2]
    assert rejected == (
        "needs_resubmission", "rejected", "system",
        ("rejected", {"reason_code": "resubmission-deadline-missed", "note": None}),
    )  # fmt: skip


def test_a_rejection_that_overtook_the_claim_applies_the_claim_first(
    applicant, verification, sweep_money, client
):
    order = applicant.paid()
    assert verification.reject(order["id"]).action == "ack"
    sweep_money()
    assert [t for _f, t, _a, _r in timeline(client, applicant, order["id"])[-3:]] == [
        "in_review", "rejected", "closed",
    ]  # fmt: skip


def test_a_second_rejection_is_stale_and_gives_nothing_back_twice(
    in_review, verification, sweep_money, outbox_events
):
    verification.reject(in_review["id"])
    assert verification.reject(in_review["id"]).action == "ack"  # before the sweep
    sweep_money()
    sent = len(outbox_events())
    assert verification.reject(in_review["id"]).action == "ack"  # after it
    assert sweep_money() == 0
    assert len(outbox_events()) == sent
    assert types(outbox_events()).count("orders.payment_voided") == 1
