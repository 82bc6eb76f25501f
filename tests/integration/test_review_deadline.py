"""A resubmission deadline that passes rejects the application by verification's timer,
and the pictures of a final order are purged by the retention timer, across real
processes.

A stack of its own, with both periods cut to seconds through the settings
(fractions of a day) and the timer swept every half second: the shared stack
keeps the real 7 and 30 days."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from common.processes import Stack
from common.testing import eventually

from ..conftest import start_stack

DAYS_OF_TEN_SECONDS = str(10 / 86_400)


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    running = start_stack(
        tmp_path_factory.mktemp("deadline-stack"),
        VERIFICATION_RESUBMISSION_DAYS=DAYS_OF_TEN_SECONDS,
        VERIFICATION_RETENTION_DAYS=DAYS_OF_TEN_SECONDS,
        VERIFICATION_TIMER_INTERVAL_SECONDS="0.5",
    )
    try:
        yield running
    finally:
        running.stop()


def test_a_missed_resubmission_deadline_rejects_the_application_and_voids_its_payment(
    journey, staff, events
):
    applicant = journey.applicant()
    order_id = journey.submitted(applicant)
    reviewer = staff("reviewer")
    reviewer.claim(order_id)
    reviewer.verdicts(order_id, refuse={"id_card_back": "glare"})
    # No deadline given: the office's setting applies.
    asked = reviewer.decide(order_id, "request_resubmission")
    assert asked["status"] == "awaiting_applicant"
    journey.status_becomes(applicant, order_id, "needs_resubmission")
    assert applicant.call("GET", f"/applications/{order_id}/resubmission", 200)["deadline"]

    closed = journey.status_becomes(applicant, order_id, "closed", timeout=60)
    assert closed["payment"]["status"] == "voided"
    entries = applicant.call("GET", f"/applications/{order_id}/timeline", 200)["entries"]
    rejected = next(entry for entry in entries if entry["to_status"] == "rejected")
    assert rejected["from_status"] == "needs_resubmission"
    assert rejected["actor"] == "system"
    verdict = eventually(
        lambda: next((e for e in events.of(order_id) if e["type"] == "verification.rejected"), None)
    )
    assert verdict["data"]["reason_code"] == "resubmission-deadline-missed"
    assert verdict["data"]["rejected_by"] == "system"
    case = reviewer.review(order_id)
    assert (case["status"], case["closed_because"]) == ("closed", "rejected")


def test_the_pictures_of_a_final_order_are_purged_and_the_audit_keeps_the_trail(
    journey, staff, events
):
    applicant = journey.applicant()
    order_id = journey.submitted(applicant)
    thumbnail = f"/applications/{order_id}/documents/id_card_front/thumbnail"
    assert applicant.request("GET", thumbnail).status_code == 200
    applicant.call(
        "POST", f"/applications/{order_id}/cancel", 200, json={"reason": "changed my mind"}
    )

    purged = eventually(
        lambda: next(
            (e for e in events.of(order_id) if e["type"] == "verification.documents_purged"), None
        ),
        timeout=60,
    )
    assert set(purged["data"]["document_codes"]) >= {"id_card_front", "id_card_back"}
    gone = applicant.request("GET", thumbnail)
    assert gone.status_code == 410, gone.text
    supervisor = staff("supervisor")
    assert {d["status"] for d in supervisor.review(order_id)["documents"]} == {"purged"}
    picture = supervisor.request("GET", f"/staff/reviews/{order_id}/documents/id_card_front/image")
    assert picture.status_code == 410, picture.text
    trail = supervisor.call("GET", "/staff/audit", 200, params={"order_id": order_id})["entries"]
    assert "documents.purged" in {entry["action"] for entry in trail}
