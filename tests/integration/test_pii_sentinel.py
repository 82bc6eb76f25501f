"""An applicant's ID number and name stay where they belong, across real processes.

An application made with a sentinel ID number and a name no other test uses goes
through the whole review (claim, a reveal, new photos asked for, a chat, the
resubmission, approval; and a second application rejected). Afterwards neither
value appears in any log line of any process of the stack (the Stack writes each
process's output to a file in its workdir), in any event on the run's exchange
other than `orders.submitted` (which verification needs to check them; the name
also in `orders.approved`, see below), nor in the supervisor's CSV export of the
audit log.

The delivery address names someone else: the courier's recipient travels in
`orders.approved` by design (fulfillment ships to it), and is not what this
test is about. The name on the form travels there too (fulfillment prints it on
the production sheet), never the ID number: orders masks it first.

Fulfillment (docs/design/deliver.md, "Personal data") gets its own test: one
sentinel application goes by courier to the sentinel herself, another waits at
the office and is collected after a wrong code. The label must carry her name
(the courier needs it) and never her ID number; no fulfillment event carries
either; the pickup code is in no event and no log line; and no process logged
the name or the ID number."""

from __future__ import annotations

import json
import re
from pathlib import Path

from common.processes import Stack
from common.testing import eventually

from .conftest import ADDRESS, ANSWERS

ID_NUMBER = "330106198607274734"
NAME = "司马砚秋"
SENTINELS = (ID_NUMBER, NAME)
SENTINEL_ANSWERS = {**ANSWERS, "full_name": NAME, "id_number": ID_NUMBER}
OTHER_RECIPIENT = {**ADDRESS, "recipient": "李四"}
HERSELF = {**ADDRESS, "recipient": NAME}
# The events that carry the name by design: the submission (verification checks it)
# and the approval (fulfillment prints it on the production sheet and the label).
CARRY_THE_NAME = {"orders.submitted", "orders.approved"}
# Times carry six-digit fractions of a second: never mistaken for a pickup code.
_TIMES = re.compile(r"\d{2}:\d{2}:\d{2}(\.\d+)?")


def _forms(value: str) -> set[str]:
    """The value as written raw, and as a JSON log line with ASCII escapes writes it."""
    return {value, json.dumps(value)[1:-1]}


def _leaks(text: str) -> list[str]:
    return [value for value in SENTINELS if any(form in text for form in _forms(value))]


def _holds_code(text: str, code: str) -> bool:
    """The pickup code as a number of its own (not inside a longer one, not a time)."""
    return re.search(rf"(?<!\d){code}(?!\d)", _TIMES.sub("", text)) is not None


def _log_lines(stack: Stack) -> list[tuple[str, str]]:
    return [
        (log.name, line)
        for log in stack.log_files()
        for line in Path(log).read_text(errors="replace").splitlines()
    ]


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
    # Every event heard while the test ran, whichever order (if any) it is about: the ID
    # number only in the submission, the name only where it travels by design.
    leaking_events = [
        (event["type"], leaked)
        for event in events.events()
        for leaked in _leaks(json.dumps(event, ensure_ascii=False))
        if event["type"] != "orders.submitted"
        and not (leaked == NAME and event["type"] in CARRY_THE_NAME)
    ]
    assert leaking_events == []
    approval = next(event for event in events.of(approved) if event["type"] == "orders.approved")
    assert approval["data"]["id_number_masked"] != ID_NUMBER

    export = staff("supervisor").request("GET", "/staff/audit.csv")
    assert export.status_code == 200, export.text
    assert approved in export.text and "answer.revealed" in export.text
    assert _leaks(export.text) == []

    logs = stack.log_files()
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


# --- fulfillment ---------------------------------------------------------------------------


def _approved(journey, applicant, reviewer, *, address: dict, pickup: bool = False) -> str:
    order_id = journey.ready_to_submit(applicant, SENTINEL_ANSWERS, address)
    if pickup:
        applicant.call("PUT", f"/applications/{order_id}/delivery", 200,
                       json={"kind": "pickup", "office_code": "pickup-shinan"})  # fmt: skip
    journey.submit(applicant, order_id)
    journey.pay(applicant, order_id, journey.APPROVED_CARD)
    journey.status_becomes(applicant, order_id, "submitted")
    reviewer.claim(order_id)
    reviewer.verdicts(order_id)
    reviewer.decide(order_id, "approve")
    journey.status_becomes(applicant, order_id, "approved", timeout=30)
    return order_id


