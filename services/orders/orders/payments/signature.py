"""The sandbox's webhook signature, in the style real providers use:

    X-Sandbox-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>

The shape is common.webhooks.signature's, shared with fulfillment's courier;
here it answers in orders' own refusals: BadSignature (401) and StaleWebhook
(400). The timestamp is inside what is signed, so an old webhook cannot be
replayed with a fresh time; one older (or later) than the tolerance is refused.
"""

from __future__ import annotations

from common.webhooks import signature as shared
from orders.payments import BadSignature, StaleWebhook

HEADER = "X-Sandbox-Signature"
DEFAULT_TOLERANCE_SECONDS = shared.DEFAULT_TOLERANCE_SECONDS


def sign(secret: str, body: bytes, timestamp: int) -> str:
    """The header value for `body` sent at `timestamp`."""
    return shared.sign(secret, body, timestamp)


def verify(
    secret: str,
    body: bytes,
    header: str | None,
    now: float,
    tolerance_seconds: int = DEFAULT_TOLERANCE_SECONDS,
) -> None:
    """Raise BadSignature (401) unless the header signs the body; StaleWebhook (400)
    when it was signed further than the tolerance from now, either way."""
    try:
        shared.verify(secret, body, header, now, tolerance_seconds, header=HEADER)
    except shared.StaleSignature as stale:
        raise StaleWebhook(str(stale)) from None
    except shared.BadSignature as bad:
        raise BadSignature(str(bad)) from None
