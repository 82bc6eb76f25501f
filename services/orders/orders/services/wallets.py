"""Paying by wallet: the applicant chooses the page wallet or the QR wallet at
pay time, orders opens a trade with it (a cashier URL or a QR payload), and
the wallet's signed notification (or, when it is late, orders' own query)
says it was paid.

- `choose_wallet`: (re)open the payment with a wallet, once per
  Idempotency-Key. The method may change while no money moved; a wallet trade
  left behind is closed at its company first.
- `receive_notification`: verify and act once. Refused with a 4xx naming the
  field, logged, nothing changed: a bad signature (401 `sign`), not a
  notification (400 `body`), a trade orders does not know (404
  `out_trade_no`), an amount other than the payment's (422 `amount`), a
  notification already received (409 `notify_id`).
- `query_trade` and `query_late_trades`: ask the wallet where a trade stands
  (the return URL, the worker's sweep, the unpaid expiry) and act on it as
  on a notification. Wallets rate-limit their query API, so the sweep asks
  about a trade less often the older it is (`due_a_query`).

What a paid trade does to the payment depends on the wallet: the QR wallet
holds the money (authorised, captured on approval); the page wallet takes it
at once (captured now, refunded on rejection). A payment already moved is
never moved twice, whichever of notification and query comes first.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta
from typing import Any, NoReturn
from urllib.parse import urlsplit

from sqlalchemy import ColumnElement, Float, and_, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from common.auth import Identity
from common.db import UnitOfWork
from common.errors import Conflict, DomainError, InvalidInput, NotFound
from orders import domain, events, idempotency
from orders.domain import PaymentMethod, PaymentStatus, Status
from orders.domain.timeline import Entry
from orders.idempotency import Answer
from orders.models import Order, Payment, PaymentEvent
from orders.payments import BadSignature, ProviderRefused, ProviderUnavailable, WebhookRejected
from orders.payments.wallets import HELD, PAID, TradeState, WalletProvider
from orders.services.base import is_uuid, keyed_request, payment_of, provider_down, publish
from orders.services.context import PROVIDER_ACTOR, Context
from orders.services.money import refund_payment, void_payment
from orders.services.submitting import mark_submitted
from orders.services.views import PAYMENT_OUT, current_view, payment_view
from orders.services.webhooks import (
    ReplayedWebhook,
    UnknownPayment,
    WebhookRefused,
    WebhookUnauthorised,
    WrongAmount,
)

log = logging.getLogger("orders.services.wallets")
BATCH = 100
# The sweep asks again once the last query is 1/BACKOFF of the trade's age behind:
# a geometric spacing, about 18 queries over a 30-minute trade.
BACKOFF = 4


# --- choosing -----------------------------------------------------------------------------


def choose_wallet(
    ctx: Context, who: Identity, payment_id: str, method: str, return_url: str | None, key: str
) -> Answer:
    """Open a trade with the wallet; the payment carries its cashier URL or QR payload."""
    wallet = ctx.wallets.get(method)
    problem = None if wallet is not None else f"{method!r} is not a wallet."
    if return_url is not None and urlsplit(return_url).scheme not in ("http", "https"):
        raise InvalidInput("The return URL is refused.",
                           errors={"return_url": ["Give an http or https URL."]})  # fmt: skip
    if problem:
        raise InvalidInput(problem, errors={"method": [problem]})
    assert wallet is not None
    request = keyed_request(ctx, who, key, f"POST /payments/{payment_id}/wallet",
                            {"method": method, "return_url": return_url})  # fmt: skip
    with ctx.uow() as uow:
        order, payment = own_payment(uow, payment_id, who)
        first = idempotency.replay(uow, request, current_view)
        if first is not None:
            return first
        if order.status != Status.AWAITING_PAYMENT:
            message = f"The order is {order.status}: it takes no payment now."
            raise Conflict(message, errors={"status": [message]})
        problem = domain.method_problem(payment.status, method, ctx.methods)
        if problem:
            raise Conflict(problem, errors={"method": [problem]})
        leave_method(ctx, uow, order, payment)
        out_trade_no = uuid.uuid4().hex
        assert order.pay_by is not None
        try:
            link = wallet.open(
                out_trade_no=out_trade_no, subject=_subject(order),
                amount_fen=payment.amount_fen, expires_at=order.pay_by, return_url=return_url,
            )  # fmt: skip
        except (ProviderUnavailable, ProviderRefused) as exc:
            raise provider_down(exc) from None
        now = uow.clock.now()
        payment.method, payment.provider = method, wallet.name
        payment.provider_payment_id, payment.wallet_link = out_trade_no, link
        payment.status, payment.failure_reason = PaymentStatus.CREATED.value, None
        payment.wallet_opened_at = payment.updated_at = now
        payment.wallet_queried_at = None  # a new trade: the old one's queries say nothing
        uow.session.flush()
        answer = Answer(
            201, PAYMENT_OUT.dump(payment_view(payment)), resource=f"payment:{payment.id}"
        )
        idempotency.remember(uow, request, answer)
        uow.commit()
        return answer


def leave_method(ctx: Context, uow: UnitOfWork, order: Order, payment: Payment) -> None:
    """Close the wallet trade the payment leaves behind (a 409 when it was paid
    meanwhile: the payment is then moved as its notification would have)."""
    wallet = ctx.wallets.get(payment.method)
    if wallet is None:
        return
    try:
        wallet.void(payment.provider_payment_id)
    except ProviderUnavailable as exc:
        raise provider_down(exc) from None
    except ProviderRefused:
        state = _query(wallet, payment.provider_payment_id)
        apply_trade_state(ctx, uow, order, payment, wallet, state)
        uow.commit()
        message = "The payment was already made with the wallet chosen before."
        raise Conflict(message, errors={"method": [message]}) from None


def back_to_card(ctx: Context, uow: UnitOfWork, order: Order, payment: Payment) -> None:
    """The applicant chose the card after a wallet: the wallet's trade closed, the
    card provider's payment (opened at submission, found again by orders' id)."""
    if payment.method == PaymentMethod.CARD:
        return
    leave_method(ctx, uow, order, payment)
    try:
        provider_id = ctx.provider.create(
            merchant_reference=payment.id, reference=order.reference,
            amount_fen=payment.amount_fen,
        )  # fmt: skip
    except (ProviderUnavailable, ProviderRefused) as exc:
        raise provider_down(exc) from None
    payment.method, payment.provider = PaymentMethod.CARD.value, ctx.provider.name
    payment.provider_payment_id, payment.wallet_link, payment.wallet_opened_at = (
        provider_id, None, None,
    )  # fmt: skip
    payment.wallet_queried_at = None


def _subject(order: Order) -> str:
    title = order.item_title.get("zh") or order.item_title.get("en") or order.item_code
    return f"{title} {order.reference}"


def own_payment(uow: UnitOfWork, payment_id: str, who: Identity) -> tuple[Order, Payment]:
    found = uow.session.get(Payment, payment_id) if is_uuid(payment_id) else None
    if found is None:
        raise NotFound(f"There is no payment {payment_id}.")
    order = uow.session.get(Order, found.order_id, with_for_update=True)
    payment = payment_of(uow, order, lock=True) if order is not None else None
    if order is None or payment is None or order.applicant_id != who.subject:
        raise NotFound(f"There is no payment {payment_id}.")
    return order, payment


# --- notifications --------------------------------------------------------------------------


def receive_notification(
    ctx: Context, method: str, body: bytes, content_type: str
) -> tuple[str, str]:
    """Act once on the wallet's signed notification; the answer it expects (body, type)."""
    wallet = ctx.wallets.get(method)
    if wallet is None:
        raise NotFound(f"There is no wallet {method}.")
    try:
        state = wallet.parse_notification(body, content_type)
    except BadSignature as exc:
        log.warning("wallet notification refused: %s", exc, extra={"wallet": method})
        raise WebhookUnauthorised(str(exc), errors={"sign": [str(exc)]}) from None
    except WebhookRejected as exc:
        log.warning("wallet notification refused: %s", exc, extra={"wallet": method})
        raise WebhookRefused(str(exc), errors={"body": [str(exc)]}) from None
    event_id = f"{method}:{state.notify_id}"
    with ctx.uow() as uow:
        if uow.session.get(PaymentEvent, event_id) is not None:
            _refuse(ReplayedWebhook, "notify_id", f"The notification {state.notify_id} was "
                    "already received.", method)  # fmt: skip
        found = uow.session.scalars(
            select(Payment).where(
                Payment.provider_payment_id == state.out_trade_no, Payment.method == method
            )
        ).one_or_none()
        if found is None:
            _refuse(UnknownPayment, "out_trade_no",
                    f"There is no trade {state.out_trade_no}: orders does not know it.", method)  # fmt: skip
        order = uow.session.get(Order, found.order_id, with_for_update=True)
        payment = payment_of(uow, order, lock=True) if order is not None else None
        if order is None or payment is None:  # pragma: no cover - rows are never deleted
            return wallet.ack_body, wallet.ack_type
        if state.amount_fen != payment.amount_fen:
            _refuse(WrongAmount, "amount", f"The amount {state.amount_fen} fen is not the "
                    f"payment's {payment.amount_fen} fen.", method)  # fmt: skip
        applied = apply_trade_state(ctx, uow, order, payment, wallet, state)
        uow.session.add(
            PaymentEvent(provider_event_id=event_id, payment_id=payment.id, type=state.state,
                         outcome="processed" if applied else "ignored",
                         data={"out_trade_no": state.out_trade_no, "trade_no": state.trade_no,
                               "state": state.state, "amount_fen": state.amount_fen},
                         received_at=uow.clock.now())
        )  # fmt: skip
        uow.commit()
    log.info("wallet notification %s: %s", state.state, "processed" if applied else "ignored",
             extra={"correlation_id": order.id})  # fmt: skip
    return wallet.ack_body, wallet.ack_type


