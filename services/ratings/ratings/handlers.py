"""Orders' and fulfillment's events that keep ratings' read model: who may rate
which order until when, who may complain about it, and the statistics.

Each handler changes the order's row and, through statistics.Counting, the
per-day counts by exactly the difference the change makes. Times are kept as
the earliest reported (a reship's dispatch does not move the first one), flags
only ever turn on, so events applied twice or in any order leave the same
row; an event that changes nothing is recorded as stale. The Dispatcher runs
each handler inside the worker's transaction after the inbox row.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from marshmallow import EXCLUDE, Schema, fields, validate

from common.db import UnitOfWork
from common.events.consumer import Handler, StaleEvent
from common.events.envelope import Envelope
from ratings import statistics
from ratings.domain.privacy import mask_name

DRAFT_CREATED = "orders.draft_created"
SUBMITTED = "orders.submitted"
APPROVED = "orders.approved"
RESUBMISSION_REQUESTED = "orders.resubmission_requested"
REJECTED = "orders.rejected"
COMPLETED = "orders.completed"
DISPATCHED = "fulfillment.dispatched"
DELIVERED = "fulfillment.delivered"

_Id = validate.Length(min=1, max=64)


class _Read(Schema):
    class Meta:
        unknown = EXCLUDE

    order_id = fields.String(required=True, validate=_Id)


class _Owned(_Read):
    applicant_id = fields.String(required=True, validate=validate.Length(min=1, max=100))
    item_code = fields.String(required=True, validate=_Id)


class DraftCreated(_Owned):
    """What ratings reads of orders.draft_created."""


class Submitted(_Owned):
    """What ratings reads of orders.submitted (never the answers)."""

    submitted_at = fields.AwareDateTime(required=True)


class Approved(_Owned):
    """What ratings reads of orders.approved: the name only to mask it."""

    approved_at = fields.AwareDateTime(required=True)
    applicant_name = fields.String(load_default=None, allow_none=True)


class ResubmissionRequested(_Read):
    """What ratings reads of orders.resubmission_requested."""


class Rejected(_Read):
    """What ratings reads of orders.rejected (the time is the envelope's)."""


class Completed(_Owned):
    """What ratings reads of orders.completed."""

    completed_at = fields.AwareDateTime(required=True)


class Dispatched(_Read):
    """What ratings reads of fulfillment.dispatched."""

    reship = fields.Boolean(required=True)
    dispatched_at = fields.AwareDateTime(required=True)


class Delivered(_Read):
    """What ratings reads of fulfillment.delivered."""

    delivered_at = fields.AwareDateTime(required=True)


def _earliest(current: datetime | None, reported: datetime) -> datetime:
    return reported if current is None or reported < current else current


def _record(uow: UnitOfWork, order_id: str, **changes: Any) -> None:
    """Apply what an event reports to the order's row; stale when nothing changes."""
    order = statistics.order_row(uow.session, order_id, uow.clock.now())
    with statistics.Counting(uow.session, order, statistics.order_counts):
        changed = False
        for name, value in changes.items():
            current = getattr(order, name)
            new: Any
            if isinstance(value, datetime):
                new = _earliest(current, value)
            elif isinstance(value, bool):
                new = bool(current) or value
            else:
                new = current if current is not None or value is None else value
            if new != current:
                setattr(order, name, new)
                changed = True
        if not changed:
            raise StaleEvent(f"the order {order_id} already shows this")
        order.updated_at = uow.clock.now()


def _owner(data: dict[str, Any]) -> dict[str, Any]:
    return {"applicant_id": data["applicant_id"], "item_code": data["item_code"]}


def note_draft(event: Envelope, uow: UnitOfWork) -> None:
    data = DraftCreated().load(event.data)
    _record(uow, data["order_id"], drafted=True, **_owner(data))


def note_submission(event: Envelope, uow: UnitOfWork) -> None:
    data = Submitted().load(event.data)
    _record(uow, data["order_id"], submitted_at=data["submitted_at"], **_owner(data))


def note_approval(event: Envelope, uow: UnitOfWork) -> None:
    data = Approved().load(event.data)
    _record(uow, data["order_id"], approved_at=data["approved_at"],
            applicant_name_masked=mask_name(data["applicant_name"]), **_owner(data))  # fmt: skip


def note_second_look(event: Envelope, uow: UnitOfWork) -> None:
    data = ResubmissionRequested().load(event.data)
    _record(uow, data["order_id"], asked_again=True)


def note_rejection(event: Envelope, uow: UnitOfWork) -> None:
    data = Rejected().load(event.data)
    _record(uow, data["order_id"], rejected_at=event.occurred_at)


def open_rating_window(event: Envelope, uow: UnitOfWork) -> None:
    data = Completed().load(event.data)
    _record(uow, data["order_id"], completed_at=data["completed_at"], **_owner(data))


def note_dispatch(event: Envelope, uow: UnitOfWork) -> None:
    data = Dispatched().load(event.data)
    _record(uow, data["order_id"], dispatched_at=data["dispatched_at"])


def note_delivery(event: Envelope, uow: UnitOfWork) -> None:
    data = Delivered().load(event.data)
    _record(uow, data["order_id"], delivered_at=data["delivered_at"])


HANDLERS: dict[str, Handler] = {
    DRAFT_CREATED: note_draft,
    SUBMITTED: note_submission,
    APPROVED: note_approval,
    RESUBMISSION_REQUESTED: note_second_look,
    REJECTED: note_rejection,
    COMPLETED: open_rating_window,
    DISPATCHED: note_dispatch,
    DELIVERED: note_delivery,
}
BINDINGS = list(HANDLERS)

# What ratings reads of each event it consumes; the contract tests load every
# producer's example through these.
CONSUMED: dict[str, type[Schema]] = {
    DRAFT_CREATED: DraftCreated,
    SUBMITTED: Submitted,
    APPROVED: Approved,
    RESUBMISSION_REQUESTED: ResubmissionRequested,
    REJECTED: Rejected,
    COMPLETED: Completed,
    DISPATCHED: Dispatched,
    DELIVERED: Delivered,
}
