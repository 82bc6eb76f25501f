"""What the HTTP API accepts and returns. Input and output schemas are separate:
input schemas refuse unknown fields and bad types (422 naming the field),
output schemas only shape what a use case returned.

Texts shown to applicants come in both languages as `{"zh": ..., "en": ...}`.
Money is integer fen: a float, a string or a negative number is refused.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from catalog.domain import (
    ITEM_CODE,
    MAX_FEE_FEN,
    OPTION_CODE,
    PATTERN_NAMES,
    SLUG,
    DeliveryKind,
    FieldType,
    Section,
    Status,
)


class Trimmed(fields.String):
    """A string with surrounding blanks removed; an all-blank one is refused."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        if not text:
            raise ValidationError("Must not be blank.")
        return text


def _money(**kwargs: Any) -> fields.Integer:
    return fields.Integer(
        strict=True,
        validate=validate.Range(
            min=0, max=MAX_FEE_FEN, error="Give whole fen from {min} to {max}."
        ),
        metadata={"description": "integer fen (1 yuan = 100 fen)"},
        **kwargs,
    )


# --- input -----------------------------------------------------------------


class LocalTextIn(Schema):
    zh = Trimmed(required=True, validate=validate.Length(max=4000))
    en = Trimmed(required=True, validate=validate.Length(max=4000))


class ShortTextIn(Schema):
    zh = Trimmed(required=True, validate=validate.Length(max=200))
    en = Trimmed(required=True, validate=validate.Length(max=200))


class RequiredDocumentIn(Schema):
    code = fields.String(
        required=True, validate=validate.Regexp(SLUG, error="Use a_snake_case code.")
    )
    title = fields.Nested(ShortTextIn, required=True)
    guidance = fields.Nested(LocalTextIn, required=True)


class ChoiceIn(Schema):
    value = fields.String(
        required=True, validate=validate.Regexp(SLUG, error="Use a_snake_case value.")
    )
    label = fields.Nested(ShortTextIn, required=True)


class FormFieldIn(Schema):
    name = fields.String(
        required=True, validate=validate.Regexp(SLUG, error="Use a_snake_case name.")
    )
    type = fields.String(required=True, validate=validate.OneOf([t.value for t in FieldType]))
    label = fields.Nested(ShortTextIn, required=True)
    hint = fields.Nested(LocalTextIn, load_default=None, allow_none=True)
    required = fields.Boolean(load_default=True)
    max_length = fields.Integer(
        strict=True, load_default=None, allow_none=True, validate=validate.Range(min=1, max=4000)
    )
    pattern = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.OneOf(PATTERN_NAMES, error="Unknown format: one of {choices}."),
        metadata={"description": "a text field's format, one of: " + ", ".join(PATTERN_NAMES)},
    )
    choices = fields.List(fields.Nested(ChoiceIn), load_default=list)
    section = fields.String(
        load_default=Section.DETAILS.value,
        validate=validate.OneOf([s.value for s in Section]),
        metadata={"description": "the page the question is asked on: details (default) or vehicle"},
    )


class OfficeIn(Schema):
    name = fields.Nested(ShortTextIn, required=True)
    address = fields.Nested(LocalTextIn, required=True)
    hours = fields.Nested(LocalTextIn, required=True)
    phone = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=40))


class DeliveryOptionIn(Schema):
    code = fields.String(
        required=True, validate=validate.Regexp(OPTION_CODE, error="Use a kebab-case code.")
    )
    kind = fields.String(required=True, validate=validate.OneOf([k.value for k in DeliveryKind]))
    title = fields.Nested(ShortTextIn, required=True)
    carrier = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=60))
    office = fields.Nested(OfficeIn, load_default=None, allow_none=True)


class _ItemBody(Schema):
    title = fields.Nested(ShortTextIn)
    description = fields.Nested(LocalTextIn)
    sla_working_days = fields.Integer(strict=True, validate=validate.Range(min=1, max=365))
    required_documents = fields.List(fields.Nested(RequiredDocumentIn))
    form_fields = fields.List(fields.Nested(FormFieldIn))
    delivery_options = fields.List(fields.Nested(DeliveryOptionIn))


class ItemCreateIn(_ItemBody):
    code = fields.String(
        required=True,
        validate=[
            validate.Length(min=3, max=64),
            validate.Regexp(
                ITEM_CODE, error="Use a kebab-case code such as driving-licence-replacement."
            ),
        ],
    )
    title = fields.Nested(ShortTextIn, required=True)
    description = fields.Nested(LocalTextIn, required=True)
    sla_working_days = fields.Integer(
        strict=True, required=True, validate=validate.Range(min=1, max=365)
    )
    required_documents = fields.List(fields.Nested(RequiredDocumentIn), load_default=list)
    form_fields = fields.List(fields.Nested(FormFieldIn), load_default=list)
    delivery_options = fields.List(fields.Nested(DeliveryOptionIn), load_default=list)


