"""The sandbox payment provider: a stand-in for a payment company that behaves
like one.

It keeps its own state in its own tables (`sandbox_payments`,
`sandbox_webhooks`) and commits it in its own transactions, apart from the
orders service's: a call that succeeded here stays done even if the caller's
transaction then fails, exactly as with a company on the other side of the
internet. A card's answer is not returned by the call but queued as a signed
webhook, due a moment later; the orders worker delivers due webhooks over
HTTP with retries and backoff (common.webhooks.WebhookSender).

Test cards:

    4242 4242 4242 4242   authorised
    4000 0000 0000 0002   declined (card_declined)
    4000 0000 0000 0119   provider error (processing_error)
    4000 0000 0000 9995   authorised, but its capture is refused (insufficient_funds)
    any other number passing the Luhn check: authorised

A capture repeated for the amount already captured succeeds again without
effect, as a real provider's capture with an idempotency key does: the orders
transaction that asked for it may have rolled back after the money was taken,
and its retry must not be told the capture failed.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from common.clock import Clock, SystemClock
from common.columns import UTCDateTime
from common.webhooks import DueWebhook
from orders.domain import luhn_ok
from orders.models import Base
from orders.payments import (
    AUTHORISED,
    CAPTURED,
    DECLINED,
    FAILED,
    REFUNDED,
    VOIDED,
    Card,
    MalformedWebhook,
    ProviderRefused,
    WebhookEvent,
)
from orders.payments.signature import DEFAULT_TOLERANCE_SECONDS, HEADER, verify

log = logging.getLogger("orders.payments.sandbox")

AUTHORISED_CARD = "4242424242424242"
DECLINED_CARD = "4000000000000002"
ERROR_CARD = "4000000000000119"
CAPTURE_REFUSED_CARD = "4000000000009995"
CAPTURE_REFUSALS = {CAPTURE_REFUSED_CARD: "insufficient_funds"}
CARD_OUTCOMES = {
    DECLINED_CARD: (DECLINED, "card_declined"),
    ERROR_CARD: (FAILED, "processing_error"),
}

# The sandbox's own words for where a payment stands.
REQUIRES_CARD = "requires_card"
SB_AUTHORISED = "authorised"
SB_DECLINED = "declined"
SB_FAILED = "failed"
SB_VOIDED = "voided"
SB_CAPTURED = "captured"
SB_REFUNDED = "refunded"
TAKES_CARD = frozenset({REQUIRES_CARD, SB_DECLINED, SB_FAILED})


class SandboxPayment(Base):
    __tablename__ = "sandbox_payments"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    merchant_reference: Mapped[str] = mapped_column(String(100), unique=True)
    reference: Mapped[str] = mapped_column(String(40))
    amount_fen: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))
    captured_fen: Mapped[int] = mapped_column(Integer, default=0)
    refunded_fen: Mapped[int] = mapped_column(Integer, default=0)
    card_last4: Mapped[str | None] = mapped_column(String(4), nullable=True)
    decline_code: Mapped[str | None] = mapped_column(String(40), nullable=True)
    # Why a capture of this authorisation will be refused (the card's test behaviour).
    capture_refusal: Mapped[str | None] = mapped_column(String(40), nullable=True)
    card_attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SandboxWebhook(DueWebhook, Base):
    """A webhook the sandbox owes its merchant, until it is delivered or given up
    (the due-webhook columns are common.webhooks')."""

    __tablename__ = "sandbox_webhooks"

    payment_id: Mapped[str] = mapped_column(ForeignKey("sandbox_payments.id"), index=True)
    type: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SandboxProvider:
    """The PaymentProvider the sandbox offers."""

    name = "sandbox"

    def __init__(
        self,
        sessions: Callable[[], Session],
        secret: str,
        *,
        clock: Clock | None = None,
        webhook_delay: timedelta = timedelta(seconds=1),
        tolerance_seconds: int = DEFAULT_TOLERANCE_SECONDS,
    ) -> None:
        self._sessions = sessions
        self._secret = secret
        self._clock: Clock = clock or SystemClock()
        self._delay = webhook_delay
        self._tolerance = tolerance_seconds

    @contextmanager
    def _transaction(self) -> Iterator[Session]:
        with self._sessions() as session, session.begin():
            yield session

    def _payment(self, session: Session, payment_id: str) -> SandboxPayment:
        payment = session.get(SandboxPayment, payment_id, with_for_update=True)
        if payment is None:
            raise ProviderRefused(f"The sandbox has no payment {payment_id}.")
        return payment

    # -- the provider's API -------------------------------------------------

    def create(self, *, merchant_reference: str, reference: str, amount_fen: int) -> str:
        if amount_fen < 0:
            raise ProviderRefused("The amount cannot be negative.")
        with self._transaction() as session:
            existing = session.scalars(
                select(SandboxPayment).where(
                    SandboxPayment.merchant_reference == merchant_reference
                )
            ).one_or_none()
            if existing is not None:
                if existing.amount_fen != amount_fen:
                    raise ProviderRefused("That merchant reference was opened for another amount.")
                return existing.id
            now = self._clock.now()
            payment = SandboxPayment(
                id=f"sbx_pay_{uuid.uuid4().hex}",
                merchant_reference=merchant_reference,
                reference=reference,
                amount_fen=amount_fen,
                status=REQUIRES_CARD,
                captured_fen=0,
                refunded_fen=0,
                card_attempts=0,
                created_at=now,
                updated_at=now,
            )
            session.add(payment)
            return payment.id

    def authorise_card(self, provider_payment_id: str, card: Card) -> None:
        with self._transaction() as session:
            payment = self._payment(session, provider_payment_id)
            if payment.status not in TAKES_CARD:
                raise ProviderRefused(f"The payment is {payment.status}; it takes no card now.")
            if not card.number.isdigit() or not luhn_ok(card.number):
                raise ProviderRefused("The card number is not valid.")
            event_type, reason = CARD_OUTCOMES.get(card.number, (AUTHORISED, None))
            payment.status = {AUTHORISED: SB_AUTHORISED, DECLINED: SB_DECLINED}.get(
                event_type, SB_FAILED
            )
            payment.card_last4 = card.last4
            payment.decline_code = reason
            payment.capture_refusal = CAPTURE_REFUSALS.get(card.number)
            payment.card_attempts += 1
            payment.updated_at = self._clock.now()
            self._queue(session, payment, event_type, reason=reason)

    def capture(self, provider_payment_id: str, amount_fen: int) -> None:
        with self._transaction() as session:
            payment = self._payment(session, provider_payment_id)
            if payment.status == SB_CAPTURED and payment.captured_fen == amount_fen:
                return  # the same capture again: done already
            if payment.status != SB_AUTHORISED:
                raise ProviderRefused(
                    f"The payment is {payment.status}; only an authorised one is captured."
                )
            if not 0 < amount_fen <= payment.amount_fen:
                raise ProviderRefused(f"Capture between 1 and {payment.amount_fen} fen.")
            if payment.capture_refusal:
                raise ProviderRefused(payment.capture_refusal)
            payment.status = SB_CAPTURED
            payment.captured_fen = amount_fen
            payment.updated_at = self._clock.now()
            self._queue(session, payment, CAPTURED)

    def void(self, provider_payment_id: str) -> None:
        with self._transaction() as session:
            payment = self._payment(session, provider_payment_id)
            if payment.status == SB_VOIDED:
                return
            if payment.status in (SB_CAPTURED, SB_REFUNDED):
                raise ProviderRefused("The payment was captured: refund it instead.")
            payment.status = SB_VOIDED
            payment.updated_at = self._clock.now()
            self._queue(session, payment, VOIDED)

    def refund(self, provider_payment_id: str, amount_fen: int, reason: str) -> str:
        with self._transaction() as session:
            payment = self._payment(session, provider_payment_id)
            if payment.status not in (SB_CAPTURED, SB_REFUNDED):
                raise ProviderRefused(f"The payment is {payment.status}; nothing was captured.")
            left = payment.captured_fen - payment.refunded_fen
            if not 0 < amount_fen <= left:
                raise ProviderRefused(f"Refund between 1 and {left} fen.")
            payment.refunded_fen += amount_fen
            payment.status = (
                SB_REFUNDED if payment.refunded_fen == payment.captured_fen else SB_CAPTURED
            )
            payment.updated_at = self._clock.now()
            refund_id = f"sbx_re_{uuid.uuid4().hex}"
            self._queue(
                session,
                payment,
                REFUNDED,
                reason=reason,
                refund_id=refund_id,
                refund_fen=amount_fen,
            )
            return refund_id

    def parse_webhook(self, body: bytes, headers: Mapping[str, str], now: datetime) -> WebhookEvent:
        verify(self._secret, body, headers.get(HEADER), now.timestamp(), self._tolerance)
        try:
            raw = json.loads(body)
            data = raw["data"]
            event = WebhookEvent(
                id=str(raw["id"]),
                type=str(raw["type"]),
                payment_id=str(data["payment_id"]),
                data=data,
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise MalformedWebhook(
                f"The webhook is not a sandbox event: {type(exc).__name__}."
            ) from None
        if not isinstance(data, dict):
            raise MalformedWebhook("The webhook's data is not an object.")
        return event

    # -- the webhooks it owes -----------------------------------------------

    def _queue(
        self, session: Session, payment: SandboxPayment, event_type: str, **extra: Any
    ) -> None:
        now = self._clock.now()
        event_id = f"evt_{uuid.uuid4().hex}"
        data = {
            "payment_id": payment.id,
            "merchant_reference": payment.merchant_reference,
            "status": payment.status,
            "amount_fen": payment.amount_fen,
            "captured_fen": payment.captured_fen,
            "refunded_fen": payment.refunded_fen,
            "card_last4": payment.card_last4,
            **{key: value for key, value in extra.items() if value is not None},
        }
        body = {"id": event_id, "type": event_type, "created": int(now.timestamp()), "data": data}
        session.add(
            SandboxWebhook(
                id=event_id,
                payment_id=payment.id,
                type=event_type,
                body=json.dumps(body, separators=(",", ":")),
                created_at=now,
                due_at=now + self._delay,
                attempts=0,
            )
        )
        log.info("sandbox %s queued", event_type, extra={"payment": payment.id, "event": event_id})