def _refuse(refusal: type[DomainError], field: str, message: str, method: str) -> NoReturn:
    log.warning("wallet notification refused: %s", message, extra={"wallet": method})
    raise refusal(message, errors={field: [message]})


def apply_trade_state(
    ctx: Context, uow: UnitOfWork, order: Order, payment: Payment, wallet: WalletProvider,
    state: TradeState,
) -> bool:  # fmt: skip
    """Move the payment (and the order) as the trade's state says, once; False when
    there is nothing to do (not paid yet, or already moved)."""
    if state.state not in (HELD, PAID) or payment.status not in domain.AWAITING_ANSWER:
        return False
    now = uow.clock.now()
    amount = payment.amount_fen
    ids = {"order_id": order.id, "payment_id": payment.id}
    payment.status, payment.failure_reason, payment.updated_at = (
        PaymentStatus.AUTHORISED.value, None, now,
    )  # fmt: skip
    publish(uow, order, events.PAYMENT_AUTHORISED, {**ids, "amount_fen": amount})
    taken = wallet.immediate
    if taken:  # the page wallet took the money at once
        payment.status, payment.captured_fen = PaymentStatus.CAPTURED.value, amount
        publish(uow, order, events.PAYMENT_CAPTURED, {**ids, "amount_fen": amount})
    if order.status == Status.AWAITING_PAYMENT:
        mark_submitted(uow, order, PROVIDER_ACTOR, Entry.PAID if taken else Entry.PAID_AUTHORISED,
                       {"amount_fen": amount, "method": payment.method})  # fmt: skip
        return True
    # Closed or cancelled while the applicant was paying: give the money back.
    reason = f"The order was already {order.status} when the wallet was paid."
    if taken:
        refund_payment(ctx, uow, payment, amount, reason)
        publish(
            uow, order, events.PAYMENT_REFUNDED, {**ids, "amount_fen": amount, "reason": reason}
        )
    else:
        void_payment(ctx, uow, order, payment, reason)
    return True


