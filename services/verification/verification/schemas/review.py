"""What the staff review API accepts and returns, and the rules it publishes."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from verification.domain import NOTE_MAX, CheckResult, Decision, Verdict
from verification.schemas.audit import AuditEntryOut
from verification.schemas.shared import LocalTextOut, LooseIn

TABS = ("unassigned", "mine", "awaiting_applicant", "all")
STATUSES = ("queued", "in_review", "awaiting_applicant", "closed")


class QueueQuery(LooseIn):
    tab = fields.String(load_default="unassigned", validate=validate.OneOf(TABS))
    item = fields.String(load_default=None, validate=validate.Length(max=64))
    status = fields.String(load_default=None, validate=validate.OneOf(STATUSES))
    assignee = fields.String(load_default=None, validate=validate.Length(max=64))
    overdue = fields.Boolean(load_default=False)
    q = fields.String(load_default=None, validate=validate.Length(max=64))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=99_999))


class ReviewQuery(LooseIn):
    unmask_for_assignee = fields.Boolean(
        load_default=False,
        metadata={"description": "the assignee of an open case sees masked answers in full"},
    )


class VerdictIn(LooseIn):
    verdict = fields.String(required=True, validate=validate.OneOf([v.value for v in Verdict]))
    reason_code = fields.String(load_default=None, allow_none=True)
    note = fields.String(load_default=None, allow_none=True)


class VerdictsIn(LooseIn):
    """Items are checked one by one by the use case, so that a refusal names the
    document or check (verdicts.<code>.<field>), not a position in a list."""

    verdicts = fields.List(
        fields.Raw(),
        load_default=list,
        metadata={"description": "[{code, verdict, reason_code?, note?}]"},
    )
    checks = fields.List(
        fields.Raw(), load_default=list, metadata={"description": "[{code, result, note?}]"}
    )


class CheckIn(LooseIn):
    result = fields.String(required=True, validate=validate.OneOf([r.value for r in CheckResult]))
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=NOTE_MAX))


class DecisionIn(LooseIn):
    decision = fields.String(required=True, validate=validate.OneOf([d.value for d in Decision]))
    reason_code = fields.String(load_default=None, allow_none=True)
    note = fields.String(load_default=None, allow_none=True)
    deadline_days = fields.Integer(load_default=None, allow_none=True, strict=True)


class RevealIn(LooseIn):
    field = fields.String(load_default=None)
    reason = fields.String(load_default=None)


# --- answers ---------------------------------------------------------------------------


class AnswerOut(Schema):
    name = fields.String()
    type = fields.String()
    label = fields.Nested(LocalTextOut, allow_none=True)
    value = fields.String(metadata={"description": "masked unless revealed when `masked`"})
    masked = fields.Boolean()
    revealed = fields.Boolean(metadata={"description": "shown in full to the case's assignee"})


class VerdictOut(Schema):
    verdict = fields.String()
    reason_code = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    by = fields.String()
    at = fields.DateTime()


class ReviewDocumentOut(Schema):
    code = fields.String()
    title = fields.Nested(LocalTextOut, allow_none=True)
    status = fields.String()
    uploaded_at = fields.DateTime(allow_none=True)
    width = fields.Integer(allow_none=True)
    height = fields.Integer(allow_none=True)
    verdict = fields.Nested(VerdictOut, allow_none=True)
    replaced_in_round = fields.Integer(allow_none=True)


class CheckOut(Schema):
    code = fields.String()
    result = fields.String(allow_none=True, metadata={"description": "null until recorded"})
    note = fields.String(allow_none=True)
    by = fields.String(allow_none=True)
    at = fields.DateTime(allow_none=True)


class DecisionOut(Schema):
    decision = fields.String()
    reason_code = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    by = fields.String()
    at = fields.String(metadata={"description": "ISO 8601"})


class ReviewOut(Schema):
    order_id = fields.String()
    reference = fields.String()
    applicant_id = fields.String(allow_none=True)
    applicant_name = fields.String(allow_none=True)
    item_code = fields.String(allow_none=True)
    status = fields.String()
    closed_because = fields.String(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)
    assignee_id = fields.String(allow_none=True)
    queued_at = fields.DateTime(allow_none=True)
    sla_due_at = fields.DateTime(allow_none=True)
    overdue = fields.Boolean()
    sla_paused = fields.Boolean()
    round = fields.Integer()
    max_rounds = fields.Integer()
    resubmission_deadline = fields.DateTime(allow_none=True)
    answers = fields.List(fields.Nested(AnswerOut))
    documents = fields.List(fields.Nested(ReviewDocumentOut))
    checks = fields.List(fields.Nested(CheckOut))
    decision = fields.Nested(DecisionOut, allow_none=True)
    history = fields.List(fields.Nested(AuditEntryOut))


class CaseSummaryOut(Schema):
    order_id = fields.String()
    reference = fields.String()
    item_code = fields.String(allow_none=True)
    status = fields.String()
    assignee_id = fields.String(allow_none=True)
    queued_at = fields.DateTime(allow_none=True)
    sla_due_at = fields.DateTime(allow_none=True)
    overdue = fields.Boolean()
    round = fields.Integer()
    unread_messages = fields.Integer()


class TabCountsOut(Schema):
    unassigned = fields.Integer()
    mine = fields.Integer()
    awaiting_applicant = fields.Integer()
    all = fields.Integer()


class QueueOut(Schema):
    cases = fields.List(fields.Nested(CaseSummaryOut))
    counts = fields.Nested(TabCountsOut)
    page = fields.Integer()
    pages = fields.Integer()


class RevealOut(Schema):
    field = fields.String()
    value = fields.String()


# --- the rules ---------------------------------------------------------------------------


class LimitsOut(Schema):
    note_max = fields.Integer(metadata={"description": "a verdict's, check's or rejection's note"})
    reveal_reason_min = fields.Integer(metadata={"description": "after stripping"})
    reveal_reason_max = fields.Integer()
    deadline_days_min = fields.Integer(metadata={"description": "a resubmission's deadline"})
    deadline_days_max = fields.Integer()
    max_rounds = fields.Integer(metadata={"description": "resubmission rounds per case"})
    chat_message_max = fields.Integer(metadata={"description": "characters, after stripping"})


class RulesOut(Schema):
    document_reasons = fields.List(
        fields.String(), metadata={"description": "why a document is refused; `other` needs a note"}
    )
    rejection_reasons = fields.List(
        fields.String(), metadata={"description": "why a reviewer rejects; `other` needs a note"}
    )
    check_results = fields.List(fields.String())
    decisions = fields.List(fields.String())
    limits = fields.Nested(LimitsOut)
