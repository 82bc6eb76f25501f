"""Submitted cases join the review queue; reviewers claim and release them."""

from __future__ import annotations

from datetime import timedelta

import pytest

from .conftest import ANSWERS, SEAL, bearer
from .reviewing import (
    OTHER_REVIEWER,
    REVIEWER,
    SUPERVISOR,
    Staff,
    audit_actions,
    case_row,
    events_of,
    problem_slug,
    submitted_case,
)


@pytest.fixture
def reviewer(client):
    return Staff(client, REVIEWER, "reviewer")


@pytest.fixture
def other(client):
    return Staff(client, OTHER_REVIEWER, "reviewer")


@pytest.fixture
def supervisor(client):
    return Staff(client, SUPERVISOR, "supervisor")


def test_a_submission_queues_the_case_with_its_sla_due_in_working_days(
    orders, uploads, photo, db
) -> None:
    # Friday 17:00 in Beijing + 2 working days is Tuesday 17:00.
    order_id = submitted_case(
        orders, uploads, photo, sla_working_days=2, submitted_at="2026-03-06T09:00:00+00:00"
    )
    case = case_row(db, order_id)
    assert case["status"] == "queued"
    assert case["queued_at"].isoformat() == "2026-03-06T09:00:00+00:00"
    assert case["sla_due_at"].isoformat() == "2026-03-10T09:00:00+00:00"
    assert SEAL.unseal(case["answers_sealed"]) == ANSWERS and case["sla_working_days"] == 2


def test_the_first_claim_starts_the_review_and_only_the_first(
    orders, uploads, photo, reviewer, db, outbox_events
) -> None:
    order_id = submitted_case(orders, uploads, photo)
    review = reviewer.claim(order_id)
    assert review["status"] == "in_review" and review["assignee_id"] == REVIEWER
    reviewer.claim(order_id)  # claiming one's own case again changes nothing
    reviewer.ok("post", f"/reviews/{order_id}/release")
    assert case_row(db, order_id)["status"] == "queued"
    reviewer.claim(order_id)
    [started] = events_of(outbox_events, "verification.review_started")
    assert started["data"]["reviewer_id"] == REVIEWER
    assert started["data"]["reference"] == f"LT-{order_id[:8]}"
    assert [action for _, action in audit_actions(db, order_id)] == [
        "case.claimed",
        "case.released",
        "case.claimed",
    ]


def test_a_case_another_reviewer_holds_is_taken(
    orders, uploads, photo, reviewer, other, snapshot
) -> None:
    order_id = submitted_case(orders, uploads, photo)
    reviewer.claim(order_id)
    before = snapshot()
    answer = other.post(f"/reviews/{order_id}/claim")
    assert answer.status_code == 409 and problem_slug(answer) == "case-taken"
    assert answer.json["errors"] == {"assignee_id": [REVIEWER]}
    assert snapshot() == before


def test_only_the_assignee_or_a_supervisor_releases_a_case(
    orders, uploads, photo, reviewer, other, supervisor, snapshot
) -> None:
    order_id = submitted_case(orders, uploads, photo)
    reviewer.claim(order_id)
    before = snapshot()
    answer = other.post(f"/reviews/{order_id}/release")
    assert answer.status_code == 409 and problem_slug(answer) == "not-assignee"
    assert snapshot() == before
    released = supervisor.ok("post", f"/reviews/{order_id}/release")
    assert released["assignee_id"] is None and released["status"] == "queued"
    answer = supervisor.post(f"/reviews/{order_id}/release")
    assert answer.status_code == 409 and problem_slug(answer) == "not-assigned"


def test_a_case_not_yet_submitted_cannot_be_claimed(orders, reviewer, snapshot) -> None:
    order_id = orders.draft()
    before = snapshot()
    answer = reviewer.post(f"/reviews/{order_id}/claim")
    assert answer.status_code == 409 and problem_slug(answer) == "case-not-submitted"
    assert snapshot() == before


def test_a_cancelled_case_cannot_be_claimed(orders, uploads, photo, reviewer, snapshot) -> None:
    order_id = submitted_case(orders, uploads, photo)
    orders.closed(order_id)
    before = snapshot()
    answer = reviewer.post(f"/reviews/{order_id}/claim")
    assert answer.status_code == 409 and problem_slug(answer) == "case-closed"
    assert snapshot() == before


@pytest.mark.parametrize("role", ["production", "dispatcher", "applicant"])
def test_other_roles_are_forbidden_the_review(orders, uploads, photo, client, role) -> None:
    order_id = submitted_case(orders, uploads, photo)
    someone = Staff(client, "someone", role)
    assert someone.get("/reviews").status_code == 403
    assert someone.get(f"/reviews/{order_id}").status_code == 403
    assert someone.post(f"/reviews/{order_id}/claim").status_code == 403


def test_the_queue_lists_each_tab_oldest_first_with_counts(
    orders, uploads, photo, reviewer, other
) -> None:
    older = submitted_case(orders, uploads, photo, submitted_at="2026-03-02T01:00:00+00:00")
    newer = submitted_case(orders, uploads, photo, submitted_at="2026-03-02T02:00:00+00:00")
    mine = submitted_case(orders, uploads, photo, submitted_at="2026-03-02T00:30:00+00:00")
    reviewer.claim(mine)
    queue = reviewer.ok("get", "/reviews")
    assert [case["order_id"] for case in queue["cases"]] == [older, newer]
    assert queue["counts"] == {"unassigned": 2, "mine": 1, "awaiting_applicant": 0, "all": 3}
    assert queue["page"] == queue["pages"] == 1
    assert [c["order_id"] for c in reviewer.ok("get", "/reviews?tab=mine")["cases"]] == [mine]
    assert other.ok("get", "/reviews?tab=mine")["cases"] == []
    everything = reviewer.ok("get", "/reviews?tab=all")["cases"]
    assert [case["order_id"] for case in everything] == [mine, older, newer]
    found = reviewer.ok("get", f"/reviews?tab=all&q={newer[:8]}")["cases"]
    assert [case["order_id"] for case in found] == [newer]


def test_overdue_cases_are_found_by_the_filter(orders, uploads, photo, reviewer, clock) -> None:
    late = submitted_case(orders, uploads, photo, sla_working_days=0)
    submitted_case(orders, uploads, photo, sla_working_days=5)
    clock.advance(timedelta(days=1))
    found = reviewer.ok("get", "/reviews?tab=all&overdue=1")["cases"]
    assert [case["order_id"] for case in found] == [late] and found[0]["overdue"] is True


def test_a_bad_tab_is_refused_naming_it(reviewer) -> None:
    answer = reviewer.get("/reviews?tab=everything")
    assert answer.status_code == 422 and "tab" in answer.json["errors"]


def test_the_queue_counts_the_applicants_unread_messages(orders, uploads, photo, client) -> None:
    order_id = submitted_case(orders, uploads, photo)
    posted = client.post(
        f"/chats/{order_id}/messages",
        json={"body": "Is my selfie fine?"},
        headers=bearer(["applicant"], subject="applicant-1"),
    )
    assert posted.status_code == 201, posted.json
    [summary] = Staff(client, REVIEWER, "reviewer").ok("get", "/reviews")["cases"]
    assert summary["unread_messages"] == 1
