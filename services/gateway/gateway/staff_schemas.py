"""The staff API's shapes (/api/v1/staff/reviews, /audit, /orders): input
schemas that read a request's shape (verification decides what the values may
be and refuses with 422 field errors; its reason lists and limits are at
/api/v1/staff/review-rules), and output schemas of the review as verification
gives it. Names start with Staff so they never clash with the public API's in
the OpenAPI document."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from gateway.clients.reviews import TABS
from gateway.schemas import TextOut


def _note(description: str = "Never quote an ID number; see `limits.note_max`.") -> fields.String:
    return fields.String(load_default=None, allow_none=True, metadata={"description": description})


class StaffQueueQuery(Schema):
    tab = fields.String(load_default="unassigned", validate=validate.OneOf(TABS))
    item = fields.String(load_default="", validate=validate.Length(max=100))
    status = fields.String(load_default="", validate=validate.Length(max=40))
    assignee = fields.String(load_default="", validate=validate.Length(max=100))
    overdue = fields.Boolean(load_default=False)
    q = fields.String(
        load_default="",
        validate=validate.Length(max=100),
        metadata={"description": "A reference, or its beginning."},
    )
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=9999))


class StaffVerdictIn(Schema):
    verdict = fields.String(required=True, metadata={"description": "accepted or refused"})
    reason_code = fields.String(
        load_default=None,
        allow_none=True,
        metadata={"description": "One of `document_reasons`, when refused; `other` needs a note."},
    )
    note = _note()


class StaffCheckIn(Schema):
    result = fields.String(required=True, metadata={"description": "One of `check_results`."})
    note = _note()


class StaffDecisionIn(Schema):
    decision = fields.String(required=True, metadata={"description": "One of `decisions`."})
    reason_code = fields.String(
        load_default=None,
        allow_none=True,
        metadata={"description": "One of `rejection_reasons`, to reject."},
    )
    note = _note("Required to reject; see `limits.note_max`.")
    deadline_days = fields.Integer(
        load_default=None,
        allow_none=True,
        metadata={
            "description": "To ask for new photos, within `limits.deadline_days_min`…`_max`; "
            "the office's standard period when absent."
        },
    )


class StaffRevealIn(Schema):
    field = fields.String(required=True, metadata={"description": "A masked answer's name."})
    reason = fields.String(
        required=True,
        metadata={"description": "Why you need to see it (audited); see `limits.reveal_reason_*`."},
    )


class StaffReviewLimitsOut(Schema):
    note_max = fields.Integer()
    reveal_reason_min = fields.Integer()
    reveal_reason_max = fields.Integer()
    deadline_days_min = fields.Integer()
    deadline_days_max = fields.Integer()
    max_rounds = fields.Integer()
    chat_message_max = fields.Integer()


class StaffReviewRulesOut(Schema):
    document_reasons = fields.List(fields.String())
    rejection_reasons = fields.List(fields.String())
    check_results = fields.List(fields.String())
    decisions = fields.List(fields.String())
    limits = fields.Nested(StaffReviewLimitsOut)


class StaffCancelIn(Schema):
    # Orders decides the reason (required, at most its limit) and names `reason` in its 422.
    reason = fields.String(required=True)


class StaffAuditQuery(Schema):
    actor = fields.String(load_default="", validate=validate.Length(max=100))
    order_id = fields.String(load_default="", validate=validate.Length(max=100))
    action = fields.String(load_default="", validate=validate.Length(max=60))
    since = fields.AwareDateTime(load_default=None)
    until = fields.AwareDateTime(load_default=None)
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=99999))


class StaffAuditEntryOut(Schema):
    id = fields.String()
    at = fields.String()
    actor_id = fields.String()
    actor_role = fields.String()
    action = fields.String()
    order_id = fields.String(allow_none=True)
    reference = fields.String(allow_none=True)
    document_code = fields.String(allow_none=True)
    field = fields.String(allow_none=True)
    reason = fields.String(allow_none=True)
    details = fields.Dict()


class StaffAuditOut(Schema):
    entries = fields.List(fields.Nested(StaffAuditEntryOut))
    page = fields.Integer()
    pages = fields.Integer()


class StaffCaseSummaryOut(Schema):
    order_id = fields.String()
    reference = fields.String()
    item_code = fields.String()
    status = fields.String()
    assignee_id = fields.String(allow_none=True)
    queued_at = fields.String(allow_none=True)
    sla_due_at = fields.String(allow_none=True)
    overdue = fields.Boolean()
    round = fields.Integer()
    unread_messages = fields.Integer()


class StaffQueueOut(Schema):
    cases = fields.List(fields.Nested(StaffCaseSummaryOut))
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())
    page = fields.Integer()
    pages = fields.Integer()


class _ByWhomAndWhen(Schema):
    reason_code = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    by = fields.String(allow_none=True)
    at = fields.String(allow_none=True)


class StaffVerdictOut(_ByWhomAndWhen):
    verdict = fields.String(metadata={"description": "accepted or refused"})


class StaffDecisionOut(_ByWhomAndWhen):
    decision = fields.String()


class StaffCheckOut(Schema):
    code = fields.String()
    result = fields.String(allow_none=True, metadata={"description": "match, mismatch or null"})
    note = fields.String(allow_none=True)
    by = fields.String(allow_none=True)
    at = fields.String(allow_none=True)


class StaffReviewDocumentOut(Schema):
    code = fields.String()
    title = fields.Nested(TextOut)
    status = fields.String()
    uploaded_at = fields.String(allow_none=True)
    width = fields.Integer(allow_none=True)
    height = fields.Integer(allow_none=True)
    verdict = fields.Nested(StaffVerdictOut, allow_none=True)
    replaced_in_round = fields.Integer(allow_none=True)


class StaffAnswerOut(Schema):
    name = fields.String()
    type = fields.String()
    label = fields.Nested(TextOut)
    value = fields.String(metadata={"description": "Masked (first 3, last 4) when `masked`."})
    masked = fields.Boolean()


class StaffReviewOut(Schema):
    order_id = fields.String()
    reference = fields.String()
    applicant_id = fields.String()
    applicant_name = fields.String()
    item_code = fields.String()
    status = fields.String()
    closed_because = fields.String(allow_none=True)
    assignee_id = fields.String(allow_none=True)
    queued_at = fields.String(allow_none=True)
    sla_due_at = fields.String(allow_none=True)
    overdue = fields.Boolean()
    sla_paused = fields.Boolean()
    round = fields.Integer()
    max_rounds = fields.Integer()
    resubmission_deadline = fields.String(allow_none=True)
    answers = fields.List(fields.Nested(StaffAnswerOut))
    documents = fields.List(fields.Nested(StaffReviewDocumentOut))
    checks = fields.List(fields.Nested(StaffCheckOut))
    decision = fields.Nested(StaffDecisionOut, allow_none=True)
    history = fields.List(fields.Nested(StaffAuditEntryOut))


class StaffRevealOut(Schema):
    field = fields.String()
    value = fields.String()


class StaffMessageIn(Schema):
    body = fields.String(
        required=True,
        metadata={"description": "The message as typed: 1 to 1,000 characters, no files."},
    )
    internal = fields.Boolean(
        load_default=False,
        metadata={"description": "A note for staff only: the applicant never sees it."},
    )


class StaffMessageOut(Schema):
    id = fields.String()
    at = fields.String()
    author_role = fields.String(metadata={"description": "applicant or staff"})
    author_id = fields.String()
    body = fields.String(metadata={"description": "Plain text as typed: escape it to display."})
    internal = fields.Boolean()


class StaffThreadOut(Schema):
    messages = fields.List(
        fields.Nested(StaffMessageOut), metadata={"description": "Oldest first."}
    )
    unread = fields.Integer(
        metadata={"description": "The applicant's messages unread before this read marked them."}
    )


class StaffUnreadOut(Schema):
    orders = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        metadata={"description": "Order id → the applicant's messages no staff member has read."},
    )
    total = fields.Integer()


class CannedReplyOut(Schema):
    code = fields.String()
    text = fields.Nested(TextOut)


class CannedRepliesOut(Schema):
    replies = fields.List(fields.Nested(CannedReplyOut))
