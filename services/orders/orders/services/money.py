"""The payment's money moves at the provider, inside the caller's transaction
(which has the order and its payment locked): void an authorisation, capture
it, refund what was captured. Each checks the domain's rule first, calls the
provider, and writes only once it answered; a provider out of reach is
UpstreamUnavailable (503), and the payment is left as it was."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from common.db import UnitOfWork
from common.errors import Conflict
from orders import domain, events
from orders.domain import PaymentStatus
from orders.models import Order, Payment
from orders.payments import PaymentProvider, ProviderRefused, ProviderUnavailable
from orders.payments.wallets import WalletProvider
from orders.services.base import provider_down, publish
from orders.services.context import Context


def provider_of(ctx: Context, payment: Payment) -> PaymentProvider | WalletProvider:
    """The company the payment is made with: its wallet's adapter, or the card's provider."""
    return ctx.wallets.get(payment.method) or ctx.provider


class CaptureRefused(Conflict):
    """The provider would not take the money; `reason` is its own word for why."""

    def __init__(self, reason: str) -> None:
        message = f"The payment provider refused the capture: {reason}"
        super().__init__(message, errors={"payment": [message]})
        self.reason = reason


def void_payment(
    ctx: Context, uow: UnitOfWork, order: Order, payment: Payment | None, reason: str
) -> None:
    """Release the money held for the order (publishing orders.payment_voided)."""
    if payment is None or payment.status not in domain.VOIDABLE:
        return
    try:
        provider_of(ctx, payment).void(payment.provider_payment_id)
    except (ProviderUnavailable, ProviderRefused) as exc:
        raise provider_down(exc) from None
    payment.status = PaymentStatus.VOIDED.value
    payment.updated_at = uow.clock.now()
    publish(uow, order, events.PAYMENT_VOIDED,
             {"order_id": order.id, "payment_id": payment.id, "reason": reason})  # fmt: skip


def capture_payment(
    ctx: Context, uow: UnitOfWork, payment: Payment, amount_fen: int | None = None
) -> None:
    """Take the authorised money, on approval. CaptureRefused when the provider says no."""
    amount = payment.amount_fen if amount_fen is None else amount_fen
    problem = domain.capture_problem(payment.status, amount, payment.amount_fen)
    if problem:
        raise Conflict(problem, errors={"amount_fen": [problem]})
    try:
        provider_of(ctx, payment).capture(payment.provider_payment_id, amount)
    except ProviderUnavailable as exc:
        raise provider_down(exc) from None
    except ProviderRefused as exc:
        raise CaptureRefused(str(exc)) from None
    payment.status = PaymentStatus.CAPTURED.value
    payment.captured_fen = amount
    payment.updated_at = uow.clock.now()


def refund_payment(
    ctx: Context, uow: UnitOfWork, payment: Payment, amount_fen: int, reason: str
) -> str:
    """Give back part or all of what was captured (never more); the refund's id at
    the provider."""
    problem = domain.refund_problem(
        payment.status, payment.captured_fen, payment.refunded_fen, amount_fen
    )
    if problem:
        raise Conflict(problem, errors={"amount_fen": [problem]})
    refund_id = _at_provider(
        lambda: provider_of(ctx, payment).refund(payment.provider_payment_id, amount_fen, reason)
    )
    payment.refunded_fen += amount_fen
    payment.status = domain.status_after_refund(payment.captured_fen, payment.refunded_fen).value
    payment.updated_at = uow.clock.now()
    return refund_id


T = TypeVar("T")


def _at_provider(call: Callable[[], T]) -> T:
    try:
        return call()
    except ProviderUnavailable as exc:
        raise provider_down(exc) from None
    except ProviderRefused as exc:
        raise Conflict(f"The payment provider refused: {exc}") from None
