"""Verification's verdicts on an order's documents, handled through the common
Dispatcher with a real unit of work, as the worker handles them."""

from __future__ import annotations

import uuid

import pytest

from common.events.envelope import Envelope
from orders.handlers import BINDINGS, HANDLERS, build_handlers


def verdict(event_type: str, **data) -> Envelope:
    return Envelope(
        type=event_type, producer="verification", data=data, correlation_id=data.get("order_id")
    )


def test_the_worker_listens_for_exactly_the_events_it_handles():
    assert sorted(BINDINGS) == sorted(HANDLERS) == sorted(build_handlers()) == [
        "fulfillment.delivered", "fulfillment.delivery_attempt_failed",
        "fulfillment.delivery_exception", "fulfillment.dispatched", "fulfillment.pickup_reminder_due",
        "fulfillment.produced", "fulfillment.production_started", "fulfillment.ready_for_pickup",
        "fulfillment.tracking_updated", "ratings.complaint_closed", "ratings.complaint_opened",
        "ratings.rating_invited",
        "verification.approved", "verification.document_set_completed",
        "verification.document_set_incomplete", "verification.rejected",
        "verification.resubmission_requested", "verification.resubmitted",
        "verification.review_started",
    ]  # fmt: skip


def test_a_complete_set_marks_the_documents_complete(applicant, dispatcher):
    order = applicant.draft()
    event = verdict("verification.document_set_completed", order_id=order["id"], revision=1,
                    documents=["id_card_front"])  # fmt: skip
    assert dispatcher.handle(event.to_json(), 0).action == "ack"
    assert applicant.get(order["id"])["documents"] == {"complete": True, "missing": []}


def test_an_incomplete_set_lists_what_is_missing(applicant, dispatcher):
    order = applicant.draft()
    applicant.documents(order["id"], revision=1)
    event = verdict("verification.document_set_incomplete", order_id=order["id"], revision=2,
                    missing=["portrait_photo"])  # fmt: skip
    dispatcher.handle(event.to_json(), 0)
    assert applicant.get(order["id"])["documents"] == {
        "complete": False,
        "missing": ["portrait_photo"],
    }


def test_an_older_revision_arriving_late_is_recorded_as_stale_and_ignored(
    applicant, dispatcher, rows
):
    order = applicant.draft()
    applicant.documents(order["id"], missing=["portrait_photo"], revision=3)
    late = verdict(
        "verification.document_set_completed", order_id=order["id"], revision=2, documents=[]
    )
    assert dispatcher.handle(late.to_json(), 0).action == "ack"
    assert applicant.get(order["id"])["documents"]["missing"] == ["portrait_photo"]
    [row] = rows("SELECT outcome FROM inbox WHERE event_id = :id", id=late.id)
    assert row["outcome"] == "stale"


def test_the_same_event_delivered_twice_is_handled_once(applicant, dispatcher, rows):
    order = applicant.draft()
    event = verdict(
        "verification.document_set_completed", order_id=order["id"], revision=1, documents=[]
    )
    dispatcher.handle(event.to_json(), 0)
    assert dispatcher.handle(event.to_json(), 0).action == "ack"
    assert len(rows("SELECT event_id FROM inbox")) == 1


def test_a_verdict_for_an_order_orders_never_made_is_stale(dispatcher, db, rows):
    event = verdict(
        "verification.document_set_completed", order_id=str(uuid.uuid4()), revision=1, documents=[]
    )
    assert dispatcher.handle(event.to_json(), 0).action == "ack"
    assert rows("SELECT outcome FROM inbox")[0]["outcome"] == "stale"


@pytest.mark.parametrize(
    ("event_type", "data"),
    [
        ("verification.document_set_completed", {"revision": 1, "documents": []}),
        (
            "verification.document_set_completed",
            {"order_id": "o", "revision": "1", "documents": []},
        ),
        ("verification.document_set_completed", {"order_id": "o", "revision": 0, "documents": []}),
        ("verification.document_set_incomplete", {"order_id": "o", "revision": 1, "missing": []}),
        ("verification.document_set_incomplete", {"order_id": "o", "revision": 1}),
    ],
)
def test_a_malformed_verdict_is_dead_lettered_and_changes_nothing(
    applicant, dispatcher, snapshot, event_type, data
):
    applicant.draft()
    before = snapshot()
    outcome = dispatcher.handle(verdict(event_type, **data).to_json(), 0)
    assert outcome.action == "dead"
    assert "ValidationError" in (outcome.reason or "")
    assert snapshot() == before


def test_a_verdict_changes_no_state_and_publishes_nothing(applicant, outbox_events):
    order = applicant.draft()
    before = outbox_events()
    applicant.documents(order["id"])
    assert applicant.get(order["id"])["status"] == "draft"
    assert outbox_events() == before
