"""Making and delivering across real processes (catalog, orders, verification,
fulfillment, gateway; RabbitMQ and PostgreSQL), through the public API:
approval → production → courier → delivered → confirmed → completed (the store
front's deal count up by one); pickup with a wrong code then the right one;
three failed attempts → exception → reship → delivered; webhooks twice and out
of order; receipt confirmed by the timer, and the timer paused by a complaint.

A stack of its own: the sandbox courier's events a third of a second apart and
orders' auto-confirm cut to seconds (a fraction of a day), as the review
deadline's test cuts its days."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import requests

from common.processes import Stack
from common.testing import eventually

from ..conftest import Broker, start_stack
from .conftest import ADDRESS, Applicant, Journey, StaffMember, staff_member

AUTO_CONFIRM_SECONDS = 25
PLATE_ITEM = "driving-licence-replacement"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    running = start_stack(
        tmp_path_factory.mktemp("delivery-stack"),
        ORDERS_AUTO_CONFIRM_DAYS=str(AUTO_CONFIRM_SECONDS / 86_400),
        ORDERS_TIMER_INTERVAL_SECONDS="0.5",
    )
    try:
        yield running
    finally:
        running.stop()


# --- steps -----------------------------------------------------------------------------------


def approved(
    stack: Stack, applicant: Applicant, *, recipient: str = "张三", pickup: bool = False
) -> str:
    """An application paid, reviewed and approved (the capture done): a production job opens."""
    journey = Journey(stack)
    order_id = journey.ready_to_submit(applicant, address={**ADDRESS, "recipient": recipient})
    if pickup:
        applicant.call("PUT", f"/applications/{order_id}/delivery", 200,
                       json={"kind": "pickup", "office_code": "pickup-shinan"})  # fmt: skip
    journey.submit(applicant, order_id)
    journey.pay(applicant, order_id, journey.APPROVED_CARD)
    journey.status_becomes(applicant, order_id, "submitted")
    reviewer = staff_member(stack, "reviewer")
    reviewer.claim(order_id)
    reviewer.verdicts(order_id)
    reviewer.decide(order_id, "approve")
    journey.status_becomes(applicant, order_id, "approved", timeout=30)
    return order_id


def produce(stack: Stack, order_id: str, number: str = "370212345678") -> dict[str, Any]:
    production = staff_member(stack, "production")
    eventually(lambda: order_id in _queued(production), timeout=20)
    batch = production.call(
        "POST", "/staff/production/batches", 201, json={"order_ids": [order_id]}
    )
    production.call("PUT", f"/staff/production/jobs/{order_id}/credential", 200,
                    json={"credential_number": number})  # fmt: skip
    return production.call("POST", f"/staff/production/batches/{batch['id']}/produced", 200)


def _queued(production: StaffMember) -> set[str]:
    jobs = production.call("GET", "/staff/production/jobs?status=queued", 200)["jobs"]
    return {job["order_id"] for job in jobs}


def dispatch(stack: Stack, order_id: str) -> str:
    """Waybill, label and hand-over; the waybill."""
    dispatcher = staff_member(stack, "dispatcher")
    made = dispatcher.call("POST", "/staff/dispatch/waybills", 201, json={"order_ids": [order_id]})
    waybill = made["shipments"][0]["waybill"]
    label = dispatcher.request("GET", f"/staff/dispatch/shipments/{waybill}/label.svg")
    assert label.status_code == 200 and label.headers["Content-Type"].startswith("image/svg+xml")
    dispatcher.call("POST", "/staff/dispatch/hand-over", 200, json={"waybills": [waybill]})
    return str(waybill)


def delivery(applicant: Applicant, order_id: str) -> dict[str, Any]:
    return applicant.call("GET", f"/applications/{order_id}/delivery", 200)


def deals(stack: Stack) -> int:
    answer = requests.get(f"{stack.url('gateway')}/api/v1/items/{PLATE_ITEM}", timeout=10)
    assert answer.status_code == 200, answer.text
    return int(answer.json()["deal_count"])


# --- the courier path ---------------------------------------------------------------------------


def test_an_approved_order_is_made_sent_signed_for_confirmed_and_counted_as_a_deal(stack, events):
    before = deals(stack)
    applicant = Applicant(stack)
    order_id = approved(stack, applicant)
    produce(stack, order_id)
    Journey.status_becomes(applicant, order_id, "in_production")
    waybill = dispatch(stack, order_id)
    assert waybill.endswith("CN") and len(waybill) == 13
    Journey.status_becomes(applicant, order_id, "delivered", timeout=30)

    seen = delivery(applicant, order_id)
    assert seen["status"] == "delivered"
    assert seen["credential_number"] == "370212345678"
    assert seen["shipment"]["carrier"] == "EMS" and seen["shipment"]["waybill"] == waybill
    states = [event["state"] for event in seen["shipment"]["tracking"]]
    assert states == ["signed", "out_for_delivery", "in_transit", "collected"]

    completed = applicant.call("POST", f"/applications/{order_id}/confirm-receipt", 200)
    assert completed["status"] == "completed"
    eventually(lambda: deals(stack) == before + 1, timeout=20)
    steps = [entry["to_status"] for entry in
             applicant.call("GET", f"/applications/{order_id}/timeline", 200)["entries"]]  # fmt: skip
    for status in ("in_production", "shipped", "delivered", "completed"):
        assert status in steps
    types = events.types(order_id)
    for kind in ("fulfillment.production_started", "fulfillment.produced",
                 "fulfillment.dispatched", "fulfillment.delivered", "orders.completed"):  # fmt: skip
        assert kind in types


def test_receipt_cannot_be_confirmed_before_delivery(stack):
    applicant = Applicant(stack)
    order_id = approved(stack, applicant)
    early = applicant.request("POST", f"/applications/{order_id}/confirm-receipt")
    assert early.status_code == 409, early.text
    assert early.headers["Content-Type"].startswith("application/problem+json")
    assert early.json()["errors"]["status"] == ["approved"], "the refusal names the state"
    assert applicant.application(order_id)["status"] == "approved"


def test_the_address_is_corrected_before_dispatch_and_never_after(stack):
    applicant = Applicant(stack)
    order_id = approved(stack, applicant)
    eventually(lambda: applicant.request("GET", f"/applications/{order_id}/delivery").ok)
    moved = {**ADDRESS, "street": "香港中路 8 号"}
    fixed = applicant.call("PUT", f"/applications/{order_id}/delivery-address", 200, json=moved)
    assert fixed["address"]["street"] == "香港中路 8 号"
    bad = applicant.request("PUT", f"/applications/{order_id}/delivery-address",
                            json={**ADDRESS, "phone": "12"})  # fmt: skip
    assert bad.status_code == 422 and "phone" in bad.json()["errors"]
    produce(stack, order_id)
    dispatcher = staff_member(stack, "dispatcher")
    dispatcher.call("POST", "/staff/dispatch/waybills", 201, json={"order_ids": [order_id]})
    late = applicant.request("PUT", f"/applications/{order_id}/delivery-address", json=ADDRESS)
    assert late.status_code == 409, late.text
    assert delivery(applicant, order_id)["address"]["street"] == "香港中路 8 号"
    again = dispatcher.request("POST", "/staff/dispatch/waybills", json={"order_ids": [order_id]})
    assert again.status_code == 409, "a second dispatch is refused"


def test_a_credential_number_of_the_wrong_format_is_refused_naming_the_field(stack):
    applicant = Applicant(stack)
    order_id = approved(stack, applicant)
    production = staff_member(stack, "production")
    eventually(lambda: order_id in _queued(production), timeout=20)
    batch = production.call(
        "POST", "/staff/production/batches", 201, json={"order_ids": [order_id]}
    )
    wrong = production.request("PUT", f"/staff/production/jobs/{order_id}/credential",
                               json={"credential_number": "12345"})  # fmt: skip
    assert wrong.status_code == 422 and "credential_number" in wrong.json()["errors"]
    missing = production.request("POST", f"/staff/production/batches/{batch['id']}/produced")
    assert missing.status_code == 409, "a batch without every number is not produced"
    Journey.status_becomes(applicant, order_id, "in_production")


# --- pickup ------------------------------------------------------------------------------------


def test_a_pickup_refuses_a_wrong_code_then_hands_over_with_the_right_one(stack, events):
    applicant = Applicant(stack)
    order_id = approved(stack, applicant, pickup=True)
    produce(stack, order_id)
    Journey.status_becomes(applicant, order_id, "ready_for_pickup", timeout=20)
    code = applicant.call("GET", f"/applications/{order_id}/pickup-code", 200)["code"]
    assert len(code) == 6 and code.isdigit()
    reference = applicant.application(order_id)["reference"]

    counter = staff_member(stack, "dispatcher")
    found = counter.call("GET", f"/staff/pickup?reference={reference}", 200)
    assert found["id_number_masked"] == "110***********002X"
    wrong = "000001" if code != "000001" else "000002"
    refused = counter.request("POST", f"/staff/pickup/{order_id}/verify", json={"code": wrong})
    assert refused.status_code == 422, refused.text
    assert refused.json()["errors"]["attempts_left"] == ["4"]
    unchecked = counter.request("POST", f"/staff/pickup/{order_id}/hand-over",
                                json={"code": code, "id_checked": False})  # fmt: skip
    assert unchecked.status_code == 422 and "id_checked" in unchecked.json()["errors"]
    counter.call("POST", f"/staff/pickup/{order_id}/verify", 200, json={"code": code})
    handed = counter.call("POST", f"/staff/pickup/{order_id}/hand-over", 200,
                          json={"code": code, "id_checked": True})  # fmt: skip
    assert handed["status"] == "delivered"
    Journey.status_becomes(applicant, order_id, "delivered", timeout=20)
    gone = applicant.request("GET", f"/applications/{order_id}/pickup-code")
    assert gone.status_code == 404, "the code is shown only while the credential waits"
    assert code not in str(events.of(order_id)), "no event carries the pickup code"


def test_five_wrong_codes_lock_the_pickup_until_a_supervisor_unlocks_it(stack):
    applicant = Applicant(stack)
    order_id = approved(stack, applicant, pickup=True)
    produce(stack, order_id)
    Journey.status_becomes(applicant, order_id, "ready_for_pickup", timeout=20)
    code = applicant.call("GET", f"/applications/{order_id}/pickup-code", 200)["code"]
    wrong = "999999" if code != "999999" else "999998"
    counter = staff_member(stack, "dispatcher")
    answers = [counter.request("POST", f"/staff/pickup/{order_id}/verify", json={"code": wrong})
               for _ in range(5)]  # fmt: skip
    assert [a.status_code for a in answers] == [422, 422, 422, 422, 423]
    right = counter.request("POST", f"/staff/pickup/{order_id}/verify", json={"code": code})
    assert right.status_code == 423, "locked even for the right code"
    assert counter.request("POST", f"/staff/pickup/{order_id}/unlock").status_code == 403
    staff_member(stack, "supervisor").call("POST", f"/staff/pickup/{order_id}/unlock", 200)
    counter.call("POST", f"/staff/pickup/{order_id}/verify", 200, json={"code": code})


# --- exceptions and the tracking ----------------------------------------------------------------


def test_three_failed_attempts_make_an_exception_that_a_reship_delivers(stack, events):
    applicant = Applicant(stack)
    order_id = approved(stack, applicant, recipient="张三三次")
    produce(stack, order_id)
    first = dispatch(stack, order_id)
    paid = applicant.application(order_id)["payment"]["amount_fen"]
    Journey.status_becomes(applicant, order_id, "delivery_exception", timeout=40)
    seen = delivery(applicant, order_id)
    failed = [e for e in seen["shipment"]["tracking"] if e["state"] == "problem"]
    assert len(failed) == 3 and all(e["what_to_do"]["zh"] for e in failed)
    assert "fulfillment.delivery_attempt_failed" in events.types(order_id)

    dispatcher = staff_member(stack, "dispatcher")
    queue = dispatcher.call("GET", "/staff/dispatch/exceptions", 200)["jobs"]
    assert order_id in {row["job"]["order_id"] for row in queue}
    fixed = {**ADDRESS, "recipient": "张三"}
    again = dispatcher.call("POST", f"/staff/dispatch/jobs/{order_id}/reship", 201,
                            json={"address": fixed})  # fmt: skip
    assert again["waybill"] != first and again["reship"] is True
    dispatcher.call("POST", "/staff/dispatch/hand-over", 200, json={"waybills": [again["waybill"]]})
    Journey.status_becomes(applicant, order_id, "delivered", timeout=40)
    # No new fee: the payment is the one captured at approval.
    assert applicant.application(order_id)["payment"]["amount_fen"] == paid


def test_webhooks_twice_and_out_of_order_are_stored_once_and_end_signed(stack):
    applicant = Applicant(stack)
    order_id = approved(stack, applicant, recipient="张三乱序")
    produce(stack, order_id)
    dispatch(stack, order_id)
    Journey.status_becomes(applicant, order_id, "delivered", timeout=40)
    # Every event was pushed twice, newest first: each is kept once, and signed stays last.
    eventually(lambda: len(delivery(applicant, order_id)["shipment"]["tracking"]) == 4)
    seen = delivery(applicant, order_id)["shipment"]
    assert seen["status"] == "signed"
    assert [e["state"] for e in seen["tracking"]] == [
        "signed",
        "out_for_delivery",
        "in_transit",
        "collected",
    ]


# --- receipt by the timer ------------------------------------------------------------------------


def _delivered_by_courier(stack: Stack, applicant: Applicant) -> str:
    order_id = approved(stack, applicant)
    produce(stack, order_id)
    dispatch(stack, order_id)
    Journey.status_becomes(applicant, order_id, "delivered", timeout=30)
    return order_id


def test_a_delivered_order_nobody_confirms_completes_by_the_timer(stack, events):
    applicant = Applicant(stack)
    order_id = _delivered_by_courier(stack, applicant)
    Journey.status_becomes(applicant, order_id, "completed", timeout=AUTO_CONFIRM_SECONDS + 30)
    # The order answers "completed" once it commits; its event reaches our queue a moment later.
    completed = eventually(
        lambda: next((e for e in events.of(order_id) if e["type"] == "orders.completed"), None),
        timeout=15,
    )
    assert completed["data"]["how"] == "auto"


def test_an_open_complaint_pauses_the_timer_and_closing_it_resumes_it(stack):
    applicant = Applicant(stack)
    order_id = _delivered_by_courier(stack, applicant)
    broker = Broker(stack.prefix)
    complaint = {"order_id": order_id, "complaint_id": f"c-{uuid.uuid4().hex[:8]}"}
    try:
        broker.publish("ratings.complaint_opened",
                       {**complaint, "occurred_at": datetime.now(UTC).isoformat(),
                        "opened_at": datetime.now(UTC).isoformat()},
                       correlation_id=order_id)  # fmt: skip
        # Longer than the whole timer: still delivered while the complaint is open.
        deadline = datetime.now(UTC).timestamp() + AUTO_CONFIRM_SECONDS + 8
        while datetime.now(UTC).timestamp() < deadline:
            assert applicant.application(order_id)["status"] == "delivered"
            time.sleep(1)  # watching a timer that must not fire: nothing to wait for
        broker.publish("ratings.complaint_closed",
                       {**complaint, "occurred_at": datetime.now(UTC).isoformat(),
                        "closed_at": datetime.now(UTC).isoformat()},
                       correlation_id=order_id)  # fmt: skip
    finally:
        broker.close()
    Journey.status_becomes(applicant, order_id, "completed", timeout=AUTO_CONFIRM_SECONDS + 30)
