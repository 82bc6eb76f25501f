"""The messages' logs hold no personal data, across real processes: an
application made with the PII sentinel's ID number and name by an applicant
registered with a mobile number goes through approval; notifications writes
its messages (in-app, SMS, email) and logs each send, and none of its log
lines holds the ID number, the name or the full mobile number (a phone is
logged masked), nor does any message carry the ID number. The whole-stack
sentinel (test_pii_sentinel.py) reads every process's log as well."""

from __future__ import annotations

import uuid
from pathlib import Path

from common.processes import Stack
from common.testing import eventually

from .conftest import Applicant, Journey
from .test_pii_sentinel import ID_NUMBER, OTHER_RECIPIENT, SENTINEL_ANSWERS, _leaks


def test_the_messages_logs_hold_no_id_number_no_name_and_no_full_mobile_number(stack: Stack, staff):
    """Notifications writes a message per event and channel and logs each send:
    its logs show a phone masked, never the sentinel ID number or name, and the
    messages themselves never carry the ID number."""
    mobile = f"139{uuid.uuid4().int % 10**8:08d}"
    applicant = _MobileApplicant(stack, mobile)
    journey = Journey(stack)
    order_id = journey.submitted(applicant, SENTINEL_ANSWERS, OTHER_RECIPIENT)
    reviewer = staff("reviewer")
    reviewer.claim(order_id)
    reviewer.verdicts(order_id)
    reviewer.decide(order_id, "approve")
    journey.status_becomes(applicant, order_id, "approved", timeout=30)
    inbox = eventually(
        lambda: len(m := applicant.call("GET", "/inbox", 200)["messages"]) >= 2 and m, timeout=30
    )
    assert not [m for m in inbox if ID_NUMBER in m["body"] or ID_NUMBER in m["title"]]

    logs = [log for log in stack.log_files() if log.name.startswith("notifications-")]
    assert {"notifications-web.log", "notifications-worker.log"} <= {log.name for log in logs}
    leaking = [
        f"{log.name}: {line[:300]}"
        for log in logs
        for line in Path(log).read_text(errors="replace").splitlines()
        if _leaks(line) or mobile in line
    ]
    assert leaking == []


class _MobileApplicant(Applicant):
    """An applicant registered with a mobile number, so SMS has somewhere to go."""

    def __init__(self, stack: Stack, mobile: str) -> None:
        self.base = stack.url("gateway") + "/api/v1"
        self.headers = {}
        password = "a long applicant password"
        self.call("POST", "/accounts", 201, json={"identifier": mobile, "password": password})
        self.sign_in(mobile, password)
