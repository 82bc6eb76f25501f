"""The public API's shapes: input schemas (what clients send) and output
schemas (what they get), kept apart. Money is integer fen; the `*_yuan`
strings are there for display only."""

from __future__ import annotations

from flask_smorest.fields import Upload
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


class ChoiceOut(Schema):
    value = fields.String()
    label = fields.Nested(TextOut)


class FormFieldOut(Schema):
    name = fields.String()
    type = fields.String()
    label = fields.Nested(TextOut)
    required = fields.Boolean()
    hint = fields.Nested(TextOut, allow_none=True)
    choices = fields.List(fields.Nested(ChoiceOut), metadata={"description": "For `choice`."})
    max_length = fields.Integer(allow_none=True)
    section = fields.String(
        metadata={"description": "The task list's section: details or vehicle."}
    )


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


# --- applications ---------------------------------------------------------------------

IDEMPOTENCY_KEY = {
    "in": "header",
    "name": "Idempotency-Key",
    "required": True,
    "schema": {"type": "string", "maxLength": 255},
    "description": "A new random value (e.g. a UUID) for each new request; the same one "
    "when retrying it. A retry gets the first answer; the same key with another body is 422.",
}


class ApplicationCreateIn(Schema):
    item_code = fields.String(
        required=True,
        validate=validate.Length(min=1, max=64),
        metadata={"description": "The item to apply for, e.g. driving-licence-replacement."},
    )


class ApplicationListQuery(Schema):
    status = fields.String(
        load_default=None, metadata={"description": "Only applications in this status."}
    )


class AnswersIn(Schema):
    answers = fields.Dict(
        keys=fields.String(validate=validate.Length(min=1, max=64)),
        values=fields.String(allow_none=True),
        required=True,
        metadata={
            "description": "Question name → answer text: the whole set (a question left "
            "out is unanswered). The item's `form_fields` say which questions there are."
        },
    )


class AddressIn(Schema):
    """Every line is needed; orders names each one that is missing or wrong."""

    recipient = fields.String(load_default="")
    phone = fields.String(load_default="", metadata={"description": "A mainland mobile number."})
    province = fields.String(load_default="")
    city = fields.String(load_default="")
    district = fields.String(load_default="")
    street = fields.String(load_default="")


class DeliveryIn(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(["courier", "pickup"]))
    address = fields.Nested(
        AddressIn, load_default=None, metadata={"description": "For `courier`."}
    )
    office_code = fields.String(
        load_default=None,
        metadata={"description": "For `pickup`: a code of the item's `pickup_offices`."},
    )


class CardIn(Schema):
    card_number = fields.String(required=True, metadata={"description": "Digits; spaces allowed."})
    expiry = fields.String(required=True, metadata={"description": "MM/YY"})
    cvc = fields.String(required=True)


class WalletIn(Schema):
    method = fields.String(
        required=True,
        validate=validate.OneOf(["wallet_page", "wallet_qr"]),
        metadata={
            "description": "wallet_page (paid at once, refunded if refused) or wallet_qr (held)"
        },
    )
    return_url = fields.Url(
        load_default=None, metadata={"description": "where the page wallet sends the browser back"}
    )


class CancelIn(Schema):
    reason = fields.String(load_default=None, validate=validate.Length(max=500))


class UploadIn(Schema):
    file = Upload(
        required=True,
        metadata={"description": "The photo: JPEG or PNG, at most GATEWAY_MAX_UPLOAD_BYTES."},
    )


class AddressOut(Schema):
    recipient = fields.String()
    phone = fields.String()
    province = fields.String()
    city = fields.String()
    district = fields.String()
    street = fields.String()


class ApplicationOfficeOut(Schema):
    name = fields.Nested(TextOut)
    address = fields.Nested(TextOut, allow_none=True)
    hours = fields.Nested(TextOut, allow_none=True)


class DeliveryChoiceOut(Schema):
    kind = fields.String(metadata={"description": "courier or pickup"})
    address = fields.Nested(AddressOut, allow_none=True)
    office_code = fields.String(allow_none=True)
    office = fields.Nested(ApplicationOfficeOut, allow_none=True)


class PriceOut(Schema):
    fee_version = fields.Integer()
    production_fen = fields.Integer()
    delivery_fen = fields.Integer()
    total_fen = fields.Integer()
    production_yuan = fields.Function(lambda price: domain.fen_to_yuan(price.production_fen))
    delivery_yuan = fields.Function(lambda price: domain.fen_to_yuan(price.delivery_fen))
    total_yuan = fields.Function(lambda price: domain.fen_to_yuan(price.total_fen))
    approval_ref = fields.String()
    locked = fields.Boolean(
        metadata={"description": "Fixed at submission; before that a quote at the fee in force."}
    )


class PaymentOut(Schema):
    id = fields.String()
    status = fields.String(
        metadata={
            "description": "created, processing, authorised, failed, voided, captured or refunded"
        }
    )
    amount_fen = fields.Integer()
    amount_yuan = fields.Function(lambda payment: domain.fen_to_yuan(payment.amount_fen))
    captured_fen = fields.Integer()
    refunded_fen = fields.Integer()
    failure_reason = fields.String(allow_none=True)
    card_last4 = fields.String(allow_none=True)
    updated_at = fields.String(allow_none=True)
    method = fields.String(metadata={"description": "card, wallet_page or wallet_qr"})
    paid_at_once = fields.Boolean(
        metadata={"description": "true: taken at payment, refunded if refused; false: held"}
    )
    cashier_url = fields.String(
        allow_none=True, metadata={"description": "the page wallet's cashier page, to open"}
    )
    qr_payload = fields.String(
        allow_none=True, metadata={"description": "the QR wallet's code, to show as a QR code"}
    )


