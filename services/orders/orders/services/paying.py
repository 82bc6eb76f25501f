"""Paying by card: the card checked, handed to the provider (once per
Idempotency-Key), the payment `processing` until the provider's webhook
answers (orders.services.webhooks)."""

from __future__ import annotations

from common.auth import Identity
from common.db import UnitOfWork
from common.errors import Conflict, NotFound
from orders import domain, idempotency
from orders.domain import PaymentStatus, Status
from orders.idempotency import Answer
from orders.models import Order, Payment
from orders.payments import Card, ProviderRefused, ProviderUnavailable
from orders.services.base import invalid, is_uuid, keyed_request, payment_of, provider_down
from orders.services.context import Context
from orders.services.views import PAYMENT_OUT, current_view, payment_view
from orders.services.wallets import back_to_card


def pay_with_card(
    ctx: Context, who: Identity, payment_id: str, card: dict[str, str], key: str
) -> Answer:
    """Hand the card to the provider; its answer comes later by webhook."""
    number, problems = domain.check_card(
        card["card_number"], card["expiry"], card["cvc"], domain.reference_day(ctx.clock.now())
    )
    if problems:
        raise invalid("The card cannot be used.", problems)
    request = keyed_request(ctx, who, key, f"POST /payments/{payment_id}/card", {
        "card_number": number, "expiry": card["expiry"].strip(), "cvc": card["cvc"].strip(),
    })  # fmt: skip
    with ctx.uow() as uow:
        order, payment = _own_payment(uow, payment_id, who)
        first = idempotency.replay(uow, request, current_view)
        if first is not None:
            return first
        _check_takes_a_card(order, payment)
        back_to_card(ctx, uow, order, payment)
        try:
            ctx.provider.authorise_card(
                payment.provider_payment_id,
                Card(number, card["expiry"].strip(), card["cvc"].strip()),
            )
        except ProviderUnavailable as exc:
            raise provider_down(exc) from None
        except ProviderRefused as exc:
            raise Conflict(f"The payment provider refused the card: {exc}") from None
        payment.status = PaymentStatus.PROCESSING.value
        payment.failure_reason = None
        payment.card_last4 = number[-4:]
        payment.updated_at = uow.clock.now()
        uow.session.flush()
        answer = Answer(
            202, PAYMENT_OUT.dump(payment_view(payment)), resource=f"payment:{payment.id}"
        )
        idempotency.remember(uow, request, answer)
        uow.commit()
        return answer


def _check_takes_a_card(order: Order, payment: Payment) -> None:
    if order.status != Status.AWAITING_PAYMENT:
        message = f"The order is {order.status}: it takes no payment now."
        raise Conflict(message, errors={"status": [message]})
    if not domain.takes_card(payment.status):
        message = f"The payment is {payment.status}: it takes a card only when created or failed."
        raise Conflict(message, errors={"status": [message]})


def _own_payment(uow: UnitOfWork, payment_id: str, who: Identity) -> tuple[Order, Payment]:
    found = uow.session.get(Payment, payment_id) if is_uuid(payment_id) else None
    if found is None:
        raise NotFound(f"There is no payment {payment_id}.")
    order = uow.session.get(Order, found.order_id, with_for_update=True)
    payment = payment_of(uow, order, lock=True) if order is not None else None
    if order is None or payment is None or order.applicant_id != who.subject:
        raise NotFound(f"There is no payment {payment_id}.")
    return order, payment
