"""The orders service's use cases. Each runs in one unit of work: it locks the
order it changes, asks the domain whether the change is allowed, records the
change, its timeline entry and its events (outbox), and commits once. A
refusal raises a common.errors DomainError before anything is committed, so
nothing is half-written and nothing is published.

Calls to the outside (the catalog, the payment provider) happen before the
commit and after every check that could refuse, and before anything is
written (on SQLite no write lock is held while the provider answers): a
provider call that fails leaves the order as it was.

Locks are always taken order first, then its payment.

These are the applicant's use cases and the helpers every use case shares
(`find_order`, `check_allowed`, `move`, `publish`, `payment_of`, `view_of`, the
payment's capture, void and refund); the review's reactions are in
orders.review and a supervisor's actions in orders.staff_actions.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from common.auth import Identity
from common.clock import Clock
from common.db import UnitOfWork
from common.errors import Conflict, DomainError, InvalidInput, NotFound, UpstreamUnavailable
from orders import domain, events, idempotency
from orders import payments as provider
from orders.catalog import CatalogClient, CatalogItem
from orders.domain import Action, Actor, PaymentStatus, Status
from orders.idempotency import Answer
from orders.models import Order, Payment, PaymentEvent, ReferenceCounter, TimelineEntry, Timer
from orders.payments import (
    BadSignature,
    Card,
    PaymentProvider,
    ProviderRefused,
    ProviderUnavailable,
    WebhookRejected,
)
from orders.schemas import OrderOut, PaymentOut

log = logging.getLogger("orders.services")

# One instance each, made once: a schema instance is only read while dumping
# (safe to share between threads), and building one deep-copies every field
# and nested schema, which cost more than the dump itself on every request.
ORDER_OUT = OrderOut()
PAYMENT_OUT = PaymentOut()

SYSTEM_ACTOR = "system"
PROVIDER_ACTOR = "payment-provider"
UNPAID_EXPIRY = "unpaid_expiry"
DRAFT_IDLE = "draft_idle"


@dataclass(frozen=True)
class Context:
    """What the use cases need beyond their arguments; built once per process."""

    uow: Callable[[], UnitOfWork]
    catalog: CatalogClient
    provider: PaymentProvider
    clock: Clock
    unpaid_expiry: timedelta
    draft_idle: timedelta
    fingerprint_secret: bytes


# --- small helpers ------------------------------------------------------------------


def _invalid(summary: str, problems: Mapping[str, list[str]]) -> InvalidInput:
    names = ", ".join(sorted(problems))
    return InvalidInput(f"{summary} Check these fields: {names}.", errors=dict(problems))


def _conflict(error: domain.IllegalTransition) -> Conflict:
    return Conflict(error.message, errors={"status": [error.message]})


def check_allowed(order: Order, action: Action, actor: Actor) -> Status:
    """Where the action would take the order; 409 naming its state otherwise."""
    try:
        return domain.next_status(order.status, action, actor)
    except domain.IllegalTransition as error:
        raise _conflict(error) from None


def move(
    uow: UnitOfWork, order: Order, action: Action, actor: Actor, who: str, reason: str | None
) -> str:
    """Take the order through a transition of the state machine, on its timeline."""
    target = check_allowed(order, action, actor)
    before = order.status
    now = uow.clock.now()
    order.status = target.value
    order.updated_at = now
    uow.session.add(
        TimelineEntry(order_id=order.id, at=now, from_status=before, to_status=target.value,
                      actor=who, reason=reason)
    )  # fmt: skip
    return before


def publish(uow: UnitOfWork, order: Order, event_type: str, values: dict[str, Any]) -> None:
    uow.publish(event_type, events.payload(event_type, values), correlation_id=order.id)


def _provider_down(exc: Exception) -> UpstreamUnavailable:
    log.warning("payment provider unavailable", extra={"error": str(exc)[:200]})
    return UpstreamUnavailable(
        "The payment provider is unavailable right now; try again in a moment."
    )


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def find_order(uow: UnitOfWork, order_id: str, who: Identity, *, lock: bool = False) -> Order:
    """The order if the caller may see it; another applicant's is 404, never 403."""
    order = None
    if _is_uuid(order_id):
        order = uow.session.get(Order, order_id, with_for_update=lock or None)
    if order is None or (not who.is_staff and order.applicant_id != who.subject):
        raise NotFound(f"There is no order {order_id}.")
    return order