# --- queries --------------------------------------------------------------------------------


def _query(wallet: WalletProvider, out_trade_no: str) -> TradeState:
    try:
        return wallet.query(out_trade_no)
    except (ProviderUnavailable, ProviderRefused, WebhookRejected) as exc:
        raise provider_down(exc) from None


def settle_by_query(ctx: Context, uow: UnitOfWork, order: Order, payment: Payment) -> bool:
    """Ask the payment's wallet where its trade stands and act on the answer; True
    when the payment moved. A card payment is left to its webhook."""
    wallet = ctx.wallets.get(payment.method)
    if wallet is None or payment.status not in domain.AWAITING_ANSWER:
        return False
    # Before asking: a query that fails counted against the wallet's limit too
    # (the sweep commits it; the applicant's 503 rolls it back).
    payment.wallet_queried_at = uow.clock.now()
    state = _query(wallet, payment.provider_payment_id)
    if state.amount_fen != payment.amount_fen:
        log.error("a wallet's query answered another amount", extra={"correlation_id": order.id})
        return False
    return apply_trade_state(ctx, uow, order, payment, wallet, state)


def query_trade(ctx: Context, who: Identity, payment_id: str) -> dict[str, Any]:
    """The applicant is back from the wallet: ask it now rather than wait for its
    notification; the payment as it then is."""
    with ctx.uow() as uow:
        order, payment = own_payment(uow, payment_id, who)
        settle_by_query(ctx, uow, order, payment)
        view = payment_view(payment)
        uow.commit()
        return view


