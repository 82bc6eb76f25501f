"""Notifications' marshmallow schemas: the HTTP API's input and output here,
what it reads of consumed events in `consumed`."""

from __future__ import annotations

from typing import Any

from marshmallow import EXCLUDE, RAISE, Schema, fields, validate

from notifications.domain import LANGUAGES


class StrictBoolean(fields.Boolean):
    """true or false in JSON, never "yes", 1 or 0."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


class PageQuery(Schema):
    class Meta:
        unknown = EXCLUDE

    # Bounded: the page becomes an SQL OFFSET, which past a bigint was a 500.
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=99_999))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


class InboxMessageOut(Schema):
    id = fields.String()
    order_id = fields.String(allow_none=True)
    reference = fields.String(allow_none=True)
    template = fields.String()
    title = fields.String()
    body = fields.String()
    link = fields.String()
    created_at = fields.AwareDateTime()
    read_at = fields.AwareDateTime(allow_none=True)


class InboxOut(Schema):
    messages = fields.List(fields.Nested(InboxMessageOut))
    unread = fields.Integer()
    page = fields.Integer()
    pages = fields.Integer()


class UnreadOut(Schema):
    unread = fields.Integer()


class PreferencesIn(Schema):
    """A change: only the fields given change. `inapp` is accepted to be refused
    by name (the inbox cannot be switched off), anything else unknown is 422."""

    class Meta:
        unknown = RAISE

    sms = StrictBoolean()
    email = StrictBoolean()
    language = fields.String(validate=validate.OneOf(LANGUAGES))
    inapp = fields.Raw()


class PreferencesOut(Schema):
    sms = fields.Boolean()
    email = fields.Boolean()
    language = fields.String()
    phone_masked = fields.String(allow_none=True)
    email_masked = fields.String(allow_none=True)
    required_templates = fields.List(fields.String())


class FailuresQuery(PageQuery):
    channel = fields.String(load_default=None, validate=validate.OneOf(["sms", "email"]))
    reason = fields.String(load_default=None)


class StaffMessageOut(Schema):
    id = fields.String()
    account_id = fields.String()
    order_id = fields.String(allow_none=True)
    reference = fields.String(allow_none=True)
    template = fields.String()
    channel = fields.String()
    language = fields.String()
    status = fields.String()
    reason = fields.String(allow_none=True)
    attempts = fields.Integer()
    generation = fields.Integer()
    to_masked = fields.String(allow_none=True)
    created_at = fields.AwareDateTime()
    failed_at = fields.AwareDateTime(allow_none=True)
    next_attempt_at = fields.AwareDateTime(allow_none=True)


class FailureCountOut(Schema):
    channel = fields.String()
    reason = fields.String()
    count = fields.Integer()


class FailuresOut(Schema):
    messages = fields.List(fields.Nested(StaffMessageOut))
    counts = fields.List(fields.Nested(FailureCountOut))
    page = fields.Integer()
    pages = fields.Integer()


class StatsQuery(Schema):
    class Meta:
        unknown = EXCLUDE

    days = fields.Integer(load_default=14, validate=validate.Range(min=1, max=90))


class DayOut(Schema):
    date = fields.String()
    channel = fields.String()
    created = fields.Integer()
    sent = fields.Integer()
    delivered = fields.Integer()
    failed = fields.Integer()


class StatsOut(Schema):
    days = fields.List(fields.Nested(DayOut))


class OutboxQuery(PageQuery):
    channel = fields.String(load_default=None, validate=validate.OneOf(["sms", "email"]))


class SentOut(Schema):
    id = fields.String()
    channel = fields.String()
    to_masked = fields.String()
    subject = fields.String()
    body = fields.String()
    accepted_at = fields.AwareDateTime()
    receipt = fields.String()


class OutboxOut(Schema):
    sent = fields.List(fields.Nested(SentOut))
    page = fields.Integer()


class SwitchIn(Schema):
    class Meta:
        unknown = RAISE

    down = StrictBoolean(required=True)


class SwitchOut(Schema):
    channel = fields.String()
    down = fields.Boolean()


class WebhookAnswerOut(Schema):
    stored = fields.Integer()
    # `unknown` would shadow Schema.unknown, so the field is named apart.
    unknown_count = fields.Integer(attribute="unknown", data_key="unknown")