def _own_order(uow: UnitOfWork, order_id: str, who: Identity) -> Order:
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


def _item(ctx: Context, code: str, *, fresh: bool = False) -> CatalogItem:
    """The item as the catalog sells it (`fresh`: read now, not from the
    per-process cache); 409 once it is off sale."""
    item = ctx.catalog.item(code, fresh=fresh)
    if item is None:
        message = f"The item {code} is no longer on sale: this order can only be cancelled."
        raise Conflict(message, errors={"item_code": [message]})
    return item


def _take_snapshot(order: Order, item: CatalogItem) -> None:
    order.item_revision = item.revision
    order.item_title = item.title
    order.form_fields = item.form_fields
    order.required_documents = item.required_documents
    order.delivery_options = item.delivery_options
    order.fee = item.fee
    order.upcoming_fee = item.upcoming_fee
    order.sla_working_days = item.sla_working_days


def _fee_now(order: Order, now: datetime) -> domain.Fee | None:
    fees = [domain.Fee.from_dict(raw) for raw in (order.fee, order.upcoming_fee) if raw]
    return domain.fee_in_force(fees, now)


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
    timer.details = details


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


def _next_reference(uow: UnitOfWork, now: datetime) -> str:
    """The day's next reference; one upsert, so concurrent drafts never share one."""
    day = domain.reference_day(now)
    dialect = uow.session.get_bind().dialect.name
    upsert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = (
        upsert(ReferenceCounter)
        .values(day=f"{day:%Y%m%d}", last=1)
        .on_conflict_do_update(index_elements=["day"], set_={"last": ReferenceCounter.last + 1})
        .returning(ReferenceCounter.last)
    )
    sequence = uow.session.execute(statement).scalar_one()
    return domain.format_reference(day, int(sequence))


# --- views --------------------------------------------------------------------------


def payment_view(payment: Payment) -> dict[str, Any]:
    return {
        "id": payment.id,
        "order_id": payment.order_id,
        "status": payment.status,
        "amount_fen": payment.amount_fen,
        "captured_fen": payment.captured_fen,
        "refunded_fen": payment.refunded_fen,
        "failure_reason": payment.failure_reason,
        "card_last4": payment.card_last4,
        "updated_at": payment.updated_at,
    }


def _blockers(order: Order, now: datetime) -> dict[str, list[str]]:
    return domain.submission_blockers(
        order.form_fields,
        order.answers,
        order.delivery_options,
        order.delivery,
        [] if order.documents_complete else order.documents_missing,
        domain.reference_day(now),
    )


def _price_view(order: Order, now: datetime) -> dict[str, Any] | None:
    if order.locked_price is not None:
        return order.locked_price
    if order.delivery is None:
        return None
    fee = _fee_now(order, now)
    return None if fee is None else domain.quote(fee, order.delivery["kind"]).as_dict(locked=False)


def _delivery_view(delivery: dict[str, Any] | None) -> dict[str, Any] | None:
    if delivery is None:
        return None
    return {key: value for key, value in delivery.items() if key != "option_code"}


