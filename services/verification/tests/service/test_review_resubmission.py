"""A resubmission round from the applicant's side, and its deadline's timer."""

from __future__ import annotations

from datetime import timedelta

import pytest

from verification import timers
from verification.resubmission import reject_missed_deadlines

from .conftest import make_settings
from .reviewing import (
    REVIEWER,
    Staff,
    audit_actions,
    case_row,
    events_of,
    problem_slug,
    submitted_case,
)

SELFIE = "selfie_with_id_card"


@pytest.fixture
def reviewer(client):
    return Staff(client, REVIEWER, "reviewer")


@pytest.fixture
def awaiting(orders, uploads, photo, reviewer) -> str:
    """A case whose selfie was refused and new photos asked for, the rest accepted."""
    order_id = submitted_case(orders, uploads, photo)
    reviewer.claim(order_id)
    reviewer.verdict(order_id, "id_card_front")
    reviewer.verdict(order_id, "id_card_back")
    reviewer.verdict(order_id, SELFIE, "refused", reason_code="blurred", note="Blurred.")
    assert reviewer.decide(order_id, "request_resubmission").status_code == 200
    return order_id


def test_the_applicant_sees_what_was_refused_and_why(awaiting, uploads) -> None:
    case = uploads.get(f"/cases/{awaiting}").json
    assert case["status"] == "awaiting_applicant" and case["round"] == 1
    assert case["resubmission_deadline"] == "2026-03-09T01:00:00+00:00"
    selfie = case["documents"][2]
    assert selfie["verdict"] == {"verdict": "refused", "reason_code": "blurred", "note": "Blurred."}
    assert selfie["replaced"] is False


def test_only_a_refused_document_may_be_replaced(awaiting, uploads, photo, snapshot) -> None:
    before = snapshot()
    answer = uploads.put(awaiting, "id_card_front", photo(40))
    assert answer.status_code == 409 and problem_slug(answer) == "not-refused"
    assert uploads.delete(awaiting, SELFIE).status_code == 409
    assert snapshot() == before


def test_a_resubmission_without_the_replacements_is_refused(awaiting, client, snapshot) -> None:
    before = snapshot()
    answer = client.post(f"/cases/{awaiting}/resubmit", headers=_applicant())
    assert answer.status_code == 409 and problem_slug(answer) == "replacements-missing"
    assert answer.json["errors"] == {"documents": [SELFIE]}
    assert snapshot() == before


def test_a_resubmission_goes_back_to_the_reviewer_with_the_clock_moved_on(
    awaiting, uploads, photo, client, clock, db, outbox_events, reviewer
) -> None:
    due_before = case_row(db, awaiting)["sla_due_at"]
    clock.advance(timedelta(days=2))
    assert uploads.uploaded(awaiting, SELFIE, photo(41))["replaced"] is True
    answer = client.post(f"/cases/{awaiting}/resubmit", headers=_applicant())
    assert answer.status_code == 200 and answer.json["status"] == "in_review"
    case = case_row(db, awaiting)
    assert case["sla_due_at"] == due_before + timedelta(days=2)
    assert case["assignee_id"] == REVIEWER and case["resubmission_deadline"] is None
    [resubmitted] = events_of(outbox_events, "verification.resubmitted")
    assert resubmitted["data"] == {
        "order_id": awaiting,
        "reference": f"LT-{awaiting[:8]}",
        "round": 1,
    }
    review = reviewer.ok("get", f"/reviews/{awaiting}")
    verdicts = {doc["code"]: doc["verdict"] for doc in review["documents"]}
    assert verdicts[SELFIE] is None and verdicts["id_card_front"]["verdict"] == "accepted"
    assert review["documents"][2]["replaced_in_round"] == 1
    assert audit_actions(db, awaiting)[-1] == ("applicant-1", "case.resubmitted")
    again = client.post(f"/cases/{awaiting}/resubmit", headers=_applicant())
    assert again.status_code == 409 and problem_slug(again) == "not-awaiting-applicant"


def test_a_request_beyond_the_last_round_is_refused(
    orders, uploads, photo, database_url, storage_dir, clock, db, snapshot
) -> None:
    from verification.app import create_app

    app = create_app(
        make_settings(database_url, storage_dir, max_resubmission_rounds=1), clock=clock
    )
    reviewer = Staff(app.test_client(), REVIEWER, "reviewer")
    order_id = submitted_case(orders, uploads, photo)
    reviewer.claim(order_id)
    reviewer.verdict(order_id, SELFIE, "refused", reason_code="glare")
    assert reviewer.decide(order_id, "request_resubmission").status_code == 200
    uploads.uploaded(order_id, SELFIE, photo(42))
    uploads.client.post(f"/cases/{order_id}/resubmit", headers=_applicant())
    reviewer.verdict(order_id, SELFIE, "refused", reason_code="glare")
    before = snapshot()
    answer = reviewer.decide(order_id, "request_resubmission")
    assert answer.status_code == 409 and problem_slug(answer) == "rounds-exhausted"
    assert snapshot() == before
    app.extensions["verification.engine"].dispose()


def test_the_deadline_passing_rejects_the_case_as_the_system(
    awaiting, uow_factory, clock, db, outbox_events
) -> None:
    clock.advance(timedelta(days=7) - timedelta(seconds=1))
    assert reject_missed_deadlines(uow_factory, clock.now()) == 0
    clock.advance(timedelta(seconds=1))
    assert reject_missed_deadlines(uow_factory, clock.now()) == 1
    case = case_row(db, awaiting)
    assert (case["status"], case["closed_because"]) == ("closed", "rejected")
    [rejected] = events_of(outbox_events, "verification.rejected")
    assert rejected["data"]["reason_code"] == "resubmission-deadline-missed"
    assert rejected["data"]["rejected_by"] == "system"
    assert audit_actions(db, awaiting)[-1] == ("system", "case.rejected")
    assert reject_missed_deadlines(uow_factory, clock.now()) == 0


def test_the_worker_sweeps_the_deadlines_on_its_clock(
    awaiting, database_url, storage_dir, db, clock, engine
) -> None:
    settings = make_settings(database_url, storage_dir)
    name, sweep, interval = timers.deadline_timer(settings, engine, clock)
    assert name == "resubmission_deadlines" and interval == settings.timer_interval_seconds
    clock.advance(timedelta(days=8))
    assert sweep(clock.now()) == 1
    assert case_row(db, awaiting)["status"] == "closed"


def _applicant() -> dict[str, str]:
    from .conftest import bearer

    return bearer(["applicant"], subject="applicant-1")
