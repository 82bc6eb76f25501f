"""Submitting an application: everything must be there, the price locks, the
payment opens, and a retry never opens a second one."""

from __future__ import annotations

LICENCE_DOCUMENTS = ["id_card_front", "id_card_back", "selfie_with_id_card", "portrait_photo"]


def test_a_draft_with_nothing_done_is_refused_listing_everything_missing(applicant, snapshot):
    order = applicant.draft()
    before = snapshot()
    answer = applicant.submit(order["id"])
    assert answer.status_code == 409
    assert answer.mimetype == "application/problem+json"
    assert answer.json["errors"] == {
        "answers": ["full_name", "id_number", "phone", "licence_class", "reason"],
        "documents": LICENCE_DOCUMENTS,
        "delivery": ["Choose courier delivery with an address, or a pickup office."],
    }
    assert answer.json["detail"].startswith("The order cannot be submitted yet: answer full_name")
    assert snapshot() == before


def test_a_submission_is_refused_while_verification_says_documents_are_missing(
    applicant, answers, snapshot
):
    order = applicant.draft()
    applicant.answer(order["id"], answers)
    applicant.deliver_to(order["id"])
    applicant.documents(order["id"], missing=["selfie_with_id_card"])
    assert applicant.get(order["id"])["allowed_actions"] == ["edit", "cancel"]
    before = snapshot()
    answer = applicant.submit(order["id"])
    assert answer.status_code == 409
    assert answer.json["errors"] == {
        "answers": [],
        "documents": ["selfie_with_id_card"],
        "delivery": [],
    }
    assert snapshot() == before


def test_an_older_verdict_arriving_late_does_not_undo_a_newer_one(applicant):
    order = applicant.draft()
    applicant.documents(order["id"], revision=5)
    assert applicant.documents(order["id"], missing=["portrait_photo"], revision=4).action == "ack"
    assert applicant.get(order["id"])["documents"] == {"complete": True, "missing": []}


def test_a_complete_draft_offers_submission(applicant):
    order = applicant.ready()
    assert order["allowed_actions"] == ["edit", "submit", "cancel"]


def test_submission_locks_the_price_and_opens_the_payment(applicant, rows):
    order = applicant.ready()
    answer = applicant.submit(order["id"])
    assert answer.status_code == 200
    submitted = answer.json
    assert submitted["status"] == "awaiting_payment"
    assert submitted["price"] == {
        "fee_version": 1, "production_fen": 1000, "delivery_fen": 1500, "total_fen": 2500,
        "approval_reference": "鲁价费发〔2017〕58号", "locked": True,
    }  # fmt: skip
    assert submitted["submitted_at"] == "2026-03-02T01:00:00+00:00"
    assert submitted["pay_by"] == "2026-03-02T01:30:00+00:00"
    assert submitted["allowed_actions"] == ["pay", "cancel"]
    payment = submitted["payment"]
    assert (payment["status"], payment["amount_fen"], payment["captured_fen"], payment["refunded_fen"]) == (
        "created", 2500, 0, 0,
    )  # fmt: skip
    [at_provider] = rows("SELECT amount_fen, status, merchant_reference FROM sandbox_payments")
    assert at_provider == {
        "amount_fen": 2500,
        "status": "requires_card",
        "merchant_reference": payment["id"],
    }


def test_submission_tells_verification_to_lock_the_case(applicant, outbox_events):
    order = applicant.ready()
    applicant.submit(order["id"])
    event = outbox_events()[-1]
    assert event["type"] == "orders.awaiting_payment"
    assert event["data"] == {
        "order_id": order["id"], "reference": order["reference"], "total_fen": 2500,
        "pay_by": "2026-03-02T01:30:00+00:00",
    }  # fmt: skip