class RequiredDocumentOut(Schema):
    code = fields.String()
    title = fields.Nested(TextOut)


class DocumentsStateOut(Schema):
    complete = fields.Boolean()
    missing = fields.List(fields.String(), metadata={"description": "Codes not uploaded yet."})


class ApplicationOut(Schema):
    id = fields.String()
    reference = fields.String()
    item_code = fields.String()
    item_title = fields.Nested(TextOut)
    status = fields.String()
    answers = fields.Dict(keys=fields.String(), values=fields.String())
    missing_answers = fields.List(fields.String())
    delivery = fields.Nested(DeliveryChoiceOut, allow_none=True)
    required_documents = fields.List(fields.Nested(RequiredDocumentOut))
    documents = fields.Nested(DocumentsStateOut)
    price = fields.Nested(PriceOut, allow_none=True)
    payment = fields.Nested(PaymentOut, allow_none=True)
    allowed_actions = fields.Function(
        lambda order: sorted(order.allowed_actions),
        metadata={"description": "What you may do now: edit, submit, pay, cancel."},
    )
    created_at = fields.String(allow_none=True)
    updated_at = fields.String(allow_none=True)
    submitted_at = fields.String(allow_none=True)
    pay_by = fields.String(allow_none=True)
    expected_completion = fields.String(
        allow_none=True,
        metadata={
            "description": "the day (Beijing time, YYYY-MM-DD) the application should be done: "
            "its submission plus the item's processing time in working days"
        },
    )


class ApplicationListOut(Schema):
    applications = fields.List(fields.Nested(ApplicationOut))


class VerdictOut(Schema):
    verdict = fields.String(metadata={"description": "accepted or refused"})
    reason_code = fields.String(allow_none=True)
    note = fields.String(allow_none=True)


class CaseDocumentOut(Schema):
    code = fields.String()
    title = fields.Nested(TextOut)
    status = fields.String(metadata={"description": "missing or uploaded"})
    uploaded_at = fields.String(allow_none=True)
    width = fields.Integer(allow_none=True)
    height = fields.Integer(allow_none=True)
    size_bytes = fields.Integer(allow_none=True)
    verdict = fields.Nested(VerdictOut, allow_none=True, metadata={"description": "Once reviewed."})
    replaced = fields.Boolean(metadata={"description": "A new photo since it was refused."})


class DocumentSetOut(Schema):
    status = fields.String(
        metadata={
            "description": "collecting, locked, queued, in_review, awaiting_applicant or closed"
        }
    )
    complete = fields.Boolean()
    round = fields.Integer(metadata={"description": "How many times new photos were asked for."})
    resubmission_deadline = fields.String(allow_none=True)
    documents = fields.List(fields.Nested(CaseDocumentOut))


class TimelineEntryOut(Schema):
    at = fields.String()
    from_status = fields.String(allow_none=True)
    to_status = fields.String()
    actor = fields.String()
    actor_kind = fields.String(
        allow_none=True, metadata={"description": "applicant, staff, provider or system"}
    )
    code = fields.String(metadata={"description": "what happened (docs/api.md lists the codes)"})
    params = fields.Dict(
        keys=fields.String(),
        metadata={
            "description": "the code's facts: money in fen, ISO UTC times, document, reason, "
            "carrier and office codes"
        },
    )
    text = fields.String(
        metadata={"description": "the entry in words, in the language Accept-Language asks for"}
    )


class TimelineOut(Schema):
    entries = fields.List(fields.Nested(TimelineEntryOut))


# --- the order chat and new photos


class MessageIn(Schema):
    body = fields.String(
        required=True,
        metadata={"description": "The message as typed: 1 to 1,000 characters, no files."},
    )


class MessageOut(Schema):
    id = fields.String()
    at = fields.String()
    author_role = fields.String(metadata={"description": "applicant (you) or staff"})
    body = fields.String(metadata={"description": "Plain text as typed: escape it to display."})


class ThreadOut(Schema):
    messages = fields.List(fields.Nested(MessageOut), metadata={"description": "Oldest first."})
    unread = fields.Integer(
        metadata={"description": "The office's messages unread before this read marked them read."}
    )


class UnreadOut(Schema):
    orders = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        metadata={"description": "Application id → unread messages from the office."},
    )
    total = fields.Integer()


class RefusedDocumentOut(Schema):
    code = fields.String()
    title = fields.Nested(TextOut)
    reason_code = fields.String(
        metadata={
            "description": "blurred, glare, cropped, wrong-document, expired, "
            "face-not-visible, not-original, mismatch or other"
        }
    )
    reason = fields.Nested(TextOut, metadata={"description": "The reason in words."})
    note = fields.String(allow_none=True, metadata={"description": "The reviewer's note."})
    replaced = fields.Boolean(metadata={"description": "A new photo is uploaded."})


class ResubmissionOut(Schema):
    status = fields.String(metadata={"description": "The application's status."})
    round = fields.Integer(metadata={"description": "How many times new photos were asked for."})
    deadline = fields.String(
        allow_none=True, metadata={"description": "Resubmit by then, or it is rejected."}
    )
    documents = fields.List(
        fields.Nested(RefusedDocumentOut), metadata={"description": "Only the refused ones."}
    )
    missing = fields.List(
        fields.String(), metadata={"description": "Codes of refused documents not replaced yet."}
    )