def order_view(
    order: Order, payment: Payment | None, now: datetime, *, for_staff: bool = False
) -> dict[str, Any]:
    """The order as answered; staff see its ID numbers masked (verification
    reveals one to a reviewer who gives a reason, and audits it)."""
    ready = order.status == Status.DRAFT and not any(_blockers(order, now).values())
    payable = payment is not None and domain.takes_card(payment.status)
    return {
        "id": order.id,
        "reference": order.reference,
        "item_code": order.item_code,
        "item_title": order.item_title,
        "applicant_id": order.applicant_id,
        "status": order.status,
        "answers": domain.masked_answers(order.form_fields, order.answers)
        if for_staff
        else order.answers,
        "missing_answers": domain.missing_answers(order.form_fields, order.answers),
        "delivery": _delivery_view(order.delivery),
        "required_documents": order.required_documents,
        "documents": {
            "complete": order.documents_complete,
            "missing": [] if order.documents_complete else order.documents_missing,
        },
        "price": _price_view(order, now),
        "payment": payment_view(payment) if payment is not None else None,
        "allowed_actions": domain.allowed_actions(
            order.status, ready_to_submit=ready, payable=payable
        ),
        "created_at": order.created_at,
        "updated_at": order.updated_at,
        "submitted_at": order.submitted_at,
        "pay_by": order.pay_by,
    }


_LOOK_UP = object()


def view_of(
    uow: UnitOfWork, order: Order, payment: Any = _LOOK_UP, *, for_staff: bool = False
) -> dict[str, Any]:
    """The order as answered; `payment` when the caller already knows it (None:
    the order has none), which spares a query."""
    uow.session.flush()
    if payment is _LOOK_UP:
        payment = payment_of(uow, order)
    return order_view(order, payment, uow.clock.now(), for_staff=for_staff)


# --- reads --------------------------------------------------------------------------


def get_order(ctx: Context, who: Identity, order_id: str) -> dict[str, Any]:
    with ctx.uow() as uow:
        return view_of(uow, find_order(uow, order_id, who), for_staff=who.is_staff)


def list_orders(
    ctx: Context, who: Identity, status: str | None, limit: int
) -> list[dict[str, Any]]:
    """The caller's orders (staff: everyone's), newest first."""
    with ctx.uow() as uow:
        query = select(Order).order_by(Order.created_at.desc(), Order.reference.desc()).limit(limit)
        if not who.is_staff:
            query = query.where(Order.applicant_id == who.subject)
        if status is not None:
            query = query.where(Order.status == status)
        orders = list(uow.session.scalars(query))
        payments = {
            payment.order_id: payment
            for payment in uow.session.scalars(
                select(Payment).where(Payment.order_id.in_([order.id for order in orders]))
            )
        }
        now = uow.clock.now()
        return [
            order_view(order, payments.get(order.id), now, for_staff=who.is_staff)
            for order in orders
        ]


def timeline(ctx: Context, who: Identity, order_id: str) -> list[dict[str, Any]]:
    with ctx.uow() as uow:
        order = find_order(uow, order_id, who)
        entries = uow.session.scalars(
            select(TimelineEntry)
            .where(TimelineEntry.order_id == order.id)
            .order_by(TimelineEntry.id)
        )
        return [
            {"at": e.at, "from_status": e.from_status, "to_status": e.to_status,
             "actor": e.actor, "reason": e.reason}
            for e in entries
        ]  # fmt: skip


def get_payment(ctx: Context, who: Identity, payment_id: str) -> dict[str, Any]:
    with ctx.uow() as uow:
        payment = uow.session.get(Payment, payment_id) if _is_uuid(payment_id) else None
        order = uow.session.get(Order, payment.order_id) if payment else None
        if (
            payment is None
            or order is None
            or (not who.is_staff and order.applicant_id != who.subject)
        ):
            raise NotFound(f"There is no payment {payment_id}.")
        return payment_view(payment)


# --- the draft ----------------------------------------------------------------------


def _request(
    ctx: Context, who: Identity, key: str, endpoint: str, body: dict[str, Any]
) -> idempotency.Request:
    return idempotency.Request(
        applicant_id=who.subject,
        key=key,
        endpoint=endpoint,
        fingerprint=idempotency.fingerprint(ctx.fingerprint_secret, body),
    )


