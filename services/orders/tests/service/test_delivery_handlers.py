"""The order follows its production and delivery in fulfillment: fulfillment's
events handled through the common Dispatcher on the real database, each step
on the timeline with its actor and kind; duplicates and steps out of order."""

from __future__ import annotations

import pytest

from .conftest import DISPATCHER, PRODUCER


def entries(client, applicant, order_id):
    answer = client.get(f"/orders/{order_id}/timeline", headers=applicant.headers)
    return answer.json["entries"]


def last(client, applicant, order_id):
    entry = entries(client, applicant, order_id)[-1]
    return (entry["from_status"], entry["to_status"], entry["actor"], entry["actor_kind"])


@pytest.fixture
def order(approved):
    return approved()


def test_production_started_puts_the_order_in_production_by_the_producer(
    order, fulfillment, applicant, client
):
    assert fulfillment.production_started(order["id"]).action == "ack"
    assert applicant.get(order["id"])["status"] == "in_production"
    assert last(client, applicant, order["id"]) == (
        "approved", "in_production", f"production:{PRODUCER}", "staff",
    )  # fmt: skip


def test_the_courier_path_runs_to_delivered_with_each_step_on_the_timeline(
    order, fulfillment, applicant, client
):
    for send in (
        fulfillment.production_started, fulfillment.produced, fulfillment.dispatched,
        fulfillment.tracking, fulfillment.attempt_failed, fulfillment.delivered,
    ):  # fmt: skip
        assert send(order["id"]).action == "ack"
    assert applicant.get(order["id"])["status"] == "delivered"
    steps = [
        (e["from_status"], e["to_status"], e["actor"], e["actor_kind"])
        for e in entries(client, applicant, order["id"])
    ][-6:]
    assert steps == [
        ("approved", "in_production", f"production:{PRODUCER}", "staff"),
        ("in_production", "in_production", f"production:{PRODUCER}", "staff"),
        ("in_production", "shipped", f"dispatcher:{DISPATCHER}", "staff"),
        ("shipped", "shipped", "courier", "provider"),
        ("shipped", "shipped", "courier", "provider"),
        ("shipped", "delivered", "courier", "provider"),
    ]
    said = [(e["code"], e["params"]) for e in entries(client, applicant, order["id"])]
    assert ("produced", {"credential_number": "370200123456"}) in said
    [failed] = [params for code, params in said if code == "delivery_attempt_failed"]
    assert (failed["attempt"], failed["reason"]) == (1, "no_answer")
    assert failed["what_to_do"]["en"] == "Keep your phone on."
    assert ("shipment_status", "EMS") in [(code, p.get("carrier")) for code, p in said]
    [shipped] = [params for code, params in said if code == "shipped"]
    assert shipped["carrier"] == "EMS" and shipped["waybill"]


def test_a_duplicated_dispatch_is_stale_and_changes_nothing(order, fulfillment, snapshot, rows):
    fulfillment.production_started(order["id"])
    fulfillment.dispatched(order["id"])
    before = snapshot()
    assert fulfillment.dispatched(order["id"]).action == "ack"
    after = snapshot()
    assert after.pop("inbox") != before.pop("inbox")
    assert after == before
    outcomes = rows("SELECT outcome FROM inbox WHERE event_type = 'fulfillment.dispatched'")
    assert sorted(o["outcome"] for o in outcomes) == ["handled", "stale"]


def test_a_delivery_that_overtook_production_and_dispatch_takes_the_order_through_them(
    order, fulfillment, applicant, client
):
    assert fulfillment.delivered(order["id"]).action == "ack"
    assert applicant.get(order["id"])["status"] == "delivered"
    steps = [(e["to_status"], e["code"]) for e in entries(client, applicant, order["id"])][-3:]
    assert steps == [
        ("in_production", "reported_late"), ("shipped", "reported_late"), ("delivered", "signed_for"),
    ]  # fmt: skip
    # the steps that were overtaken arrive late: stale, the order stays delivered
    assert fulfillment.production_started(order["id"]).action == "ack"
    assert fulfillment.dispatched(order["id"]).action == "ack"
    assert applicant.get(order["id"])["status"] == "delivered"


