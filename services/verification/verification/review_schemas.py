"""What the staff review API and the audit log accept and return."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate

from verification.domain import CheckResult, Decision, Verdict
from verification.schemas import LocalTextOut

TABS = ("unassigned", "mine", "awaiting_applicant", "all")
STATUSES = ("queued", "in_review", "awaiting_applicant", "closed")


class _In(Schema):
    class Meta:
        unknown = EXCLUDE


class QueueQuery(_In):
    tab = fields.String(load_default="unassigned", validate=validate.OneOf(TABS))
    item = fields.String(load_default=None, validate=validate.Length(max=64))
    status = fields.String(load_default=None, validate=validate.OneOf(STATUSES))
    assignee = fields.String(load_default=None, validate=validate.Length(max=64))
    overdue = fields.Boolean(load_default=False)
    q = fields.String(load_default=None, validate=validate.Length(max=64))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))


class VerdictIn(_In):
    verdict = fields.String(required=True, validate=validate.OneOf([v.value for v in Verdict]))
    reason_code = fields.String(load_default=None, allow_none=True)
    note = fields.String(load_default=None, allow_none=True)


class CheckIn(_In):
    result = fields.String(required=True, validate=validate.OneOf([r.value for r in CheckResult]))
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))


class DecisionIn(_In):
    decision = fields.String(required=True, validate=validate.OneOf([d.value for d in Decision]))
    reason_code = fields.String(load_default=None, allow_none=True)
    note = fields.String(load_default=None, allow_none=True)
    deadline_days = fields.Integer(load_default=None, allow_none=True, strict=True)


class RevealIn(_In):
    field = fields.String(load_default=None)
    reason = fields.String(load_default=None)


class AuditQuery(_In):
    actor = fields.String(load_default=None, validate=validate.Length(max=64))
    order_id = fields.String(load_default=None, validate=validate.Length(max=64))
    action = fields.String(load_default=None, validate=validate.Length(max=64))
    since = fields.AwareDateTime(load_default=None)
    until = fields.AwareDateTime(load_default=None)
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))


# --- answers ---------------------------------------------------------------------------


class AuditEntryOut(Schema):
    id = fields.Integer()
    at = fields.DateTime()
    actor_id = fields.String(metadata={"description": "a staff or applicant id, or `system`"})
    actor_role = fields.String()
    action = fields.String()
    order_id = fields.String()
    reference = fields.String(allow_none=True)
    document_code = fields.String(allow_none=True)
    field = fields.String(allow_none=True)
    reason = fields.String(allow_none=True)
    details = fields.Dict(allow_none=True)


class AuditPageOut(Schema):
    entries = fields.List(fields.Nested(AuditEntryOut))
    page = fields.Integer()
    pages = fields.Integer()


class AnswerOut(Schema):
    name = fields.String()
    type = fields.String()
    label = fields.Nested(LocalTextOut, allow_none=True)
    value = fields.String(metadata={"description": "masked unless revealed when `masked`"})
    masked = fields.Boolean()


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