def create_order(ctx: Context, who: Identity, item_code: str, key: str) -> Answer:
    """A draft for the item; its required documents go to verification with the event."""
    request = _request(ctx, who, key, "POST /orders", {"item_code": item_code})
    try:
        # One transaction for the replay check and the draft: a second one
        # would cost a pool checkout, its ping and a rollback on every draft.
        with ctx.uow() as uow:
            first = idempotency.replay(uow, request)
            if first is not None:
                return first
            item = ctx.catalog.item(item_code)
            if item is None or _fee_in_catalog(item, ctx.clock.now()) is None:
                raise _invalid(
                    "There is no such item on sale.",
                    {"item_code": [f"The store sells no item {item_code!r} now."]},
                )
            order = _new_draft(ctx, uow, who, item)
            answer = Answer(201, ORDER_OUT.dump(view_of(uow, order, payment=None)))
            idempotency.remember(uow, request, answer)
            uow.commit()
            return answer
    except IntegrityError:
        # The same key arrived twice at once: the other request made the order.
        with ctx.uow() as uow:
            first = idempotency.replay(uow, request)
        if first is None:
            raise
        return first


def _fee_in_catalog(item: CatalogItem, now: datetime) -> domain.Fee | None:
    fees = [domain.Fee.from_dict(raw) for raw in (item.fee, item.upcoming_fee) if raw]
    return domain.fee_in_force(fees, now)


def _new_draft(ctx: Context, uow: UnitOfWork, who: Identity, item: CatalogItem) -> Order:
    now = uow.clock.now()
    missing = [doc["code"] for doc in item.required_documents]
    order = Order(
        id=str(uuid.uuid4()),
        reference=_next_reference(uow, now),
        applicant_id=who.subject,
        status=Status.DRAFT.value,
        item_code=item.code,
        answers={},
        delivery=None,
        documents_complete=not missing,
        documents_missing=missing,
        documents_revision=0,
        locked_price=None,
        created_at=now,
        updated_at=now,
    )
    _take_snapshot(order, item)
    uow.session.add(order)
    uow.session.add(
        TimelineEntry(order_id=order.id, at=now, from_status=None, to_status=order.status,
                      actor=who.subject, reason="Application started.")
    )  # fmt: skip
    # Touched before the first flush: after it, the new updated_at would cost an UPDATE.
    touch_draft(ctx, uow, order, new=True)
    uow.session.flush()
    publish(uow, order, events.DRAFT_CREATED, {
        "order_id": order.id, "reference": order.reference, "applicant_id": order.applicant_id,
        "item_code": order.item_code, "required_documents": order.required_documents,
    })  # fmt: skip
    return order


def save_answers(
    ctx: Context, who: Identity, order_id: str, answers: dict[str, Any]
) -> dict[str, Any]:
    """Replace the draft's answers, checked against the item's form as it is now."""
    with ctx.uow() as uow:
        order = _editable(uow, order_id, who)
        item = _item(ctx, order.item_code)
        kept, problems = domain.check_answers(
            item.form_fields, answers, domain.reference_day(uow.clock.now())
        )
        if problems:
            raise _invalid("Some answers are not accepted.", problems)
        _take_snapshot(order, item)
        order.answers = kept
        touch_draft(ctx, uow, order)
        view = view_of(uow, order)
        uow.commit()
        return view


def choose_delivery(
    ctx: Context, who: Identity, order_id: str, choice: dict[str, Any]
) -> dict[str, Any]:
    """Courier to an address, or pickup at one of the item's offices."""
    with ctx.uow() as uow:
        order = _editable(uow, order_id, who)
        item = _item(ctx, order.item_code)
        delivery, problems = domain.check_delivery(item.delivery_options, choice)
        if problems or delivery is None:
            raise _invalid("The delivery cannot be used.", problems)
        _take_snapshot(order, item)
        order.delivery = delivery
        touch_draft(ctx, uow, order)
        view = view_of(uow, order)
        uow.commit()
        return view


def _editable(uow: UnitOfWork, order_id: str, who: Identity) -> Order:
    order = _own_order(uow, order_id, who)
    try:
        domain.check_editable(order.status)
    except domain.IllegalTransition as error:
        raise _conflict(error) from None
    return order


