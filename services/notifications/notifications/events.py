"""The events notifications publishes: their names, payload schemas and examples.

Only failures are published: a message no provider would take, for whoever
watches the service. No payload carries a phone, an email or a message's text.
docs/events.md mirrors this file.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from common.events.payloads import Payloads

MESSAGE_FAILED = "notifications.message_failed"


class MessageFailed(Schema):
    message_id = fields.String(required=True)
    order_id = fields.String(required=True, allow_none=True)
    channel = fields.String(required=True, validate=validate.OneOf(["sms", "email"]))
    template = fields.String(required=True)
    reason = fields.String(required=True)
    attempts = fields.Integer(required=True, validate=validate.Range(min=0))
    failed_at = fields.AwareDateTime(required=True)


SCHEMAS: dict[str, type[Schema]] = {MESSAGE_FAILED: MessageFailed}

# payload(event_type, values) → the payload in its documented shape, or PayloadMismatch.
payload = Payloads(SCHEMAS)

EXAMPLES: dict[str, dict[str, Any]] = {
    MESSAGE_FAILED: {
        "message_id": "msg_5c1f0a9e2b7d4e31",
        "order_id": "5b0f6c1e-8d3a-4f7e-9a51-2c4d8e6f1a20",
        "channel": "sms",
        "template": "dispatched",
        "reason": "unavailable: 8 attempts, the last: the sandbox sms provider is down",
        "attempts": 8,
        "failed_at": "2026-03-04T09:30:00+00:00",
    }
}
