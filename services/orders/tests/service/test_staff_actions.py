"""What staff do to an order over the API: a supervisor retries a refused
capture or cancels with a refund; other staff roles are refused; staff read
ID numbers masked."""

from __future__ import annotations

import pytest

from .conftest import CAPTURE_REFUSED_CARD, SUPERVISOR


def types(events):
    return [event["type"] for event in events]


@pytest.fixture
def capture_failed(applicant, verification, sweep_money):
    order = applicant.submitted()
    applicant.card(order["payment"]["id"], CAPTURE_REFUSED_CARD)
    applicant.webhooks()
    verification.approve(order["id"])
    sweep_money()
    failed = applicant.get(order["id"])
    assert failed["status"] == "capture_failed"
    return failed


@pytest.fixture
def approved(applicant, verification, sweep_money):
    order = applicant.paid()
    assert verification.approve(order["id"]).action == "ack"
    assert sweep_money() == 1
    return applicant.get(order["id"])


def last_entry(client, headers, order_id):
    return client.get(f"/orders/{order_id}/timeline", headers=headers).json["entries"][-1]


# --- retrying a refused capture -------------------------------------------------------


def test_a_supervisor_retrying_a_capture_the_provider_refuses_again_gets_409_and_nothing_changes(
    capture_failed, client, supervisor, snapshot
):
    before = snapshot()
    answer = client.post(f"/orders/{capture_failed['id']}/capture", headers=supervisor)
    assert answer.status_code == 409
    assert answer.json["detail"] == "The payment provider refused the capture: insufficient_funds"
    assert "payment" in answer.json["errors"]
    assert snapshot() == before


def test_a_supervisor_retrying_a_capture_the_provider_now_takes_approves_the_order(
    capture_failed, client, supervisor, db, outbox_events
):
    with db.begin() as connection:  # the applicant's bank has the money now
        connection.exec_driver_sql("UPDATE sandbox_payments SET capture_refusal = NULL")
    answer = client.post(f"/orders/{capture_failed['id']}/capture", headers=supervisor)
    assert answer.status_code == 200
    assert answer.json["status"] == "approved"
    assert answer.json["payment"]["status"] == "captured"
    assert types(outbox_events())[-2:] == ["orders.payment_captured", "orders.approved"]
    entry = last_entry(client, supervisor, capture_failed["id"])
    assert (entry["from_status"], entry["to_status"], entry["actor"]) == (
        "capture_failed", "approved", f"supervisor:{SUPERVISOR}",
    )  # fmt: skip
    assert (entry["code"], entry["params"]) == ("capture_retried", {"captured_fen": 2500})


def test_a_capture_retry_in_any_other_state_is_409_naming_the_state(approved, client, supervisor):
    answer = client.post(f"/orders/{approved['id']}/capture", headers=supervisor)
    assert answer.status_code == 409
    assert "approved" in answer.json["detail"]
    assert "approved" in answer.json["errors"]["status"][0]


@pytest.mark.parametrize("role", ["reviewer", "production", "dispatcher", "applicant"])
def test_only_a_supervisor_may_retry_a_capture(capture_failed, client, headers_for, role):
    answer = client.post(f"/orders/{capture_failed['id']}/capture", headers=headers_for([role]))
    assert answer.status_code == 403
    assert answer.headers["Content-Type"] == "application/problem+json"


def test_a_capture_retry_of_an_unknown_order_is_404(client, supervisor):
    answer = client.post("/orders/7a1c9e1e-0000-4000-8000-000000000000/capture", headers=supervisor)
    assert answer.status_code == 404


# --- a supervisor cancels -------------------------------------------------------------