# --- submission ---------------------------------------------------------------------


def submit(ctx: Context, who: Identity, order_id: str, key: str) -> Answer:
    """Lock the price, open the payment and wait for it (or submit at once when
    there is nothing to pay)."""
    request = _request(ctx, who, key, f"POST /orders/{order_id}/submit", {})
    with ctx.uow() as uow:
        order = _own_order(uow, order_id, who)
        first = idempotency.replay(uow, request)
        if first is not None:
            return first
        check_allowed(order, Action.SUBMIT, Actor.APPLICANT)
        # Never the cached item: the price is locked from the fee in force now.
        item = _item(ctx, order.item_code, fresh=True)
        _take_snapshot(order, item)
        now = uow.clock.now()
        blockers = _blockers(order, now)
        if any(blockers.values()):
            raise Conflict(domain.describe_blockers(blockers), errors=blockers)
        fee = _fee_now(order, now)
        if fee is None or order.delivery is None:
            raise Conflict("The item has no fee in force: it cannot be applied for now.")
        price = domain.quote(fee, order.delivery["kind"])
        payment = _open_payment(ctx, order, price.total_fen) if price.total_fen > 0 else None
        _lock_in(ctx, uow, order, price, payment, who)
        answer = Answer(200, ORDER_OUT.dump(view_of(uow, order, payment=payment)))
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
        raise _provider_down(exc) from None
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
    reason = f"Submitted; the price is locked at {price.total_fen} fen (fee version {price.fee_version})."
    move(uow, order, Action.SUBMIT, Actor.APPLICANT, who.subject, reason)
    if payment is None:  # nothing to pay: on to review at once
        order.pay_by = None
    publish(uow, order, events.AWAITING_PAYMENT, {
        "order_id": order.id, "reference": order.reference, "total_fen": price.total_fen,
        "pay_by": order.pay_by or now,
    })  # fmt: skip
    if payment is None:
        _submitted(uow, order, SYSTEM_ACTOR, "Nothing to pay.")
        return
    uow.session.add(payment)
    set_timer(uow, order, UNPAID_EXPIRY, pay_by)


def _submitted(uow: UnitOfWork, order: Order, actor: str, reason: str) -> None:
    move(uow, order, Action.AUTHORISE, Actor.SYSTEM, actor, reason)
    publish(uow, order, events.SUBMITTED, {
        "order_id": order.id, "reference": order.reference, "applicant_id": order.applicant_id,
        "item_code": order.item_code, "total_fen": (order.locked_price or {}).get("total_fen", 0),
        "submitted_at": order.submitted_at,
        # 0 only for an order drafted before orders kept the SLA (migration 0002):
        # its case is due at once, which puts it first in the queue.
        "sla_working_days": order.sla_working_days or 0,
        "answers": domain.labelled_answers(order.form_fields, order.answers),
    })  # fmt: skip


# --- paying -------------------------------------------------------------------------


def pay_with_card(
    ctx: Context, who: Identity, payment_id: str, card: dict[str, str], key: str
) -> Answer:
    """Hand the card to the provider; its answer comes later by webhook."""
    number, problems = domain.check_card(
        card["card_number"], card["expiry"], card["cvc"], domain.reference_day(ctx.clock.now())
    )
    if problems:
        raise _invalid("The card cannot be used.", problems)
    request = _request(ctx, who, key, f"POST /payments/{payment_id}/card", {
        "card_number": number, "expiry": card["expiry"].strip(), "cvc": card["cvc"].strip(),
    })  # fmt: skip
    with ctx.uow() as uow:
        order, payment = _own_payment(uow, payment_id, who)
        first = idempotency.replay(uow, request)
        if first is not None:
            return first
        if order.status != Status.AWAITING_PAYMENT:
            message = f"The order is {order.status}: it takes no payment now."
            raise Conflict(message, errors={"status": [message]})
        if not domain.takes_card(payment.status):
            message = (
                f"The payment is {payment.status}: it takes a card only when created or failed."
            )
            raise Conflict(message, errors={"status": [message]})
        try:
            ctx.provider.authorise_card(
                payment.provider_payment_id,
                Card(number, card["expiry"].strip(), card["cvc"].strip()),
            )
        except ProviderUnavailable as exc:
            raise _provider_down(exc) from None
        except ProviderRefused as exc:
            raise Conflict(f"The payment provider refused the card: {exc}") from None
        payment.status = PaymentStatus.PROCESSING.value
        payment.failure_reason = None
        payment.card_last4 = number[-4:]
        payment.updated_at = uow.clock.now()
        uow.session.flush()
        answer = Answer(202, PAYMENT_OUT.dump(payment_view(payment)))
        idempotency.remember(uow, request, answer)
        uow.commit()
        return answer


