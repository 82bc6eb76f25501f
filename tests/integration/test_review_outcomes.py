"""The review of a paid application across real processes (gateway, catalog, orders,
verification on RabbitMQ and PostgreSQL), driven through the public API: a reviewer
on /api/v1/staff, the applicant on /api/v1/applications. Each outcome reaches the
money: approval captures the payment, rejection voids it."""

from __future__ import annotations

import requests

from common.testing import eventually

CAPTURE_REFUSED_CARD = {"card_number": "4000000000009995", "expiry": "12/30", "cvc": "123"}


def _timeline(applicant, order_id: str) -> list[dict]:
    return applicant.call("GET", f"/applications/{order_id}/timeline", 200)["entries"]


def _statuses(applicant, order_id: str) -> list[str]:
    return [entry["to_status"] for entry in _timeline(applicant, order_id)]


def test_an_approved_application_has_its_payment_captured(journey, staff, events):
    applicant = journey.applicant()
    order_id = journey.submitted(applicant)
    reviewer = staff("reviewer")

    claimed = reviewer.claim(order_id)
    assert claimed["status"] == "in_review"
    assert claimed["assignee_id"] == reviewer.account_id
    journey.status_becomes(applicant, order_id, "in_review")

    reviewer.verdicts(order_id)
    decided = reviewer.decide(order_id, "approve")
    assert (decided["status"], decided["closed_because"]) == ("closed", "approved")

    approved = journey.status_becomes(applicant, order_id, "approved")
    assert approved["payment"]["status"] == "captured"
    assert approved["payment"]["captured_fen"] == approved["price"]["total_fen"] == 2500
    assert _statuses(applicant, order_id)[-3:] == ["submitted", "in_review", "approved"]
    eventually(
        lambda: (
            {"verification.approved", "orders.payment_captured", "orders.approved"}
            <= set(events.types(order_id))
        )
    )
    captured = next(e for e in events.of(order_id) if e["type"] == "orders.payment_captured")
    assert captured["data"]["amount_fen"] == 2500


def test_an_application_with_a_refused_photo_is_approved_after_the_applicant_replaces_it(
    journey, staff, events
):
    applicant = journey.applicant()
    order_id = journey.submitted(applicant)
    reviewer = staff("reviewer")
    reviewer.claim(order_id)
    reviewer.verdicts(order_id, refuse={"selfie_with_id_card": "blurred"})
    asked = reviewer.decide(order_id, "request_resubmission", deadline_days=7)
    assert (asked["status"], asked["round"]) == ("awaiting_applicant", 1)
    assert asked["resubmission_deadline"]

    journey.status_becomes(applicant, order_id, "needs_resubmission")
    wanted = applicant.call("GET", f"/applications/{order_id}/resubmission", 200)
    assert [d["code"] for d in wanted["documents"]] == ["selfie_with_id_card"]
    assert wanted["documents"][0]["reason_code"] == "blurred"
    assert wanted["missing"] == ["selfie_with_id_card"]

    # Only the refused photo may be replaced, and nothing goes back before it is.
    not_refused = _upload(applicant, order_id, "id_card_front", journey.photo(21))
    assert not_refused.status_code == 409, not_refused.text
    assert not_refused.json()["type"].endswith("not-refused")
    missing = applicant.request("POST", f"/applications/{order_id}/resubmit")
    assert missing.status_code == 409, missing.text
    assert missing.json()["type"].endswith("replacements-missing")

    replaced = _upload(applicant, order_id, "selfie_with_id_card", journey.photo(22))
    assert replaced.status_code == 201, replaced.text
    applicant.call("POST", f"/applications/{order_id}/resubmit", 200)
    journey.status_becomes(applicant, order_id, "in_review")

    review = reviewer.review(order_id)
    assert (review["status"], review["assignee_id"]) == ("in_review", reviewer.account_id)
    fresh = {d["code"]: d for d in review["documents"]}
    assert fresh["selfie_with_id_card"]["verdict"] is None  # a replaced photo is judged anew
    assert fresh["id_card_front"]["verdict"]["verdict"] == "accepted"  # the others keep theirs
    reviewer.verdicts(order_id)
    reviewer.decide(order_id, "approve")

    approved = journey.status_becomes(applicant, order_id, "approved")
    assert approved["payment"]["status"] == "captured"
    assert _statuses(applicant, order_id)[-5:] == [
        "submitted", "in_review", "needs_resubmission", "in_review", "approved",
    ]  # fmt: skip
    eventually(
        lambda: {"verification.resubmission_requested", "verification.resubmitted",
                 "orders.payment_captured"} <= set(events.types(order_id))
    )  # fmt: skip


