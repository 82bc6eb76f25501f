"""The courier webhooks' signature, in the style real providers use:

    X-Courier-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>

The timestamp is signed with the body, so an old webhook cannot be replayed
with a fresh time; one signed further than the tolerance from now is refused.
"""

from __future__ import annotations

import hashlib
import hmac

from fulfillment.couriers import BadSignature

HEADER = "X-Courier-Signature"
DEFAULT_TOLERANCE_SECONDS = 300


def _mac(secret: str, timestamp: int, body: bytes) -> str:
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def sign(secret: str, body: bytes, timestamp: int) -> str:
    return f"t={timestamp},v1={_mac(secret, timestamp, body)}"


def verify(
    secret: str,
    body: bytes,
    header: str | None,
    now: float,
    tolerance_seconds: int = DEFAULT_TOLERANCE_SECONDS,
) -> None:
    """Raise BadSignature unless the header signs the body within the tolerance."""
    if not header:
        raise BadSignature(f"The {HEADER} header is missing.")
    parts: dict[str, list[str]] = {}
    for item in header.split(","):
        key, _, value = item.strip().partition("=")
        parts.setdefault(key, []).append(value)
    stamps = parts.get("t") or []
    if len(stamps) != 1 or not stamps[0].isdigit():
        raise BadSignature(f"The {HEADER} header has no timestamp.")
    timestamp = int(stamps[0])
    expected = _mac(secret, timestamp, body)
    if not any(hmac.compare_digest(expected, given) for given in parts.get("v1") or []):
        raise BadSignature("The webhook's signature does not match its body.")
    if abs(now - timestamp) > tolerance_seconds:
        raise BadSignature(
            f"The webhook was signed {int(now - timestamp)} s from now; "
            f"only {tolerance_seconds} s either way are accepted."
        )
