"""Fulfillment's events: a payload that breaks its own schema never reaches the
outbox. (That each example fits its schema and is documented is checked for
every producer by tests/contract/test_event_contracts.py.)"""

from __future__ import annotations

import pytest

from common.events.payloads import PayloadMismatch
from fulfillment import events


def test_a_payload_missing_a_field_is_a_bug_that_fails_loudly() -> None:
    with pytest.raises(PayloadMismatch, match="does not match its schema"):
        events.payload(events.PRODUCED, {"order_id": "o-1"})


@pytest.mark.parametrize("event_type", sorted(events.SCHEMAS))
def test_every_event_fulfillment_publishes_has_a_payload(event_type: str) -> None:
    values = events.SCHEMAS[event_type]().load(events.EXAMPLES[event_type])
    assert events.payload(event_type, values) == events.EXAMPLES[event_type]
