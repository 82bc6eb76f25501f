"""The worker's dispatcher: common's, telling the handlers which orders the
batch in hand is about, so that the batch's first event reads every event's
order, preferences and contact in one statement (services.addressee) instead
of one read per event."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from common.events.consumer import Delivery, Dispatcher, Outcome
from notifications.services import BatchHint


class BatchReadingDispatcher(Dispatcher):
    def __init__(self, *args: Any, hint: BatchHint, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.hint = hint

    def handle_batch(self, deliveries: Sequence[Delivery]) -> list[Outcome]:
        self.hint.orders = dict(_orders(delivery.body) for delivery in deliveries)
        self.hint.orders.pop("", None)
        try:
            return super().handle_batch(deliveries)
        finally:
            self.hint.orders = {}


def _orders(body: bytes) -> tuple[str, str | None]:
    """(order id, the applicant it names) of an event; ("", None) for anything else:
    the dispatcher itself judges a body it cannot read."""
    try:
        data = json.loads(body).get("data") or {}
        order_id, applicant = data.get("order_id"), data.get("applicant_id")
    except (ValueError, AttributeError, RecursionError):
        return "", None
    if not isinstance(order_id, str) or not 0 < len(order_id) <= 64:
        return "", None
    return order_id, applicant if isinstance(applicant, str) else None
