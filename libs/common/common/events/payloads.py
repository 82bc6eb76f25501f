"""Event payloads in their documented shape, checked before they reach the outbox.

Each service owns its events' marshmallow schemas (events.py, `SCHEMAS`:
event type → schema class). `Payloads` turns a use case's values into the
payload its schema documents, and refuses one that does not match: that is a
bug of the producing service, so the transaction fails loudly instead of
publishing an event its consumers cannot read.

    # <service>/events.py
    SCHEMAS = {ITEM_CHANGED: ItemChanged, ITEM_WITHDRAWN: ItemWithdrawn}
    payload = Payloads(SCHEMAS)

    # <service>/services.py
    uow.publish(events.ITEM_CHANGED, events.payload(events.ITEM_CHANGED, data))
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import Schema


class PayloadMismatch(RuntimeError):
    """A service built an event payload its own schema refuses."""


class Payloads:
    """`payload(event_type, values)` for one service's schemas (instances built once)."""

    def __init__(self, schemas: Mapping[str, type[Schema]]) -> None:
        self._schemas = {event_type: schema() for event_type, schema in schemas.items()}

    def __call__(self, event_type: str, values: Mapping[str, Any]) -> dict[str, Any]:
        """The payload in its documented shape; raises PayloadMismatch if a part is missing."""
        try:
            schema = self._schemas[event_type]
        except KeyError:
            raise PayloadMismatch(f"{event_type} is not an event of this service") from None
        data: dict[str, Any] = schema.dump(values)
        errors = schema.validate(data)
        if errors:
            raise PayloadMismatch(f"{event_type} payload does not match its schema: {errors}")
        return data
