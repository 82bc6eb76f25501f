"""The public API's schemas of the inbox, preferences and the staff's failed
messages: dumps of gateway.clients.notifications' dataclasses; times are ISO
8601 with a zone."""

from __future__ import annotations

from marshmallow import INCLUDE, Schema, fields, validate


class InboxMessageOut(Schema):
    id = fields.String()
    order_id = fields.String(allow_none=True)
    reference = fields.String(allow_none=True)
    template = fields.String(metadata={"description": "what the message is about, e.g. approved"})
    title = fields.String()
    body = fields.String(metadata={"description": "in the applicant's chosen language"})
    link = fields.String(metadata={"description": "the application's page"})
    created_at = fields.String(allow_none=True)
    read_at = fields.String(allow_none=True)


class InboxOut(Schema):
    messages = fields.List(fields.Nested(InboxMessageOut))
    unread = fields.Integer()
    page = fields.Integer()
    pages = fields.Integer()


class PageQuery(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=99_999))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


class UnreadOut(Schema):
    unread = fields.Integer()


class PreferencesIn(Schema):
    """`sms`, `email` (true or false) and `language` (zh-CN or en); only those given
    change. Passed to notifications as sent: its 422 names each refused field
    (`inapp` cannot be switched off)."""

    class Meta:
        unknown = INCLUDE


class PreferencesOut(Schema):
    sms = fields.Boolean()
    email = fields.Boolean()
    language = fields.String()
    phone_masked = fields.String(allow_none=True)
    email_masked = fields.String(allow_none=True)
    required_templates = fields.List(
        fields.String(), metadata={"description": "sent by SMS and email even when switched off"}
    )


class FailuresQuery(Schema):
    channel = fields.String(load_default="", validate=validate.OneOf(["", "sms", "email"]))
    reason = fields.String(load_default="", validate=validate.Length(max=100))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=99_999))


class StaffMessageOut(Schema):
    id = fields.String()
    order_id = fields.String(allow_none=True)
    reference = fields.String(allow_none=True)
    template = fields.String()
    channel = fields.String()
    status = fields.String(metadata={"description": "failed or undeliverable; pending once resent"})
    reason = fields.String(allow_none=True)
    attempts = fields.Integer()
    to_masked = fields.String(allow_none=True)
    created_at = fields.String(allow_none=True)
    failed_at = fields.String(allow_none=True)


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
    days = fields.Integer(load_default=14, validate=validate.Range(min=1, max=90))


class DayCountOut(Schema):
    date = fields.String(metadata={"description": "a Beijing day"})
    channel = fields.String()
    created = fields.Integer()
    sent = fields.Integer()
    delivered = fields.Integer()
    failed = fields.Integer()


class StatsOut(Schema):
    days = fields.List(fields.Nested(DayCountOut))
