"""What the HTTP API accepts and returns. Input schemas refuse unknown fields
(a price, a fee or a status sent by a client is refused with 422: the server
decides them) and bad types; the rules of the item's form and delivery are
the domain's. Output schemas only shape what a use case returned.

Money is integer fen; times are ISO 8601 in UTC.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from orders.domain import ActorKind, DeliveryKind, Status
from orders.domain.timeline import Entry


class Trimmed(fields.String):
    """A string with surrounding blanks removed (all blank: empty)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        return super()._deserialize(value, attr, data, **kwargs).strip()


class Timestamp(fields.DateTime):
    """Dumps a datetime as ISO 8601, and passes through one already dumped
    (the first answer replayed for an Idempotency-Key is stored as JSON)."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        if value is None or isinstance(value, str):
            return value
        if not isinstance(value, datetime):
            raise ValidationError("Not a time.")
        return super()._serialize(value, attr, obj, **kwargs)


# --- input -----------------------------------------------------------------------


class OrderCreateIn(Schema):
    item_code = fields.String(
        required=True,
        validate=validate.Length(min=1, max=64),
        metadata={"description": "the catalog item to apply for, e.g. driving-licence-replacement"},
    )


class AnswersIn(Schema):
    answers = fields.Dict(
        keys=fields.String(validate=validate.Length(min=1, max=64)),
        values=fields.Raw(allow_none=True),
        required=True,
        metadata={
            "description": "field name → text; the whole set (fields left out are unanswered)"
        },
    )


class AddressIn(Schema):
    recipient = fields.String(allow_none=True, validate=validate.Length(max=200))
    phone = fields.String(allow_none=True, validate=validate.Length(max=200))
    province = fields.String(allow_none=True, validate=validate.Length(max=200))
    city = fields.String(allow_none=True, validate=validate.Length(max=200))
    district = fields.String(allow_none=True, validate=validate.Length(max=200))
    street = fields.String(allow_none=True, validate=validate.Length(max=400))


class DeliveryIn(Schema):
    kind = fields.String(
        required=True, validate=validate.OneOf([kind.value for kind in DeliveryKind])
    )
    address = fields.Nested(AddressIn, load_default=None, allow_none=True)
    office_code = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(max=64)
    )


class CancelIn(Schema):
    reason = Trimmed(load_default=None, allow_none=True, validate=validate.Length(max=500))


class CardIn(Schema):
    card_number = fields.String(required=True, validate=validate.Length(min=1, max=40))
    expiry = fields.String(
        required=True, validate=validate.Length(min=1, max=10), metadata={"description": "MM/YY"}
    )
    cvc = fields.String(required=True, validate=validate.Length(min=1, max=10))


class WalletIn(Schema):
    method = fields.String(
        required=True,
        validate=validate.OneOf(["wallet_page", "wallet_qr"]),
        metadata={"description": "wallet_page (paid at once) or wallet_qr (held)"},
    )
    return_url = fields.String(
        load_default=None,
        validate=validate.Length(min=1, max=2000),
        metadata={"description": "where the page wallet sends the browser back"},
    )


class OrderListQuery(Schema):
    status = fields.String(
        load_default=None, validate=validate.OneOf([status.value for status in Status])
    )
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


# --- output ------------------------------------------------------------------------


class LocalTextOut(Schema):
    zh = fields.String()
    en = fields.String()


class RequiredDocumentOut(Schema):
    code = fields.String()
    title = fields.Nested(LocalTextOut)


class DocumentsOut(Schema):
    complete = fields.Boolean()
    missing = fields.List(fields.String())


class PriceOut(Schema):
    fee_version = fields.Integer()
    production_fen = fields.Integer()
    delivery_fen = fields.Integer()
    total_fen = fields.Integer()
    approval_reference = fields.String()
    locked = fields.Boolean(metadata={"description": "frozen at submission; a quote before"})


class WalletOut(Schema):
    cashier_url = fields.String(metadata={"description": "the page wallet's cashier page"})
    qr_payload = fields.String(metadata={"description": "what the QR wallet's code holds"})
    opened_at = Timestamp()


class PaymentOut(Schema):
    id = fields.String()
    order_id = fields.String()
    status = fields.String(
        metadata={
            "description": "created, processing, authorised, failed, voided, captured, refunded"
        }
    )
    amount_fen = fields.Integer()
    captured_fen = fields.Integer()
    refunded_fen = fields.Integer()
    failure_reason = fields.String(allow_none=True)
    card_last4 = fields.String(allow_none=True)
    method = fields.String(metadata={"description": "card, wallet_page or wallet_qr"})
    paid_at_once = fields.Boolean(
        metadata={"description": "true: taken at payment, refunded if refused; false: held"}
    )
    wallet = fields.Nested(WalletOut, allow_none=True)
    updated_at = Timestamp()


class AddressOut(Schema):
    recipient = fields.String()
    phone = fields.String()
    province = fields.String()
    city = fields.String()
    district = fields.String()
    street = fields.String()


class OfficeOut(Schema):
    name = fields.Nested(LocalTextOut)
    address = fields.Nested(LocalTextOut)
    hours = fields.Nested(LocalTextOut)
    phone = fields.String(allow_none=True)


class DeliveryOut(Schema):
    kind = fields.String()
    address = fields.Nested(AddressOut)
    office_code = fields.String()
    office = fields.Nested(OfficeOut, allow_none=True)


class ReceiptOut(Schema):
    auto_confirm_at = Timestamp(allow_none=True)
    paused = fields.Boolean()
    left_seconds = fields.Integer(allow_none=True)


class OrderOut(Schema):
    id = fields.String()
    reference = fields.String()
    item_code = fields.String()
    item_title = fields.Nested(LocalTextOut)
    applicant_id = fields.String()
    status = fields.String()
    answers = fields.Dict(keys=fields.String(), values=fields.String())
    missing_answers = fields.List(fields.String())
    delivery = fields.Nested(DeliveryOut, allow_none=True)
    required_documents = fields.List(fields.Nested(RequiredDocumentOut))
    documents = fields.Nested(DocumentsOut)
    price = fields.Nested(PriceOut, allow_none=True)
    payment = fields.Nested(PaymentOut, allow_none=True)
    allowed_actions = fields.List(fields.String())
    created_at = Timestamp()
    updated_at = Timestamp()
    submitted_at = Timestamp(allow_none=True)
    pay_by = Timestamp(allow_none=True)
    expected_completion = fields.Date(
        allow_none=True,
        metadata={
            "description": "the day (Beijing time) the order should be done: its submission "
            "plus the item's SLA in working days; null before submission and once done"
        },
    )
    # A delivered order: when it confirms itself (null in any other state).
    receipt = fields.Nested(ReceiptOut, allow_none=True)


class OrderListOut(Schema):
    orders = fields.List(fields.Nested(OrderOut))


class TimelineEntryOut(Schema):
    at = Timestamp()
    from_status = fields.String(allow_none=True)
    to_status = fields.String()
    actor = fields.String(
        metadata={
            "description": "the applicant's account id, reviewer:<id>, supervisor:<id>, "
            "applicant, system or payment-provider"
        }
    )
    actor_kind = fields.String(
        validate=validate.OneOf([kind.value for kind in ActorKind]),
        metadata={"description": "who acted: applicant, staff, provider or system"},
    )
    code = fields.String(
        validate=validate.OneOf([entry.value for entry in Entry]),
        metadata={"description": "what happened (docs/api.md lists every code)"},
    )
    params = fields.Dict(
        keys=fields.String(),
        metadata={
            "description": "the code's facts: money in fen, ISO UTC times, document, reason, "
            "carrier and office codes"
        },
    )


class TimelineOut(Schema):
    entries = fields.List(fields.Nested(TimelineEntryOut))


class WebhookAnswerOut(Schema):
    status = fields.String(metadata={"description": "processed, ignored or duplicate"})
