"""Fulfillment as notifications sees it: one read, the pickup code of an order.

fulfillment.ready_for_pickup never carries the code (it would rest in every
outbox, inbox and dead-letter queue on its way). The owner's view of the job
(`GET /jobs/<order_id>` as the order's applicant) holds it, so the code is read
there when the message is written, put into the in-app and SMS texts only,
and kept nowhere else. Fulfillment unreachable raises ServiceUnavailable: the
event is retried by the consumer.
"""

from __future__ import annotations

from typing import Protocol
from urllib.parse import quote

from common.service_client import Caller, ServiceClient, ServiceNotFound


class PickupCodes(Protocol):
    def __call__(self, order_id: str, account_id: str) -> str | None: ...


class FulfillmentPickupCodes:
    def __init__(self, base_url: str, token_secret: str) -> None:
        self._client = ServiceClient(
            base_url,
            audience="fulfillment",
            token_secret=token_secret,
            subject="notifications",
            roles=("service",),
        )

    def __call__(self, order_id: str, account_id: str) -> str | None:
        """The code fulfillment shows the order's owner, or None when there is none (any more)."""
        try:
            job = self._client.get(
                f"/jobs/{quote(order_id, safe='')}", caller=Caller(account_id, ("applicant",))
            )
        except ServiceNotFound:
            return None
        pickup = job.get("pickup") if isinstance(job, dict) else None
        code = pickup.get("code") if isinstance(pickup, dict) else None
        return str(code) if code else None