class EpochSeconds(FunctionElement[float]):
    """A timestamp as seconds since 1970: SQLite has no interval arithmetic, and
    the sweep compares two columns' times on it as on PostgreSQL."""

    type = Float()
    inherit_cache = True


@compiles(EpochSeconds)
def _epoch_seconds(element: EpochSeconds, compiler: SQLCompiler, **kw: Any) -> str:
    return f"EXTRACT(EPOCH FROM {compiler.process(element.clauses, **kw)})"


@compiles(EpochSeconds, "sqlite")
def _epoch_seconds_sqlite(element: EpochSeconds, compiler: SQLCompiler, **kw: Any) -> str:
    # julianday counts days; 2440587.5 is 1970-01-01 00:00 UTC.
    return f"((julianday({compiler.process(element.clauses, **kw)}) - 2440587.5) * 86400.0)"


def due_a_query(now: datetime, after: timedelta) -> ColumnElement[bool]:
    """A late trade never asked about, or last asked at least `after` ago and at
    least a quarter of its age (now - opened) ago: one left open for its 30
    minutes is asked some 18 times, not once a tick."""
    at = now.timestamp()
    since = at - EpochSeconds(Payment.wallet_queried_at)
    age = at - EpochSeconds(Payment.wallet_opened_at)
    return and_(
        Payment.wallet_opened_at <= now - after,
        or_(
            Payment.wallet_queried_at.is_(None),
            and_(Payment.wallet_queried_at <= now - after, since * BACKOFF >= age),
        ),
    )


def query_late_trades(ctx: Context, now: datetime) -> int:
    """The worker's sweep: each wallet trade whose notification has not come and
    that is due a query (`due_a_query`); how many payments moved."""
    with ctx.uow() as uow:
        late = uow.session.scalars(
            select(Payment.id)
            .join(Order, Order.id == Payment.order_id)
            .where(
                Payment.method.in_(list(ctx.wallets)),
                Payment.status == PaymentStatus.CREATED.value,
                due_a_query(now, ctx.wallet_query_after),
                Order.status == Status.AWAITING_PAYMENT.value,
            )
            .order_by(Payment.wallet_opened_at)
            .limit(BATCH)
        ).all()
    moved = 0
    for payment_id in late:
        with ctx.uow() as uow:
            payment = uow.session.get(Payment, payment_id)
            order = (
                uow.session.get(Order, payment.order_id, with_for_update=True) if payment else None
            )
            payment = payment_of(uow, order, lock=True) if order is not None else None
            if order is None or payment is None or order.status != Status.AWAITING_PAYMENT:
                continue
            try:
                changed = settle_by_query(ctx, uow, order, payment)
            except DomainError as exc:  # the wallet out of reach: asked again once due
                log.warning("wallet query failed: %s", exc, extra={"correlation_id": order.id})
                changed = False
            uow.commit()
        moved += int(changed)
    return moved
