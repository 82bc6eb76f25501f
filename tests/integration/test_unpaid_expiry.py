"""An unpaid order closes by the orders worker's timer, across real processes.

A stack of its own, with the unpaid expiry cut to seconds: the shared stack
keeps the real 30 minutes so the other journeys can pay at leisure."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from common.processes import Stack
from common.testing import eventually

from ..conftest import start_stack


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    running = start_stack(
        tmp_path_factory.mktemp("expiry-stack"),
        ORDERS_UNPAID_EXPIRY_MINUTES="0.1",
        ORDERS_TIMER_INTERVAL_SECONDS="0.5",
    )
    try:
        yield running
    finally:
        running.stop()


def test_an_unpaid_order_closes_by_its_timer(journey):
    applicant = journey.applicant()
    order_id = journey.ready_to_submit(applicant)
    journey.submit(applicant, order_id)
    closed = eventually(
        lambda: (o := applicant.application(order_id))["status"] == "closed_unpaid" and o,
        timeout=30,
    )
    assert any(e["to_status"] == "closed_unpaid" for e in
               applicant.call("GET", f"/applications/{order_id}/timeline", 200)["entries"])  # fmt: skip
    assert closed["payment"]["status"] in {"created", "voided"}