class ItemChangeIn(_ItemBody):
    """Any of the item's parts; each list given replaces the item's list whole."""

    @validates_schema
    def _something(self, data: dict[str, Any], **_kwargs: Any) -> None:
        if not data:
            raise ValidationError("Give at least one part to change.", "_schema")


class FeeIn(Schema):
    production_cost_fen = _money(required=True)
    courier_fee_fen = _money(required=True)
    approval_reference = Trimmed(
        required=True,
        validate=validate.Length(max=200),
        metadata={"description": "the price authority's approval, e.g. 鲁价费发〔2017〕58号"},
    )
    effective_from = fields.AwareDateTime(
        load_default=None,
        metadata={"description": "when the version takes effect (default: now); never in the past"},
    )


class WithdrawIn(Schema):
    reason = Trimmed(load_default=None, allow_none=True, validate=validate.Length(max=500))


class ItemListQuery(Schema):
    status = fields.String(
        load_default=Status.PUBLISHED.value,
        validate=validate.OneOf([*(s.value for s in Status), "all"]),
        metadata={"description": "published (default); staff may ask for draft, withdrawn or all"},
    )


# --- output ----------------------------------------------------------------


class LocalTextOut(Schema):
    zh = fields.String()
    en = fields.String()


class FeeOut(Schema):
    version = fields.Integer()
    production_cost_fen = fields.Integer()
    courier_fee_fen = fields.Integer()
    approval_reference = fields.String()
    effective_from = fields.DateTime()


class FeeHistoryEntryOut(FeeOut):
    state = fields.String(metadata={"description": "in_force, upcoming or superseded"})
    created_at = fields.DateTime()
    created_by = fields.String()


class FeeHistoryOut(Schema):
    item_code = fields.String()
    versions = fields.List(fields.Nested(FeeHistoryEntryOut))


class RatingOut(Schema):
    average_milli = fields.Integer(
        allow_none=True,
        metadata={"description": "average stars × 1000 (4870 = 4.87); null before any rating"},
    )
    count = fields.Integer()


class RequiredDocumentOut(Schema):
    code = fields.String()
    title = fields.Nested(LocalTextOut)
    guidance = fields.Nested(LocalTextOut)


class ChoiceOut(Schema):
    value = fields.String()
    label = fields.Nested(LocalTextOut)


class FormFieldOut(Schema):
    name = fields.String()
    type = fields.String()
    label = fields.Nested(LocalTextOut)
    hint = fields.Nested(LocalTextOut, allow_none=True)
    required = fields.Boolean()
    max_length = fields.Integer(allow_none=True)
    pattern = fields.String(allow_none=True)
    choices = fields.List(fields.Nested(ChoiceOut))
    section = fields.String(dump_default=Section.DETAILS.value)


class OfficeOut(Schema):
    name = fields.Nested(LocalTextOut)
    address = fields.Nested(LocalTextOut)
    hours = fields.Nested(LocalTextOut)
    phone = fields.String(allow_none=True)


class DeliveryOptionOut(Schema):
    code = fields.String()
    kind = fields.String()
    title = fields.Nested(LocalTextOut)
    carrier = fields.String(allow_none=True)
    office = fields.Nested(OfficeOut, allow_none=True)
    fee_fen = fields.Integer(
        allow_none=True,
        metadata={"description": "courier: the fee schedule's courier fee in force; pickup: 0"},
    )


class ItemSummaryOut(Schema):
    code = fields.String()
    status = fields.String()
    revision = fields.Integer()
    title = fields.Nested(LocalTextOut)
    description = fields.Nested(LocalTextOut)
    sla_working_days = fields.Integer()
    fee = fields.Nested(FeeOut, allow_none=True)
    upcoming_fee = fields.Nested(FeeOut, allow_none=True)
    rating = fields.Nested(RatingOut)
    deal_count = fields.Integer()
    published_at = fields.DateTime(allow_none=True)
    updated_at = fields.DateTime()


class ItemOut(ItemSummaryOut):
    required_documents = fields.List(fields.Nested(RequiredDocumentOut))
    form_fields = fields.List(fields.Nested(FormFieldOut))
    delivery_options = fields.List(fields.Nested(DeliveryOptionOut))
    created_at = fields.DateTime()
    withdrawn_at = fields.DateTime(allow_none=True)


class ItemListOut(Schema):
    items = fields.List(fields.Nested(ItemSummaryOut))


class WithdrawalOut(Schema):
    code = fields.String()
    title = fields.Nested(LocalTextOut)
    withdrawn_at = fields.DateTime()
    reason = fields.String(allow_none=True, metadata={"description": "the supervisor's words"})


class StoreOut(Schema):
    deal_count = fields.Integer()
    rating = fields.Nested(RatingOut)
    published_item_count = fields.Integer()
