"""The payment provider's webhooks: what it says happened to a payment, acted
on once, the payment's own state moved and, once authorised, the order
submitted for review. An authorisation that arrives for an order closed or
cancelled meanwhile is voided at once.

What cannot be trusted is refused with a 4xx naming the field, logged, and
changes nothing: a bad signature (401), a payment orders does not know (404
`payment_id`), an amount other than the payment's (422 `amount_fen`), an
event already received (409 `id`, a replay)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, NoReturn

from sqlalchemy import select

from common.db import UnitOfWork
from common.errors import DomainError
from orders import domain, events
from orders import payments as provider
from orders.domain import PaymentStatus, Status
from orders.domain.timeline import Entry
from orders.models import Order, Payment, PaymentEvent
from orders.payments import BadSignature, WebhookRejected
from orders.services.base import payment_of, publish
from orders.services.context import PROVIDER_ACTOR, Context
from orders.services.money import void_payment
from orders.services.submitting import mark_submitted

log = logging.getLogger("orders.services.webhooks")


class WebhookRefused(DomainError):
    title = "The webhook is refused"
    slug = "webhook-refused"


class UnknownPayment(DomainError):
    status = 404
    title = "The webhook names a payment orders does not know"
    slug = "webhook-unknown-payment"


class ReplayedWebhook(DomainError):
    status = 409
    title = "The webhook was already received"
    slug = "webhook-replayed"


class WrongAmount(DomainError):
    status = 422
    title = "The webhook's amount is not the payment's"
    slug = "webhook-wrong-amount"


class WebhookUnauthorised(DomainError):
    status = 401
    title = "The webhook's signature is not valid"
    slug = "webhook-signature"


def receive_webhook(ctx: Context, body: bytes, headers: Mapping[str, str]) -> dict[str, str]:
    """Act once on what the provider says happened to a payment."""
    try:
        event = ctx.provider.parse_webhook(body, headers, ctx.clock.now())
    except BadSignature as exc:
        log.warning("webhook refused: %s", exc)
        raise WebhookUnauthorised(str(exc), errors={"signature": [str(exc)]}) from None
    except WebhookRejected as exc:
        log.warning("webhook refused: %s", exc)
        raise WebhookRefused(str(exc), errors={"body": [str(exc)]}) from None
    with ctx.uow() as uow:
        if uow.session.get(PaymentEvent, event.id) is not None:
            _refuse(ReplayedWebhook, "id", f"The event {event.id} was already received.", event)
        found = uow.session.scalars(
            select(Payment).where(Payment.provider_payment_id == event.payment_id)
        ).one_or_none()
        if found is None:
            message = f"There is no payment {event.payment_id}: orders does not know it."
            _refuse(UnknownPayment, "payment_id", message, event)
        order = uow.session.get(Order, found.order_id, with_for_update=True)
        payment = payment_of(uow, order, lock=True) if order is not None else None
        if order is None or payment is None:  # pragma: no cover - rows are never deleted
            return {"status": "ignored"}
        said = event.data.get("amount_fen")
        if said is not None and said != payment.amount_fen:
            message = f"The amount {said} fen is not the payment's {payment.amount_fen} fen."
            _refuse(WrongAmount, "amount_fen", message, event)
        applied = _apply_webhook(ctx, uow, order, payment, event.type, event.data)
        outcome = "processed" if applied else "ignored"
        uow.session.add(
            PaymentEvent(provider_event_id=event.id, payment_id=payment.id, type=event.type,
                         outcome=outcome, data=event.data, received_at=uow.clock.now())
        )  # fmt: skip
        uow.commit()
    log.info("webhook %s %s: %s", event.id, event.type, outcome, extra={"correlation_id": order.id})
    return {"status": outcome}


def _refuse(
    refusal: type[DomainError], field: str, message: str, event: provider.WebhookEvent
) -> NoReturn:
    """Log and refuse a webhook that must not be acted on (the transaction rolls back)."""
    log.warning("webhook refused: %s", message,
                extra={"provider_event": event.id, "provider_payment": event.payment_id})  # fmt: skip
    raise refusal(message, errors={field: [message]})


def _apply_webhook(
    ctx: Context, uow: UnitOfWork, order: Order, payment: Payment, kind: str, data: dict[str, Any]
) -> bool:
    now = uow.clock.now()
    status = payment.status
    if kind == provider.AUTHORISED and status in domain.AWAITING_ANSWER:
        payment.status, payment.failure_reason = PaymentStatus.AUTHORISED.value, None
        payment.card_last4 = data.get("card_last4") or payment.card_last4
        payment.updated_at = now
        publish(uow, order, events.PAYMENT_AUTHORISED,
                 {"order_id": order.id, "payment_id": payment.id, "amount_fen": payment.amount_fen})  # fmt: skip
        if order.status == Status.AWAITING_PAYMENT:
            mark_submitted(uow, order, PROVIDER_ACTOR, Entry.PAID_AUTHORISED,
                           {"amount_fen": payment.amount_fen})  # fmt: skip
        else:  # closed or cancelled while the card was on its way: give the money back
            void_payment(ctx, uow, order, payment,
                         f"The order was already {order.status} when the payment was authorised.")  # fmt: skip
        return True
    if kind in (provider.DECLINED, provider.FAILED) and status in domain.AWAITING_ANSWER:
        reason = str(
            data.get("reason")
            or ("card_declined" if kind == provider.DECLINED else "processing_error")
        )
        payment.status, payment.failure_reason, payment.updated_at = (
            PaymentStatus.FAILED.value,
            reason,
            now,
        )
        publish(uow, order, events.PAYMENT_FAILED,
                 {"order_id": order.id, "payment_id": payment.id, "reason": reason})  # fmt: skip
        return True
    if kind == provider.VOIDED and status in domain.VOIDABLE:
        payment.status, payment.updated_at = PaymentStatus.VOIDED.value, now
        publish(uow, order, events.PAYMENT_VOIDED,
                 {"order_id": order.id, "payment_id": payment.id, "reason": "Voided by the provider."})  # fmt: skip
        return True
    if kind == provider.CAPTURED and status == PaymentStatus.AUTHORISED:
        payment.status, payment.updated_at = PaymentStatus.CAPTURED.value, now
        payment.captured_fen = int(data.get("captured_fen") or payment.amount_fen)
        return True
    if kind == provider.REFUNDED and status in (PaymentStatus.CAPTURED, PaymentStatus.REFUNDED):
        refunded = min(int(data.get("refunded_fen") or 0), payment.captured_fen)
        if refunded <= payment.refunded_fen:
            return False
        payment.refunded_fen, payment.updated_at = refunded, now
        payment.status = domain.status_after_refund(payment.captured_fen, refunded).value
        return True
    return False
