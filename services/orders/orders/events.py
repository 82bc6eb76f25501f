"""The events orders publishes: their names, payload schemas and examples.

Every payload goes through its schema's `dump` and is validated before it
reaches the outbox, so what leaves the service always has the documented
shape. The envelope's `correlation_id` is the order id. docs/events.md
mirrors this file.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from common.events.payloads import Payloads

DRAFT_CREATED = "orders.draft_created"
AWAITING_PAYMENT = "orders.awaiting_payment"
SUBMITTED = "orders.submitted"
PAYMENT_AUTHORISED = "orders.payment_authorised"
PAYMENT_FAILED = "orders.payment_failed"
PAYMENT_VOIDED = "orders.payment_voided"
CANCELLED = "orders.cancelled"
CLOSED_UNPAID = "orders.closed_unpaid"
DISCARDED = "orders.discarded"
REVIEW_STARTED = "orders.review_started"
APPROVED = "orders.approved"
PAYMENT_CAPTURED = "orders.payment_captured"
CAPTURE_FAILED = "orders.capture_failed"
RESUBMISSION_REQUESTED = "orders.resubmission_requested"
RESUBMITTED = "orders.resubmitted"
REJECTED = "orders.rejected"
PAYMENT_REFUNDED = "orders.payment_refunded"
CLOSED = "orders.closed"
COMPLETED = "orders.completed"


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


class _Answer(Schema):
    name = fields.String(required=True)
    type = fields.String(required=True)
    label = fields.Nested(_LocalText, required=True)
    value = fields.String(required=True)


class Submitted(_Order):
    applicant_id = fields.String(required=True)
    item_code = fields.String(required=True)
    total_fen = fields.Integer(required=True, validate=validate.Range(min=0))
    submitted_at = fields.AwareDateTime(required=True)
    sla_working_days = fields.Integer(required=True, validate=validate.Range(min=0))
    answers = fields.List(fields.Nested(_Answer), required=True)


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


class ReviewStarted(_Order):
    reviewer_id = fields.String(required=True)


class _Office(Schema):
    name = fields.Nested(_LocalText, required=True)
    address = fields.Nested(_LocalText, required=True)
    hours = fields.Nested(_LocalText, required=True)


class _Delivery(Schema):
    kind = fields.String(required=True)
    option_code = fields.String(required=True)
    address = fields.Dict(keys=fields.String(), values=fields.String())  # courier
    carrier = fields.String()  # courier: who carries it (`EMS`)
    office_code = fields.String()  # pickup
    office = fields.Nested(_Office, allow_none=True)  # pickup: as the catalog describes it


class Approved(_Order):
    item_code = fields.String(required=True)
    applicant_id = fields.String(required=True)
    delivery = fields.Nested(_Delivery, required=True)
    total_fen = fields.Integer(required=True, validate=validate.Range(min=0))
    approved_at = fields.AwareDateTime(required=True)
    # For production and the label; the ID number only masked, never in full.
    applicant_name = fields.String(required=True, allow_none=True)
    id_number_masked = fields.String(
        required=True, allow_none=True, validate=validate.Regexp(r"^[^*]{0,3}\*+[^*]{0,4}$")
    )
    plate_number = fields.String(required=True, allow_none=True)
    sla_working_days = fields.Integer(
        required=True, allow_none=True, validate=validate.Range(min=0)
    )


class PaymentCaptured(_Payment):
    amount_fen = fields.Integer(required=True, validate=validate.Range(min=1))


class CaptureFailed(_Payment):
    reason = fields.String(required=True)


class ResubmissionRequested(_Order):
    round = fields.Integer(required=True, validate=validate.Range(min=1))
    deadline = fields.AwareDateTime(required=True)


class Resubmitted(_Order):
    round = fields.Integer(required=True, validate=validate.Range(min=1))


class Rejected(_Order):
    reason_code = fields.String(required=True)
    note = fields.String(required=True, allow_none=True)


class PaymentRefunded(_Payment):
    amount_fen = fields.Integer(required=True, validate=validate.Range(min=1))
    reason = fields.String(required=True)


class Closed(_Order):
    reason = fields.String(required=True)


class Completed(_Order):
    item_code = fields.String(required=True)  # the catalog counts a deal for it
    applicant_id = fields.String(required=True)
    completed_at = fields.AwareDateTime(required=True)
    how = fields.String(required=True, validate=validate.OneOf(["confirmed", "auto"]))


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
    REVIEW_STARTED: ReviewStarted,
    APPROVED: Approved,
    PAYMENT_CAPTURED: PaymentCaptured,
    CAPTURE_FAILED: CaptureFailed,
    RESUBMISSION_REQUESTED: ResubmissionRequested,
    RESUBMITTED: Resubmitted,
    REJECTED: Rejected,
    PAYMENT_REFUNDED: PaymentRefunded,
    CLOSED: Closed,
    COMPLETED: Completed,
}


# payload(event_type, values) → the payload in its documented shape, or PayloadMismatch
# (a bug of orders: the transaction fails loudly instead of publishing it).
payload = Payloads(SCHEMAS)


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
        "sla_working_days": 3,
        "answers": [
            {"name": "full_name", "type": "text", "label": {"zh": "姓名", "en": "Full name"}, "value": "张三"},
            {"name": "id_number", "type": "id_number",
             "label": {"zh": "公民身份号码", "en": "Resident ID number"}, "value": "11010519491231002X"},
            {"name": "licence_class", "type": "choice",
             "label": {"zh": "准驾车型", "en": "Licence class"}, "value": "c1"},
        ],
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
    REVIEW_STARTED: {**_ORDER, "reviewer_id": "staff-21"},
    APPROVED: {
        **_ORDER,
        "item_code": "driving-licence-replacement",
        "applicant_id": "acct-7d1f2b",
        "delivery": {
            "kind": "courier", "option_code": "courier-ems", "carrier": "EMS",
            "address": {"recipient": "张三", "phone": "13912345678", "province": "山东省",
                        "city": "青岛市", "district": "市南区", "street": "香港中路 76 号"},
        },
        "total_fen": 2500,
        "approved_at": "2026-03-03T02:15:00+00:00",
        "applicant_name": "张三",
        "id_number_masked": "110***********002X",
        "plate_number": None,
        "sla_working_days": 3,
    },
    PAYMENT_CAPTURED: {**_PAYMENT, "amount_fen": 2500},
    CAPTURE_FAILED: {**_PAYMENT, "reason": "insufficient_funds"},
    RESUBMISSION_REQUESTED: {**_ORDER, "round": 1, "deadline": "2026-03-10T02:15:00+00:00"},
    RESUBMITTED: {**_ORDER, "round": 1},
    REJECTED: {**_ORDER, "reason_code": "identity-mismatch",
               "note": "The selfie does not show the person on the ID card."},
    PAYMENT_REFUNDED: {**_PAYMENT, "amount_fen": 2500,
                       "reason": "Cancelled by a supervisor: the applicant asked by phone."},
    CLOSED: {**_ORDER, "reason": "Rejected (identity-mismatch): the authorisation was voided."},
    COMPLETED: {**_ORDER, "item_code": "driving-licence-replacement", "applicant_id": "acct-7d1f2b",
                "completed_at": "2026-03-07T02:00:00+00:00", "how": "confirmed"},
}  # fmt: skip
