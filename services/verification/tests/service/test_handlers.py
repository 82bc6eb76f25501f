"""Orders' events open, lock and close cases: handled through the common
Dispatcher with a real unit of work on PostgreSQL, in any order, any number
of times."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text

from common.events.envelope import Envelope
from verification.handlers import BINDINGS

from .conftest import DOCUMENTS, HANDLERS

CLOSING = ["orders.cancelled", "orders.closed_unpaid", "orders.discarded"]


def case_row(db, order_id: str) -> dict | None:
    with db.connect() as connection:
        row = connection.execute(
            text("SELECT * FROM cases WHERE order_id = :id"), {"id": order_id}
        ).mappings()
        found = row.one_or_none()
        return dict(found) if found else None


def inbox_outcome(db, event_id: str) -> str:
    with db.connect() as connection:
        return connection.execute(
            text("SELECT outcome FROM inbox WHERE event_id = :id"), {"id": event_id}
        ).scalar_one()


def test_the_worker_listens_for_exactly_the_events_it_handles():
    # That it declares what it reads of each (CONSUMED) is the contract suite's check.
    assert sorted(BINDINGS) == sorted(HANDLERS)
    assert sorted(BINDINGS) == [
        "orders.awaiting_payment",
        "orders.cancelled",
        "orders.closed",
        "orders.closed_unpaid",
        "orders.completed",
        "orders.discarded",
        "orders.draft_created",
        "orders.submitted",
    ]


def test_a_draft_opens_a_collecting_case_and_announces_what_is_missing(
    orders, db, outbox_events
) -> None:
    order_id = orders.draft()
    case = case_row(db, order_id)
    assert case["status"] == "collecting" and case["applicant_id"] == "applicant-1"
    [event] = outbox_events()
    assert event["type"] == "verification.document_set_incomplete"
    assert event["producer"] == "verification"
    assert event["data"] == {"order_id": order_id, "revision": 1, "missing": list(DOCUMENTS)}
    assert event["correlation_id"] == order_id
    assert event["causation_id"] == orders.sent[-1].id


def test_an_item_that_needs_no_document_is_complete_at_once(orders, outbox_events) -> None:
    order_id = orders.draft(documents=())
    [event] = outbox_events()
    assert event["type"] == "verification.document_set_completed"
    assert event["data"] == {"order_id": order_id, "revision": 1, "documents": []}


def test_the_same_event_delivered_twice_is_handled_once(orders, db, outbox_events) -> None:
    order_id = orders.draft()
    again = orders.sent[-1]
    assert orders.dispatcher.handle(again.to_json(), 0).action == "ack"
    assert len(outbox_events()) == 1
    with db.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM inbox")).scalar_one() == 1
    assert case_row(db, order_id)["revision"] == 1


def test_a_second_draft_event_for_the_same_order_is_stale(orders, db, outbox_events) -> None:
    order_id = orders.draft()
    orders.draft(order_id, documents=("vehicle_photo",))
    assert inbox_outcome(db, orders.sent[-1].id) == "stale"
    assert len(outbox_events()) == 1
    assert [d["code"] for d in case_row(db, order_id)["required_documents"]] == list(DOCUMENTS)


def test_awaiting_payment_locks_the_case_once(orders, db) -> None:
    order_id = orders.draft()
    assert orders.awaiting_payment(order_id).action == "ack"
    assert case_row(db, order_id)["status"] == "locked"
    orders.awaiting_payment(order_id)
    assert inbox_outcome(db, orders.sent[-1].id) == "stale"


@pytest.mark.parametrize("how", CLOSING)
def test_a_closing_event_closes_the_case_and_says_why(orders, db, how) -> None:
    order_id = orders.draft()
    assert orders.closed(order_id, how).action == "ack"
    case = case_row(db, order_id)
    assert case["status"] == "closed"
    assert case["closed_because"] == how.removeprefix("orders.")


def test_a_lock_arriving_after_the_close_is_stale(orders, db) -> None:
    order_id = orders.draft()
    orders.closed(order_id)
    orders.awaiting_payment(order_id)
    assert inbox_outcome(db, orders.sent[-1].id) == "stale"
    assert case_row(db, order_id)["status"] == "closed"


def test_a_second_close_is_stale(orders, db) -> None:
    order_id = orders.draft()
    orders.closed(order_id, "orders.closed_unpaid")
    orders.closed(order_id, "orders.cancelled")
    assert inbox_outcome(db, orders.sent[-1].id) == "stale"
    assert case_row(db, order_id)["closed_because"] == "closed_unpaid"


@pytest.mark.parametrize("how", CLOSING)
def test_a_late_draft_never_reopens_a_closed_case(orders, db, outbox_events, how) -> None:
    order_id = str(uuid.uuid4())
    assert orders.closed(order_id, how).action == "ack"
    orders.draft(order_id)
    assert inbox_outcome(db, orders.sent[-1].id) == "stale"
    assert case_row(db, order_id)["status"] == "closed"
    assert outbox_events() == []


def test_a_lock_that_overtakes_the_draft_keeps_the_late_case_locked(
    orders, db, uploads, photo, outbox_events
) -> None:
    order_id = str(uuid.uuid4())
    assert orders.awaiting_payment(order_id).action == "ack"
    assert case_row(db, order_id)["status"] == "locked"
    orders.draft(order_id)
    assert inbox_outcome(db, orders.sent[-1].id) == "handled"
    case = uploads.get(f"/cases/{order_id}").json
    assert case["status"] == "locked" and len(case["documents"]) == 3
    assert uploads.put(order_id, "id_card_front", photo()).status_code == 409
    assert outbox_events() == []


def test_submission_is_recorded_and_queues_a_case_still_collecting(orders, db) -> None:
    order_id = orders.draft()
    assert orders.submitted(order_id).action == "ack"
    case = case_row(db, order_id)
    assert case["status"] == "queued" and case["locked_at"] is not None
    assert case["submitted_at"].isoformat() == "2026-03-02T01:10:00+00:00"
    orders.submitted(order_id)
    assert inbox_outcome(db, orders.sent[-1].id) == "stale"


def test_a_submission_after_the_lock_is_recorded_without_a_new_lock(orders, db) -> None:
    order_id = orders.draft()
    orders.awaiting_payment(order_id)
    locked_at = case_row(db, order_id)["locked_at"]
    orders.submitted(order_id)
    assert case_row(db, order_id)["locked_at"] == locked_at
    assert case_row(db, order_id)["submitted_at"] is not None


def test_a_submission_that_overtakes_everything_makes_a_queued_case_its_owner_can_see(
    orders, db, uploads
) -> None:
    order_id = str(uuid.uuid4())
    orders.submitted(order_id)
    assert case_row(db, order_id)["status"] == "queued"
    orders.draft(order_id)
    assert uploads.get(f"/cases/{order_id}").json["status"] == "queued"


def test_a_submission_for_a_closed_case_is_recorded_and_it_stays_closed(orders, db) -> None:
    order_id = orders.draft()
    orders.closed(order_id)
    orders.submitted(order_id)
    case = case_row(db, order_id)
    assert case["status"] == "closed" and case["submitted_at"] is not None


DRAFT = {
    "order_id": "o-1",
    "reference": "LT1",
    "applicant_id": "a-1",
    "item_code": "x",
    "required_documents": [{"code": "id_card_front", "title": {"zh": "正面", "en": "Front"}}],
}


@pytest.mark.parametrize(
    "data",
    [
        {k: v for k, v in DRAFT.items() if k != "required_documents"},
        {k: v for k, v in DRAFT.items() if k != "applicant_id"},
        {**DRAFT, "required_documents": DRAFT["required_documents"] * 2},
        {**DRAFT, "required_documents": [{"code": "../etc", "title": {"zh": "x", "en": "x"}}]},
        {**DRAFT, "required_documents": [{"code": "id_card_front"}]},
        {**DRAFT, "order_id": ""},
    ],
)
def test_a_malformed_draft_is_dead_lettered_and_changes_nothing(orders, snapshot, data) -> None:
    before = snapshot()
    envelope = Envelope(type="orders.draft_created", producer="orders", data=data)
    outcome = orders.dispatcher.handle(envelope.to_json(), 0)
    assert outcome.action == "dead"
    assert "ValidationError" in (outcome.reason or "")
    assert snapshot() == before


def test_a_close_without_its_order_id_is_dead_lettered(orders, snapshot) -> None:
    before = snapshot()
    envelope = Envelope(type="orders.cancelled", producer="orders", data={"reference": "LT1"})
    assert orders.dispatcher.handle(envelope.to_json(), 0).action == "dead"
    assert snapshot() == before
