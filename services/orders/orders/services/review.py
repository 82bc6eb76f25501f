"""How an order follows its review in verification: claimed, approved (the
payment captured), sent back for new photos, resubmitted, rejected (the money
given back, the order closed).

Each reaction runs inside the event handler's unit of work, with the order
locked, and publishes orders' own events through the outbox. Verification's
events may overtake each other: an approval, a resubmission request or a
rejection for an order still `submitted` first applies the claim it implies;
anything else that does not fit the order's state is a StaleEvent (recorded by
the inbox and ignored).

The handlers never call the payment provider: a call to a system outside
would hold the consumer's transaction (and its inbox batch) open, and on
SQLite its write lock, which the sandbox's own session then waits on. An
approval leaves the order `in_review` with a `capture` timer due at once; a
rejection moves it to `rejected` with a `release_money` timer. The worker's
sweep (orders.timers) does the provider's part in its own short transaction
per order: it reads, calls the provider, and only then writes
(`capture_approved`, `release_and_close`). A refused capture is an outcome
(`capture_failed`, for a supervisor to retry or cancel); a provider out of
reach keeps the timer, due again a little later.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from common.db import UnitOfWork
from common.events.consumer import StaleEvent
from orders import domain, events
from orders.domain import Action, Actor, PaymentStatus, Status
from orders.domain.timeline import NOTHING, REFUNDED, VOIDED, Entry, iso, refused_documents
from orders.models import Order, Payment
from orders.services.base import move, payment_of, pending_timer, publish, set_timer
from orders.services.context import PROVIDER_ACTOR, SYSTEM_ACTOR, Context
from orders.services.money import CaptureRefused, capture_payment, refund_payment, void_payment

log = logging.getLogger("orders.review")

REVIEWER = "reviewer"
# The events of verification that may arrive before its review_started did.
IMPLIES_A_CLAIM = "approval, resubmission request or rejection"


def reviewer_actor(reviewer_id: str | None) -> str:
    """How the timeline names a reviewer: `reviewer:<id>` (`system` for verification's timer)."""
    if reviewer_id == SYSTEM_ACTOR:
        return SYSTEM_ACTOR
    return f"{REVIEWER}:{reviewer_id}" if reviewer_id else REVIEWER


def order_under_review(uow: UnitOfWork, order_id: str) -> Order:
    """The order, locked; a StaleEvent when orders has never heard of it."""
    order = uow.session.get(Order, order_id, with_for_update=True)
    if order is None:
        # Orders creates every order before verification hears of it: this one will never exist.
        raise StaleEvent(f"there is no order {order_id}")
    return order


def _stale(order: Order, what: str) -> StaleEvent:
    return StaleEvent(f"{what} for an order that is {order.status}")


# --- claim ----------------------------------------------------------------------------


def start_review(uow: UnitOfWork, order: Order, reviewer_id: str | None) -> None:
    """A reviewer claimed the case: submitted → in_review."""
    if order.status != Status.SUBMITTED:
        raise _stale(order, "a review started")
    _claim(uow, order, reviewer_id)


def _claim(uow: UnitOfWork, order: Order, reviewer_id: str | None) -> None:
    move(uow, order, Action.CLAIM, Actor.STAFF, reviewer_actor(reviewer_id), Entry.REVIEW_STARTED)
    publish(uow, order, events.REVIEW_STARTED, {
        "order_id": order.id, "reference": order.reference, "reviewer_id": reviewer_id or "",
    })  # fmt: skip


def _claim_if_overtaken(uow: UnitOfWork, order: Order, reviewer_id: str | None) -> None:
    """The decision arrived before the claim that must have preceded it: apply the claim."""
    if order.status == Status.SUBMITTED:
        log.info("a %s overtook the claim; claiming first", IMPLIES_A_CLAIM,
                 extra={"correlation_id": order.id})  # fmt: skip
        _claim(uow, order, reviewer_id)


# --- approval -------------------------------------------------------------------------

CAPTURE = "capture"
RELEASE_MONEY = "release_money"


def approve(uow: UnitOfWork, order: Order, reviewer_id: str, approved_at: datetime) -> None:
    """The reviewer approved: the payment is to be captured (the sweep's `capture_approved`)."""
    _claim_if_overtaken(uow, order, reviewer_id)
    if order.status != Status.IN_REVIEW:
        raise _stale(order, "an approval")
    if pending_timer(uow, order, CAPTURE) is not None:
        raise StaleEvent("an approval for an order whose payment is already being captured")
    set_timer(uow, order, CAPTURE, uow.clock.now(), {
        "reviewer_id": reviewer_id, "approved_at": approved_at.isoformat(),
    })  # fmt: skip


def capture_approved(ctx: Context, uow: UnitOfWork, order: Order, details: dict[str, Any]) -> bool:
    """The capture timer's work: take the money, then approved (capture_failed when
    the provider refuses). False when the order left review meanwhile: the
    applicant's or a supervisor's cancel voided the authorisation."""
    if order.status != Status.IN_REVIEW:
        log.info("an approved order left review before its capture; nothing to take",
                 extra={"correlation_id": order.id})  # fmt: skip
        return False
    payment = payment_of(uow, order, lock=True)
    try:
        captured = take_the_money(ctx, uow, order, payment)
    except CaptureRefused as refused:
        _capture_failed(uow, order, payment, refused.reason)
        return True
    actor = reviewer_actor(details["reviewer_id"])
    move(uow, order, Action.APPROVE, Actor.STAFF, actor, Entry.APPROVED, {"captured_fen": captured})
    publish_approved(uow, order, datetime.fromisoformat(details["approved_at"]))
    return True


def take_the_money(ctx: Context, uow: UnitOfWork, order: Order, payment: Payment | None) -> int:
    """Capture the authorisation (publishing orders.payment_captured); the fen taken.

    An order with nothing to pay has no payment: nothing to take. A payment the
    provider already captured (an earlier attempt whose transaction rolled back,
    its webhook since recorded) is not captured twice."""
    if payment is None:
        return 0
    if domain.paid_at_once(payment.method):  # taken (and published) when the applicant paid
        return payment.captured_fen
    if payment.status != PaymentStatus.CAPTURED:
        capture_payment(ctx, uow, payment)
    publish(uow, order, events.PAYMENT_CAPTURED, {
        "order_id": order.id, "payment_id": payment.id, "amount_fen": payment.captured_fen,
    })  # fmt: skip
    return payment.captured_fen


def publish_approved(uow: UnitOfWork, order: Order, approved_at: datetime) -> None:
    """orders.approved, with what production and delivery need (the ID number masked)."""
    facts = domain.handover_facts(
        order.form_fields, order.answers, order.delivery or {}, order.delivery_options
    )
    publish(uow, order, events.APPROVED, {
        "order_id": order.id, "reference": order.reference, "item_code": order.item_code,
        "applicant_id": order.applicant_id,
        "total_fen": (order.locked_price or {}).get("total_fen", 0), "approved_at": approved_at,
        "sla_working_days": order.sla_working_days, **facts,
    })  # fmt: skip


def _capture_failed(uow: UnitOfWork, order: Order, payment: Payment | None, reason: str) -> None:
    move(uow, order, Action.FAIL_CAPTURE, Actor.SYSTEM, PROVIDER_ACTOR, Entry.CAPTURE_FAILED,
         {"provider_reason": reason})  # fmt: skip
    publish(uow, order, events.CAPTURE_FAILED, {
        "order_id": order.id, "payment_id": payment.id if payment else "", "reason": reason,
    })  # fmt: skip
    log.warning("capture refused: %s", reason, extra={"correlation_id": order.id})


# --- new photos -----------------------------------------------------------------------


def ask_for_new_photos(
    uow: UnitOfWork, order: Order, data: dict[str, Any], reviewer_id: str | None
) -> None:
    """The reviewer refused some photos: in_review → needs_resubmission."""
    _claim_if_overtaken(uow, order, reviewer_id)
    if order.status != Status.IN_REVIEW:
        raise _stale(order, "a resubmission request")
    move(uow, order, Action.ASK, Actor.STAFF, reviewer_actor(reviewer_id),
         Entry.RESUBMISSION_REQUESTED, {
             "round": data["round"], "deadline": iso(data["deadline"]),
             "documents": refused_documents(data["documents"]),
         })  # fmt: skip
    publish(uow, order, events.RESUBMISSION_REQUESTED, {
        "order_id": order.id, "reference": order.reference, "round": data["round"],
        "deadline": data["deadline"],
    })  # fmt: skip


def photos_resubmitted(uow: UnitOfWork, order: Order, round_: int) -> None:
    """The applicant replaced the refused photos: needs_resubmission → in_review."""
    if order.status != Status.NEEDS_RESUBMISSION:
        raise _stale(order, "a resubmission")
    move(uow, order, Action.RESUBMIT, Actor.APPLICANT, "applicant", Entry.RESUBMITTED,
         {"round": round_})  # fmt: skip
    publish(uow, order, events.RESUBMITTED,
            {"order_id": order.id, "reference": order.reference, "round": round_})  # fmt: skip


# --- rejection ------------------------------------------------------------------------


def reject(uow: UnitOfWork, order: Order, reason_code: str, note: str | None, by: str) -> None:
    """Rejected; the money is to be given back and the order closed (the sweep's
    `release_and_close`)."""
    by_timer = by == SYSTEM_ACTOR
    if not by_timer:
        _claim_if_overtaken(uow, order, by)
    if order.status not in (Status.IN_REVIEW, Status.NEEDS_RESUBMISSION):
        raise _stale(order, "a rejection")
    actor = Actor.SYSTEM if by_timer else Actor.STAFF
    move(uow, order, Action.REJECT, actor, reviewer_actor(by), Entry.REJECTED,
         {"reason_code": reason_code, "note": note or None})  # fmt: skip
    publish(uow, order, events.REJECTED, {
        "order_id": order.id, "reference": order.reference, "reason_code": reason_code,
        "note": note,
    })  # fmt: skip
    set_timer(uow, order, RELEASE_MONEY, uow.clock.now(), {"reason_code": reason_code})


def release_and_close(ctx: Context, uow: UnitOfWork, order: Order, details: dict[str, Any]) -> bool:
    """The release timer's work: void (or refund) at the provider, then closed.
    False when the order is no longer `rejected` (closed already)."""
    if order.status != Status.REJECTED:
        return False
    reason_code = details["reason_code"]
    money, refunded = give_the_money_back(
        ctx, uow, order, f"The application was rejected ({reason_code})."
    )
    closing = f"Closed after the rejection ({reason_code}){_MONEY_WORDS[money](refunded)}."
    move(uow, order, Action.CLOSE, Actor.SYSTEM, SYSTEM_ACTOR, Entry.CLOSED_AFTER_REJECTION,
         {"reason_code": reason_code, "money": money, "refunded_fen": refunded})  # fmt: skip
    publish(uow, order, events.CLOSED,
            {"order_id": order.id, "reference": order.reference, "reason": closing})  # fmt: skip
    return True


# How orders.closed's `reason` (read by notifications) says what became of the money.
_MONEY_WORDS = {
    VOIDED: lambda _fen: ": the authorisation was voided",
    REFUNDED: lambda fen: f": {fen} fen refunded",
    NOTHING: lambda _fen: "",
}


def give_the_money_back(
    ctx: Context, uow: UnitOfWork, order: Order, reason: str
) -> tuple[str, int]:
    """Void an authorisation or refund what was captured (publishing which); what
    became of the money (voided, refunded or none) and the fen refunded."""
    payment = payment_of(uow, order, lock=True)
    if payment is None:
        return NOTHING, 0
    if payment.status == PaymentStatus.AUTHORISED:
        void_payment(ctx, uow, order, payment, reason)
        return VOIDED, 0
    left = payment.captured_fen - payment.refunded_fen
    if payment.status in (PaymentStatus.CAPTURED, PaymentStatus.REFUNDED) and left > 0:
        refund_payment(ctx, uow, payment, left, reason)
        publish(uow, order, events.PAYMENT_REFUNDED, {
            "order_id": order.id, "payment_id": payment.id, "amount_fen": left, "reason": reason,
        })  # fmt: skip
        return REFUNDED, left
    void_payment(ctx, uow, order, payment, reason)  # anything still held is released
    return NOTHING, 0
