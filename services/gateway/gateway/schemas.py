"""The public API's shapes: input schemas (what clients send) and output
schemas (what they get), kept apart. Money is integer fen; the `*_yuan`
strings are there for display only."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from gateway import domain


def _fen() -> fields.Integer:
    return fields.Integer(
        required=True,
        strict=True,
        validate=validate.Range(min=0, max=domain.MAX_FEE_FEN),
        metadata={"description": "Amount in fen (1 yuan = 100 fen), a whole number ≥ 0."},
    )


class RegisterIn(Schema):
    identifier = fields.String(
        required=True,
        metadata={"description": "An email address or a China mainland mobile number."},
    )
    password = fields.String(
        required=True, load_only=True, metadata={"description": "At least 10 characters."}
    )


class SignInIn(Schema):
    identifier = fields.String(required=True)
    password = fields.String(required=True, load_only=True)


class FeeIn(Schema):
    production_fen = _fen()
    delivery_fen = _fen()
    approval_ref = fields.String(
        required=True,
        validate=validate.Length(min=1, max=domain.APPROVAL_REF_MAX),
        metadata={"description": "The price authority's approval reference."},
    )
    effective_from = fields.AwareDateTime(
        load_default=None,
        metadata={
            "description": "When the fee takes effect (ISO 8601 with offset); now if absent."
        },
    )


class AccountOut(Schema):
    id = fields.String(attribute="account_id")
    kind = fields.String(metadata={"description": "applicant or staff"})
    identifier = fields.String(attribute="label")
    roles = fields.List(fields.String())


class TokenOut(Schema):
    token = fields.String(metadata={"description": "Send as `Authorization: Bearer <token>`."})
    token_type = fields.String()
    expires_at = fields.DateTime()
    account = fields.Nested(AccountOut)


class TextOut(Schema):
    zh = fields.String()
    en = fields.String()


class FeeOut(Schema):
    version = fields.Integer()
    production_fen = fields.Integer()
    delivery_fen = fields.Integer()
    total_fen = fields.Integer()
    production_yuan = fields.Function(lambda fee: domain.fen_to_yuan(fee.production_fen))
    delivery_yuan = fields.Function(lambda fee: domain.fen_to_yuan(fee.delivery_fen))
    total_yuan = fields.Function(lambda fee: domain.fen_to_yuan(fee.total_fen))
    approval_ref = fields.String()
    effective_from = fields.String(allow_none=True)


class RatingOut(Schema):
    average = fields.Float(allow_none=True)
    count = fields.Integer()


class DocumentOut(Schema):
    code = fields.String()
    title = fields.Nested(TextOut)
    description = fields.Nested(TextOut, allow_none=True)


class FormFieldOut(Schema):
    name = fields.String()
    type = fields.String()
    label = fields.Nested(TextOut)
    required = fields.Boolean()
    hint = fields.Nested(TextOut, allow_none=True)


class PickupOfficeOut(Schema):
    code = fields.String()
    name = fields.Nested(TextOut)
    address = fields.Nested(TextOut, allow_none=True)
    hours = fields.Nested(TextOut, allow_none=True)


class DeliveryOut(Schema):
    courier = fields.Boolean()
    pickup_offices = fields.List(fields.Nested(PickupOfficeOut))


class ItemSummaryOut(Schema):
    """An item as the store front lists it."""

    code = fields.String()
    status = fields.String()
    title = fields.Nested(TextOut)
    description = fields.Nested(TextOut)
    sla_days = fields.Integer(allow_none=True)
    fee = fields.Nested(FeeOut, allow_none=True)
    upcoming_fee = fields.Nested(
        FeeOut, allow_none=True, metadata={"description": "A fee version not yet in force."}
    )
    rating = fields.Nested(RatingOut)
    deal_count = fields.Integer()


class ItemOut(ItemSummaryOut):
    """An item with what you need, the questions and how you receive it."""

    required_documents = fields.List(fields.Nested(DocumentOut))
    form_fields = fields.List(fields.Nested(FormFieldOut))
    delivery_options = fields.Nested(DeliveryOut, attribute="delivery")


class StoreOut(Schema):
    deal_count = fields.Integer()
    rating = fields.Nested(RatingOut)