def test_the_timeline_says_who_submitted_and_at_what_price(applicant, client):
    order = applicant.ready()
    applicant.submit(order["id"])
    entries = client.get(f"/orders/{order['id']}/timeline", headers=applicant.headers).json[
        "entries"
    ]
    last = entries[-1]
    assert (last["from_status"], last["to_status"], last["actor"]) == (
        "draft",
        "awaiting_payment",
        "acct-1",
    )
    assert (last["code"], last["params"]) == ("submitted", {"total_fen": 2500, "fee_version": 1})


def test_a_submitted_order_can_no_longer_be_edited(applicant, answers, snapshot):
    order = applicant.submitted()
    before = snapshot()
    answer = applicant.answer(order["id"], answers)
    assert answer.status_code == 409
    assert "awaiting_payment" in answer.json["detail"]
    assert applicant.deliver_to(order["id"]).status_code == 409
    assert snapshot() == before


def test_a_second_submission_is_refused_naming_the_state(applicant, snapshot):
    order = applicant.submitted()
    before = snapshot()
    answer = applicant.submit(order["id"])
    assert answer.status_code == 409
    assert answer.json["detail"] == "The order is awaiting_payment: it cannot be submitted."
    assert snapshot() == before


def test_a_retried_submission_with_the_same_key_gets_the_first_answer_and_one_payment(
    applicant, rows
):
    order = applicant.ready()
    first = applicant.submit(order["id"], key="submit-1")
    again = applicant.submit(order["id"], key="submit-1")
    assert again.status_code == 200
    assert again.json == first.json
    assert again.headers["Idempotent-Replayed"] == "true"
    assert len(rows("SELECT id FROM payments")) == 1
    assert len(rows("SELECT id FROM sandbox_payments")) == 1


def test_a_refused_submission_can_be_retried_with_the_same_key_once_put_right(applicant, answers):
    order = applicant.draft()
    assert applicant.submit(order["id"], key="submit-2").status_code == 409
    applicant.answer(order["id"], answers)
    applicant.deliver_to(order["id"])
    applicant.documents(order["id"])
    assert applicant.submit(order["id"], key="submit-2").json["status"] == "awaiting_payment"


def test_submitting_without_an_idempotency_key_is_refused(applicant, client):
    order = applicant.ready()
    answer = client.post(f"/orders/{order['id']}/submit", headers=applicant.headers)
    assert answer.status_code == 400
    assert list(answer.json["errors"]) == ["Idempotency-Key"]


def test_an_order_with_nothing_to_pay_is_submitted_at_once(applicant, outbox_events):
    order = applicant.draft("annual-licence-verification")
    applicant.answer(order["id"], {
        "owner_name": "张三", "id_number": "11010519491231002X", "phone": "13912345678",
        "plate_number": "鲁B12345", "vin_last6": "AB1234", "registration_date": "2021-05-01",
        "insurance_valid_until": "2027-05-01",
    })  # fmt: skip
    applicant.deliver_to(order["id"], kind="pickup", office_code="pickup-shinan")
    applicant.documents(order["id"])
    answer = applicant.submit(order["id"])
    assert answer.status_code == 200
    assert answer.json["status"] == "submitted"
    assert answer.json["payment"] is None
    assert answer.json["price"]["total_fen"] == 0
    assert [event["type"] for event in outbox_events()][-2:] == [
        "orders.awaiting_payment",
        "orders.submitted",
    ]


def test_a_key_reused_for_another_orders_submission_submits_that_order_on_its_own(applicant):
    # A key belongs to (applicant, key, endpoint) and the endpoint names the
    # order: the second order must not get the first order's stored answer.
    first, second = applicant.ready(), applicant.ready()
    assert applicant.submit(first["id"], key="one-key").status_code == 200
    answer = applicant.submit(second["id"], key="one-key")
    assert answer.status_code == 200, answer.json
    assert "Idempotent-Replayed" not in answer.headers
    assert answer.json["id"] == second["id"]
    assert answer.json["status"] == "awaiting_payment"
    assert applicant.get(second["id"])["status"] == "awaiting_payment"
