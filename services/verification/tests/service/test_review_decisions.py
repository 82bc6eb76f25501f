"""Verdicts, checks, reveals and the three decisions; every refusal leaves
every table as it was."""

from __future__ import annotations

import pytest

from .conftest import ID_NUMBER
from .reviewing import (
    OTHER_REVIEWER,
    REVIEWER,
    Staff,
    audit_actions,
    case_row,
    events_of,
    problem_slug,
    submitted_case,
)

ID_CHECK = "id_number_matches_id_card"


@pytest.fixture
def reviewer(client):
    return Staff(client, REVIEWER, "reviewer")


@pytest.fixture
def claimed(orders, uploads, photo, reviewer) -> str:
    order_id = submitted_case(orders, uploads, photo)
    reviewer.claim(order_id)
    return order_id


def refuse(reviewer, order_id, code="selfie_with_id_card", reason="face-not-visible") -> None:
    answer = reviewer.verdict(order_id, code, "refused", reason_code=reason, note="Too dark.")
    assert answer.status_code == 200, answer.json


def test_the_review_shows_the_case_with_the_id_number_masked(claimed, reviewer) -> None:
    review = reviewer.ok("get", f"/reviews/{claimed}")
    id_answer = next(a for a in review["answers"] if a["name"] == "id_number")
    assert id_answer == {
        "name": "id_number",
        "type": "id_number",
        "label": {"zh": "身份证号码", "en": "ID card number"},
        "value": "110***********1234",
        "masked": True,
        "revealed": False,
    }
    assert review["applicant_name"] == "Wang Fang" and review["max_rounds"] == 3
    assert [check["code"] for check in review["checks"]] == [ID_CHECK]
    assert review["checks"][0]["result"] is None
    assert [doc["verdict"] for doc in review["documents"]] == [None, None, None]
    assert [entry["action"] for entry in review["history"]] == ["case.claimed"]


def test_a_reveal_needs_a_reason_and_is_audited(claimed, reviewer, db, snapshot) -> None:
    before = snapshot()
    answer = reviewer.post(f"/reviews/{claimed}/reveal", {"field": "id_number"})
    assert answer.status_code == 422 and "reason" in answer.json["errors"]
    answer = reviewer.post(f"/reviews/{claimed}/reveal", {"field": "full_name", "reason": "check"})
    assert answer.status_code == 422 and "field" in answer.json["errors"]
    assert snapshot() == before
    revealed = reviewer.ok(
        "post", f"/reviews/{claimed}/reveal", {"field": "id_number", "reason": "compare to card"}
    )
    assert revealed == {"field": "id_number", "value": ID_NUMBER}
    assert audit_actions(db, claimed)[-1] == (REVIEWER, "answer.revealed")


def test_a_verdict_for_a_document_not_in_the_case_is_not_found(claimed, reviewer, snapshot):
    before = snapshot()
    answer = reviewer.verdict(claimed, "vehicle_photo")
    assert answer.status_code == 404
    assert snapshot() == before


def test_a_refusal_needs_a_known_reason_and_other_needs_a_note(claimed, reviewer, snapshot):
    before = snapshot()
    answer = reviewer.verdict(claimed, "id_card_front", "refused")
    assert answer.status_code == 422 and "reason_code" in answer.json["errors"]
    answer = reviewer.verdict(claimed, "id_card_front", "refused", reason_code="ugly")
    assert answer.status_code == 422 and "reason_code" in answer.json["errors"]
    answer = reviewer.verdict(claimed, "id_card_front", "refused", reason_code="other")
    assert answer.status_code == 422 and "note" in answer.json["errors"]
    answer = reviewer.verdict(
        claimed, "id_card_front", "refused", reason_code="glare", note="x" * 501
    )
    assert answer.status_code == 422 and "note" in answer.json["errors"]
    assert snapshot() == before


def test_work_on_a_case_not_yours_is_refused(claimed, client, snapshot) -> None:
    other = Staff(client, OTHER_REVIEWER, "reviewer")
    before = snapshot()
    for answer in (
        other.verdict(claimed, "id_card_front"),
        other.check(claimed, ID_CHECK),
        other.decide(claimed, "reject", reason_code="other", note="No."),
    ):
        assert answer.status_code == 409 and problem_slug(answer) == "not-assignee"
    assert snapshot() == before


def test_an_unknown_check_is_not_found(claimed, reviewer, snapshot) -> None:
    before = snapshot()
    assert reviewer.check(claimed, "plate_matches_car_photo").status_code == 404
    assert reviewer.check(claimed, ID_CHECK, "maybe").status_code == 422
    assert snapshot() == before


