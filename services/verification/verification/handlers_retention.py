"""Orders' final events start the retention clock of a case's pictures.

An order is final once it is cancelled, closed (after a rejection), closed
unpaid, discarded or completed; the case then records `final_at`, and the
retention purge (retention.py) deletes its pictures VERIFICATION_RETENTION_DAYS
later. The first final event counts; any later one is stale.

The Dispatcher runs one handler per event type, and handlers.py already
closes the case on orders.cancelled, orders.closed_unpaid and
orders.discarded. Those handlers are wrapped here: the case is closed as
before, then its final time is recorded. A case already closed (an approved
case a supervisor cancels) still becomes final: the close is stale, the
order's finality is not. The worker merges these HANDLERS over handlers.HANDLERS.
"""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate

from common.db import UnitOfWork
from common.events.consumer import Handler, StaleEvent
from common.events.envelope import Envelope
from verification import handlers
from verification.retention import record_final

CLOSED = "orders.closed"
COMPLETED = "orders.completed"


class Final(Schema):
    """What verification reads of orders.closed and orders.completed."""

    class Meta:
        unknown = EXCLUDE

    order_id = fields.String(required=True, validate=validate.Length(min=1, max=64))


def start_retention(event: Envelope, uow: UnitOfWork) -> None:
    """The order is finished: its pictures are kept for the retention period from now."""
    order_id = Final().load(event.data)["order_id"]
    if not record_final(uow, order_id, event.occurred_at):
        raise StaleEvent(f"case {order_id} is missing or already final")


def closing_and_starting_retention(close_case: Handler) -> Handler:
    """`close_case`, then the retention clock (see the module's note)."""

    def handle(event: Envelope, uow: UnitOfWork) -> None:
        order_id = Final().load(event.data)["order_id"]
        try:
            close_case(event, uow)
        except StaleEvent:
            if not record_final(uow, order_id, event.occurred_at):
                raise
            return
        record_final(uow, order_id, event.occurred_at)

    handle.__name__ = f"{close_case.__name__}_and_start_retention"
    handle.__doc__ = close_case.__doc__
    return handle


HANDLERS: dict[str, Handler] = {
    CLOSED: start_retention,
    COMPLETED: start_retention,
    **{
        event_type: closing_and_starting_retention(handlers.HANDLERS[event_type])
        for event_type in (handlers.CANCELLED, handlers.CLOSED_UNPAID, handlers.DISCARDED)
    },
}

# What verification reads of the events only this module consumes.
CONSUMED: dict[str, type[Schema]] = {CLOSED: Final, COMPLETED: Final}
