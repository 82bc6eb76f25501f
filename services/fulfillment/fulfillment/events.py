"""The events fulfillment publishes: their names, payload schemas and examples.

Every payload goes through its schema's `dump` and is validated before it
reaches the outbox. The envelope's `correlation_id` is the order id. No
payload carries a name, an address, a phone, an ID number or a pickup code.
docs/events.md mirrors this file.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from common.events.payloads import Payloads

PRODUCTION_STARTED = "fulfillment.production_started"
PRODUCED = "fulfillment.produced"
DISPATCHED = "fulfillment.dispatched"
TRACKING_UPDATED = "fulfillment.tracking_updated"
DELIVERY_ATTEMPT_FAILED = "fulfillment.delivery_attempt_failed"
READY_FOR_PICKUP = "fulfillment.ready_for_pickup"
PICKUP_REMINDER_DUE = "fulfillment.pickup_reminder_due"
DELIVERED = "fulfillment.delivered"
DELIVERY_EXCEPTION = "fulfillment.delivery_exception"

TRACKING_STATES = (
    "collected", "in_transit", "out_for_delivery", "signed", "problem", "refused", "returned",
)  # fmt: skip
EXCEPTION_REASONS = ("three_failed_attempts", "refused", "returned", "uncollected")


class _LocalText(Schema):
    zh = fields.String(required=True)
    en = fields.String(required=True)


class _Office(Schema):
    name = fields.Nested(_LocalText, required=True)
    address = fields.Nested(_LocalText, required=True)
    hours = fields.Nested(_LocalText, required=True)


class _Job(Schema):
    order_id = fields.String(required=True)
    reference = fields.String(required=True)


class ProductionStarted(_Job):
    item_code = fields.String(required=True)
    batch_id = fields.String(required=True)
    actor = fields.String(required=True)
    started_at = fields.AwareDateTime(required=True)


class Produced(_Job):
    item_code = fields.String(required=True)
    delivery_kind = fields.String(required=True, validate=validate.OneOf(["courier", "pickup"]))
    credential_number = fields.String(required=True, allow_none=True)
    actor = fields.String(required=True)
    produced_at = fields.AwareDateTime(required=True)


class Dispatched(_Job):
    carrier = fields.String(required=True)
    waybill = fields.String(required=True)
    reship = fields.Boolean(required=True)
    actor = fields.String(required=True)
    dispatched_at = fields.AwareDateTime(required=True)


class TrackingUpdated(_Job):
    carrier = fields.String(required=True)
    waybill = fields.String(required=True)
    state = fields.String(required=True, validate=validate.OneOf(TRACKING_STATES))
    city = fields.String(required=True, allow_none=True)
    occurred_at = fields.AwareDateTime(required=True)


class DeliveryAttemptFailed(_Job):
    waybill = fields.String(required=True)
    attempt = fields.Integer(required=True, validate=validate.Range(min=1))
    reason = fields.String(required=True)
    what_to_do = fields.Nested(_LocalText, required=True)
    occurred_at = fields.AwareDateTime(required=True)


class ReadyForPickup(_Job):
    office_code = fields.String(required=True)
    office = fields.Nested(_Office, required=True, allow_none=True)
    switched = fields.Boolean(required=True)
    ready_at = fields.AwareDateTime(required=True)
    collect_by = fields.AwareDateTime(required=True)


class PickupReminderDue(_Job):
    office_code = fields.String(required=True)
    collect_by = fields.AwareDateTime(required=True)


class Delivered(_Job):
    how = fields.String(required=True, validate=validate.OneOf(["courier", "pickup"]))
    waybill = fields.String(required=True, allow_none=True)
    actor = fields.String(required=True)
    delivered_at = fields.AwareDateTime(required=True)


class DeliveryException(_Job):
    reason_code = fields.String(required=True, validate=validate.OneOf(EXCEPTION_REASONS))
    waybill = fields.String(required=True, allow_none=True)
    occurred_at = fields.AwareDateTime(required=True)


SCHEMAS: dict[str, type[Schema]] = {
    PRODUCTION_STARTED: ProductionStarted,
    PRODUCED: Produced,
    DISPATCHED: Dispatched,
    TRACKING_UPDATED: TrackingUpdated,
    DELIVERY_ATTEMPT_FAILED: DeliveryAttemptFailed,
    READY_FOR_PICKUP: ReadyForPickup,
    PICKUP_REMINDER_DUE: PickupReminderDue,
    DELIVERED: Delivered,
    DELIVERY_EXCEPTION: DeliveryException,
}

# payload(event_type, values) → the payload in its documented shape, or PayloadMismatch.
payload = Payloads(SCHEMAS)


_JOB = {"order_id": "5b0f6c1e-8d3a-4f7e-9a51-2c4d8e6f1a20", "reference": "LT20260302000042"}
_OFFICE = {
    "name": {
        "zh": "青岛市公安局交通警察支队车辆管理所（市南业务大厅）",
        "en": "Qingdao Vehicle Administration Office, Shinan hall",
    },
    "address": {"zh": "青岛市市南区南京路 1 号", "en": "1 Nanjing Road, Shinan District, Qingdao"},
    "hours": {
        "zh": "周一至周五 9:00–12:00，13:30–17:00",
        "en": "Monday to Friday 9:00–12:00 and 13:30–17:00",
    },
}

EXAMPLES: dict[str, dict[str, Any]] = {
    PRODUCTION_STARTED: {**_JOB, "item_code": "driving-licence-replacement",
                         "batch_id": "bat_3f2a9c", "actor": "staff-31",
                         "started_at": "2026-03-04T01:30:00+00:00"},
    PRODUCED: {**_JOB, "item_code": "driving-licence-replacement", "delivery_kind": "courier",
               "credential_number": "370200123456", "actor": "staff-31",
               "produced_at": "2026-03-04T06:10:00+00:00"},
    DISPATCHED: {**_JOB, "carrier": "EMS", "waybill": "EA000000014CN", "reship": False,
                 "actor": "staff-41", "dispatched_at": "2026-03-04T08:00:00+00:00"},
    TRACKING_UPDATED: {**_JOB, "carrier": "EMS", "waybill": "EA000000014CN",
                       "state": "in_transit", "city": "济南",
                       "occurred_at": "2026-03-04T20:00:00+00:00"},
    DELIVERY_ATTEMPT_FAILED: {**_JOB, "waybill": "EA000000014CN", "attempt": 1,
                              "reason": "no_answer",
                              "what_to_do": {"zh": "快递员联系不上您。请保持电话畅通。",
                                             "en": "The courier could not reach you. Keep your phone on."},
                              "occurred_at": "2026-03-05T03:00:00+00:00"},
    READY_FOR_PICKUP: {**_JOB, "office_code": "pickup-shinan", "office": _OFFICE,
                       "switched": False, "ready_at": "2026-03-04T06:10:00+00:00",
                       "collect_by": "2026-05-03T06:10:00+00:00"},
    PICKUP_REMINDER_DUE: {**_JOB, "office_code": "pickup-shinan",
                          "collect_by": "2026-05-03T06:10:00+00:00"},
    DELIVERED: {**_JOB, "how": "courier", "waybill": "EA000000014CN", "actor": "courier",
                "delivered_at": "2026-03-05T05:42:00+00:00"},
    DELIVERY_EXCEPTION: {**_JOB, "reason_code": "three_failed_attempts",
                         "waybill": "EA000000014CN", "occurred_at": "2026-03-07T05:00:00+00:00"},
}  # fmt: skip
