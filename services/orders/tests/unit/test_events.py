"""What orders publishes is documented with its example, in its documented
shape. That each example fits its schema, and that what orders reads of
verification's events loads the producer's example, is the contract suite's
(tests/contract/test_event_contracts.py)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from orders import events

EVENTS_MD = (Path(__file__).resolve().parents[4] / "docs" / "events.md").read_text()


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