def test_approval_lists_what_is_not_yet_accepted(claimed, reviewer, snapshot) -> None:
    reviewer.verdict(claimed, "id_card_front")
    before = snapshot()
    answer = reviewer.decide(claimed, "approve")
    assert answer.status_code == 409 and problem_slug(answer) == "verdicts-incomplete"
    assert answer.json["errors"] == {
        "documents": ["id_card_back", "selfie_with_id_card"],
        "checks": [ID_CHECK],
    }
    assert snapshot() == before


def test_an_approval_closes_the_case_and_tells_orders(
    claimed, reviewer, db, outbox_events, snapshot
) -> None:
    reviewer.accept_everything(claimed)
    review = reviewer.ok("post", f"/reviews/{claimed}/decision", {"decision": "approve"})
    assert review["status"] == "closed" and review["closed_because"] == "approved"
    assert review["decision"]["decision"] == "approve" and review["decision"]["by"] == REVIEWER
    [approved] = events_of(outbox_events, "verification.approved")
    assert approved["data"]["reviewer_id"] == REVIEWER and approved["correlation_id"] == claimed
    assert audit_actions(db, claimed)[-1] == (REVIEWER, "case.approved")
    before = snapshot()
    answer = reviewer.decide(claimed, "reject", reason_code="other", note="Changed my mind.")
    assert answer.status_code == 409 and problem_slug(answer) == "case-closed"
    assert reviewer.verdict(claimed, "id_card_front").status_code == 409
    assert snapshot() == before


def test_a_rejection_needs_a_reason_and_a_note(claimed, reviewer, snapshot) -> None:
    before = snapshot()
    answer = reviewer.decide(claimed, "reject", reason_code="identity-mismatch")
    assert answer.status_code == 422 and "note" in answer.json["errors"]
    answer = reviewer.decide(
        claimed, "reject", reason_code="resubmission-deadline-missed", note="x"
    )
    assert answer.status_code == 422 and "reason_code" in answer.json["errors"]
    answer = reviewer.decide(claimed, "maybe")
    assert answer.status_code == 422 and "decision" in answer.json["errors"]
    assert snapshot() == before


def test_a_rejection_closes_the_case_with_its_reason(claimed, reviewer, db, outbox_events):
    note = "The person in the selfie is not the card holder."
    review = reviewer.ok(
        "post",
        f"/reviews/{claimed}/decision",
        {"decision": "reject", "reason_code": "identity-mismatch", "note": note},
    )
    assert (review["status"], review["closed_because"]) == ("closed", "rejected")
    [rejected] = events_of(outbox_events, "verification.rejected")
    assert rejected["data"] == {
        "order_id": claimed,
        "reference": f"LT-{claimed[:8]}",
        "reason_code": "identity-mismatch",
        "note": note,
        "rejected_by": REVIEWER,
    }
    assert case_row(db, claimed)["closed_because"] == "rejected"


def test_new_photos_are_asked_only_for_refused_documents(claimed, reviewer, snapshot) -> None:
    reviewer.verdict(claimed, "id_card_front")
    before = snapshot()
    answer = reviewer.decide(claimed, "request_resubmission")
    assert answer.status_code == 409 and problem_slug(answer) == "nothing-refused"
    refuse(reviewer, claimed)
    before = snapshot()
    answer = reviewer.decide(claimed, "request_resubmission", deadline_days=0)
    assert answer.status_code == 422 and "deadline_days" in answer.json["errors"]
    assert snapshot() == before


def test_a_resubmission_request_pauses_the_clock_and_tells_orders_what_to_replace(
    claimed, reviewer, outbox_events, clock
) -> None:
    refuse(reviewer, claimed)
    review = reviewer.ok(
        "post", f"/reviews/{claimed}/decision", {"decision": "request_resubmission"}
    )
    assert review["status"] == "awaiting_applicant" and review["sla_paused"] is True
    assert review["round"] == 1
    [asked] = events_of(outbox_events, "verification.resubmission_requested")
    assert asked["data"]["round"] == 1
    assert asked["data"]["deadline"] == "2026-03-09T01:00:00+00:00"  # 7 days by default
    assert asked["data"]["documents"] == [
        {"code": "selfie_with_id_card", "reason_code": "face-not-visible", "note": "Too dark."}
    ]
    answer = reviewer.verdict(claimed, "id_card_front")
    assert answer.status_code == 409 and problem_slug(answer) == "awaiting-applicant"
