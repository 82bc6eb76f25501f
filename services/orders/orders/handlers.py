"""Events from verification that orders acts on: whether an order's document
set is complete.

Verification publishes a verdict after every change to a case, each with a
growing `revision`. Orders keeps the latest revision's verdict on the order;
competing consumers may deliver an older one late, and it is then recorded
as stale and ignored. The Dispatcher's inbox already skips a redelivered
event id. A payload missing a field read here fails validation and is
dead-lettered.
"""

from __future__ import annotations

import logging
from typing import Any

from marshmallow import EXCLUDE, Schema, fields, validate

from common.db import UnitOfWork
from common.events.consumer import Handler, StaleEvent
from common.events.envelope import Envelope
from orders import domain
from orders.models import Order

log = logging.getLogger("orders.handlers")

DOCUMENT_SET_COMPLETED = "verification.document_set_completed"
DOCUMENT_SET_INCOMPLETE = "verification.document_set_incomplete"

_CODE = fields.String(validate=validate.Length(min=1, max=64))


class _Verdict(Schema):
    class Meta:
        unknown = EXCLUDE

    order_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    revision = fields.Integer(strict=True, required=True, validate=validate.Range(min=1))


class DocumentSetCompleted(_Verdict):
    """What orders reads of verification.document_set_completed."""

    documents = fields.List(_CODE, required=True)


class DocumentSetIncomplete(_Verdict):
    """What orders reads of verification.document_set_incomplete."""

    missing = fields.List(_CODE, required=True, validate=validate.Length(min=1))


def record_documents_complete(event: Envelope, uow: UnitOfWork) -> None:
    data = DocumentSetCompleted().load(event.data)
    _record_verdict(uow, data, complete=True, missing=[])


def record_documents_incomplete(event: Envelope, uow: UnitOfWork) -> None:
    data = DocumentSetIncomplete().load(event.data)
    _record_verdict(uow, data, complete=False, missing=data["missing"])


def _record_verdict(
    uow: UnitOfWork, data: dict[str, Any], *, complete: bool, missing: list[str]
) -> None:
    order = uow.session.get(Order, data["order_id"], with_for_update=True)
    if order is None:
        # Orders creates every order before verification hears of it: this one will never exist.
        raise StaleEvent(f"there is no order {data['order_id']}")
    if not domain.is_newer_revision(order.documents_revision, data["revision"]):
        raise StaleEvent(
            f"revision {data['revision']} is not newer than {order.documents_revision} held"
        )
    order.documents_revision = data["revision"]
    order.documents_complete = complete
    order.documents_missing = missing
    # An upload is activity on a draft: the idle timer sees the later time and waits on.
    order.updated_at = uow.clock.now()


HANDLERS: dict[str, Handler] = {
    DOCUMENT_SET_COMPLETED: record_documents_complete,
    DOCUMENT_SET_INCOMPLETE: record_documents_incomplete,
}
BINDINGS = [DOCUMENT_SET_COMPLETED, DOCUMENT_SET_INCOMPLETE]

# What orders reads of each event it consumes; the contract tests load every
# producer's example through these.
CONSUMED: dict[str, type[Schema]] = {
    DOCUMENT_SET_COMPLETED: DocumentSetCompleted,
    DOCUMENT_SET_INCOMPLETE: DocumentSetIncomplete,
}
