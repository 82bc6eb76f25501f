"""What orders publishes has the documented shape, and what it reads of
verification's events is documented for verification to honour."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from orders import events
from orders.handlers import CONSUMED

EVENTS_MD = (Path(__file__).resolve().parents[3] / "docs" / "events.md").read_text()


@pytest.mark.parametrize("event_type", sorted(events.SCHEMAS))
def test_each_example_fits_its_schema(event_type):
    assert events.SCHEMAS[event_type]().validate(events.EXAMPLES[event_type]) == {}


@pytest.mark.parametrize("event_type", sorted(events.SCHEMAS))
def test_each_event_is_documented_with_its_example(event_type):
    heading = f"### `{event_type}`"
    assert heading in EVENTS_MD
    start = EVENTS_MD.index(heading)
    block = EVENTS_MD.index("```json", start) + len("```json")
    assert (
        json.loads(EVENTS_MD[block : EVENTS_MD.index("```", block)]) == events.EXAMPLES[event_type]
    )


def test_a_payload_missing_a_field_is_a_bug_that_fails_loudly():
    with pytest.raises(RuntimeError, match=r"orders\.discarded"):
        events.payload(events.DISCARDED, {"order_id": "o"})


def test_a_payload_is_dumped_in_its_documented_shape_without_anything_else():
    values = {"order_id": "o-1", "reference": "LT20260302000042", "total_fen": 2500,
              "pay_by": datetime(2026, 3, 2, 9, 30, tzinfo=UTC), "internal": "not for others"}  # fmt: skip
    assert events.payload(events.AWAITING_PAYMENT, values) == {
        "order_id": "o-1", "reference": "LT20260302000042", "total_fen": 2500,
        "pay_by": "2026-03-02T09:30:00+00:00",
    }  # fmt: skip


@pytest.mark.parametrize("event_type", sorted(CONSUMED))
def test_what_orders_reads_of_verification_is_documented_and_loads(event_type):
    start = EVENTS_MD.index(f"`{event_type}` (producer:")
    block = EVENTS_MD.index("```json", start) + len("```json")
    example = json.loads(EVENTS_MD[block : EVENTS_MD.index("```", block)])
    assert CONSUMED[event_type]().validate(example) == {}