def _own_payment(uow: UnitOfWork, payment_id: str, who: Identity) -> tuple[Order, Payment]:
    found = uow.session.get(Payment, payment_id) if _is_uuid(payment_id) else None
    if found is None:
        raise NotFound(f"There is no payment {payment_id}.")
    order = uow.session.get(Order, found.order_id, with_for_update=True)
    payment = payment_of(uow, order, lock=True) if order is not None else None
    if order is None or payment is None or order.applicant_id != who.subject:
        raise NotFound(f"There is no payment {payment_id}.")
    return order, payment


def void_payment(
    ctx: Context, uow: UnitOfWork, order: Order, payment: Payment | None, reason: str
) -> None:
    """Release the money held for the order (inside the caller's transaction);
    UpstreamUnavailable when the provider cannot be reached."""
    if payment is None or payment.status not in domain.VOIDABLE:
        return
    try:
        ctx.provider.void(payment.provider_payment_id)
    except (ProviderUnavailable, ProviderRefused) as exc:
        raise _provider_down(exc) from None
    payment.status = PaymentStatus.VOIDED.value
    payment.updated_at = uow.clock.now()
    publish(uow, order, events.PAYMENT_VOIDED,
             {"order_id": order.id, "payment_id": payment.id, "reason": reason})  # fmt: skip


class CaptureRefused(Conflict):
    """The provider would not take the money; `reason` is its own word for why."""

    def __init__(self, reason: str) -> None:
        message = f"The payment provider refused the capture: {reason}"
        super().__init__(message, errors={"payment": [message]})
        self.reason = reason


def capture_payment(
    ctx: Context, uow: UnitOfWork, payment: Payment, amount_fen: int | None = None
) -> None:
    """Take the authorised money (inside the caller's transaction, which has the
    payment locked): on approval. CaptureRefused when the provider says no,
    UpstreamUnavailable when it cannot be reached."""
    amount = payment.amount_fen if amount_fen is None else amount_fen
    problem = domain.capture_problem(payment.status, amount, payment.amount_fen)
    if problem:
        raise Conflict(problem, errors={"amount_fen": [problem]})
    try:
        ctx.provider.capture(payment.provider_payment_id, amount)
    except ProviderUnavailable as exc:
        raise _provider_down(exc) from None
    except ProviderRefused as exc:
        raise CaptureRefused(str(exc)) from None
    payment.status = PaymentStatus.CAPTURED.value
    payment.captured_fen = amount
    payment.updated_at = uow.clock.now()


