"""The submission: the price locked from the fee in force now (read from the
catalog afresh, never the cached item), the payment opened at the provider,
the order awaiting payment (or submitted at once when there is nothing to
pay); and the step to `submitted` once the payment is authorised."""

from __future__ import annotations

import uuid
from typing import Any

from common.auth import Identity
from common.db import UnitOfWork
from common.errors import Conflict
from orders import domain, events, idempotency
from orders.domain import Action, Actor, PaymentStatus
from orders.domain.timeline import Entry
from orders.idempotency import Answer
from orders.models import Order, Payment, Timer
from orders.payments import ProviderRefused, ProviderUnavailable
from orders.services.base import (
    UNPAID_EXPIRY,
    check_allowed,
    keyed_request,
    move,
    own_order,
    provider_down,
    publish,
)
from orders.services.context import SYSTEM_ACTOR, Context
from orders.services.snapshot import fee_now, item_on_sale, take_snapshot
from orders.services.views import ORDER_OUT, blockers, current_view, view_of


def submit(ctx: Context, who: Identity, order_id: str, key: str) -> Answer:
    """Lock the price, open the payment and wait for it (or submit at once when
    there is nothing to pay)."""
    request = keyed_request(ctx, who, key, f"POST /orders/{order_id}/submit", {})
    with ctx.uow() as uow:
        order = own_order(uow, order_id, who)
        first = idempotency.replay(uow, request, current_view)
        if first is not None:
            return first
        check_allowed(order, Action.SUBMIT, Actor.APPLICANT)
        # Never the cached item: the price is locked from the fee in force now.
        item = item_on_sale(ctx, order.item_code, fresh=True)
        take_snapshot(order, item)
        now = uow.clock.now()
        missing = blockers(order, now)
        if any(missing.values()):
            raise Conflict(domain.describe_blockers(missing), errors=missing)
        fee = fee_now(order, now)
        if fee is None or order.delivery is None:
            raise Conflict("The item has no fee in force: it cannot be applied for now.")
        price = domain.quote(fee, order.delivery["kind"])
        payment = _open_payment(ctx, order, price.total_fen) if price.total_fen > 0 else None
        _lock_in(ctx, uow, order, price, payment, who)
        answer = Answer(
            200, ORDER_OUT.dump(view_of(uow, order, payment=payment)), resource=f"order:{order.id}"
        )
        idempotency.remember(uow, request, answer)
        uow.commit()
        return answer


def _open_payment(ctx: Context, order: Order, amount_fen: int) -> Payment:
    payment_id = str(uuid.uuid4())
    try:
        provider_id = ctx.provider.create(
            merchant_reference=payment_id, reference=order.reference, amount_fen=amount_fen
        )
    except (ProviderUnavailable, ProviderRefused) as exc:
        raise provider_down(exc) from None
    now = ctx.clock.now()
    return Payment(
        id=payment_id,
        order_id=order.id,
        provider=ctx.provider.name,
        provider_payment_id=provider_id,
        status=PaymentStatus.CREATED.value,
        amount_fen=amount_fen,
        captured_fen=0,
        refunded_fen=0,
        created_at=now,
        updated_at=now,
    )


def _lock_in(
    ctx: Context, uow: UnitOfWork, order: Order, price: domain.Price, payment: Payment | None,
    who: Identity,
) -> None:  # fmt: skip
    now = uow.clock.now()
    pay_by = now + ctx.unpaid_expiry
    order.locked_price = price.as_dict(locked=True)
    order.submitted_at = now
    order.pay_by = pay_by
    move(uow, order, Action.SUBMIT, Actor.APPLICANT, who.subject, Entry.SUBMITTED,
         {"total_fen": price.total_fen, "fee_version": price.fee_version})  # fmt: skip
    if payment is None:  # nothing to pay: on to review at once
        order.pay_by = None
    publish(uow, order, events.AWAITING_PAYMENT, {
        "order_id": order.id, "reference": order.reference, "total_fen": price.total_fen,
        "pay_by": order.pay_by or now,
    })  # fmt: skip
    if payment is None:
        mark_submitted(uow, order, SYSTEM_ACTOR, Entry.NOTHING_TO_PAY, {})
        return
    uow.session.add(payment)
    # Only a draft is submitted, and a draft never awaited payment: it has no
    # unpaid-expiry timer to look up (the lookup was a statement per submit).
    uow.session.add(Timer(order_id=order.id, kind=UNPAID_EXPIRY, due_at=pay_by, attempts=0))


def mark_submitted(
    uow: UnitOfWork, order: Order, actor: str, code: Entry, params: dict[str, Any]
) -> None:
    """Paid (or nothing to pay): awaiting_payment → submitted, for verification to review."""
    move(uow, order, Action.AUTHORISE, Actor.SYSTEM, actor, code, params)
    publish(uow, order, events.SUBMITTED, {
        "order_id": order.id, "reference": order.reference, "applicant_id": order.applicant_id,
        "item_code": order.item_code, "total_fen": (order.locked_price or {}).get("total_fen", 0),
        "submitted_at": order.submitted_at,
        # 0 only for an order drafted before orders kept the SLA (migration 0002):
        # its case is due at once, which puts it first in the queue.
        "sla_working_days": order.sla_working_days or 0,
        "answers": domain.labelled_answers(order.form_fields, order.answers),
    })  # fmt: skip
