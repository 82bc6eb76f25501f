"""Idempotency keys: a retried request gets the first answer, never a second
order or a second charge.

A key belongs to (applicant, key, endpoint); the endpoint includes the
resource's id (`POST /orders/<id>/submit`). The first successful answer is
stored, status and body, in the same transaction as its effect, so a retry
either finds the whole answer or nothing at all. A refusal stores nothing: the
request can be retried with the same key once what was wrong is put right. The
same key with a different body is refused (422): a key names one request.

The body is remembered only as an HMAC fingerprint, so a card number sent
with a key is never stored, not even hashed in a way one could reverse by
trying every number. The answer is remembered only as what it was about
(`order:<id>` or `payment:<id>`) and a retry is shown that resource as it is
now: a stored answer would be one more copy of the applicant's name, ID
number and address, kept outside the order. Keys are forgotten after a day
(timers.purge_idempotency_keys): a client retries within minutes, not days.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete

from common.db import UnitOfWork
from common.errors import DomainError, InvalidInput
from orders.models import IdempotencyKey

HEADER = "Idempotency-Key"
# How long a key is remembered: long enough for any retry, short enough to hold little.
KEPT_FOR = timedelta(hours=24)
KEY = re.compile(r"^[\x21-\x7e]{1,255}$")


class MissingKey(DomainError):
    status = 400
    title = "An Idempotency-Key header is required"
    slug = "idempotency-key-required"


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict[str, Any]
    replayed: bool = False
    # What the answer is about, e.g. "order:<id>": all a retry needs to answer again.
    resource: str | None = None


# Renders a remembered resource ("order:<id>") as it is now.
Render = Callable[[UnitOfWork, str], dict[str, Any]]


@dataclass(frozen=True)
class Request:
    applicant_id: str
    key: str
    endpoint: str
    fingerprint: str


def check_key(value: str | None) -> str:
    """The header's value, or a 400 naming the header."""
    if value is None or not value.strip():
        raise MissingKey(
            f"This request changes something: send an {HEADER} header (a new random value, "
            "e.g. a UUID, for each new request; the same one when retrying it).",
            errors={HEADER: ["Missing."]},
        )
    key = value.strip()
    if not KEY.match(key):
        raise MissingKey(
            f"The {HEADER} is 1 to 255 visible ASCII characters.",
            errors={HEADER: ["1 to 255 visible ASCII characters."]},
        )
    return key


def fingerprint(secret: bytes, body: Mapping[str, Any]) -> str:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hmac.new(secret, canonical.encode(), hashlib.sha256).hexdigest()


def replay(uow: UnitOfWork, request: Request, render: Render) -> Answer | None:
    """The answer to a retry of this request (its first answer's status, the
    resource as `render` shows it now), if the request was answered before."""
    row = uow.session.get(IdempotencyKey, (request.applicant_id, request.key, request.endpoint))
    if row is None:
        return None
    if not hmac.compare_digest(row.fingerprint, request.fingerprint):
        raise InvalidInput(
            f"This {HEADER} was already used for a different request; use a new key "
            "for a new request.",
            errors={HEADER: ["Already used with a different body."]},
        )
    resource = row.body.get("resource")
    body = render(uow, resource) if resource else row.body  # a body kept before this rule
    return Answer(row.status_code, body, replayed=True, resource=resource)


def remember(uow: UnitOfWork, request: Request, answer: Answer) -> None:
    """Store the answer in the caller's transaction (flushed: a concurrent first
    use of the key fails here, before the caller commits): its status and what
    it is about, never its body."""
    if answer.resource is None:
        raise ValueError("an idempotent answer names its resource")
    uow.session.add(
        IdempotencyKey(
            applicant_id=request.applicant_id,
            key=request.key,
            endpoint=request.endpoint,
            fingerprint=request.fingerprint,
            status_code=answer.status,
            body={"resource": answer.resource},
            created_at=uow.clock.now(),
        )
    )
    uow.session.flush()


def forget_old_keys(uow: UnitOfWork, now: datetime) -> int:
    """Delete the keys remembered longer than KEPT_FOR; returns how many."""
    result = uow.session.execute(
        delete(IdempotencyKey).where(IdempotencyKey.created_at < now - KEPT_FOR)
    )
    uow.commit()
    return int(getattr(result, "rowcount", 0) or 0)
