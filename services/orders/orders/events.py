"""The events orders publishes: their names, payload schemas and examples.

Every payload goes through its schema's `dump` and is validated before it
reaches the outbox, so what leaves the service always has the documented
shape. The envelope's `correlation_id` is the order id. docs/events.md
mirrors this file.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

DRAFT_CREATED = "orders.draft_created"
AWAITING_PAYMENT = "orders.awaiting_payment"
SUBMITTED = "orders.submitted"
PAYMENT_AUTHORISED = "orders.payment_authorised"
PAYMENT_FAILED = "orders.payment_failed"
PAYMENT_VOIDED = "orders.payment_voided"
CANCELLED = "orders.cancelled"
CLOSED_UNPAID = "orders.closed_unpaid"
DISCARDED = "orders.discarded"


class _LocalText(Schema):
    zh = fields.String(required=True)
    en = fields.String(required=True)


class _RequiredDocument(Schema):
    code = fields.String(required=True)
    title = fields.Nested(_LocalText, required=True)


class _Order(Schema):
    order_id = fields.String(required=True)
    reference = fields.String(required=True)


class DraftCreated(_Order):
    applicant_id = fields.String(required=True)
    item_code = fields.String(required=True)
    required_documents = fields.List(fields.Nested(_RequiredDocument), required=True)


class AwaitingPayment(_Order):
    total_fen = fields.Integer(required=True, validate=validate.Range(min=0))
    pay_by = fields.AwareDateTime(required=True)


class Submitted(_Order):
    applicant_id = fields.String(required=True)
    item_code = fields.String(required=True)
    total_fen = fields.Integer(required=True, validate=validate.Range(min=0))
    submitted_at = fields.AwareDateTime(required=True)


class _Payment(Schema):
    order_id = fields.String(required=True)
    payment_id = fields.String(required=True)


class PaymentAuthorised(_Payment):
    amount_fen = fields.Integer(required=True, validate=validate.Range(min=0))


class PaymentFailed(_Payment):
    reason = fields.String(required=True)


class PaymentVoided(_Payment):
    reason = fields.String(required=True)


class Cancelled(_Order):
    from_status = fields.String(required=True)
    reason = fields.String(required=True, allow_none=True)
    actor = fields.String(required=True)


class ClosedUnpaid(_Order):
    reason = fields.String(required=True)


class Discarded(_Order):
    pass


SCHEMAS: dict[str, type[Schema]] = {
    DRAFT_CREATED: DraftCreated,
    AWAITING_PAYMENT: AwaitingPayment,
    SUBMITTED: Submitted,
    PAYMENT_AUTHORISED: PaymentAuthorised,
    PAYMENT_FAILED: PaymentFailed,
    PAYMENT_VOIDED: PaymentVoided,
    CANCELLED: Cancelled,
    CLOSED_UNPAID: ClosedUnpaid,
    DISCARDED: Discarded,
}


# Built once (see orders.services.ORDER_OUT): dumping and validating only read them.
_INSTANCES: dict[str, Schema] = {name: schema() for name, schema in SCHEMAS.items()}


def payload(event_type: str, values: dict[str, Any]) -> dict[str, Any]:
    """The payload in its documented shape; raises if a required part is missing."""
    schema = _INSTANCES[event_type]
    data: dict[str, Any] = schema.dump(values)
    errors = schema.validate(data)
    if errors:  # a bug in this service, not the caller's: fail the transaction loudly
        raise RuntimeError(f"{event_type} payload does not match its schema: {errors}")
    return data


_ORDER = {"order_id": "5b0f6c1e-8d3a-4f7e-9a51-2c4d8e6f1a20", "reference": "LT20260302000042"}
_PAYMENT = {"order_id": _ORDER["order_id"], "payment_id": "9c2e4a71-3b5d-4e8f-a1c6-7d9b0e2f4a35"}

EXAMPLES: dict[str, dict[str, Any]] = {
    DRAFT_CREATED: {
        **_ORDER,
        "applicant_id": "acct-7d1f2b",
        "item_code": "driving-licence-replacement",
        "required_documents": [
            {"code": "id_card_front", "title": {"zh": "居民身份证人像面", "en": "ID card, photo side"}},
            {"code": "selfie_with_id_card", "title": {"zh": "本人手持身份证照片", "en": "Selfie holding your ID card"}},
        ],
    },
    AWAITING_PAYMENT: {**_ORDER, "total_fen": 2500, "pay_by": "2026-03-02T09:30:00+00:00"},
    SUBMITTED: {
        **_ORDER,
        "applicant_id": "acct-7d1f2b",
        "item_code": "driving-licence-replacement",
        "total_fen": 2500,
        "submitted_at": "2026-03-02T09:03:12+00:00",
    },
    PAYMENT_AUTHORISED: {**_PAYMENT, "amount_fen": 2500},
    PAYMENT_FAILED: {**_PAYMENT, "reason": "card_declined"},
    PAYMENT_VOIDED: {**_PAYMENT, "reason": "The order was cancelled by the applicant."},
    CANCELLED: {
        **_ORDER,
        "from_status": "submitted",
        "reason": "不需要了 / no longer needed",
        "actor": "acct-7d1f2b",
    },
    CLOSED_UNPAID: {**_ORDER, "reason": "Not paid within 30 minutes of submission."},
    DISCARDED: dict(_ORDER),
}  # fmt: skip
