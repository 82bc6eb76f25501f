"""Every marshmallow schema of ratings' HTTP API, input and output apart.
(What ratings reads of other services' events is in handlers.py.)"""

from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate

from ratings.domain import COMPLAINT_CATEGORIES, DIMENSIONS
from ratings.events import KINDS
from ratings.statistics import PERIODS

_Score = fields.Integer  # strict: 4.5 and "4" are refused, never rounded


def _score() -> fields.Integer:
    return _Score(required=True, strict=True, validate=validate.Range(min=1, max=5))


def _text(max_length: int, *, required: bool = True) -> fields.String:
    return fields.String(
        required=required, validate=validate.Length(min=1, max=max_length), allow_none=not required
    )


class _In(Schema):
    class Meta:
        unknown = RAISE


class ScoresIn(_In):
    speed = _score()
    service = _score()
    delivery = _score()


class RatingIn(_In):
    level = _score()
    tags = fields.List(fields.String(), load_default=list)
    scores = fields.Nested(ScoresIn, required=True)
    comment = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))
    anonymous = fields.Boolean(load_default=False)
    display_name = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(max=100)
    )


class FollowUpIn(_In):
    level = _score()
    tags = fields.List(fields.String(), load_default=list)
    scores = fields.Nested(ScoresIn, required=True)
    comment = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))


class ReplyIn(_In):
    body = _text(500)


class ComplaintIn(_In):
    category = fields.String(required=True, validate=validate.OneOf(list(COMPLAINT_CATEGORIES)))
    description = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class NoteIn(_In):
    note = _text(2000)


class FeedbackIn(_In):
    feedback = _text(2000)


class MessageIn(_In):
    body = _text(2000)


class PageQuery(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=99_999))


class RatingsQuery(PageQuery):
    level = fields.Integer(load_default=None, validate=validate.Range(min=1, max=5))


class QueueQuery(PageQuery):
    kind = fields.String(load_default=None, validate=validate.OneOf(KINDS))
    status = fields.String(
        load_default=None, validate=validate.OneOf(["open", "contacted", "answered", "escalated"])
    )
    due = fields.String(
        load_default=None, validate=validate.OneOf(["on_time", "due_today", "overdue"])
    )


class StatsQuery(Schema):
    item = fields.String(load_default=None, validate=validate.Length(min=1, max=64))
    period = fields.String(load_default="30d", validate=validate.OneOf(list(PERIODS)))


# --- answers -------------------------------------------------------------------------


class LabelOut(Schema):
    code = fields.String()
    zh = fields.String()
    en = fields.String()


class LevelOut(LabelOut):
    stars = fields.Integer()
    bad = fields.Boolean()
    tags = fields.List(fields.Nested(LabelOut))


class LevelsOut(Schema):
    levels = fields.List(fields.Nested(LevelOut))
    dimensions = fields.List(fields.Nested(LabelOut))
    complaint_categories = fields.List(fields.Nested(LabelOut))


class ReplyOut(Schema):
    body = fields.String()
    created_at = fields.AwareDateTime()


class RatingOut(Schema):
    id = fields.String()
    item_code = fields.String()
    level = fields.Integer()
    level_code = fields.String()
    bad = fields.Boolean()
    tags = fields.List(fields.String())
    scores = fields.Dict(keys=fields.String(), values=fields.Integer())
    comment = fields.String(allow_none=True)
    name = fields.String(allow_none=True)
    anonymous = fields.Boolean()
    created_at = fields.AwareDateTime()
    reply = fields.Nested(ReplyOut, allow_none=True)
    follow_up = fields.Dict(allow_none=True)
    order_id = fields.String(allow_none=True)
    case_id = fields.String(allow_none=True)


class RatingListOut(Schema):
    ratings = fields.List(fields.Nested(RatingOut))
    page = fields.Integer()
    pages = fields.Integer()
    total = fields.Integer()


