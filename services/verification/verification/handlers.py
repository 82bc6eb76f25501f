"""Orders' events open, lock, queue for review and close the document case of
each order.

The Dispatcher runs each handler inside the worker's transaction, after the
inbox row for the event id (a redelivered event never reaches a handler).
The handlers are also safe on their own and in any order: a case only moves
forward (collecting → locked → closed), and an event that would not move it
is recorded as stale. An event that overtakes `orders.draft_created` creates
the case in the state it implies, without details; the draft event then fills
them in and leaves the state alone, so a closed case never reopens and a
locked one never takes uploads again. The order's final events (cancelled,
closed, closed unpaid, discarded, completed) also start the retention of the
case's pictures (retention.py). A payload missing a field we read fails
validation and is dead-lettered. The form's answers are sealed before they
are stored (sealing.py), so the handlers are built with the keyring:
`handlers_for(seal)`.
"""

from __future__ import annotations

import logging
from datetime import datetime
from functools import partial
from typing import Any

from marshmallow import Schema

from common.db import UnitOfWork
from common.events.consumer import Handler, StaleEvent
from common.events.envelope import Envelope
from common.working_days import add_working_days
from verification.domain import CaseStatus, moves_forward
from verification.models import Case
from verification.retention import record_final
from verification.schemas.orders_events import (
    AwaitingPayment,
    Closed,
    DraftCreated,
    Final,
    Submitted,
)
from verification.sealing import AnswerSeal
from verification.services import announce_document_set, find_case

log = logging.getLogger("verification.handlers")

DRAFT_CREATED = "orders.draft_created"
AWAITING_PAYMENT = "orders.awaiting_payment"
SUBMITTED = "orders.submitted"
CANCELLED = "orders.cancelled"
CLOSED_UNPAID = "orders.closed_unpaid"
DISCARDED = "orders.discarded"
CLOSED = "orders.closed"
COMPLETED = "orders.completed"


def open_case(event: Envelope, uow: UnitOfWork) -> None:
    """A new case collecting the item's required documents; announces its completeness."""
    data = DraftCreated().load(event.data)
    case = find_case(uow, data["order_id"], for_update=True)
    if case is not None and case.opened_at is not None:
        raise StaleEvent(f"case {data['order_id']} is already open")
    if case is not None and case.status == CaseStatus.CLOSED:
        raise StaleEvent(f"order {data['order_id']} closed before its draft arrived")
    if case is None:
        case = _new_case(uow, data, CaseStatus.COLLECTING)
    case.applicant_id = data["applicant_id"]
    case.item_code = data["item_code"]
    case.required_documents = [
        {"code": entry["code"], "title": entry["title"]} for entry in data["required_documents"]
    ]
    case.opened_at = event.occurred_at
    case.updated_at = uow.clock.now()
    if case.status == CaseStatus.COLLECTING:
        announce_document_set(uow, case)
    else:
        log.info(
            "case details arrived after the order moved on; kept %s",
            case.status,
            extra={"correlation_id": case.order_id},
        )


def lock_case(event: Envelope, uow: UnitOfWork) -> None:
    """The order awaits payment: its documents are final."""
    data = AwaitingPayment().load(event.data)
    _advance(uow, data, CaseStatus.LOCKED, event.occurred_at)


def record_submission(event: Envelope, uow: UnitOfWork, *, seal: AnswerSeal) -> None:
    """Paid and submitted: the case joins the review queue with its SLA due time
    and the form's answers (it may overtake orders.awaiting_payment and implies
    the lock; a case closed meanwhile only records it)."""
    data = Submitted().load(event.data)
    case = find_case(uow, data["order_id"], for_update=True)
    if case is not None and case.submitted_at is not None:
        raise StaleEvent(f"order {data['order_id']} is already recorded as submitted")
    if case is None:
        case = _new_case(uow, data, CaseStatus.LOCKED, locked_at=event.occurred_at)
    case.applicant_id = case.applicant_id or data["applicant_id"]
    case.item_code = case.item_code or data["item_code"]
    case.submitted_at = data["submitted_at"] or event.occurred_at
    if case.status == CaseStatus.COLLECTING:
        case.locked_at = event.occurred_at
    case.sla_working_days = data["sla_working_days"]
    case.answers_sealed = seal.seal(data["answers"])
    if case.status != CaseStatus.CLOSED:
        case.status = CaseStatus.QUEUED.value
        case.queued_at = case.submitted_at
        case.sla_due_at = add_working_days(case.submitted_at, data["sla_working_days"])
    case.updated_at = uow.clock.now()


def close_case(event: Envelope, uow: UnitOfWork) -> None:
    """The order was cancelled, closed unpaid or discarded: the case closes for good
    and the retention of its pictures starts. A case already closed (an approved
    case a supervisor cancels) still starts its retention: the close is stale,
    the order's end is not."""
    data = Closed().load(event.data)
    try:
        case = _advance(uow, data, CaseStatus.CLOSED, event.occurred_at)
    except StaleEvent:
        if not record_final(uow, data["order_id"], event.occurred_at):
            raise
        return
    case.closed_because = event.type.removeprefix("orders.")
    record_final(uow, data["order_id"], event.occurred_at)


def start_retention(event: Envelope, uow: UnitOfWork) -> None:
    """The order is finished (closed after a rejection, or completed): its pictures
    are kept for the retention period from now. The first final event counts."""
    order_id = Final().load(event.data)["order_id"]
    if not record_final(uow, order_id, event.occurred_at):
        raise StaleEvent(f"case {order_id} is missing or already final")


def _advance(uow: UnitOfWork, data: dict[str, Any], target: CaseStatus, at: datetime) -> Case:
    case = find_case(uow, data["order_id"], for_update=True)
    if case is None:
        case = _new_case(uow, data, target)
    elif not moves_forward(case.status, target):
        raise StaleEvent(f"case {case.order_id} is already {case.status}")
    case.status = target.value
    if target == CaseStatus.LOCKED:
        case.locked_at = at
    if target == CaseStatus.CLOSED:
        case.closed_at = at
    case.updated_at = uow.clock.now()
    return case


def _new_case(uow: UnitOfWork, data: dict[str, Any], status: CaseStatus, **times: Any) -> Case:
    now = uow.clock.now()
    case = Case(
        order_id=data["order_id"],
        reference=data["reference"],
        status=status.value,
        revision=0,
        created_at=now,
        updated_at=now,
        **times,
    )
    uow.session.add(case)
    return case


def handlers_for(seal: AnswerSeal) -> dict[str, Handler]:
    """The handler of each consumed event, the submission's sealing with `seal`."""
    return {
        DRAFT_CREATED: open_case,
        AWAITING_PAYMENT: lock_case,
        SUBMITTED: partial(record_submission, seal=seal),
        CANCELLED: close_case,
        CLOSED_UNPAID: close_case,
        DISCARDED: close_case,
        CLOSED: start_retention,
        COMPLETED: start_retention,
    }


# What verification reads of each event it consumes; the contract tests load
# every producer's example through these.
CONSUMED: dict[str, type[Schema]] = {
    DRAFT_CREATED: DraftCreated,
    AWAITING_PAYMENT: AwaitingPayment,
    SUBMITTED: Submitted,
    CANCELLED: Closed,
    CLOSED_UNPAID: Closed,
    DISCARDED: Closed,
    CLOSED: Final,
    COMPLETED: Final,
}
BINDINGS = list(CONSUMED)