def test_three_failed_attempts_then_a_reship_then_delivered(order, fulfillment, applicant, client):
    fulfillment.production_started(order["id"])
    fulfillment.dispatched(order["id"])
    assert fulfillment.exception(order["id"]).action == "ack"
    assert applicant.get(order["id"])["status"] == "delivery_exception"
    assert last(client, applicant, order["id"]) == (
        "shipped", "delivery_exception", "courier", "provider",
    )  # fmt: skip
    assert fulfillment.dispatched(order["id"], reship=True).action == "ack"
    assert last(client, applicant, order["id"]) == (
        "delivery_exception", "shipped", f"dispatcher:{DISPATCHER}", "staff",
    )  # fmt: skip
    fulfillment.delivered(order["id"])
    assert applicant.get(order["id"])["status"] == "delivered"


def test_a_reship_for_an_order_without_a_delivery_problem_is_stale(order, fulfillment, rows):
    fulfillment.production_started(order["id"])
    fulfillment.dispatched(order["id"])
    assert fulfillment.dispatched(order["id"], reship=True).action == "ack"
    outcomes = rows("SELECT outcome FROM inbox WHERE event_type = 'fulfillment.dispatched'")
    assert sorted(o["outcome"] for o in outcomes) == ["handled", "stale"]


def test_the_pickup_path_collected_at_the_counter_is_delivered_not_completed(
    approved, fulfillment, applicant, client
):
    order = approved(kind="pickup", office_code="pickup-shinan")
    fulfillment.production_started(order["id"])
    assert fulfillment.ready_for_pickup(order["id"]).action == "ack"
    assert last(client, applicant, order["id"]) == (
        "in_production", "ready_for_pickup", "system", "system",
    )  # fmt: skip
    assert fulfillment.reminder(order["id"]).action == "ack"
    reminder = entries(client, applicant, order["id"])[-1]
    assert (reminder["code"], reminder["params"]["office_code"]) == (
        "pickup_reminder", "pickup-shinan",
    )  # fmt: skip
    assert reminder["params"]["collect_by"].endswith("+00:00")
    assert fulfillment.delivered(order["id"], how="pickup").action == "ack"
    assert applicant.get(order["id"])["status"] == "delivered"
    assert last(client, applicant, order["id"]) == (
        "ready_for_pickup", "delivered", f"dispatcher:{DISPATCHER}", "staff",
    )  # fmt: skip


def test_an_uncollected_pickup_is_a_delivery_exception_then_switched_back_to_pickup(
    approved, fulfillment, applicant, client
):
    order = approved(kind="pickup", office_code="pickup-shinan")
    fulfillment.production_started(order["id"])
    fulfillment.ready_for_pickup(order["id"])
    assert fulfillment.exception(order["id"], "uncollected").action == "ack"
    assert last(client, applicant, order["id"]) == (
        "ready_for_pickup", "delivery_exception", "system", "system",
    )  # fmt: skip
    assert fulfillment.ready_for_pickup(order["id"], switched=True).action == "ack"
    assert last(client, applicant, order["id"]) == (
        "delivery_exception", "ready_for_pickup", "dispatcher", "staff",
    )  # fmt: skip


def test_a_pickup_reminder_for_an_order_no_longer_waiting_is_stale(order, fulfillment, rows):
    fulfillment.delivered(order["id"])
    assert fulfillment.reminder(order["id"]).action == "ack"
    assert rows("SELECT outcome FROM inbox WHERE event_type = "
                "'fulfillment.pickup_reminder_due'") == [{"outcome": "stale"}]  # fmt: skip


def test_an_event_for_an_order_orders_never_made_is_stale(fulfillment, db, rows):
    assert fulfillment.delivered("0b6f7c3e-2d4a-4f7e-9a51-2f0c6a8d9e10").action == "ack"
    assert rows("SELECT outcome FROM inbox") == [{"outcome": "stale"}]


def test_a_malformed_event_is_refused_for_the_dead_letter_queue(order, fulfillment, snapshot):
    before = snapshot()
    outcome = fulfillment.send("fulfillment.dispatched", order["id"], carrier="EMS")
    assert outcome.action != "ack"
    assert snapshot() == before


def test_a_supervisor_may_still_cancel_from_production_with_a_refund(
    order, fulfillment, applicant, client, supervisor, outbox_events
):
    fulfillment.production_started(order["id"])
    answer = client.post(f"/orders/{order['id']}/cancel", json={"reason": "asked by phone"},
                         headers=supervisor)  # fmt: skip
    assert answer.status_code == 200, answer.json
    assert answer.json["status"] == "cancelled"
    assert answer.json["payment"]["refunded_fen"] == 2500
    assert outbox_events()[-1]["data"]["from_status"] == "in_production"
