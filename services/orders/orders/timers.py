"""The worker's timers: each sweep fires the timers that are due at `now`.

Timers are rows (`timers`: order, kind, due_at, fired_at, details,
paused_left_seconds; a paused timer is skipped until it resumes). A sweep
takes one due timer at a time with `FOR UPDATE SKIP LOCKED`, so several
workers share the work without firing one twice, and handles it in its own
transaction together with the order's change and its events. A timer whose
order has moved on fires without effect.

Some timers call the payment provider: the unpaid expiry asks a wallet
where its trade stands (its notification may be late) and voids or closes, the capture
after an approval captures, the release after a rejection voids or refunds.
Their work reads (the order locked FOR UPDATE on PostgreSQL), calls the
provider, and writes only once it answered, so on SQLite no write lock is
held during the call. When the provider cannot be reached the timer stays,
due again after 30 s, then after twice as long each time (at most 10
minutes), and the order stays as it is until then.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from common.db import UnitOfWork
from common.errors import Conflict, UpstreamUnavailable
from orders import events, idempotency
from orders.domain import Action, Actor, Status
from orders.domain.timeline import Entry, seconds
from orders.models import Order, Timer
from orders.services.base import DRAFT_IDLE, UNPAID_EXPIRY, move, payment_of, publish
from orders.services.context import SYSTEM_ACTOR, Context
from orders.services.money import void_payment
from orders.services.receipt import AUTO_CONFIRM, auto_confirm
from orders.services.review import CAPTURE, RELEASE_MONEY, capture_approved, release_and_close
from orders.services.wallets import query_late_trades, settle_by_query

log = logging.getLogger("orders.timers")

RETRY_AFTER = timedelta(seconds=30)
RETRY_AT_MOST = timedelta(minutes=10)
BATCH = 100

Work = Callable[[Context, UnitOfWork, Order, dict[str, Any]], bool | datetime]


def expire_unpaid_orders(ctx: Context, now: datetime) -> int:
    """Close the orders unpaid past their pay-by time, voiding what the card holds."""
    return _fire(ctx, now, UNPAID_EXPIRY, lambda ctx, uow, order, _: expire_unpaid(ctx, uow, order))


def discard_idle_drafts(ctx: Context, now: datetime) -> int:
    """Discard the drafts nobody touched for the idle period."""
    return _fire(ctx, now, DRAFT_IDLE, lambda ctx, uow, order, _: discard_idle(ctx, uow, order))


def move_the_money(ctx: Context, now: datetime) -> int:
    """Capture the approved orders' payments and give back the rejected ones' money."""
    return _fire(ctx, now, CAPTURE, capture_approved) + _fire(
        ctx, now, RELEASE_MONEY, release_and_close
    )


def auto_confirm_receipts(ctx: Context, now: datetime) -> int:
    """Complete the orders delivered ORDERS_AUTO_CONFIRM_DAYS ago (a paused timer waits)."""
    return _fire(ctx, now, AUTO_CONFIRM, auto_confirm)


def _duration(span: timedelta) -> str:
    seconds = int(span.total_seconds())
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size and seconds % size == 0:
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return f"{seconds} seconds"


def expire_unpaid(ctx: Context, uow: UnitOfWork, order: Order) -> bool | datetime:
    """Close an order not paid in time (the timer's work); False if it was paid."""
    if order.status != Status.AWAITING_PAYMENT:
        return False
    payment = payment_of(uow, order, lock=True)
    # A wallet's notification may be late: ask it before closing the trade.
    if payment is not None and settle_by_query(ctx, uow, order, payment):
        return True
    reason = f"Not paid within {_duration(ctx.unpaid_expiry)} of submission."
    void_payment(ctx, uow, order, payment, reason)
    move(uow, order, Action.EXPIRE, Actor.SYSTEM, SYSTEM_ACTOR, Entry.EXPIRED_UNPAID,
         {"after_seconds": seconds(ctx.unpaid_expiry)})  # fmt: skip
    publish(uow, order, events.CLOSED_UNPAID,
             {"order_id": order.id, "reference": order.reference, "reason": reason})  # fmt: skip
    return True


def discard_idle(ctx: Context, uow: UnitOfWork, order: Order) -> bool | datetime:
    """Discard a draft nobody touched for `draft_idle` (the timer's work); when it
    was touched since the timer was set, the time it becomes idle instead."""
    if order.status != Status.DRAFT:
        return False
    idle_from = order.updated_at + ctx.draft_idle
    if idle_from > uow.clock.now():
        return idle_from
    move(uow, order, Action.DISCARD, Actor.SYSTEM, SYSTEM_ACTOR, Entry.DRAFT_DISCARDED,
         {"idle_seconds": seconds(ctx.draft_idle)})  # fmt: skip
    publish(uow, order, events.DISCARDED, {"order_id": order.id, "reference": order.reference})
    return True


def retry_after(attempts: int) -> timedelta:
    """How long a timer the provider could not serve waits after its n-th attempt."""
    return min(RETRY_AFTER * 2 ** max(attempts - 1, 0), RETRY_AT_MOST)


def _fire(ctx: Context, now: datetime, kind: str, act: Work) -> int:
    """Fire up to BATCH due timers of a kind; how many changed their order."""
    changed = 0
    for _ in range(BATCH):
        with ctx.uow() as uow:
            timer = uow.session.scalars(
                select(Timer)
                .where(
                    Timer.kind == kind,
                    Timer.fired_at.is_(None),
                    Timer.paused_left_seconds.is_(None),
                    Timer.due_at <= now,
                )
                .order_by(Timer.due_at, Timer.id)
                .limit(1)
                .with_for_update(skip_locked=True)
            ).first()
            if timer is None:
                break
            timer_id, order_id = timer.id, timer.order_id
            order = uow.session.get(Order, order_id, with_for_update=True)
            try:
                outcome = act(ctx, uow, order, timer.details or {}) if order is not None else False
            except (UpstreamUnavailable, Conflict) as exc:  # the provider refused a void or refund
                uow.session.rollback()
                _postpone(ctx, timer_id, now, str(exc))
                continue
            if isinstance(outcome, datetime):  # not due after all: the order was touched since
                timer.due_at = outcome
            else:
                timer.fired_at = now
                timer.attempts += 1
            uow.commit()
        if outcome is True:
            changed += 1
            log.info("timer %s fired", kind, extra={"correlation_id": order_id})
    return changed


def _postpone(ctx: Context, timer_id: int, now: datetime, error: str) -> None:
    with ctx.uow() as uow:
        timer = uow.session.get(Timer, timer_id, with_for_update=True)
        if timer is None or timer.fired_at is not None:  # pragma: no cover - raced another worker
            return
        timer.attempts += 1
        timer.last_error = error[:500]
        timer.due_at = now + retry_after(timer.attempts)
        uow.commit()
    log.warning("timer postponed", extra={"timer": timer_id, "reason": error[:200]})


def query_late_wallet_trades(ctx: Context, now: datetime) -> int:
    """Ask the wallets about the trades whose notification is late (services.wallets)."""
    return query_late_trades(ctx, now)


def purge_idempotency_keys(ctx: Context, now: datetime) -> int:
    """Forget Idempotency-Keys older than a day (idempotency.KEPT_FOR)."""
    with ctx.uow() as uow:
        return idempotency.forget_old_keys(uow, now)
