"""SMS across real processes (catalog, orders, verification, fulfillment,
ratings, notifications and the gateway with their workers; RabbitMQ and
PostgreSQL), for an applicant registered with a mobile number:

- the sandbox SMS provider down (refusing) then up again (accepting) leaves
  exactly one SMS in the sandbox's outbox;
- under quiet hours the SMS is held (pending until the window ends, in no
  outbox) while the in-app message is there at once; the pickup code's SMS is
  not held.

The processes read the wall clock, so quiet hours are set through
NOTIFICATIONS_QUIET_HOURS: a stack with them off for the first test, and one
whose window covers the hour of the run for the second.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import requests
from sqlalchemy import create_engine, text

from common.processes import Stack
from common.testing import eventually

from ..conftest import start_stack
from .conftest import Applicant, Journey
from .test_delivery_journeys import approved, produce

BEIJING = ZoneInfo("Asia/Shanghai")
PASSWORD = "a long applicant password"


# Each stack serves one test and stops after it: two more stacks beside the session's
# would hold more PostgreSQL connections than the server allows.
@pytest.fixture
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    running = start_stack(tmp_path_factory.mktemp("sms-stack"), NOTIFICATIONS_QUIET_HOURS="off")
    try:
        yield running
    finally:
        running.stop()


def _quiet_window() -> tuple[str, datetime]:
    """From an hour ago to three hours from now in Beijing time, and its end (UTC)."""
    now = datetime.now(BEIJING).replace(second=0, microsecond=0)
    start, end = now - timedelta(hours=1), now + timedelta(hours=3)
    return f"{start:%H:%M}-{end:%H:%M}", end.astimezone(UTC)


@pytest.fixture
def quiet() -> tuple[str, datetime]:
    return _quiet_window()


@pytest.fixture
def quiet_stack(
    tmp_path_factory: pytest.TempPathFactory, quiet: tuple[str, datetime]
) -> Iterator[Stack]:
    running = start_stack(
        tmp_path_factory.mktemp("quiet-stack"), NOTIFICATIONS_QUIET_HOURS=quiet[0]
    )
    try:
        yield running
    finally:
        running.stop()


class MobileApplicant(Applicant):
    """An applicant registered with a mobile number, so SMS has somewhere to go."""

    def __init__(self, stack: Stack) -> None:
        self.base = stack.url("gateway") + "/api/v1"
        self.headers = {}
        self.mobile = f"139{uuid.uuid4().int % 10**8:08d}"
        self.call("POST", "/accounts", 201, json={"identifier": self.mobile, "password": PASSWORD})
        self.sign_in(self.mobile, PASSWORD)
        # The gateway's accounts.contact_changed has reached notifications.
        eventually(lambda: self.call("GET", "/preferences", 200)["phone_masked"], timeout=30)

    def templates(self, order_id: str) -> list[str]:
        """The in-app messages about one order, oldest first."""
        inbox = self.call("GET", "/inbox?per_page=100", 200)["messages"]
        return [m["template"] for m in reversed(inbox) if m["order_id"] == order_id]


def _sms_sent(stack: Stack, reference: str) -> list[dict]:
    """The sandbox SMS provider's outbox, for one order's reference."""
    headers = stack.token_headers("notifications", subject="tests", roles=["supervisor"])
    answer = requests.get(
        f"{stack.url('notifications')}/sandbox/outbox?channel=sms&per_page=100",
        headers=headers, timeout=5,
    )  # fmt: skip
    assert answer.status_code == 200, answer.text
    return [sent for sent in answer.json()["sent"] if reference in sent["body"]]


def _switch_sms_provider(stack: Stack, down: bool) -> None:
    headers = stack.token_headers("notifications", subject="tests", roles=["supervisor"])
    requests.put(
        f"{stack.url('notifications')}/sandbox/providers/sms", json={"down": down},
        headers=headers, timeout=5,
    ).raise_for_status()  # fmt: skip


def _sms_rows(stack: Stack, order_id: str) -> list[dict]:
    """Notifications' own SMS rows of an order: status and when each is due."""
    engine = create_engine(stack.databases["notifications"])
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT template, status, attempts, reason, next_attempt_at FROM messages "
                     "WHERE order_id = :o AND channel = 'sms'"), {"o": order_id},
            )  # fmt: skip
            return [dict(row._mapping) for row in rows]
    finally:
        engine.dispose()


def test_the_sms_provider_refusing_then_accepting_sends_exactly_one_sms(stack: Stack):
    applicant = MobileApplicant(stack)
    _switch_sms_provider(stack, down=True)
    try:
        order_id = Journey(stack).submitted(applicant)
        eventually(lambda: applicant.templates(order_id) == ["submitted"], timeout=30)
        reference = applicant.application(order_id)["reference"]
        # The first try met the provider down: waiting for the retry, nothing sent.
        (refused,) = eventually(
            lambda: [r for r in _sms_rows(stack, order_id) if r["attempts"] == 1], timeout=15
        )
        assert refused["status"] == "pending" and refused["reason"].startswith("unavailable")
        assert _sms_sent(stack, reference) == []
    finally:
        _switch_sms_provider(stack, down=False)

    # The retry (30 s after the refusal) is accepted, once, and never sent again.
    eventually(lambda: len(_sms_sent(stack, reference)) == 1, timeout=75)
    eventually(
        lambda: [r["status"] for r in _sms_rows(stack, order_id)] in (["accepted"], ["delivered"])
    )
    (sent,) = _sms_sent(stack, reference)
    assert sent["to_masked"] == applicant.mobile[:3] + "****" + applicant.mobile[-4:]
    assert len(_sms_sent(stack, reference)) == 1


def test_quiet_hours_hold_the_sms_but_not_the_inbox_nor_the_pickup_code(
    quiet_stack: Stack, quiet: tuple[str, datetime]
):
    stack, window_end = quiet_stack, quiet[1]
    applicant = MobileApplicant(stack)
    order_id = approved(stack, applicant, pickup=True)
    reference = applicant.application(order_id)["reference"]
    eventually(lambda: applicant.templates(order_id) == ["submitted", "approved"], timeout=30)

    produce(stack, order_id)
    Journey.status_becomes(applicant, order_id, "ready_for_pickup", timeout=30)
    code = applicant.call("GET", f"/applications/{order_id}/pickup-code", 200)["code"]
    # The pickup code goes out by SMS at once, in quiet hours too …
    (pickup,) = eventually(lambda: _sms_sent(stack, reference), timeout=30)
    assert code in pickup["body"]

    # … while the SMS written before it wait, pending, for the window's end.
    rows = {row["template"]: row for row in _sms_rows(stack, order_id)}
    assert rows["pickup_ready"]["status"] in {"accepted", "delivered"}
    for held in ("submitted", "approved"):
        assert rows[held]["status"] == "pending", rows[held]
        assert rows[held]["next_attempt_at"] == window_end, (rows[held], window_end)
    assert len(_sms_sent(stack, reference)) == 1
    assert "pickup_ready" in applicant.templates(order_id)  # and in the inbox at once
