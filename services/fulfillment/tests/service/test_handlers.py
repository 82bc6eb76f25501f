"""orders.approved opens a production job; orders.cancelled stops it."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import text

from common.events.envelope import Envelope
from fulfillment.handlers import BINDINGS, CONSUMED


def test_the_worker_listens_for_exactly_the_events_it_reads() -> None:
    assert sorted(BINDINGS) == sorted(CONSUMED) == ["orders.approved", "orders.cancelled"]


def test_an_approved_order_waits_in_the_queue_due_by_its_sla_in_working_days(
    make_approved, client, headers, dispatch_event
) -> None:
    envelope = make_approved(
        sla_working_days=5, applicant_name="李四", id_number_masked="110***********002X"
    )
    assert dispatch_event(envelope).action == "ack"
    queue = client.get("/production/jobs", headers=headers("production")).json
    [job] = queue["jobs"]
    assert job["status"] == "queued"
    assert job["applicant_name"] == "李四" and job["id_number_masked"] == "110***********002X"
    # Monday 09:00 Beijing + 5 working days = next Monday 09:00.
    assert job["due_at"] == datetime(2026, 3, 9, 1, 0, tzinfo=UTC).isoformat()


def test_an_approval_as_orders_sends_it_today_still_opens_a_job_with_fallbacks(
    make_approved, client, headers, dispatch_event
) -> None:
    envelope = make_approved()
    assert dispatch_event(envelope).action == "ack"
    [job] = client.get("/production/jobs", headers=headers("production")).json["jobs"]
    assert job["applicant_name"] == "张三"  # the address's recipient
    assert job["id_number_masked"] is None
    assert job["due_at"] == datetime(2026, 3, 5, 1, 0, tzinfo=UTC).isoformat()  # 3 working days


def test_a_second_approval_of_the_same_order_opens_nothing(
    make_approved, dispatch_event, db
) -> None:
    first = make_approved()
    dispatch_event(first)
    again = make_approved(order_id=first.data["order_id"])
    assert dispatch_event(again).action == "ack"
    with db.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM jobs")).scalar_one() == 1
        outcome = connection.execute(
            text("SELECT outcome FROM inbox WHERE event_id = :id"), {"id": again.id}
        ).scalar_one()
    assert outcome == "stale"


def test_an_approval_carrying_a_full_id_number_is_dead_lettered(
    make_approved, dispatch_event, snapshot
) -> None:
    before = snapshot()
    outcome = dispatch_event(make_approved(id_number_masked="11010519491231002X"))
    assert outcome.action == "dead"
    assert snapshot() == before


def test_a_cancelled_order_leaves_the_queue(make_approved, client, headers, dispatch_event) -> None:
    envelope = make_approved()
    dispatch_event(envelope)
    cancelled = Envelope(type="orders.cancelled", producer="orders",
                         data={"order_id": envelope.data["order_id"], "reference": "x"})  # fmt: skip
    assert dispatch_event(cancelled).action == "ack"
    assert client.get("/production/jobs", headers=headers("production")).json["jobs"] == []


def test_cancelling_after_a_waybill_was_made_cancels_it_at_the_courier(
    flow, dispatch_event, db
) -> None:
    order_id, waybill = flow.waybill()
    cancelled = Envelope(type="orders.cancelled", producer="orders", data={"order_id": order_id})
    assert dispatch_event(cancelled).action == "ack"
    with db.connect() as connection:
        courier = connection.execute(
            text("SELECT status FROM sandbox_courier_waybills WHERE waybill = :w"), {"w": waybill}
        ).scalar_one()
    assert courier == "cancelled"
    assert flow.job_view(order_id)["status"] == "cancelled"


def test_the_job_is_due_from_the_approval_not_from_its_arrival(
    make_approved, client, headers, dispatch_event, now
) -> None:
    dispatch_event(make_approved(approved_at=now))
    [job] = client.get("/production/jobs", headers=headers("production")).json["jobs"]
    assert job["approved_at"] == now.isoformat()
