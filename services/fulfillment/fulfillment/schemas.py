"""Fulfillment's HTTP schemas: separate input and output shapes."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate

from fulfillment.domain import DueState

ORDER_IDS = fields.List(fields.String(validate=validate.Length(min=1, max=64)), required=True)


class _In(Schema):
    class Meta:
        unknown = EXCLUDE


class QueueQuery(_In):
    status = fields.String(load_default="queued",
                           validate=validate.OneOf(["queued", "in_production", "produced"]))  # fmt: skip
    due = fields.String(load_default=None, validate=validate.OneOf([s.value for s in DueState]))
    item = fields.String(load_default=None, validate=validate.Length(max=64))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=99_999))


class PageQuery(_In):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=99_999))


class DispatchQuery(PageQuery):
    stage = fields.String(load_default="to_waybill",
                          validate=validate.OneOf(["to_waybill", "to_hand_over"]))  # fmt: skip


class OrderIdsIn(_In):
    order_ids = ORDER_IDS


class WaybillsIn(_In):
    waybills = fields.List(fields.String(validate=validate.Length(min=1, max=40)), required=True)


class CredentialIn(_In):
    credential_number = fields.String(required=True, validate=validate.Length(min=1, max=40))


class AddressIn(_In):
    recipient = fields.String(load_default="")
    phone = fields.String(load_default="")
    province = fields.String(load_default="")
    city = fields.String(load_default="")
    district = fields.String(load_default="")
    street = fields.String(load_default="")


class ReshipIn(_In):
    address = fields.Nested(AddressIn, load_default=None, allow_none=True)


class _TextIn(_In):
    zh = fields.String(required=True)
    en = fields.String(required=True)


class OfficeIn(_In):
    name = fields.Nested(_TextIn, required=True)
    address = fields.Nested(_TextIn, required=True)
    hours = fields.Nested(_TextIn, required=True)


class SwitchToPickupIn(_In):
    office_code = fields.String(required=True, validate=validate.Length(min=1, max=64))
    office = fields.Nested(OfficeIn, load_default=None, allow_none=True)


class ReferenceQuery(_In):
    reference = fields.String(required=True, validate=validate.Length(min=1, max=64))


class CodeIn(_In):
    code = fields.String(
        required=True, validate=validate.Regexp(r"^\s*\d{6}\s*$", error="Six digits.")
    )


class HandOverIn(CodeIn):
    id_checked = fields.Boolean(load_default=False)


# --- output ------------------------------------------------------------------------


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
    approved_at = fields.AwareDateTime()
    due_at = fields.AwareDateTime()
    due_state = fields.String()
    batch_id = fields.String(allow_none=True)
    credential_number = fields.String(allow_none=True)
    produced_at = fields.AwareDateTime(allow_none=True)


class QueueOut(Schema):
    jobs = fields.List(fields.Nested(JobSummaryOut))
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())
    page = fields.Integer()
    pages = fields.Integer()


class BatchOut(Schema):
    id = fields.String()
    status = fields.String()
    created_by = fields.String()
    created_at = fields.AwareDateTime()
    produced_at = fields.AwareDateTime(allow_none=True)
    jobs = fields.List(fields.Nested(JobSummaryOut))


class ShipmentOut(Schema):
    order_id = fields.String()
    reference = fields.String()
    carrier = fields.String()
    waybill = fields.String()
    status = fields.String()
    reship = fields.Boolean()
    failed_attempts = fields.Integer()
    created_at = fields.AwareDateTime()
    handed_over_at = fields.AwareDateTime(allow_none=True)
    label_url = fields.String()


class ShipmentsOut(Schema):
    shipments = fields.List(fields.Nested(ShipmentOut))


class DispatchJobOut(JobSummaryOut):
    shipment = fields.Nested(ShipmentOut, allow_none=True)
    exception_reason = fields.String(allow_none=True)


class DispatchListOut(Schema):
    jobs = fields.List(fields.Nested(DispatchJobOut))
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())
    page = fields.Integer()
    pages = fields.Integer()


class _Text(Schema):
    zh = fields.String()
    en = fields.String()


class TrackingOut(Schema):
    state = fields.String()
    description = fields.Nested(_Text)
    city = fields.String(allow_none=True)
    occurred_at = fields.AwareDateTime()
    reason = fields.String(allow_none=True)
    what_to_do = fields.Nested(_Text, allow_none=True)


class JobShipmentOut(Schema):
    carrier = fields.String()
    waybill = fields.String()
    status = fields.String()
    failed_attempts = fields.Integer()
    handed_over_at = fields.AwareDateTime(allow_none=True)
    signer = fields.String(allow_none=True)
    tracking = fields.List(fields.Nested(TrackingOut))


class PickupOut(Schema):
    office_code = fields.String(allow_none=True)
    office = fields.Dict(allow_none=True)
    ready_at = fields.AwareDateTime(allow_none=True)
    collect_by = fields.AwareDateTime(allow_none=True)
    code = fields.String(allow_none=True)
    attempts_left = fields.Integer()
    locked = fields.Boolean()


class JobOut(Schema):
    order_id = fields.String()
    reference = fields.String()
    item_code = fields.String()
    status = fields.String()
    delivery_kind = fields.String()
    due_at = fields.AwareDateTime()
    produced_at = fields.AwareDateTime(allow_none=True)
    credential_number = fields.String(allow_none=True)
    delivered_at = fields.AwareDateTime(allow_none=True)
    exception_reason = fields.String(allow_none=True)
    address = fields.Dict(allow_none=True)
    address_editable = fields.Boolean()
    shipment = fields.Nested(JobShipmentOut, allow_none=True)
    pickup = fields.Nested(PickupOut, allow_none=True)


class CounterOut(Schema):
    order_id = fields.String()
    reference = fields.String()
    item_code = fields.String()
    status = fields.String()
    applicant_name = fields.String(allow_none=True)
    id_number_masked = fields.String(allow_none=True)
    office_code = fields.String(allow_none=True)
    office = fields.Dict(allow_none=True)
    ready_at = fields.AwareDateTime(allow_none=True)
    collect_by = fields.AwareDateTime(allow_none=True)
    attempts_left = fields.Integer()
    locked = fields.Boolean()


class WebhookAnswerOut(Schema):
    stored = fields.Integer()
    duplicates = fields.Integer()
