"""What a supervisor sees and does: failed messages by channel and reason, a
resend, and the counts per day (Beijing days). A resend is a new generation of
the message, so a new idempotency key: no provider accepted the old one."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from common.errors import Conflict, NotFound
from notifications import domain
from notifications.domain import RESENDABLE, Channel, Status
from notifications.models import Message
from notifications.services import Context

FAILED = [status.value for status in RESENDABLE]
FIELDS = ("id", "account_id", "order_id", "reference", "template", "channel", "language",
          "status", "reason", "attempts", "generation", "to_masked", "created_at", "failed_at",
          "next_attempt_at")  # fmt: skip
SENT = (Status.ACCEPTED, Status.DELIVERED, Status.UNDELIVERABLE)


def view(message: Message) -> dict[str, Any]:
    return {name: getattr(message, name) for name in FIELDS}


def reason_group(reason: str | None) -> str:
    """What staff filter by: the reason's kind (`rejected`, `unavailable`, `undeliverable`, `no-contact`)."""
    return (reason or "unknown").split(":", 1)[0]


def failures(
    ctx: Context, channel: str | None, reason: str | None, page: int, per_page: int
) -> dict[str, Any]:
    with ctx.uow() as uow:
        rows = uow.session.scalars(
            select(Message).where(Message.status.in_(FAILED))
            .order_by(Message.failed_at.desc(), Message.id)
        ).all()  # fmt: skip
        counts: dict[tuple[str, str], int] = defaultdict(int)
        for row in rows:
            counts[(row.channel, reason_group(row.reason))] += 1
        chosen = [r for r in rows if (channel is None or r.channel == channel)
                  and (reason is None or reason_group(r.reason) == reason)]  # fmt: skip
        start = (page - 1) * per_page
        return {
            "messages": [view(m) for m in chosen[start:start + per_page]],
            "counts": [{"channel": c, "reason": r, "count": n} for (c, r), n in sorted(counts.items())],
            "page": page, "pages": max(1, -(-len(chosen) // per_page)),
        }  # fmt: skip


def resend(ctx: Context, message_id: str) -> dict[str, Any]:
    with ctx.uow() as uow:
        message = uow.session.get(Message, message_id, with_for_update=True)
        if message is None or message.channel == Channel.INAPP:
            raise NotFound(f"There is no SMS or email message {message_id}.")
        if message.status not in FAILED:
            raise Conflict(f"Only a failed message is sent again; this one is {message.status}.",
                           errors={"status": [message.status]})  # fmt: skip
        now = uow.clock.now()
        message.generation += 1
        message.status, message.attempts, message.failed_at = Status.PENDING.value, 0, None
        message.provider_message_id = None
        message.next_attempt_at = domain.release_at(
            now, Channel(message.channel), message.quiet_exempt, ctx.quiet_hours
        )
        message.updated_at = now
        uow.commit()
        return view(message)


def stats(ctx: Context, days: int) -> dict[str, Any]:
    """Per Beijing day and channel: messages created, sent (accepted), delivered, failed."""
    with ctx.uow() as uow:
        today = ctx.clock.now().astimezone(domain.BEIJING).date()
        first = datetime.combine(today - timedelta(days=days - 1), datetime.min.time(),
                                 tzinfo=domain.BEIJING)  # fmt: skip
        rows = uow.session.execute(
            select(Message.created_at, Message.channel, Message.status)
            .where(Message.created_at >= first)
        ).all()  # fmt: skip
    table: dict[tuple[str, str], dict[str, int]] = {}
    for created_at, channel, status in rows:
        day = created_at.astimezone(domain.BEIJING).date().isoformat()
        counts = table.setdefault(
            (day, channel), {"created": 0, "sent": 0, "delivered": 0, "failed": 0}
        )
        counts["created"] += 1
        counts["sent"] += status in SENT
        counts["delivered"] += status == Status.DELIVERED
        counts["failed"] += status in FAILED
    ordered = sorted(table.items(), key=lambda item: (item[0][0], item[0][1]), reverse=True)
    return {"days": [{"date": d, "channel": c, **n} for (d, c), n in ordered]}