def _produced(production, order_ids: list[str]) -> None:
    def queued() -> bool:
        jobs = production.call("GET", "/staff/production/jobs?status=queued", 200)["jobs"]
        return set(order_ids) <= {job["order_id"] for job in jobs}

    eventually(queued, timeout=20)
    batch = production.call("POST", "/staff/production/batches", 201, json={"order_ids": order_ids})
    sheet = production.call("GET", f"/staff/production/batches/{batch['id']}", 200)
    assert NAME in json.dumps(sheet, ensure_ascii=False)  # the sheet names her, masked ID only
    assert ID_NUMBER not in json.dumps(sheet)
    for order_id in order_ids:
        production.call("PUT", f"/staff/production/jobs/{order_id}/credential", 200,
                        json={"credential_number": "370212345678"})  # fmt: skip
    production.call("POST", f"/staff/production/batches/{batch['id']}/produced", 200)


def _label_and_hand_over(dispatcher, order_id: str) -> str:
    """The label's SVG text, once the parcel has left with the courier."""
    made = dispatcher.call("POST", "/staff/dispatch/waybills", 201, json={"order_ids": [order_id]})
    waybill = made["shipments"][0]["waybill"]
    label = dispatcher.request("GET", f"/staff/dispatch/shipments/{waybill}/label.svg")
    assert label.status_code == 200, label.text
    dispatcher.call("POST", "/staff/dispatch/hand-over", 200, json={"waybills": [waybill]})
    return label.text


def _collected(journey, applicant, counter, order_id: str) -> str:
    """The pickup code, once a wrong one was refused and the right one handed it over."""
    journey.status_becomes(applicant, order_id, "ready_for_pickup", timeout=20)
    code = applicant.call("GET", f"/applications/{order_id}/pickup-code", 200)["code"]
    wrong = "000001" if code != "000001" else "000002"
    refused = counter.request("POST", f"/staff/pickup/{order_id}/verify", json={"code": wrong})
    assert refused.status_code == 422, refused.text
    counter.call("POST", f"/staff/pickup/{order_id}/hand-over", 200,
                 json={"code": code, "id_checked": True})  # fmt: skip
    return str(code)


def test_fulfillment_prints_the_name_on_the_label_and_keeps_the_id_number_and_pickup_code_to_itself(
    stack: Stack, journey, staff, events
):
    applicant, reviewer = journey.applicant(), staff("reviewer")
    by_courier = _approved(journey, applicant, reviewer, address=HERSELF)
    at_the_office = _approved(journey, applicant, reviewer, address=HERSELF, pickup=True)
    _produced(staff("production"), [by_courier, at_the_office])
    label = _label_and_hand_over(staff("dispatcher"), by_courier)
    code = _collected(journey, applicant, staff("dispatcher"), at_the_office)
    journey.status_becomes(applicant, by_courier, "delivered", timeout=30)
    eventually(lambda: "fulfillment.delivered" in events.types(at_the_office), timeout=20)

    assert NAME in label, "the courier needs the recipient's name"
    assert ID_NUMBER not in label and ADDRESS["phone"] not in label

    heard = [(event["type"], json.dumps(event, ensure_ascii=False)) for event in events.events()]
    fulfillment = [kind for kind, _ in heard if kind.startswith("fulfillment.")]
    for kind in ("fulfillment.produced", "fulfillment.dispatched", "fulfillment.tracking_updated",
                 "fulfillment.ready_for_pickup", "fulfillment.delivered"):  # fmt: skip
        assert kind in fulfillment
    assert [(kind, _leaks(text)) for kind, text in heard
            if kind.startswith("fulfillment.") and _leaks(text)] == []  # fmt: skip
    assert [kind for kind, text in heard
            if ID_NUMBER in _leaks(text) and kind != "orders.submitted"] == []  # fmt: skip
    assert [kind for kind, text in heard
            if NAME in _leaks(text) and kind not in CARRY_THE_NAME] == []  # fmt: skip
    assert [kind for kind, text in heard if _holds_code(text, code)] == []

    lines = _log_lines(stack)
    assert {"fulfillment-web.log", "fulfillment-worker.log"} <= {name for name, _ in lines}
    assert [f"{name}: {line[:300]}" for name, line in lines if _leaks(line)] == []
    assert [f"{name}: {line[:300]}" for name, line in lines if _holds_code(line, code)] == []
