"""The events verification publishes: their names, payload schemas and examples.

After a case opens and after every change to its documents (upload,
replacement, deletion), exactly one of the two document-set events is
published in the same transaction as the change. `revision` grows by one with
each of them, per case: orders keeps the verdict of the highest revision it
has seen, so the events may be delivered in any order.

The review's events tell orders what the reviewer (or the resubmission
deadline's timer) decided; each is published in the transaction of the
decision. They carry no ID number and no name. docs/events.md mirrors this
file.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from common.events.payloads import Payloads

DOCUMENT_SET_COMPLETED = "verification.document_set_completed"
DOCUMENT_SET_INCOMPLETE = "verification.document_set_incomplete"
REVIEW_STARTED = "verification.review_started"
APPROVED = "verification.approved"
RESUBMISSION_REQUESTED = "verification.resubmission_requested"
RESUBMITTED = "verification.resubmitted"
REJECTED = "verification.rejected"


class _DocumentSet(Schema):
    order_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    revision = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))


class DocumentSetCompleted(_DocumentSet):
    documents = fields.List(fields.String(), required=True)


class DocumentSetIncomplete(_DocumentSet):
    missing = fields.List(fields.String(), required=True, validate=validate.Length(min=1))


class _Review(Schema):
    order_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    reference = fields.String(required=True, validate=validate.Length(min=1, max=64))


class ReviewStarted(_Review):
    reviewer_id = fields.String(required=True)
    started_at = fields.AwareDateTime(required=True)


class Approved(_Review):
    reviewer_id = fields.String(required=True)
    approved_at = fields.AwareDateTime(required=True)


class _RefusedDocument(Schema):
    code = fields.String(required=True)
    reason_code = fields.String(required=True)
    note = fields.String(required=True, allow_none=True)


class ResubmissionRequested(_Review):
    reviewer_id = fields.String(required=True)
    round = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    deadline = fields.AwareDateTime(required=True)
    documents = fields.List(
        fields.Nested(_RefusedDocument), required=True, validate=validate.Length(min=1)
    )


class Resubmitted(_Review):
    round = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))


class Rejected(_Review):
    reason_code = fields.String(required=True)
    note = fields.String(required=True, allow_none=True)
    rejected_by = fields.String(
        required=True, metadata={"description": "the reviewer's id, or `system` for the timer"}
    )


SCHEMAS: dict[str, type[Schema]] = {
    DOCUMENT_SET_COMPLETED: DocumentSetCompleted,
    DOCUMENT_SET_INCOMPLETE: DocumentSetIncomplete,
    REVIEW_STARTED: ReviewStarted,
    APPROVED: Approved,
    RESUBMISSION_REQUESTED: ResubmissionRequested,
    RESUBMITTED: Resubmitted,
    REJECTED: Rejected,
}


EXAMPLES: dict[str, dict[str, Any]] = {
    DOCUMENT_SET_COMPLETED: {
        "order_id": "0b6f7c3e-2d4a-4f7e-9a51-2f0c6a8d9e10",
        "revision": 4,
        "documents": ["id_card_front", "id_card_back", "selfie_with_id_card"],
    },
    DOCUMENT_SET_INCOMPLETE: {
        "order_id": "0b6f7c3e-2d4a-4f7e-9a51-2f0c6a8d9e10",
        "revision": 3,
        "missing": ["selfie_with_id_card"],
    },
    REVIEW_STARTED: {
        "order_id": "0b6f7c3e-2d4a-4f7e-9a51-2f0c6a8d9e10",
        "reference": "LT-20260302-0007",
        "reviewer_id": "staff-12",
        "started_at": "2026-03-02T09:20:00+00:00",
    },
    APPROVED: {
        "order_id": "0b6f7c3e-2d4a-4f7e-9a51-2f0c6a8d9e10",
        "reference": "LT-20260302-0007",
        "reviewer_id": "staff-12",
        "approved_at": "2026-03-02T09:41:00+00:00",
    },
    RESUBMISSION_REQUESTED: {
        "order_id": "0b6f7c3e-2d4a-4f7e-9a51-2f0c6a8d9e10",
        "reference": "LT-20260302-0007",
        "reviewer_id": "staff-12",
        "round": 1,
        "deadline": "2026-03-09T09:35:00+00:00",
        "documents": [
            {
                "code": "selfie_with_id_card",
                "reason_code": "face-not-visible",
                "note": "Your face is in shadow; take the photo facing a window.",
            }
        ],
    },
    RESUBMITTED: {
        "order_id": "0b6f7c3e-2d4a-4f7e-9a51-2f0c6a8d9e10",
        "reference": "LT-20260302-0007",
        "round": 1,
    },
    REJECTED: {
        "order_id": "0b6f7c3e-2d4a-4f7e-9a51-2f0c6a8d9e10",
        "reference": "LT-20260302-0007",
        "reason_code": "identity-mismatch",
        "note": "The person in the selfie is not the holder of the ID card.",
        "rejected_by": "staff-12",
    },
}


# --- retention (retention.py) ------------------------------------------------------
# Published once per case when the retention purge deleted its pictures; the
# document rows and the audit log stay.

DOCUMENTS_PURGED = "verification.documents_purged"


class DocumentsPurged(Schema):
    order_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    reference = fields.String(required=True, validate=validate.Length(min=1, max=64))
    document_codes = fields.List(fields.String(), required=True, validate=validate.Length(min=1))
    purged_at = fields.AwareDateTime(required=True)


SCHEMAS[DOCUMENTS_PURGED] = DocumentsPurged
EXAMPLES[DOCUMENTS_PURGED] = {
    "order_id": "0b6f7c3e-2d4a-4f7e-9a51-2f0c6a8d9e10",
    "reference": "LT20260302000042",
    "document_codes": ["id_card_back", "id_card_front", "selfie_with_id_card"],
    "purged_at": "2026-04-01T01:00:00+00:00",
}


# --- the order chat (chat.py) ----------------------------------------------------------
# Published when staff write to the applicant in the order's chat (never for an
# internal note, never for the applicant's own messages), so that notifications
# can tell the applicant a reply is waiting. The message's text stays in the
# chat: staff may write anything there, so it never travels in an event.

CHAT_MESSAGE_POSTED = "verification.chat_message_posted"


class ChatMessagePosted(Schema):
    order_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    reference = fields.String(required=True, validate=validate.Length(min=1, max=64))
    applicant_id = fields.String(required=True, validate=validate.Length(min=1, max=100))
    message_id = fields.Integer(required=True, strict=True)
    posted_at = fields.AwareDateTime(required=True)


SCHEMAS[CHAT_MESSAGE_POSTED] = ChatMessagePosted
EXAMPLES[CHAT_MESSAGE_POSTED] = {
    "order_id": "0b6f7c3e-2d4a-4f7e-9a51-2f0c6a8d9e10",
    "reference": "LT20260302000042",
    "applicant_id": "acct-7d1f2b",
    "message_id": 17,
    "posted_at": "2026-03-02T09:30:00+00:00",
}


# payload(event_type, values) → the payload in its documented shape, or PayloadMismatch.
# Built last: it reads SCHEMAS once, retention's event included.
payload = Payloads(SCHEMAS)
