"""What orders reads of the events it consumes (verification's document
verdicts and each step of its review, fulfillment's production and delivery,
ratings' complaints). A payload missing a field read here
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


# --- fulfillment: production and delivery (services/fulfillment/fulfillment/events.py) ---

PRODUCTION_STARTED = "fulfillment.production_started"
PRODUCED = "fulfillment.produced"
DISPATCHED = "fulfillment.dispatched"
TRACKING_UPDATED = "fulfillment.tracking_updated"
DELIVERY_ATTEMPT_FAILED = "fulfillment.delivery_attempt_failed"
READY_FOR_PICKUP = "fulfillment.ready_for_pickup"
PICKUP_REMINDER_DUE = "fulfillment.pickup_reminder_due"
DELIVERED = "fulfillment.delivered"
DELIVERY_EXCEPTION = "fulfillment.delivery_exception"

_TEXT = fields.String(required=True, validate=validate.Length(min=1, max=200))
_MAYBE = fields.String(required=True, allow_none=True, validate=validate.Length(max=200))


class _LocalText(Schema):
    class Meta:
        unknown = EXCLUDE

    zh = fields.String(required=True)
    en = fields.String(required=True)


class ProductionStarted(_CaseEvent):
    """What orders reads of fulfillment.production_started (`actor`: the staff id)."""

    batch_id = _TEXT
    actor = _TEXT


class Produced(_CaseEvent):
    """What orders reads of fulfillment.produced (a timeline entry only)."""

    credential_number = _MAYBE
    actor = _TEXT


class Dispatched(_CaseEvent):
    """What orders reads of fulfillment.dispatched (`reship`: after a delivery exception)."""

    carrier = _TEXT
    waybill = _TEXT
    reship = fields.Boolean(required=True)
    actor = _TEXT


class TrackingUpdated(_CaseEvent):
    """What orders reads of fulfillment.tracking_updated (a timeline entry only)."""

    carrier = _TEXT
    waybill = _TEXT
    state = _TEXT
    city = _MAYBE


class DeliveryAttemptFailed(_CaseEvent):
    """What orders reads of fulfillment.delivery_attempt_failed (a timeline entry only)."""

    waybill = _TEXT
    attempt = fields.Integer(strict=True, required=True, validate=validate.Range(min=1))
    reason = _TEXT
    what_to_do = fields.Nested(_LocalText, required=True)


class ReadyForPickup(_CaseEvent):
    """What orders reads of fulfillment.ready_for_pickup (`switched`: from a delivery exception)."""

    office_code = _TEXT
    switched = fields.Boolean(required=True)
    collect_by = fields.AwareDateTime(required=True)


class PickupReminderDue(_CaseEvent):
    """What orders reads of fulfillment.pickup_reminder_due (a timeline entry only)."""

    office_code = _TEXT
    collect_by = fields.AwareDateTime(required=True)


class Delivered(_CaseEvent):
    """What orders reads of fulfillment.delivered: the auto-confirm timer counts from `delivered_at`."""

    how = fields.String(required=True, validate=validate.OneOf(["courier", "pickup"]))
    waybill = _MAYBE
    actor = _TEXT
    delivered_at = fields.AwareDateTime(required=True)


class DeliveryException(_CaseEvent):
    """What orders reads of fulfillment.delivery_exception (`uncollected`: a pickup never collected)."""

    reason_code = _TEXT
    waybill = _MAYBE


# --- ratings: complaints pause the auto-confirm timer -------------------------------------

COMPLAINT_OPENED = "ratings.complaint_opened"
COMPLAINT_CLOSED = "ratings.complaint_closed"


class _Complaint(_CaseEvent):
    complaint_id = fields.String(required=True, validate=validate.Length(min=1, max=100))
    occurred_at = fields.AwareDateTime(required=True)


class ComplaintOpened(_Complaint):
    """What orders reads of ratings.complaint_opened."""


class ComplaintClosed(_Complaint):
    """What orders reads of ratings.complaint_closed."""


RATING_INVITED = "ratings.rating_invited"


class RatingInvited(_CaseEvent):
    """What orders reads of ratings.rating_invited (a timeline entry only)."""

    rate_by = fields.AwareDateTime(required=True)


CONSUMED.update({
    PRODUCTION_STARTED: ProductionStarted,
    PRODUCED: Produced,
    DISPATCHED: Dispatched,
    TRACKING_UPDATED: TrackingUpdated,
    DELIVERY_ATTEMPT_FAILED: DeliveryAttemptFailed,
    READY_FOR_PICKUP: ReadyForPickup,
    PICKUP_REMINDER_DUE: PickupReminderDue,
    DELIVERED: Delivered,
    DELIVERY_EXCEPTION: DeliveryException,
    COMPLAINT_OPENED: ComplaintOpened,
    COMPLAINT_CLOSED: ComplaintClosed,
    RATING_INVITED: RatingInvited,
})  # fmt: skip
