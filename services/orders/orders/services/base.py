"""What every use case shares: finding the order (another applicant's is 404,
never 403), its payment, a guarded move of the state machine written on the
timeline, its events through the outbox, and its timers.

Locks are always taken order first, then its payment.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select

from common.auth import Identity
from common.db import UnitOfWork
from common.errors import Conflict, InvalidInput, NotFound, UpstreamUnavailable
from orders import domain, events, idempotency
from orders.domain import Action, Actor, Status
from orders.domain.timeline import Entry
from orders.models import Order, Payment, TimelineEntry, Timer
from orders.services.context import OUTSIDE_ACTORS, Context

log = logging.getLogger("orders.services")

UNPAID_EXPIRY = "unpaid_expiry"
DRAFT_IDLE = "draft_idle"
AUTO_CONFIRM = "auto_confirm"  # a delivered order completes itself (services.receipt)


def invalid(summary: str, problems: Mapping[str, list[str]]) -> InvalidInput:
    names = ", ".join(sorted(problems))
    return InvalidInput(f"{summary} Check these fields: {names}.", errors=dict(problems))


def conflict(error: domain.IllegalTransition) -> Conflict:
    return Conflict(error.message, errors={"status": [error.message]})


def check_allowed(order: Order, action: Action, actor: Actor) -> Status:
    """Where the action would take the order; 409 naming its state otherwise."""
    try:
        return domain.next_status(order.status, action, actor)
    except domain.IllegalTransition as error:
        raise conflict(error) from None


def move(
    uow: UnitOfWork,
    order: Order,
    action: Action,
    actor: Actor,
    who: str,
    code: Entry,
    params: dict[str, Any] | None = None,
) -> str:
    """Take the order through a transition of the state machine, on its timeline."""
    target = check_allowed(order, action, actor)
    before = order.status
    now = uow.clock.now()
    order.status = target.value
    order.updated_at = now
    _write(uow, order, before, who, actor, code, params)
    return before


def note(
    uow: UnitOfWork,
    order: Order,
    who: str,
    actor: Actor,
    code: Entry,
    params: dict[str, Any] | None = None,
) -> None:
    """A step on the timeline that changes no state (from_status = to_status):
    produced, a tracking update, a failed attempt, a reminder, a paused timer."""
    _write(uow, order, order.status, who, actor, code, params)


def _write(
    uow: UnitOfWork,
    order: Order,
    before: str | None,
    who: str,
    actor: Actor,
    code: Entry,
    params: dict[str, Any] | None,
) -> None:
    kind = domain.actor_kind(actor, by_provider=who in OUTSIDE_ACTORS)
    uow.session.add(
        TimelineEntry(order_id=order.id, at=uow.clock.now(), from_status=before,
                      to_status=order.status, actor=who, actor_kind=kind.value,
                      code=code.value, params=params or {})
    )  # fmt: skip


def publish(uow: UnitOfWork, order: Order, event_type: str, values: dict[str, Any]) -> None:
    uow.publish(event_type, events.payload(event_type, values), correlation_id=order.id)


def provider_down(exc: Exception) -> UpstreamUnavailable:
    log.warning("payment provider unavailable", extra={"error": str(exc)[:200]})
    return UpstreamUnavailable(
        "The payment provider is unavailable right now; try again in a moment."
    )


def is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def find_order(uow: UnitOfWork, order_id: str, who: Identity, *, lock: bool = False) -> Order:
    """The order if the caller may see it; another applicant's is 404, never 403."""
    order = None
    if is_uuid(order_id):
        order = uow.session.get(Order, order_id, with_for_update=lock or None)
    if order is None or (not who.is_staff and order.applicant_id != who.subject):
        raise NotFound(f"There is no order {order_id}.")
    return order


def own_order(uow: UnitOfWork, order_id: str, who: Identity) -> Order:
    """An order its applicant changes; staff change nothing here."""
    order = find_order(uow, order_id, who, lock=True)
    if order.applicant_id != who.subject:
        raise NotFound(f"There is no order {order_id}.")
    return order


def payment_of(uow: UnitOfWork, order: Order, *, lock: bool = False) -> Payment | None:
    query = select(Payment).where(Payment.order_id == order.id)
    if lock:
        query = query.with_for_update()
    return uow.session.scalars(query).one_or_none()


def set_timer(
    uow: UnitOfWork,
    order: Order,
    kind: str,
    due_at: datetime,
    details: dict[str, Any] | None = None,
) -> None:
    """The order's timer of this kind, due at `due_at` (one of each kind an order)."""
    timer = uow.session.scalars(
        select(Timer).where(Timer.order_id == order.id, Timer.kind == kind)
    ).one_or_none()
    if timer is None:
        uow.session.add(
            Timer(order_id=order.id, kind=kind, due_at=due_at, attempts=0, details=details)
        )
        return
    timer.due_at, timer.fired_at, timer.attempts, timer.last_error = due_at, None, 0, None
    timer.details, timer.paused_left_seconds = details, None


def pending_timer(uow: UnitOfWork, order: Order, kind: str) -> Timer | None:
    """The order's timer of this kind if it has not fired yet."""
    return uow.session.scalars(
        select(Timer).where(
            Timer.order_id == order.id, Timer.kind == kind, Timer.fired_at.is_(None)
        )
    ).one_or_none()


def touch_draft(ctx: Context, uow: UnitOfWork, order: Order, *, new: bool = False) -> None:
    """Activity on a draft: it is idle `draft_idle` from now. A `new` draft has
    no timer yet, so there is none to look up."""
    now = uow.clock.now()
    order.updated_at = now
    if new:
        uow.session.add(
            Timer(order_id=order.id, kind=DRAFT_IDLE, due_at=now + ctx.draft_idle, attempts=0)
        )
        return
    set_timer(uow, order, DRAFT_IDLE, now + ctx.draft_idle)


def keyed_request(
    ctx: Context, who: Identity, key: str, endpoint: str, body: dict[str, Any]
) -> idempotency.Request:
    """The request as its Idempotency-Key remembers it: the applicant's key for
    this endpoint (which names the order or payment), the body as a fingerprint."""
    return idempotency.Request(
        applicant_id=who.subject,
        key=key,
        endpoint=endpoint,
        fingerprint=idempotency.fingerprint(ctx.fingerprint_secret, body),
    )