def refund_payment(
    ctx: Context, uow: UnitOfWork, payment: Payment, amount_fen: int, reason: str
) -> str:
    """Give back part or all of what was captured (never more); the refund's id at
    the provider. Inside the caller's transaction, which has the payment locked."""
    problem = domain.refund_problem(
        payment.status, payment.captured_fen, payment.refunded_fen, amount_fen
    )
    if problem:
        raise Conflict(problem, errors={"amount_fen": [problem]})
    refund_id = _at_provider(
        lambda: ctx.provider.refund(payment.provider_payment_id, amount_fen, reason)
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
        raise _provider_down(exc) from None
    except ProviderRefused as exc:
        raise Conflict(f"The payment provider refused: {exc}") from None


# --- cancelling and closing ---------------------------------------------------------


def cancel(ctx: Context, who: Identity, order_id: str, reason: str | None) -> dict[str, Any]:
    """The applicant calls it off: a draft is discarded, an unpaid order closes
    unpaid, a paid one is cancelled with its authorisation voided."""
    with ctx.uow() as uow:
        order = _own_order(uow, order_id, who)
        target = check_allowed(order, Action.CANCEL, Actor.APPLICANT)
        said = reason or "Cancelled by the applicant."
        void_payment(ctx, uow, order, payment_of(uow, order, lock=True),
                     f"The order was cancelled by the applicant: {said}")  # fmt: skip
        before = move(uow, order, Action.CANCEL, Actor.APPLICANT, who.subject, said)
        base = {"order_id": order.id, "reference": order.reference}
        if target == Status.DISCARDED:
            publish(uow, order, events.DISCARDED, base)
        elif target == Status.CLOSED_UNPAID:
            publish(uow, order, events.CLOSED_UNPAID, {**base, "reason": said})
        else:
            publish(uow, order, events.CANCELLED,
                     {**base, "from_status": before, "reason": reason, "actor": who.subject})  # fmt: skip
        view = view_of(uow, order)
        uow.commit()
        return view


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
    reason = f"Not paid within {_duration(ctx.unpaid_expiry)} of submission."
    void_payment(ctx, uow, order, payment_of(uow, order, lock=True), reason)
    move(uow, order, Action.EXPIRE, Actor.SYSTEM, SYSTEM_ACTOR, reason)
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
    reason = f"No change for {_duration(ctx.draft_idle)}."
    move(uow, order, Action.DISCARD, Actor.SYSTEM, SYSTEM_ACTOR, reason)
    publish(uow, order, events.DISCARDED, {"order_id": order.id, "reference": order.reference})
    return True


# --- the provider's webhooks --------------------------------------------------------


class WebhookRefused(DomainError):
    title = "The webhook is refused"
    slug = "webhook-refused"


class WebhookUnauthorised(DomainError):
    status = 401
    title = "The webhook's signature is not valid"
    slug = "webhook-signature"


def receive_webhook(ctx: Context, body: bytes, headers: Mapping[str, str]) -> dict[str, str]:
    """Act once on what the provider says happened to a payment."""
    try:
        event = ctx.provider.parse_webhook(body, headers, ctx.clock.now())
    except BadSignature as exc:
        raise WebhookUnauthorised(str(exc)) from None
    except WebhookRejected as exc:
        raise WebhookRefused(str(exc)) from None
    with ctx.uow() as uow:
        if uow.session.get(PaymentEvent, event.id) is not None:
            log.info("webhook %s replayed; no effect", event.id)
            return {"status": "duplicate"}
        found = uow.session.scalars(
            select(Payment).where(Payment.provider_payment_id == event.payment_id)
        ).one_or_none()
        if found is None:
            log.warning("webhook for a payment orders does not know; no effect",
                        extra={"provider_event": event.id, "provider_payment": event.payment_id})  # fmt: skip
            return {"status": "ignored"}
        order = uow.session.get(Order, found.order_id, with_for_update=True)
        payment = payment_of(uow, order, lock=True) if order is not None else None
        if order is None or payment is None:  # pragma: no cover - rows are never deleted
            return {"status": "ignored"}
        applied = _apply_webhook(ctx, uow, order, payment, event.type, event.data)
        outcome = "processed" if applied else "ignored"
        uow.session.add(
            PaymentEvent(provider_event_id=event.id, payment_id=payment.id, type=event.type,
                         outcome=outcome, data=event.data, received_at=uow.clock.now())
        )  # fmt: skip
        uow.commit()
    log.info("webhook %s %s: %s", event.id, event.type, outcome, extra={"correlation_id": order.id})
    return {"status": outcome}


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
            _submitted(uow, order, PROVIDER_ACTOR, f"Paid: {payment.amount_fen} fen authorised.")
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
