"""The /api/v1 schemas of ratings, complaints, statistics and the dashboard.

Inputs are taken loosely on purpose (a level or a score is `Raw`): ratings
owns every rule and answers a bad field with its own 422 naming it, which the
gateway passes on. Outputs are ratings' answers as it gives them."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate


class _In(Schema):
    class Meta:
        unknown = EXCLUDE


class RatingIn(_In):
    level = fields.Raw(required=True, metadata={"description": "1–5 (5 = 非常满意)"})
    tags = fields.List(fields.String(), load_default=list)
    scores = fields.Dict(keys=fields.String(), values=fields.Raw(), required=True,
                         metadata={"description": "{speed, service, delivery}: 1–5 each"})  # fmt: skip
    comment = fields.String(load_default=None, allow_none=True)
    anonymous = fields.Boolean(load_default=False)


class FollowUpIn(_In):
    level = fields.Raw(required=True)
    tags = fields.List(fields.String(), load_default=list)
    scores = fields.Dict(keys=fields.String(), values=fields.Raw(), required=True)
    comment = fields.String(load_default=None, allow_none=True)


class ComplaintIn(_In):
    category = fields.String(required=True)
    description = fields.String(required=True)


class BodyIn(_In):
    body = fields.String(required=True)


class NoteIn(_In):
    note = fields.String(required=True)


class FeedbackIn(_In):
    feedback = fields.String(required=True)


class PageQuery(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=99_999))


class RatingsQuery(PageQuery):
    level = fields.Integer(load_default=None)


class StatsQuery(Schema):
    item = fields.String(load_default=None)
    period = fields.String(load_default="30d", metadata={"description": "30d or 12m"})


class QueueQuery(PageQuery):
    kind = fields.String(load_default="")
    status = fields.String(load_default="")
    due = fields.String(load_default="", metadata={"description": "on_time, due_today, overdue"})


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


class RatingOut(Schema):
    id = fields.String()
    item_code = fields.String()
    level = fields.Integer()
    level_code = fields.String()
    bad = fields.Boolean()
    tags = fields.List(fields.String())
    scores = fields.Dict(keys=fields.String(), values=fields.Integer())
    comment = fields.String(allow_none=True)
    name = fields.String(allow_none=True, metadata={"description": "masked: 张**, J*** S."})
    anonymous = fields.Boolean()
    created_at = fields.String()
    reply = fields.Dict(allow_none=True)
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
    completed_at = fields.String(allow_none=True)
    rate_by = fields.String(allow_none=True)
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
    created_at = fields.String()


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
    opened_at = fields.String()
    contact_by = fields.String()
    answer_by = fields.String()
    contacted_at = fields.String(allow_none=True)
    contact_note = fields.String(allow_none=True)
    answered_at = fields.String(allow_none=True)
    feedback = fields.String(allow_none=True)
    first_answered_by = fields.String(allow_none=True)
    reopened_at = fields.String(allow_none=True)
    closed_at = fields.String(allow_none=True)
    outcome = fields.String(allow_none=True)
    messages = fields.List(fields.Nested(MessageOut))


class CaseListOut(Schema):
    cases = fields.List(fields.Nested(CaseOut))
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())
    page = fields.Integer()
    pages = fields.Integer()


class StatsOut(Schema):
    item = fields.String(allow_none=True)
    period = fields.String()
    from_ = fields.String(data_key="from", attribute="from")
    to = fields.String()
    deals_completed = fields.Integer()
    durations = fields.Dict()
    first_review = fields.Dict()
    satisfaction = fields.Dict()
    bad_ratings = fields.Dict()
    complaints = fields.Dict()


class QueueCountOut(Schema):
    queue = fields.String()
    open = fields.Integer(allow_none=True)
    late = fields.Integer(allow_none=True)


class DashboardOut(Schema):
    queues = fields.List(fields.Nested(QueueCountOut))
    late = fields.Dict(allow_none=True)
    per_day = fields.List(fields.Dict(), attribute="days")
