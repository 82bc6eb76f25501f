"""What notifications reads of each event it consumes (the producers own the
full schemas). Unknown fields are ignored; a missing or mistyped field is a
ValidationError, which the consumer dead-letters with the message."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate

_ID = validate.Length(min=1, max=64)


class _Read(Schema):
    class Meta:
        unknown = EXCLUDE


class _Text(_Read):
    zh = fields.String(required=True)
    en = fields.String(required=True)


class OrderEvent(_Read):
    """An order's step that only needs the order (its owner is known already)."""

    order_id = fields.String(required=True, validate=_ID)


class _OrderWithApplicant(OrderEvent):
    reference = fields.String(required=True, validate=_ID)
    applicant_id = fields.String(required=True, validate=validate.Length(min=1, max=100))


class _Document(_Read):
    code = fields.String(required=True)
    title = fields.Nested(_Text, required=True)


class DraftCreated(_OrderWithApplicant):
    required_documents = fields.List(fields.Nested(_Document), required=True)


class OrderSubmitted(_OrderWithApplicant):
    total_fen = fields.Integer(required=True, validate=validate.Range(min=0))


class OrderApproved(_OrderWithApplicant):
    total_fen = fields.Integer(required=True, validate=validate.Range(min=0))


class OrderCompleted(_OrderWithApplicant):
    pass


class OrderRejected(OrderEvent):
    reason_code = fields.String(required=True)
    note = fields.String(required=True, allow_none=True)


class PaymentRefunded(OrderEvent):
    amount_fen = fields.Integer(required=True, validate=validate.Range(min=1))


class _Refused(_Read):
    code = fields.String(required=True)


class ResubmissionRequested(OrderEvent):
    round = fields.Integer(required=True, validate=validate.Range(min=1))
    deadline = fields.AwareDateTime(required=True)
    documents = fields.List(fields.Nested(_Refused), required=True, validate=validate.Length(min=1))


class Resubmitted(OrderEvent):
    round = fields.Integer(required=True, validate=validate.Range(min=1))


class Dispatched(OrderEvent):
    carrier = fields.String(required=True)
    waybill = fields.String(required=True)


class AttemptFailed(OrderEvent):
    what_to_do = fields.Nested(_Text, required=True)


class _Office(_Read):
    name = fields.Nested(_Text, required=True)
    hours = fields.Nested(_Text, required=True)


class ReadyForPickup(OrderEvent):
    office_code = fields.String(required=True)
    office = fields.Nested(_Office, required=True, allow_none=True)


class ChatMessagePosted(_OrderWithApplicant):
    """verification.chat_message_posted: staff wrote to the applicant (no text)."""


class _Case(OrderEvent):
    """ratings' case events: a complaint, or the case a bad rating opened."""

    complaint_id = fields.String(required=True, validate=validate.Length(min=1, max=100))
    kind = fields.String(required=True, validate=validate.OneOf(["bad_rating", "complaint"]))


class ComplaintOpened(_Case):
    pass


class CaseAnswered(_Case):
    pass


class ComplaintClosed(_Case):
    outcome = fields.String(required=True)


class ContactChanged(_Read):
    """accounts.contact_changed, published by the gateway (docs/design/notify.md)."""

    account_id = fields.String(required=True, validate=validate.Length(min=1, max=100))
    language = fields.String(
        required=True, allow_none=True, validate=validate.OneOf(["zh-CN", "en"])
    )  # null: a change of phone or email only; the preference stays
    phone = fields.String(
        required=True, allow_none=True, validate=validate.Regexp(r"^\+?[0-9]{6,15}$")
    )
    email = fields.Email(required=True, allow_none=True)
    changed_at = fields.AwareDateTime(required=True)


class AccountDeleted(_Read):
    account_id = fields.String(required=True, validate=validate.Length(min=1, max=100))
