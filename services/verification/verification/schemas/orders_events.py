"""What verification reads of each of orders' events it consumes (orders owns
the full schemas; the contract tests load orders' examples through these, via
handlers.CONSUMED). Unknown fields are ignored; a missing field we read fails
the load and the event is dead-lettered."""

from __future__ import annotations

from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates_schema

from verification.domain import DOCUMENT_CODE


class _OrderEvent(Schema):
    class Meta:
        unknown = EXCLUDE

    order_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    reference = fields.String(required=True, validate=validate.Length(min=1, max=64))


class _Title(Schema):
    class Meta:
        unknown = EXCLUDE

    zh = fields.String(required=True)
    en = fields.String(required=True)


class _RequiredDocument(Schema):
    class Meta:
        unknown = EXCLUDE

    code = fields.String(
        required=True,
        validate=[validate.Length(max=64), validate.Regexp(DOCUMENT_CODE)],
    )
    title = fields.Nested(_Title, required=True)


class DraftCreated(_OrderEvent):
    """What verification reads of orders.draft_created (orders owns the full schema)."""

    applicant_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    item_code = fields.String(required=True, validate=validate.Length(min=1, max=64))
    required_documents = fields.List(fields.Nested(_RequiredDocument), required=True)

    @validates_schema(skip_on_field_errors=True)
    def _codes_differ(self, data: dict[str, Any], **_kwargs: Any) -> None:
        codes = [entry["code"] for entry in data["required_documents"]]
        if len(set(codes)) != len(codes):
            raise ValidationError(
                "Each required document code must appear once.", "required_documents"
            )


class AwaitingPayment(_OrderEvent):
    """What verification reads of orders.awaiting_payment."""


class _Answer(Schema):
    class Meta:
        unknown = EXCLUDE

    name = fields.String(required=True, validate=validate.Length(min=1, max=64))
    type = fields.String(required=True, validate=validate.Length(min=1, max=32))
    label = fields.Nested(_Title, required=True)
    value = fields.String(required=True, validate=validate.Length(max=1000))


class Submitted(_OrderEvent):
    """What verification reads of orders.submitted."""

    applicant_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    item_code = fields.String(required=True, validate=validate.Length(min=1, max=64))
    submitted_at = fields.AwareDateTime(load_default=None)
    sla_working_days = fields.Integer(
        required=True, strict=True, validate=validate.Range(min=0, max=365)
    )
    answers = fields.List(fields.Nested(_Answer), required=True)


class Closed(_OrderEvent):
    """What verification reads of orders.cancelled, orders.closed_unpaid and orders.discarded."""


class Final(Schema):
    """What verification reads of orders.closed and orders.completed."""

    class Meta:
        unknown = EXCLUDE

    order_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
