"""The events ratings publishes: their names, payload schemas and examples.

Every payload goes through its schema's `dump` and is validated before it
reaches the outbox. The envelope's `correlation_id` is the order id (null for
a summary, which is about an item). No payload carries a comment, a name or a
message: those stay behind ratings' API. docs/events.md mirrors this file.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from common.events.payloads import Payloads

RATED = "ratings.rated"
REPLIED = "ratings.replied"
FOLLOWED_UP = "ratings.followed_up"
SUMMARY_CHANGED = "ratings.summary_changed"
RATING_INVITED = "ratings.rating_invited"
COMPLAINT_OPENED = "ratings.complaint_opened"
CASE_CONTACTED = "ratings.case_contacted"
CASE_ANSWERED = "ratings.case_answered"
CASE_REOPENED = "ratings.case_reopened"
COMPLAINT_CLOSED = "ratings.complaint_closed"

KINDS = ("bad_rating", "complaint")
OUTCOMES = ("accepted", "no_response")
_Level = validate.Range(min=1, max=5)


class Rated(Schema):
    rating_id = fields.String(required=True)
    order_id = fields.String(required=True)
    item_code = fields.String(required=True)
    applicant_id = fields.String(required=True)
    level = fields.Integer(required=True, strict=True, validate=_Level)
    bad = fields.Boolean(required=True)
    tags = fields.List(fields.String(), required=True)
    rated_at = fields.AwareDateTime(required=True)


class Replied(Schema):
    rating_id = fields.String(required=True)
    order_id = fields.String(required=True)
    item_code = fields.String(required=True)
    replied_by = fields.String(required=True)
    replied_at = fields.AwareDateTime(required=True)


class FollowedUp(Schema):
    rating_id = fields.String(required=True)
    order_id = fields.String(required=True)
    item_code = fields.String(required=True)
    level = fields.Integer(required=True, strict=True, validate=_Level)
    followed_up_at = fields.AwareDateTime(required=True)


class _Figures(Schema):
    average_milli = fields.Integer(
        required=True, allow_none=True, strict=True, validate=validate.Range(min=1000, max=5000)
    )
    count = fields.Integer(required=True, strict=True, validate=validate.Range(min=0))

    @validates_schema
    def _average_with_ratings(self, data: dict[str, Any], **_kwargs: Any) -> None:
        # The catalog's rule: null exactly when there is nothing to average.
        if (data["count"] == 0) != (data["average_milli"] is None):
            raise ValidationError("average_milli is null exactly when count is 0.", "average_milli")


class SummaryChanged(_Figures):
    item_code = fields.String(required=True)
    store = fields.Nested(_Figures, required=True)
    as_of = fields.AwareDateTime(required=True)
    too_few = fields.Boolean(required=True)
    min_count_for_average = fields.Integer(required=True, validate=validate.Range(min=1))


class RatingInvited(Schema):
    order_id = fields.String(required=True)
    applicant_id = fields.String(required=True)
    item_code = fields.String(required=True)
    rate_by = fields.AwareDateTime(required=True)
    occurred_at = fields.AwareDateTime(required=True)


class _Case(Schema):
    order_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    complaint_id = fields.String(required=True, validate=validate.Length(min=1, max=100))
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    occurred_at = fields.AwareDateTime(required=True)


class ComplaintOpened(_Case):
    category = fields.String(required=True, allow_none=True)
    contact_by = fields.AwareDateTime(required=True)
    answer_by = fields.AwareDateTime(required=True)


class CaseContacted(_Case):
    on_time = fields.Boolean(required=True)


class CaseAnswered(_Case):
    on_time = fields.Boolean(required=True)
    escalated = fields.Boolean(required=True)


class CaseReopened(_Case):
    pass


class ComplaintClosed(_Case):
    outcome = fields.String(required=True, validate=validate.OneOf(OUTCOMES))


SCHEMAS: dict[str, type[Schema]] = {
    RATED: Rated,
    REPLIED: Replied,
    FOLLOWED_UP: FollowedUp,
    SUMMARY_CHANGED: SummaryChanged,
    RATING_INVITED: RatingInvited,
    COMPLAINT_OPENED: ComplaintOpened,
    CASE_CONTACTED: CaseContacted,
    CASE_ANSWERED: CaseAnswered,
    CASE_REOPENED: CaseReopened,
    COMPLAINT_CLOSED: ComplaintClosed,
}

# payload(event_type, values) → the payload in its documented shape, or PayloadMismatch.
payload = Payloads(SCHEMAS)

_ORDER = "5b0f6c1e-8d3a-4f7e-9a51-2c4d8e6f1a20"
_RATING = {
    "rating_id": "rat_4c1d9e0a7b",
    "order_id": _ORDER,
    "item_code": "driving-licence-replacement",
}
_CASE = {"order_id": _ORDER, "complaint_id": "cas_8f3a21c4d0", "kind": "complaint"}

EXAMPLES: dict[str, dict[str, Any]] = {
    RATED: {**_RATING, "applicant_id": "acct-7d1f2b", "level": 2, "bad": True,
            "tags": ["slow", "delivery_slow_or_lost"], "rated_at": "2026-03-10T02:00:00+00:00"},
    REPLIED: {**_RATING, "replied_by": "staff-17", "replied_at": "2026-03-10T06:00:00+00:00"},
    FOLLOWED_UP: {**_RATING, "level": 4, "followed_up_at": "2026-03-20T02:00:00+00:00"},
    SUMMARY_CHANGED: {"item_code": "driving-licence-replacement", "average_milli": 4870,
                      "count": 213, "store": {"average_milli": 4810, "count": 1024},
                      "as_of": "2026-03-10T02:00:00+00:00", "too_few": False,
                      "min_count_for_average": 5},
    RATING_INVITED: {"order_id": _ORDER, "applicant_id": "acct-7d1f2b",
                     "item_code": "driving-licence-replacement",
                     "rate_by": "2026-03-24T02:00:00+00:00",
                     "occurred_at": "2026-03-12T02:00:00+00:00"},
    COMPLAINT_OPENED: {**_CASE, "category": "delivery", "occurred_at": "2026-03-06T04:00:00+00:00",
                       "contact_by": "2026-03-09T04:00:00+00:00",
                       "answer_by": "2026-03-27T04:00:00+00:00"},
    CASE_CONTACTED: {**_CASE, "on_time": True, "occurred_at": "2026-03-06T08:00:00+00:00"},
    CASE_ANSWERED: {**_CASE, "on_time": True, "escalated": False,
                    "occurred_at": "2026-03-08T04:00:00+00:00"},
    CASE_REOPENED: {**_CASE, "occurred_at": "2026-03-08T09:00:00+00:00"},
    COMPLAINT_CLOSED: {**_CASE, "outcome": "accepted", "occurred_at": "2026-03-09T04:00:00+00:00"},
}  # fmt: skip