def test_a_supervisor_cancelling_an_approved_order_refunds_it_in_full(
    approved, client, supervisor, outbox_events, rows
):
    answer = client.post(f"/orders/{approved['id']}/cancel", headers=supervisor,
                         json={"reason": "The applicant asked by phone: the old licence was found."})  # fmt: skip
    assert answer.status_code == 200
    assert answer.json["status"] == "cancelled"
    assert (answer.json["payment"]["status"], answer.json["payment"]["refunded_fen"]) == (
        "refunded", 2500,
    )  # fmt: skip
    assert rows("SELECT status, refunded_fen FROM sandbox_payments") == [
        {"status": "refunded", "refunded_fen": 2500}
    ]
    events = outbox_events()
    assert types(events)[-2:] == ["orders.payment_refunded", "orders.cancelled"]
    assert events[-2]["data"]["amount_fen"] == 2500
    assert events[-1]["data"]["from_status"] == "approved"
    assert events[-1]["data"]["actor"] == f"supervisor:{SUPERVISOR}"
    entry = last_entry(client, supervisor, approved["id"])
    assert (entry["actor"], entry["code"], entry["params"]) == (
        f"supervisor:{SUPERVISOR}", "cancelled_by_supervisor",
        {"reason_text": "The applicant asked by phone: the old licence was found."},
    )  # fmt: skip


def test_a_supervisor_cancelling_a_capture_failed_order_voids_the_authorisation(
    capture_failed, client, supervisor, rows
):
    answer = client.post(f"/orders/{capture_failed['id']}/cancel", headers=supervisor,
                         json={"reason": "The card cannot be charged."})  # fmt: skip
    assert answer.status_code == 200
    assert (answer.json["status"], answer.json["payment"]["status"]) == ("cancelled", "voided")
    assert rows("SELECT status FROM sandbox_payments") == [{"status": "voided"}]


@pytest.mark.parametrize("body", [{}, {"reason": "   "}, {"reason": None}])
def test_a_staff_cancel_without_a_reason_is_422_and_changes_nothing(
    approved, client, supervisor, snapshot, body
):
    before = snapshot()
    answer = client.post(f"/orders/{approved['id']}/cancel", headers=supervisor, json=body)
    assert answer.status_code == 422
    assert "reason" in answer.json["errors"]
    assert snapshot() == before


@pytest.mark.parametrize("role", ["reviewer", "production", "dispatcher"])
def test_other_staff_may_not_cancel_an_order(approved, client, headers_for, role, snapshot):
    before = snapshot()
    answer = client.post(f"/orders/{approved['id']}/cancel", headers=headers_for([role]),
                         json={"reason": "no"})  # fmt: skip
    assert answer.status_code == 403
    assert snapshot() == before


def test_a_supervisor_cannot_cancel_a_final_order(applicant, client, supervisor):
    order = applicant.paid()
    applicant.cancel(order["id"])
    answer = client.post(f"/orders/{order['id']}/cancel", headers=supervisor,
                         json={"reason": "again"})  # fmt: skip
    assert answer.status_code == 409
    assert "cancelled" in answer.json["detail"]


def test_the_applicant_cannot_cancel_once_the_capture_failed(capture_failed, applicant):
    answer = applicant.cancel(capture_failed["id"])
    assert answer.status_code == 409
    assert "capture_failed" in answer.json["detail"]


# --- masking --------------------------------------------------------------------------


def test_staff_read_the_id_number_masked_and_the_applicant_reads_it_whole(
    applicant, client, reviewer
):
    order = applicant.paid()
    assert applicant.get(order["id"])["answers"]["id_number"] == "11010519491231002X"
    staff_view = client.get(f"/orders/{order['id']}", headers=reviewer).json
    assert staff_view["answers"]["id_number"] == "110***********002X"
    assert staff_view["answers"]["full_name"] == "张三"
    listed = client.get("/orders", headers=reviewer).json["orders"]
    assert [o["answers"]["id_number"] for o in listed] == ["110***********002X"]


def test_a_supervisors_answers_are_masked_too(approved, client, supervisor):
    answer = client.post(f"/orders/{approved['id']}/cancel", headers=supervisor,
                         json={"reason": "duplicate application"})  # fmt: skip
    assert answer.json["answers"]["id_number"] == "110***********002X"
