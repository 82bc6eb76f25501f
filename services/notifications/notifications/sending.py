"""Sending SMS and email through the providers, and their delivery receipts.

`send_due(ctx, now)`, the worker's sweep, in rounds of up to BATCH messages
until a round finds nothing due (or the sweep has run SWEEP_BUDGET):

1. claims the due messages (`pending` whose time has come, or `sending` whose
   lease ran out because a worker died mid-send) with FOR UPDATE SKIP LOCKED,
   leases them for LEASE and reads the addresses they go to, in one short
   transaction of three statements;
2. hands each channel's messages to its provider in one call
   (`Provider.send_many`), each with its idempotency key, with no transaction
   open;
3. records every answer of the round in one transaction:
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
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import String, bindparam, func, or_, select, update
from sqlalchemy.dialects.postgresql import ARRAY

from common.errors import DomainError, Unauthorized
from notifications import domain, events
from notifications.domain import Channel, Status
from notifications.models import ContactDetails, Message, table_of
from notifications.providers import Answer, BadSignature, MalformedReceipt, Outgoing
from notifications.services import Context

log = logging.getLogger("notifications.sending")

LEASE = timedelta(seconds=60)
BATCH = 500
SWEEP_BUDGET = 5.0  # seconds: a sweep ends between rounds after this, so a stop is heard
NO_CONTACT = Answer(rejected="no-contact: the account has no address for it")


@dataclass(frozen=True)
class Claimed:
    id: str
    channel: str
    key: str
    to: str | None
    subject: str
    body: str


def send_due(ctx: Context, now: datetime) -> int:
    """Send every message due at `now` (and, round by round, at the clock's now); how
    many were tried."""
    tried, started = 0, time.monotonic()
    while True:
        claimed = _claim(ctx, now)
        if claimed:
            _record_all(ctx, claimed, _send_all(ctx, claimed), now)
        tried += len(claimed)
        # Round after round while any was due: messages the consumer writes meanwhile
        # go now, not at the next tick.
        if not claimed or time.monotonic() - started > SWEEP_BUDGET:
            return tried
        now = max(now, ctx.clock.now())


def _claim(ctx: Context, now: datetime) -> list[Claimed]:
    with ctx.uow() as uow:
        due = uow.session.execute(
            select(Message.id, Message.channel, Message.generation, Message.account_id,
                   Message.title, Message.body)
            .where(
                Message.channel.in_([Channel.SMS.value, Channel.EMAIL.value]),
                or_(Message.status == Status.PENDING.value, Message.status == Status.SENDING.value),
                Message.next_attempt_at <= now,
            )
            .order_by(Message.next_attempt_at, Message.id)
            .limit(BATCH)
            .with_for_update(skip_locked=True)
        ).all()  # fmt: skip
        if not due:
            return []
        uow.session.execute(
            update(Message).where(Message.id.in_([row.id for row in due]))
            .values(status=Status.SENDING.value, next_attempt_at=now + LEASE)
            .execution_options(synchronize_session=False)
        )  # fmt: skip
        contacts = _contacts(uow, {row.account_id for row in due})
        uow.commit()
    return [Claimed(row.id, row.channel, f"ntf-{row.id}-{row.generation}",
                    _address(contacts.get(row.account_id), row.channel), row.title, row.body)
            for row in due]  # fmt: skip


def _contacts(uow: Any, account_ids: set[str]) -> dict[str, tuple[str | None, str | None]]:
    rows = uow.session.execute(
        select(ContactDetails.account_id, ContactDetails.phone, ContactDetails.email)
        .where(ContactDetails.account_id.in_(account_ids))
    )  # fmt: skip
    return {account_id: (phone, email) for account_id, phone, email in rows}


def _address(contact: tuple[str | None, str | None] | None, channel: str) -> str | None:
    if contact is None:
        return None
    return contact[0] if channel == Channel.SMS else contact[1]


def _send_all(ctx: Context, claimed: list[Claimed]) -> dict[str, Answer]:
    """Each claimed message's answer: one provider call per channel."""
    answers = {item.id: NO_CONTACT for item in claimed if not item.to}
    for channel in {item.channel for item in claimed}:
        batch = [item for item in claimed if item.channel == channel and item.to]
        if not batch:
            continue
        outgoing = [Outgoing(item.key, item.to or "", item.subject, item.body) for item in batch]
        try:
            given = ctx.providers[channel].send_many(outgoing)
        except Exception as exc:  # no answer is no answer, whatever the adapter raised
            given = [Answer(unavailable=type(exc).__name__)] * len(batch)
        answers.update({item.id: answer for item, answer in zip(batch, given, strict=True)})
    return answers


def _record_all(
    ctx: Context, claimed: list[Claimed], answers: dict[str, Answer], now: datetime
) -> None:
    """Every answer of a round in one transaction: the acceptances in one statement,
    each other answer by its rules. A message no longer `sending` is left alone:
    another worker recorded it after our lease ran out, or the account is gone."""
    addresses = {item.id: item.to for item in claimed}
    accepted = {key: answer for key, answer in answers.items() if answer.accepted is not None}
    with ctx.uow() as uow:
        if accepted:
            _accept(ctx, uow, claimed, accepted, addresses, now)
        others = [key for key in answers if key not in accepted]
        if others:
            for message in uow.session.scalars(
                select(Message).where(Message.id.in_(others)).with_for_update()
            ):  # fmt: skip
                if message.status == Status.SENDING:
                    _record(ctx, uow, message, answers[message.id], now)
        uow.commit()
    _log(answers)


_TABLE = table_of(Message)
_SET = {"status": Status.ACCEPTED.value, "next_attempt_at": None, "reason": None,
        "attempts": _TABLE.c.attempts + 1}  # fmt: skip
# PostgreSQL: every acceptance of a round in one UPDATE .. FROM unnest(the arrays).
_GIVEN = (
    func.unnest(*(bindparam(name, type_=ARRAY(String)) for name in ("ids", "pids", "providers", "tos")))
    .table_valued("id", "pid", "provider", "masked").render_derived(name="given")
)  # fmt: skip
_ACCEPT_MANY = (
    update(_TABLE)
    .where(_TABLE.c.id == _GIVEN.c.id, _TABLE.c.status == Status.SENDING.value)
    .values(**_SET, provider_message_id=_GIVEN.c.pid, provider=_GIVEN.c.provider,
            to_masked=_GIVEN.c.masked, accepted_at=bindparam("now"), updated_at=bindparam("now"))
)  # fmt: skip
# Elsewhere (SQLite under make run): the same, one statement per message.
_ACCEPT_EACH = (
    update(_TABLE)
    .where(_TABLE.c.id == bindparam("b_id"), _TABLE.c.status == Status.SENDING.value)
    .values(**_SET, provider_message_id=bindparam("b_pid"), provider=bindparam("b_provider"),
            to_masked=bindparam("b_masked"), accepted_at=bindparam("b_now"),
            updated_at=bindparam("b_now"))
)  # fmt: skip


def _accept(
    ctx: Context, uow: Any, claimed: list[Claimed], accepted: dict[str, Answer],
    addresses: dict[str, str | None], now: datetime,
) -> None:  # fmt: skip
    channels = {item.id: item.channel for item in claimed}
    rows = [(key, answer.accepted, ctx.providers[channels[key]].name,
             domain.mask(channels[key], addresses[key])) for key, answer in accepted.items()]  # fmt: skip
    if uow.session.get_bind().dialect.name == "postgresql":
        ids, pids, providers, masked = (list(column) for column in zip(*rows, strict=True))
        uow.session.execute(_ACCEPT_MANY, {"ids": ids, "pids": pids, "providers": providers,
                                           "tos": masked, "now": now})  # fmt: skip
    else:
        uow.session.execute(_ACCEPT_EACH, [{"b_id": i, "b_pid": p, "b_provider": v, "b_masked": m,
                                            "b_now": now} for i, p, v, m in rows])  # fmt: skip


def _record(ctx: Context, uow: Any, message: Message, answer: Answer, now: datetime) -> None:
    """A refusal or no answer: failed, or tried again after the back-off."""
    message.attempts += 1
    message.updated_at = now
    if answer.rejected is not None:
        reason = answer.rejected
        fail(
            uow, message, reason if reason.startswith("no-contact") else f"rejected: {reason}", now
        )
        return
    retry = domain.after_failure(message.attempts, ctx.max_attempts, now)
    if retry is None:
        last = f"unavailable: {message.attempts} attempts, the last: {answer.unavailable}"
        fail(uow, message, last, now)
    else:
        message.status, message.reason = Status.PENDING.value, f"unavailable: {answer.unavailable}"
        message.next_attempt_at = domain.release_at(
            retry, Channel(message.channel), message.quiet_exempt, ctx.quiet_hours
        )


def fail(uow: Any, message: Message, reason: str, now: datetime) -> None:
    message.status, message.reason = Status.FAILED.value, reason[:300]
    message.failed_at, message.next_attempt_at = now, None
    uow.publish(events.MESSAGE_FAILED, events.payload(events.MESSAGE_FAILED, {
        "message_id": message.id, "order_id": message.order_id, "channel": message.channel,
        "template": message.template, "reason": message.reason, "attempts": message.attempts,
        "failed_at": now,
    }), correlation_id=message.order_id)  # fmt: skip


def _log(answers: dict[str, Answer]) -> None:
    """A line per round, and one per message that did not go: the reason is staff's clue."""
    accepted = sum(1 for answer in answers.values() if answer.accepted is not None)
    for message_id, answer in answers.items():
        extra = {"message_id": message_id}
        if answer.rejected is not None:
            log.warning("message failed: %s", answer.rejected, extra=extra)
        elif answer.unavailable is not None:
            log.info("provider unavailable, message will be retried: %s", answer.unavailable,
                     extra=extra)  # fmt: skip
    log.info("%d of %d messages accepted by the providers", accepted, len(answers))


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