class OrderRatingOut(Schema):
    order_id = fields.String()
    completed_at = fields.AwareDateTime(allow_none=True)
    rate_by = fields.AwareDateTime(allow_none=True)
    can_rate = fields.Boolean()
    can_follow_up = fields.Boolean()
    rating = fields.Nested(RatingOut, allow_none=True)


class SummaryOut(Schema):
    item_code = fields.String(allow_none=True)
    count = fields.Integer()
    too_few = fields.Boolean()
    min_count_for_average = fields.Integer()
    average_milli = fields.Integer(allow_none=True)
    distribution = fields.Dict(keys=fields.String(), values=fields.Integer())
    dimensions = fields.Dict(keys=fields.String(), values=fields.Integer(allow_none=True))
    bad_share_milli = fields.Integer(allow_none=True)


class MessageOut(Schema):
    author_role = fields.String()
    author_id = fields.String()
    body = fields.String()
    created_at = fields.AwareDateTime()


class CaseOut(Schema):
    id = fields.String()
    kind = fields.String()
    order_id = fields.String()
    item_code = fields.String(allow_none=True)
    rating_id = fields.String(allow_none=True)
    category = fields.String(allow_none=True)
    description = fields.String(allow_none=True)
    status = fields.String()
    due = fields.String(allow_none=True)
    escalated = fields.Boolean()
    opened_at = fields.AwareDateTime()
    contact_by = fields.AwareDateTime()
    answer_by = fields.AwareDateTime()
    contacted_at = fields.AwareDateTime(allow_none=True)
    contact_note = fields.String(allow_none=True)
    answered_at = fields.AwareDateTime(allow_none=True)
    feedback = fields.String(allow_none=True)
    first_answered_by = fields.String(allow_none=True)
    reopened_at = fields.AwareDateTime(allow_none=True)
    closed_at = fields.AwareDateTime(allow_none=True)
    outcome = fields.String(allow_none=True)
    messages = fields.List(fields.Nested(MessageOut))


class CaseListOut(Schema):
    cases = fields.List(fields.Nested(CaseOut))
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())
    page = fields.Integer()
    pages = fields.Integer()


class DurationOut(Schema):
    count = fields.Integer()
    median_working_days = fields.Integer(allow_none=True)
    p90_working_days = fields.Integer(allow_none=True)


class LoopOut(Schema):
    count = fields.Integer()
    contacted_on_time_milli = fields.Integer(allow_none=True)
    rectified_on_time_milli = fields.Integer(allow_none=True)
    accepted_milli = fields.Integer(allow_none=True)


class FirstReviewOut(Schema):
    decided = fields.Integer()
    approved_first_time = fields.Integer()
    rate_milli = fields.Integer(allow_none=True)


class SatisfactionOut(Schema):
    count = fields.Integer()
    too_few = fields.Boolean()
    average_milli = fields.Integer(allow_none=True)
    satisfied_share_milli = fields.Integer(allow_none=True)
    distribution = fields.Dict(keys=fields.String(), values=fields.Integer())


class StatsOut(Schema):
    item = fields.String(allow_none=True)
    period = fields.String()
    from_ = fields.Date(data_key="from", attribute="from")
    to = fields.Date()
    deals_completed = fields.Integer()
    durations = fields.Dict(keys=fields.String(), values=fields.Nested(DurationOut))
    first_review = fields.Nested(FirstReviewOut)
    satisfaction = fields.Nested(SatisfactionOut)
    bad_ratings = fields.Nested(LoopOut)
    complaints = fields.Nested(LoopOut)


class DayOut(Schema):
    day = fields.Date()
    submitted = fields.Integer()
    approved = fields.Integer()
    dispatched = fields.Integer()
    completed = fields.Integer()
    complaints = fields.Integer()


class DashboardOut(Schema):
    open = fields.Integer()
    by_status = fields.Dict(keys=fields.String(), values=fields.Integer())
    overdue = fields.Integer()
    late = fields.Dict(keys=fields.String(), values=fields.Integer())
    per_day = fields.List(fields.Nested(DayOut))


DIMENSION_CODES = tuple(DIMENSIONS)