def test_a_rejected_application_is_closed_with_its_payment_voided(journey, staff, events):
    applicant = journey.applicant()
    order_id = journey.submitted(applicant)
    reviewer = staff("reviewer")
    reviewer.claim(order_id)
    decided = reviewer.decide(
        order_id, "reject", reason_code="documents-invalid",
        note="The ID card photographed is not an original.",
    )  # fmt: skip
    assert (decided["status"], decided["closed_because"]) == ("closed", "rejected")

    closed = journey.status_becomes(applicant, order_id, "closed")
    assert closed["payment"]["status"] == "voided"
    assert closed["payment"]["captured_fen"] == 0
    entries = _timeline(applicant, order_id)
    assert [e["to_status"] for e in entries][-3:] == ["in_review", "rejected", "closed"]
    rejected = next(e for e in entries if e["to_status"] == "rejected")
    assert rejected["actor"] == f"reviewer:{reviewer.account_id}"
    assert (rejected["code"], rejected["params"]["reason_code"]) == (
        "rejected",
        "documents-invalid",
    )
    eventually(
        lambda: {"verification.rejected", "orders.rejected", "orders.payment_voided",
                 "orders.closed"} <= set(events.types(order_id))
    )  # fmt: skip
    # A closed case takes no more decisions.
    late = reviewer.request(
        "POST", f"/staff/reviews/{order_id}/decision", json={"decision": "approve"}
    )
    assert late.status_code == 409, late.text
    assert late.json()["type"].endswith("case-closed")


def test_a_supervisor_cancelling_an_approved_order_refunds_what_was_captured(
    journey, staff, events
):
    applicant = journey.applicant()
    order_id = journey.submitted(applicant)
    reviewer = staff("reviewer")
    reviewer.claim(order_id)
    reviewer.verdicts(order_id)
    reviewer.decide(order_id, "approve")
    journey.status_becomes(applicant, order_id, "approved")
    # Too late for the applicant; a supervisor may, with a refund.
    applicant.call("POST", f"/applications/{order_id}/cancel", 409, json={"reason": "changed"})

    cancelled = staff("supervisor").call(
        "POST", f"/staff/orders/{order_id}/cancel", 200,
        json={"reason": "The applicant found the old licence."},
    )  # fmt: skip
    assert cancelled["status"] == "cancelled"
    payment = applicant.application(order_id)["payment"]
    assert (payment["status"], payment["refunded_fen"]) == ("refunded", 2500)
    eventually(
        lambda: {"orders.payment_refunded", "orders.cancelled"} <= set(events.types(order_id))
    )


def test_a_refused_capture_waits_for_a_supervisor_who_retries_then_cancels(journey, staff):
    applicant = journey.applicant()
    order_id = journey.ready_to_submit(applicant)
    journey.submit(applicant, order_id)
    journey.pay(applicant, order_id, CAPTURE_REFUSED_CARD)
    journey.status_becomes(applicant, order_id, "submitted")
    reviewer = staff("reviewer")
    reviewer.claim(order_id)
    reviewer.verdicts(order_id)
    reviewer.decide(order_id, "approve")
    journey.status_becomes(applicant, order_id, "capture_failed")

    supervisor = staff("supervisor")
    retried = supervisor.request("POST", f"/staff/orders/{order_id}/capture")
    assert retried.status_code == 409, retried.text
    assert "insufficient_funds" in retried.text  # the provider's reason
    assert applicant.application(order_id)["status"] == "capture_failed"
    supervisor.call(
        "POST", f"/staff/orders/{order_id}/cancel", 200,
        json={"reason": "The card cannot be charged."},
    )  # fmt: skip
    cancelled = applicant.application(order_id)
    assert cancelled["status"] == "cancelled"
    assert cancelled["payment"]["status"] == "voided"
    assert cancelled["payment"]["captured_fen"] == 0


def test_a_second_reviewer_cannot_take_a_claimed_case(journey, staff):
    applicant = journey.applicant()
    order_id = journey.submitted(applicant)
    staff("reviewer").claim(order_id)
    taken = staff("supervisor").request("POST", f"/staff/reviews/{order_id}/claim")
    assert taken.status_code == 409, taken.text
    assert taken.json()["type"].endswith("case-taken")


def _upload(applicant, order_id: str, code: str, photo: bytes) -> requests.Response:
    return applicant.request(
        "PUT", f"/applications/{order_id}/documents/{code}",
        files={"file": (f"{code}.jpg", photo, "image/jpeg")},
    )  # fmt: skip
