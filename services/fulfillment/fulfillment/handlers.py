"""Orders' events that start and stop the making of a credential.

`orders.approved` opens the production job; `orders.cancelled` cancels an open
one. The Dispatcher runs each handler inside the worker's transaction after
the inbox row (a redelivered event never reaches a handler); the handlers are
also idempotent on their own (a second approval of one order opens nothing).
Fields orders does not carry yet (docs/design/deliver.md, "What
orders.approved must carry") are read as optional with a fallback. The
handlers use the courier (a cancelled order's waybill is cancelled with it)
and the default SLA, so the worker builds them with the Context:
`handlers_for(ctx)`.
"""

from __future__ import annotations

import logging
from typing import Any

from marshmallow import EXCLUDE, Schema, fields, validate

from common.db import UnitOfWork
from common.events.consumer import Handler, StaleEvent
from common.events.envelope import Envelope
from common.working_days import add_working_days
from fulfillment import domain
from fulfillment.couriers import CourierRefused, CourierUnavailable
from fulfillment.domain import JobStatus, Move
from fulfillment.models import Job
from fulfillment.services import Context, current_shipment

log = logging.getLogger("fulfillment.handlers")

ORDERS_APPROVED = "orders.approved"
ORDERS_CANCELLED = "orders.cancelled"


class _Text(Schema):
    class Meta:
        unknown = EXCLUDE

    zh = fields.String(required=True)
    en = fields.String(required=True)


class _Office(Schema):
    class Meta:
        unknown = EXCLUDE

    name = fields.Nested(_Text, required=True)
    address = fields.Nested(_Text, required=True)
    hours = fields.Nested(_Text, required=True)


class _Delivery(Schema):
    class Meta:
        unknown = EXCLUDE

    kind = fields.String(required=True, validate=validate.OneOf(["courier", "pickup"]))
    option_code = fields.String(required=True)
    address = fields.Dict(keys=fields.String(), values=fields.String(), load_default=None)
    office_code = fields.String(load_default=None)
    carrier = fields.String(load_default=None)
    office = fields.Nested(_Office, load_default=None, allow_none=True)


class OrderApproved(Schema):
    """What fulfillment reads of orders.approved (orders owns the full schema)."""

    class Meta:
        unknown = EXCLUDE

    order_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    reference = fields.String(required=True, validate=validate.Length(min=1, max=64))
    item_code = fields.String(required=True, validate=validate.Length(min=1, max=64))
    applicant_id = fields.String(required=True, validate=validate.Length(min=1, max=100))
    delivery = fields.Nested(_Delivery, required=True)
    approved_at = fields.AwareDateTime(required=True)
    # Not carried yet: see docs/design/deliver.md.
    applicant_name = fields.String(load_default=None, allow_none=True)
    id_number_masked = fields.String(load_default=None, allow_none=True,
                                     validate=validate.Regexp(r"^[^*]{0,3}\*+[^*]{0,4}$"))  # fmt: skip
    plate_number = fields.String(load_default=None, allow_none=True)
    sla_working_days = fields.Integer(
        load_default=None, allow_none=True, validate=validate.Range(min=1)
    )


class OrderCancelled(Schema):
    """What fulfillment reads of orders.cancelled."""

    class Meta:
        unknown = EXCLUDE

    order_id = fields.String(required=True, validate=validate.Length(min=1, max=64))


def open_job(ctx: Context) -> Handler:
    def handle(event: Envelope, uow: UnitOfWork) -> None:
        """An approved order waits in the production queue, due by its SLA."""
        data = OrderApproved().load(event.data)
        if uow.session.get(Job, data["order_id"]) is not None:
            raise StaleEvent(f"the order {data['order_id']} already has a job")
        uow.session.add(_new_job(data, ctx.default_sla_working_days, uow.clock.now()))

    return handle


def _new_job(data: dict[str, Any], default_sla: int, now: Any) -> Job:
    delivery = data["delivery"]
    address = delivery["address"] if delivery["kind"] == "courier" else None
    office = delivery.get("office")
    office_code = delivery.get("office_code") or (
        delivery["option_code"] if delivery["kind"] == "pickup" else None
    )
    name = data["applicant_name"] or (address or {}).get("recipient")
    days = data["sla_working_days"] or default_sla
    return Job(
        order_id=data["order_id"], reference=data["reference"], item_code=data["item_code"],
        applicant_id=data["applicant_id"], applicant_name=name,
        id_number_masked=data["id_number_masked"],
        plate_number=domain.normalise_plate(data["plate_number"]) if data["plate_number"] else None,
        delivery_kind=delivery["kind"],
        carrier=(delivery.get("carrier") or "EMS") if delivery["kind"] == "courier" else None,
        address=address, office_code=office_code, office=office,
        status=JobStatus.QUEUED.value, approved_at=data["approved_at"],
        due_at=add_working_days(data["approved_at"], days),
        pickup_failures=0, created_at=now, updated_at=now,
    )  # fmt: skip


def cancel_job(ctx: Context) -> Handler:
    def handle(event: Envelope, uow: UnitOfWork) -> None:
        """A cancelled order stops being made; a parcel not yet handed over is cancelled too."""
        data = OrderCancelled().load(event.data)
        job = uow.session.get(Job, data["order_id"], with_for_update=True)
        if job is None or job.status not in domain.JOB_MOVES[Move.CANCEL][0]:
            raise StaleEvent(f"nothing open to cancel for the order {data['order_id']}")
        shipment = current_shipment(uow, job)
        if shipment is not None and shipment.status == "waybill_created":
            _cancel_waybill(ctx, shipment.waybill)
            shipment.status = "cancelled"
        elif (
            shipment is not None
            and shipment.handed_over_at is not None
            and job.status == JobStatus.SHIPPED
        ):
            log.warning("a cancelled order's parcel is already with the courier",
                        extra={"correlation_id": job.order_id, "waybill": shipment.waybill})  # fmt: skip
        now = uow.clock.now()
        job.status, job.cancelled_at, job.updated_at = JobStatus.CANCELLED.value, now, now
        job.pickup_code = None

    return handle


def _cancel_waybill(ctx: Context, waybill: str) -> None:
    try:
        ctx.courier.cancel_waybill(waybill)
    except (CourierRefused, CourierUnavailable) as exc:
        log.warning(
            "the courier kept a cancelled order's waybill: %s", exc, extra={"waybill": waybill}
        )


def handlers_for(ctx: Context) -> dict[str, Handler]:
    """The handler of each consumed event, on the context's courier and settings."""
    return {ORDERS_APPROVED: open_job(ctx), ORDERS_CANCELLED: cancel_job(ctx)}


BINDINGS = [ORDERS_APPROVED, ORDERS_CANCELLED]

# What fulfillment reads of each event it consumes; the contract tests load
# every producer's example through these.
CONSUMED: dict[str, type[Schema]] = {
    ORDERS_APPROVED: OrderApproved,
    ORDERS_CANCELLED: OrderCancelled,
}
