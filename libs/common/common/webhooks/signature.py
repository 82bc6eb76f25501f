"""The webhook signature real providers use:

    <Header>: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>[,v1=…]

The timestamp is inside what is signed, so an old webhook cannot be replayed
with a fresh time; one signed further than the tolerance from now, either
way, is refused. During a key rotation the sender signs with the old and the
new secret (one `v1` each) and the receiver accepts any of the secrets it
holds, so neither side has to switch at the same moment.

The refusals are `BadSignature` (missing, malformed or not matching: answer
401) and `StaleSignature` (outside the tolerance); both are
`SignatureRejected`, and each service says what HTTP answer they get.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence

DEFAULT_TOLERANCE_SECONDS = 300

Secrets = str | Sequence[str]


class SignatureRejected(Exception):
    """A webhook that must not be acted on: its signature does not hold."""


class BadSignature(SignatureRejected):
    """The signature is missing, malformed, or made with no secret we hold."""


class StaleSignature(SignatureRejected):
    """A good signature, made further than the tolerance from now."""


def _secrets(secrets: Secrets) -> tuple[str, ...]:
    found = (secrets,) if isinstance(secrets, str) else tuple(secrets)
    if not found or not all(found):
        raise ValueError("a webhook signature needs at least one non-empty secret")
    return found


def _mac(secret: str, timestamp: int, body: bytes) -> str:
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def sign(secrets: Secrets, body: bytes, timestamp: int) -> str:
    """The header value for `body` sent at `timestamp`: one `v1` per secret."""
    macs = ",".join(f"v1={_mac(secret, timestamp, body)}" for secret in _secrets(secrets))
    return f"t={timestamp},{macs}"


def verify(
    secrets: Secrets,
    body: bytes,
    value: str | None,
    now: float,
    tolerance_seconds: int = DEFAULT_TOLERANCE_SECONDS,
    *,
    header: str = "signature",
) -> int:
    """The signed timestamp, or BadSignature / StaleSignature. `header` names the
    header in the refusals' messages."""
    if not value:
        raise BadSignature(f"The {header} header is missing.")
    parts: dict[str, list[str]] = {}
    for item in value.split(","):
        key, _, part = item.strip().partition("=")
        parts.setdefault(key, []).append(part)
    stamps = parts.get("t") or []
    if len(stamps) != 1 or not stamps[0].isdigit():
        raise BadSignature(f"The {header} header has no timestamp.")
    timestamp = int(stamps[0])
    given = parts.get("v1") or []
    # Every pair is compared (no early exit on the first secret), in constant time each.
    matches = [
        hmac.compare_digest(_mac(secret, timestamp, body), mac)
        for secret in _secrets(secrets)
        for mac in given
    ]
    if not any(matches):
        raise BadSignature("The webhook's signature does not match its body.")
    if abs(now - timestamp) > tolerance_seconds:
        raise StaleSignature(
            f"The webhook was signed {int(now - timestamp)} s from now; "
            f"only {tolerance_seconds} s either way are accepted."
        )
    return timestamp
