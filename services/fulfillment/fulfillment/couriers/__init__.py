"""The courier adapter: what fulfillment asks of a courier company, whichever it is.

    create_waybill(order_reference=, recipient=, sender=) -> waybill number
    cancel_waybill(waybill)              CourierRefused once the parcel was collected
    subscribe_tracking(waybill, url)     the courier pushes tracking events to `url`
    poll_tracking(waybill)               what a quiet courier knows (every event so far)
    parse_webhook(body, headers, now)    BadSignature (401) / MalformedWebhook (400)

Only `sandbox` exists (fulfillment.couriers.sandbox); it stands for EMS.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


class CourierRefused(Exception):
    """The courier said no (a waybill it cannot cancel any more, an unknown one)."""


class CourierUnavailable(Exception):
    """The courier did not answer: nothing was done, try again later (503)."""


class BadSignature(Exception):
    """A webhook whose signature is missing or does not match (401)."""


class MalformedWebhook(Exception):
    """A signed webhook whose body is not a tracking notice (400)."""


@dataclass(frozen=True)
class Party:
    """Who the label names: the recipient, or the office sending."""

    name: str
    phone: str
    address: str
    city: str = ""


@dataclass(frozen=True)
class CourierEvent:
    event_id: str
    waybill: str
    state: str
    occurred_at: datetime
    city: str | None = None
    signer: str | None = None
    reason: str | None = None


class Courier(Protocol):
    name: str
    carrier: str

    def create_waybill(self, *, order_reference: str, recipient: Party, sender: Party) -> str: ...

    def cancel_waybill(self, waybill: str) -> None: ...

    def subscribe_tracking(self, waybill: str, callback_url: str) -> None: ...

    def poll_tracking(self, waybill: str) -> list[CourierEvent]: ...

    def parse_webhook(
        self, body: bytes, headers: Mapping[str, str], now: datetime
    ) -> list[CourierEvent]: ...
