"""The catalog's published events keep the shape docs/events.md promises."""

from __future__ import annotations

from pathlib import Path

import pytest

from catalog.events import EXAMPLES, SCHEMAS
from catalog.handlers import OrderCompleted, RatingSummaryChanged

DOCS = Path(__file__).resolve().parents[4] / "docs" / "events.md"


@pytest.mark.parametrize("event_type", sorted(SCHEMAS))
def test_each_published_events_example_loads_through_its_schema(event_type: str) -> None:
    assert SCHEMAS[event_type]().validate(EXAMPLES[event_type]) == {}


@pytest.mark.parametrize("event_type", sorted(SCHEMAS))
def test_each_published_event_is_documented_with_its_example(event_type: str) -> None:
    docs = DOCS.read_text(encoding="utf-8")
    assert f"`{event_type}`" in docs
    for field in EXAMPLES[event_type]:
        assert f'"{field}"' in docs, f"{event_type}.{field} is not in docs/events.md"


def test_the_consumed_payload_fields_are_documented() -> None:
    docs = DOCS.read_text(encoding="utf-8")
    section = docs[docs.index("### Consumed by catalog") :]
    for schema in (RatingSummaryChanged, OrderCompleted):
        for name in schema().fields:
            assert f"`{name}`" in section, name


def test_a_payload_that_breaks_its_schema_never_reaches_the_outbox() -> None:
    from catalog.events import ITEM_WITHDRAWN, payload

    with pytest.raises(RuntimeError, match="does not match its schema"):
        payload(ITEM_WITHDRAWN, {"code": "x", "revision": 0})
