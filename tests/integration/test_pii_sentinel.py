"""An applicant's ID number and name stay where they belong, across real processes.

An application made with a sentinel ID number and a name no other test uses goes
through the whole review (claim, a reveal, new photos asked for, a chat, the
resubmission, approval; and a second application rejected). Afterwards neither
value appears in any log line of any process of the stack (the Stack writes each
process's output to a file in its workdir), in any event on the run's exchange
other than `orders.submitted` (which verification needs to check them), nor in
the supervisor's CSV export of the audit log.

The delivery address names someone else: the courier's recipient travels in
`orders.approved` by design (fulfillment ships to it), and is not what this
test is about."""

from __future__ import annotations

import json
from pathlib import Path

from common.processes import Stack
from common.testing import eventually

from .conftest import ADDRESS, ANSWERS

ID_NUMBER = "330106198607274734"
NAME = "司马砚秋"
SENTINELS = (ID_NUMBER, NAME)
SENTINEL_ANSWERS = {**ANSWERS, "full_name": NAME, "id_number": ID_NUMBER}
OTHER_RECIPIENT = {**ADDRESS, "recipient": "李四"}


def _forms(value: str) -> set[str]:
    """The value as written raw, and as a JSON log line with ASCII escapes writes it."""
    return {value, json.dumps(value)[1:-1]}


def _leaks(text: str) -> list[str]:
    return [value for value in SENTINELS if any(form in text for form in _forms(value))]


def _approved_after_new_photos(journey, applicant, reviewer) -> str:
    order_id = journey.submitted(applicant, SENTINEL_ANSWERS, OTHER_RECIPIENT)
    reviewer.claim(order_id)
    revealed = reviewer.call(
        "POST", f"/staff/reviews/{order_id}/reveal", 200,
        json={"field": "id_number", "reason": "Compare with the ID card photo"},
    )  # fmt: skip
    assert revealed["value"] == ID_NUMBER  # the sentinel is really in the system
    masked = next(a for a in reviewer.review(order_id)["answers"] if a["name"] == "id_number")
    assert masked["masked"] and masked["value"] != ID_NUMBER
    reviewer.verdicts(order_id, refuse={"id_card_front": "blurred"})
    reviewer.decide(order_id, "request_resubmission", deadline_days=7)
    journey.status_becomes(applicant, order_id, "needs_resubmission")
    applicant.call(
        "POST", f"/applications/{order_id}/messages", 201,
        json={"body": "I will send a sharper photo of my ID card tonight."},
    )  # fmt: skip
    applicant.call(
        "PUT", f"/applications/{order_id}/documents/id_card_front", 201,
        files={"file": ("front.jpg", journey.photo(41), "image/jpeg")},
    )  # fmt: skip
    applicant.call("POST", f"/applications/{order_id}/resubmit", 200)
    journey.status_becomes(applicant, order_id, "in_review")
    reviewer.verdicts(order_id)
    reviewer.decide(order_id, "approve")
    journey.status_becomes(applicant, order_id, "approved")
    return order_id


def _rejected(journey, applicant, reviewer) -> str:
    order_id = journey.submitted(applicant, SENTINEL_ANSWERS, OTHER_RECIPIENT)
    reviewer.claim(order_id)
    reviewer.verdicts(order_id, refuse={"selfie_with_id_card": "mismatch"})
    reviewer.decide(
        order_id, "reject", reason_code="identity-mismatch",
        note="The person in the selfie is not the one on the ID card.",
    )  # fmt: skip
    journey.status_becomes(applicant, order_id, "closed")
    return order_id


def test_an_id_number_and_a_name_appear_in_no_log_no_event_but_the_submission_and_no_audit_export(
    stack: Stack, journey, staff, events
):
    applicant = journey.applicant()
    reviewer = staff("reviewer")
    approved = _approved_after_new_photos(journey, applicant, reviewer)
    rejected = _rejected(journey, applicant, reviewer)

    eventually(lambda: "orders.approved" in events.types(approved))
    eventually(lambda: "orders.closed" in events.types(rejected))
    submitted = [
        event
        for event in events.of(approved) + events.of(rejected)
        if event["type"] == "orders.submitted"
    ]
    assert len(submitted) == 2
    assert all(_leaks(json.dumps(event, ensure_ascii=False)) for event in submitted)
    # Every event heard while the test ran, whichever order (if any) it is about.
    leaking_events = [
        (event["type"], _leaks(json.dumps(event, ensure_ascii=False)))
        for event in events.events()
        if event["type"] != "orders.submitted" and _leaks(json.dumps(event, ensure_ascii=False))
    ]
    assert leaking_events == []

    export = staff("supervisor").request("GET", "/staff/audit.csv")
    assert export.status_code == 200, export.text
    assert approved in export.text and "answer.revealed" in export.text
    assert _leaks(export.text) == []

    logs = sorted(stack.workdir.glob("*.log"))
    assert {"orders-worker.log", "verification-web.log", "gateway-web.log"} <= {
        log.name for log in logs
    }
    leaking_lines = [
        f"{log.name}: {line[:300]}"
        for log in logs
        for line in Path(log).read_text(errors="replace").splitlines()
        if _leaks(line)
    ]
    assert leaking_lines == []
