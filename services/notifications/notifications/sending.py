"""Sending SMS and email through the providers, and their delivery receipts.

`send_due(ctx, now)`, the worker's sweep:

1. claims the due messages (`pending` whose time has come, or `sending` whose
   lease ran out because a worker died mid-send) with FOR UPDATE SKIP LOCKED,
   leases them for LEASE and reads the address they go to, in one short
   transaction;
2. sends each with its idempotency key, with no transaction open;
3. records each answer in its own transaction:
   accepted → `accepted`, never claimed again;
   rejected → `failed` with the provider's reason;
   unavailable → tried again after domain.backoff (quiet hours still hold an
   SMS), `failed` once the attempts run out.
A failure publishes notifications.message_failed. A worker dying between the
provider's acceptance and step 3 sends again after the lease with the same
key, and the provider answers its first acceptance: one message, not two.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select

from common.errors import DomainError, Unauthorized
from notifications import domain, events
from notifications.domain import Channel, Status
from notifications.models import ContactDetails, Message
from notifications.providers import (
    BadSignature,
    MalformedReceipt,
    ProviderRejected,
    ProviderUnavailable,
)
from notifications.services import Context

log = logging.getLogger("notifications.sending")

LEASE = timedelta(seconds=60)
BATCH = 50


@dataclass(frozen=True)
class Claimed:
    id: str
    channel: str
    key: str
    to: str | None
    subject: str
    body: str


def send_due(ctx: Context, now: datetime) -> int:
    """Send every message due at `now`; how many were tried."""
    claimed = _claim(ctx, now)
    for item in claimed:
        _send(ctx, item, now)
    return len(claimed)


def _claim(ctx: Context, now: datetime) -> list[Claimed]:
    with ctx.uow() as uow:
        due = uow.session.scalars(
            select(Message)
            .where(
                Message.channel.in_([Channel.SMS.value, Channel.EMAIL.value]),
                or_(Message.status == Status.PENDING.value, Message.status == Status.SENDING.value),
                Message.next_attempt_at <= now,
            )
            .order_by(Message.next_attempt_at, Message.id)
            .limit(BATCH)
            .with_for_update(skip_locked=True)
        ).all()
        claimed = []
        for message in due:
            message.status, message.next_attempt_at = Status.SENDING.value, now + LEASE
            claimed.append(Claimed(message.id, message.channel, message.idempotency_key,
                                   _address(uow.session.get(ContactDetails, message.account_id),
                                            message.channel),
                                   message.title, message.body))  # fmt: skip
        uow.commit()
        return claimed


def _address(contact: ContactDetails | None, channel: str) -> str | None:
    if contact is None:
        return None
    return contact.phone if channel == Channel.SMS else contact.email


def _send(ctx: Context, item: Claimed, now: datetime) -> None:
    provider = ctx.providers[item.channel]
    if not item.to:
        _record(ctx, item.id, now, failed="no-contact: the account has no address for it")
        return
    try:
        provider_id = provider.send(
            idempotency_key=item.key, to=item.to, subject=item.subject, body=item.body
        )
    except ProviderRejected as exc:
        _record(ctx, item.id, now, failed=f"rejected: {exc}")
    except Exception as exc:  # no answer is no answer, whatever the adapter raised
        reason = str(exc) if isinstance(exc, ProviderUnavailable) else type(exc).__name__
        _record(ctx, item.id, now, unavailable=reason)
    else:
        _record(ctx, item.id, now, accepted=provider_id, provider=provider.name, to=item.to)


def _record(
    ctx: Context, message_id: str, now: datetime, *, accepted: str | None = None,
    provider: str | None = None, to: str | None = None, failed: str | None = None,
    unavailable: str | None = None,
) -> None:  # fmt: skip
    with ctx.uow() as uow:
        message = uow.session.get(Message, message_id, with_for_update=True)
        if message is None or message.status != Status.SENDING:
            return  # the account was deleted meanwhile, or another worker recorded it
        message.attempts += 1
        message.updated_at = now
        if accepted is not None:
            message.status, message.provider_message_id = Status.ACCEPTED.value, accepted
            message.provider, message.accepted_at = provider, now
            message.to_masked, message.next_attempt_at = domain.mask(message.channel, to), None
            message.reason = None
        elif failed is not None:
            fail(uow, message, failed, now)
        else:
            retry = domain.after_failure(message.attempts, ctx.max_attempts, now)
            if retry is None:
                last = f"unavailable: {message.attempts} attempts, the last: {unavailable}"
                fail(uow, message, last, now)
            else:
                message.status, message.reason = Status.PENDING.value, f"unavailable: {unavailable}"
                message.next_attempt_at = domain.release_at(
                    retry, Channel(message.channel), message.quiet_exempt, ctx.quiet_hours
                )
        uow.commit()
    _log(message_id, accepted, failed, unavailable)


def fail(uow: Any, message: Message, reason: str, now: datetime) -> None:
    message.status, message.reason = Status.FAILED.value, reason[:300]
    message.failed_at, message.next_attempt_at = now, None
    uow.publish(events.MESSAGE_FAILED, events.payload(events.MESSAGE_FAILED, {
        "message_id": message.id, "order_id": message.order_id, "channel": message.channel,
        "template": message.template, "reason": message.reason, "attempts": message.attempts,
        "failed_at": now,
    }), correlation_id=message.order_id)  # fmt: skip


def _log(
    message_id: str, accepted: str | None, failed: str | None, unavailable: str | None
) -> None:
    extra = {"message_id": message_id}
    if accepted:
        log.info("message accepted by the provider", extra=extra)
    elif failed:
        log.warning("message failed: %s", failed, extra=extra)
    else:
        log.info("provider unavailable, message will be retried: %s", unavailable, extra=extra)


def receive_receipts(
    ctx: Context, channel: str, provider_name: str, body: bytes, headers: Mapping[str, str]
) -> dict[str, int]:
    """A provider's signed delivery receipts: `accepted` → `delivered` or `undeliverable`."""
    provider = ctx.providers.get(channel)
    if provider is None or provider.name != provider_name:
        raise Unauthorized(f"No {provider_name} provider sends {channel} receipts here.")
    try:
        receipts = provider.parse_receipts(body, headers, ctx.clock.now())
    except BadSignature as exc:
        raise Unauthorized(str(exc)) from exc
    except MalformedReceipt as exc:
        raise DomainError(str(exc)) from exc
    stored = unknown = 0
    with ctx.uow() as uow:
        for receipt in receipts:
            message = uow.session.scalars(
                select(Message).where(Message.channel == channel,
                                      Message.provider_message_id == receipt.provider_message_id)
                .with_for_update()
            ).first()  # fmt: skip
            if message is None:
                unknown += 1
                continue
            stored += 1
            if message.status != Status.ACCEPTED:
                continue  # a receipt sent twice changes nothing the second time
            if receipt.status == "delivered":
                message.status, message.delivered_at = Status.DELIVERED.value, receipt.occurred_at
            else:
                message.status = Status.UNDELIVERABLE.value
                message.reason = f"undeliverable: {receipt.reason or 'no reason given'}"
                message.failed_at = receipt.occurred_at
            message.updated_at = ctx.clock.now()
        uow.commit()
    return {"stored": stored, "unknown": unknown}
