"""The events the catalog publishes: their names, payload schemas and examples.

Every payload goes through its schema's `dump` before it reaches the outbox,
so what leaves the service always has the documented shape. `revision` grows
by one with every change to an item: a consumer that sees events out of order
keeps the highest revision it has seen. docs/events.md mirrors this file.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from common.events.payloads import Payloads

ITEM_PUBLISHED = "catalog.item_published"
ITEM_CHANGED = "catalog.item_changed"
ITEM_WITHDRAWN = "catalog.item_withdrawn"

CHANGED_PARTS = ("texts", "sla", "required_documents", "form_fields", "delivery_options", "fee")


class _LocalText(Schema):
    zh = fields.String(required=True)
    en = fields.String(required=True)


class FeePayload(Schema):
    version = fields.Integer(required=True)
    production_cost_fen = fields.Integer(required=True, validate=validate.Range(min=0))
    courier_fee_fen = fields.Integer(required=True, validate=validate.Range(min=0))
    approval_reference = fields.String(required=True)
    effective_from = fields.AwareDateTime(required=True)


class DeliveryPayload(Schema):
    code = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(["courier", "pickup"]))
    fee_fen = fields.Integer(required=True, allow_none=True)


class _ItemState(Schema):
    code = fields.String(required=True)
    revision = fields.Integer(required=True, validate=validate.Range(min=1))
    status = fields.String(
        required=True, validate=validate.OneOf(["draft", "published", "withdrawn"])
    )
    title = fields.Nested(_LocalText, required=True)
    sla_working_days = fields.Integer(required=True)
    fee = fields.Nested(FeePayload, required=True, allow_none=True)
    upcoming_fee = fields.Nested(FeePayload, required=True, allow_none=True)
    delivery_options = fields.List(fields.Nested(DeliveryPayload), required=True)
    actor = fields.String(required=True)


class ItemPublished(_ItemState):
    published_at = fields.AwareDateTime(required=True)


class ItemChanged(_ItemState):
    changed = fields.List(
        fields.String(validate=validate.OneOf(CHANGED_PARTS)),
        required=True,
        validate=validate.Length(min=1),
    )
    new_fee_version = fields.Nested(FeePayload, required=True, allow_none=True)
    changed_at = fields.AwareDateTime(required=True)


class ItemWithdrawn(Schema):
    code = fields.String(required=True)
    revision = fields.Integer(required=True, validate=validate.Range(min=1))
    reason = fields.String(required=True, allow_none=True)
    withdrawn_at = fields.AwareDateTime(required=True)
    actor = fields.String(required=True)


SCHEMAS: dict[str, type[Schema]] = {
    ITEM_PUBLISHED: ItemPublished,
    ITEM_CHANGED: ItemChanged,
    ITEM_WITHDRAWN: ItemWithdrawn,
}


# payload(event_type, values) → the payload in its documented shape, or PayloadMismatch.
payload = Payloads(SCHEMAS)


_FEE_EXAMPLE = {
    "version": 2,
    "production_cost_fen": 1000,
    "courier_fee_fen": 1500,
    "approval_reference": "鲁价费发〔2017〕58号",
    "effective_from": "2026-01-01T00:00:00+08:00",
}
_DELIVERY_EXAMPLE = [
    {"code": "courier-ems", "kind": "courier", "fee_fen": 1500},
    {"code": "pickup-shinan", "kind": "pickup", "fee_fen": 0},
]

EXAMPLES: dict[str, dict[str, Any]] = {
    ITEM_PUBLISHED: {
        "code": "driving-licence-replacement",
        "revision": 3,
        "status": "published",
        "title": {"zh": "补领机动车驾驶证", "en": "Replace a lost driving licence"},
        "sla_working_days": 3,
        "fee": _FEE_EXAMPLE,
        "upcoming_fee": None,
        "delivery_options": _DELIVERY_EXAMPLE,
        "actor": "staff-17",
        "published_at": "2026-01-02T09:30:00+00:00",
    },
    ITEM_CHANGED: {
        "code": "driving-licence-replacement",
        "revision": 4,
        "status": "published",
        "title": {"zh": "补领机动车驾驶证", "en": "Replace a lost driving licence"},
        "sla_working_days": 3,
        "fee": _FEE_EXAMPLE,
        "upcoming_fee": {**_FEE_EXAMPLE, "version": 3, "courier_fee_fen": 1800,
                         "effective_from": "2026-03-01T00:00:00+08:00"},
        "delivery_options": _DELIVERY_EXAMPLE,
        "actor": "staff-17",
        "changed": ["fee"],
        "new_fee_version": {**_FEE_EXAMPLE, "version": 3, "courier_fee_fen": 1800,
                            "effective_from": "2026-03-01T00:00:00+08:00"},
        "changed_at": "2026-02-10T08:00:00+00:00",
    },
    ITEM_WITHDRAWN: {
        "code": "driving-licence-replacement",
        "revision": 5,
        "reason": "暂停线上办理 / online service paused",
        "withdrawn_at": "2026-04-01T08:00:00+00:00",
        "actor": "staff-17",
    },
}  # fmt: skip
