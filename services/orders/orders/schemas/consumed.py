"""What orders reads of the events it consumes (verification's document
verdicts and each step of its review). A payload missing a field read here
fails validation and is dead-lettered; fields orders does not read are
ignored. The contract tests load every producer's example through these.
"""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate

DOCUMENT_SET_COMPLETED = "verification.document_set_completed"
DOCUMENT_SET_INCOMPLETE = "verification.document_set_incomplete"
REVIEW_STARTED = "verification.review_started"
APPROVED = "verification.approved"
RESUBMISSION_REQUESTED = "verification.resubmission_requested"
RESUBMITTED = "verification.resubmitted"
REJECTED = "verification.rejected"

_CODE = fields.String(validate=validate.Length(min=1, max=64))


class _Verdict(Schema):
    class Meta:
        unknown = EXCLUDE

    order_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    revision = fields.Integer(strict=True, required=True, validate=validate.Range(min=1))


class DocumentSetCompleted(_Verdict):
    """What orders reads of verification.document_set_completed."""

    documents = fields.List(_CODE, required=True)


class DocumentSetIncomplete(_Verdict):
    """What orders reads of verification.document_set_incomplete."""

    missing = fields.List(_CODE, required=True, validate=validate.Length(min=1))


_ID = fields.String(required=True, validate=validate.Length(min=1, max=100))
_NOTE = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class _CaseEvent(Schema):
    class Meta:
        unknown = EXCLUDE

    order_id = fields.String(required=True, validate=validate.Length(min=1, max=64))


class ReviewStarted(_CaseEvent):
    """What orders reads of verification.review_started."""

    reviewer_id = _ID


class Approved(_CaseEvent):
    """What orders reads of verification.approved."""

    reviewer_id = _ID
    approved_at = fields.AwareDateTime(required=True)


class _RefusedDocument(Schema):
    class Meta:
        unknown = EXCLUDE

    code = fields.String(required=True, validate=validate.Length(min=1, max=64))
    reason_code = fields.String(required=True, validate=validate.Length(min=1, max=64))
    note = _NOTE


class ResubmissionRequested(_CaseEvent):
    """What orders reads of verification.resubmission_requested (`reviewer_id`
    names the reviewer on the timeline; an event without it still counts)."""

    round = fields.Integer(strict=True, required=True, validate=validate.Range(min=1))
    deadline = fields.AwareDateTime(required=True)
    documents = fields.List(
        fields.Nested(_RefusedDocument), required=True, validate=validate.Length(min=1)
    )
    reviewer_id = fields.String(load_default=None, allow_none=True)


class Resubmitted(_CaseEvent):
    """What orders reads of verification.resubmitted."""

    round = fields.Integer(strict=True, required=True, validate=validate.Range(min=1))


class Rejected(_CaseEvent):
    """What orders reads of verification.rejected (`rejected_by`: a staff id or `system`)."""

    reason_code = fields.String(required=True, validate=validate.Length(min=1, max=64))
    note = _NOTE
    rejected_by = _ID


# What orders reads of each event it consumes; the contract tests load every
# producer's example through these.
CONSUMED: dict[str, type[Schema]] = {
    DOCUMENT_SET_COMPLETED: DocumentSetCompleted,
    DOCUMENT_SET_INCOMPLETE: DocumentSetIncomplete,
    REVIEW_STARTED: ReviewStarted,
    APPROVED: Approved,
    RESUBMISSION_REQUESTED: ResubmissionRequested,
    RESUBMITTED: Resubmitted,
    REJECTED: Rejected,
}
