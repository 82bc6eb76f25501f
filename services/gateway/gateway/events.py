"""The events the gateway publishes: what notifications needs of an account.

The gateway owns the accounts; notifications sends the messages. It is told
where messages go (phone, email, language) when an account is registered and
whenever those change, and told to forget them when the account is deleted
(docs/design/notify.md). Nothing else of an account leaves the gateway.
Payloads go through their schema before they reach the outbox; docs/events.md
mirrors this file.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from common.events.payloads import Payloads

# The gateway publishes as the owner of the accounts, whoever writes one (a
# page, the staff command, the demo seed): an event's type starts with it.
PRODUCER = "accounts"
CONTACT_CHANGED = "accounts.contact_changed"
DELETED = "accounts.deleted"


class ContactChanged(Schema):
    account_id = fields.String(required=True, validate=validate.Length(min=1, max=100))
    # Null when the change is not about it (a new phone or email): the language
    # notifications holds stays.
    language = fields.String(
        required=True, allow_none=True, validate=validate.OneOf(["zh-CN", "en"])
    )
    phone = fields.String(
        required=True, allow_none=True, validate=validate.Regexp(r"^\+?[0-9]{6,15}$")
    )
    email = fields.Email(required=True, allow_none=True)
    changed_at = fields.AwareDateTime(required=True)


class Deleted(Schema):
    account_id = fields.String(required=True, validate=validate.Length(min=1, max=100))
    deleted_at = fields.AwareDateTime(required=True)


SCHEMAS: dict[str, type[Schema]] = {CONTACT_CHANGED: ContactChanged, DELETED: Deleted}

# payload(event_type, values) → the payload in its documented shape, or PayloadMismatch.
payload = Payloads(SCHEMAS)

EXAMPLES: dict[str, dict[str, Any]] = {
    CONTACT_CHANGED: {
        "account_id": "acct-7d1f2b",
        "language": "zh-CN",
        "phone": "13912345678",
        "email": None,
        "changed_at": "2026-03-01T08:00:00+00:00",
    },
    DELETED: {"account_id": "acct-7d1f2b", "deleted_at": "2026-04-01T08:00:00+00:00"},
}
