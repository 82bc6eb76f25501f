"""The shapes of /api/v1's delivery endpoints and /api/v1/staff's production,
dispatch and counter endpoints (input and output apart). Outputs dump the
dataclasses of gateway.clients.fulfillment; times are ISO 8601 with a zone."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate

from gateway.clients.fulfillment import DISPATCH_STAGES, DUE_TABS, QUEUE_STATUSES
from gateway.schemas import TextOut


class _In(Schema):
    class Meta:
        unknown = EXCLUDE


class OfficeOut(Schema):
    name = fields.Nested(TextOut)
    address = fields.Nested(TextOut)
    hours = fields.Nested(TextOut)


class TrackingEventOut(Schema):
    state = fields.String(metadata={"description": "collected (揽收), in_transit (在途), "
                                    "out_for_delivery (派件), signed (签收), problem (疑难), "
                                    "refused (退签), returned (退回)"})  # fmt: skip
    description = fields.Nested(TextOut)
    city = fields.String(allow_none=True)
    occurred_at = fields.String(allow_none=True)
    reason = fields.String(allow_none=True, metadata={"description": "a failed attempt's reason"})
    what_to_do = fields.Nested(TextOut, allow_none=True)


class ParcelOut(Schema):
    carrier = fields.String()
    waybill = fields.String()
    status = fields.String()
    failed_attempts = fields.Integer()
    handed_over_at = fields.String(allow_none=True)
    signer = fields.String(allow_none=True)
    tracking = fields.List(
        fields.Nested(TrackingEventOut), metadata={"description": "newest first"}
    )


class PickupOut(Schema):
    office_code = fields.String(allow_none=True)
    office = fields.Nested(OfficeOut, allow_none=True)
    ready_at = fields.String(allow_none=True)
    collect_by = fields.String(allow_none=True)
    code = fields.String(allow_none=True, metadata={"description": "the owner's only, while ready"})
    attempts_left = fields.Integer()
    locked = fields.Boolean()


class ParcelAddressOut(Schema):
    recipient = fields.String()
    phone = fields.String()
    province = fields.String()
    city = fields.String()
    district = fields.String()
    street = fields.String()


class OrderDeliveryOut(Schema):
    order_id = fields.String()
    reference = fields.String()
    item_code = fields.String()
    status = fields.String(metadata={"description": "the job: queued, in_production, produced, "
                                     "shipped, ready_for_pickup, delivered, delivery_exception, "
                                     "cancelled"})  # fmt: skip
    delivery_kind = fields.String()
    due_at = fields.String(allow_none=True)
    produced_at = fields.String(allow_none=True)
    credential_number = fields.String(allow_none=True)
    delivered_at = fields.String(allow_none=True)
    exception_reason = fields.String(allow_none=True)
    address = fields.Nested(ParcelAddressOut, allow_none=True)
    address_editable = fields.Boolean()
    shipment = fields.Nested(ParcelOut, allow_none=True)
    pickup = fields.Nested(PickupOut, allow_none=True)


class PickupCodeOut(Schema):
    code = fields.String()
    office_code = fields.String(allow_none=True)
    office = fields.Nested(OfficeOut, allow_none=True)
    collect_by = fields.String(allow_none=True)


class CorrectedAddressIn(_In):
    recipient = fields.String(required=True)
    phone = fields.String(required=True)
    province = fields.String(required=True)
    city = fields.String(required=True)
    district = fields.String(required=True)
    street = fields.String(required=True)


# --- staff ---------------------------------------------------------------------------------


class JobSummaryOut(Schema):
    order_id = fields.String()
    reference = fields.String()
    item_code = fields.String()
    status = fields.String()
    applicant_name = fields.String(allow_none=True)
    id_number_masked = fields.String(allow_none=True)
    plate_number = fields.String(allow_none=True)
    delivery_kind = fields.String()
    office_code = fields.String(allow_none=True)
    approved_at = fields.String(allow_none=True)
    due_at = fields.String(allow_none=True)
    due_state = fields.String(metadata={"description": "on_time, due_today or late"})
    batch_id = fields.String(allow_none=True)
    credential_number = fields.String(allow_none=True)
    produced_at = fields.String(allow_none=True)


class ProductionQueueQuery(_In):
    status = fields.String(load_default="queued", validate=validate.OneOf(QUEUE_STATUSES))
    due = fields.String(load_default="all", validate=validate.OneOf(DUE_TABS))
    item = fields.String(load_default="", validate=validate.Length(max=64))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=9999))


class ProductionQueueOut(Schema):
    jobs = fields.List(fields.Nested(JobSummaryOut))
    counts = fields.Dict(keys=fields.String(), values=fields.Integer(),
                         metadata={"description": "all, on_time, due_today, late"})  # fmt: skip
    page = fields.Integer()
    pages = fields.Integer()


class OrderIdsIn(_In):
    order_ids = fields.List(fields.String(), required=True)


class WaybillsIn(_In):
    waybills = fields.List(fields.String(), required=True)


class BatchOut(Schema):
    id = fields.String()
    status = fields.String()
    created_by = fields.String()
    created_at = fields.String(allow_none=True)
    produced_at = fields.String(allow_none=True)
    jobs = fields.List(fields.Nested(JobSummaryOut))


class CredentialIn(_In):
    credential_number = fields.String(required=True)


class ShipmentOut(Schema):
    order_id = fields.String()
    reference = fields.String()
    carrier = fields.String()
    waybill = fields.String()
    status = fields.String()
    reship = fields.Boolean()
    failed_attempts = fields.Integer()
    created_at = fields.String(allow_none=True)
    handed_over_at = fields.String(allow_none=True)


class ShipmentsOut(Schema):
    shipments = fields.List(fields.Nested(ShipmentOut))


class DispatchJobOut(Schema):
    job = fields.Nested(JobSummaryOut)
    shipment = fields.Nested(ShipmentOut, allow_none=True)
    exception_reason = fields.String(allow_none=True)


class DispatchListOut(Schema):
    jobs = fields.List(fields.Nested(DispatchJobOut))
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())
    page = fields.Integer()
    pages = fields.Integer()


class DispatchQuery(_In):
    stage = fields.String(load_default="to_waybill", validate=validate.OneOf(DISPATCH_STAGES))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=9999))


class PageQuery(_In):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=9999))


class ReshipIn(_In):
    address = fields.Nested(CorrectedAddressIn, load_default=None, allow_none=True)


class SwitchToPickupIn(_In):
    office_code = fields.String(required=True, validate=validate.Length(min=1, max=64))


class ReferenceQuery(_In):
    reference = fields.String(required=True, validate=validate.Length(min=1, max=64))


class CodeIn(_In):
    code = fields.String(required=True)


class HandOverIn(_In):
    code = fields.String(required=True)
    id_checked = fields.Boolean(load_default=False)


class CounterOut(Schema):
    order_id = fields.String()
    reference = fields.String()
    item_code = fields.String()
    status = fields.String()
    applicant_name = fields.String(allow_none=True)
    id_number_masked = fields.String(allow_none=True)
    office_code = fields.String(allow_none=True)
    office = fields.Nested(OfficeOut, allow_none=True)
    ready_at = fields.String(allow_none=True)
    collect_by = fields.String(allow_none=True)
    attempts_left = fields.Integer()
    locked = fields.Boolean()
