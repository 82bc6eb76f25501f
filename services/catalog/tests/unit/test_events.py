"""The catalog's events: what it reads is documented, and a broken payload never
leaves. (That each published example fits its schema and is documented field by
field is checked for every producer by tests/contract/test_event_contracts.py.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from catalog.handlers import OrderCompleted, RatingSummaryChanged

DOCS = Path(__file__).resolve().parents[4] / "docs" / "events.md"


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
