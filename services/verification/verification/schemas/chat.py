"""What the order chat's API accepts and returns."""

from __future__ import annotations

from marshmallow import Schema, fields

from verification.domain import CHAT_MESSAGE_MAX
from verification.schemas.shared import LocalTextOut


class MessageIn(Schema):
    body = fields.String(
        required=True,
        metadata={
            "description": f"plain text, 1 to {CHAT_MESSAGE_MAX:,} characters after stripping"
        },
    )
    internal = fields.Boolean(
        load_default=False,
        metadata={"description": "a staff-only note the applicant never sees (staff only)"},
    )


class MessageOut(Schema):
    id = fields.Integer()
    at = fields.DateTime()
    author_role = fields.String(metadata={"description": "applicant or staff"})
    author_id = fields.String()
    body = fields.String(metadata={"description": "as typed; escape it when displaying"})
    internal = fields.Boolean()


class ThreadOut(Schema):
    messages = fields.List(fields.Nested(MessageOut))
    unread = fields.Integer(
        metadata={"description": "messages unread to the caller's side before this read"}
    )


class UnreadOut(Schema):
    orders = fields.Dict(keys=fields.String(), values=fields.Integer())


class CannedReplyOut(Schema):
    code = fields.String()
    text = fields.Nested(LocalTextOut)


class CannedRepliesOut(Schema):
    replies = fields.List(fields.Nested(CannedReplyOut))
