"""What the audit log's API accepts and returns."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from verification.schemas.shared import LooseIn


class AuditQuery(LooseIn):
    actor = fields.String(load_default=None, validate=validate.Length(max=64))
    order_id = fields.String(load_default=None, validate=validate.Length(max=64))
    action = fields.String(load_default=None, validate=validate.Length(max=64))
    since = fields.AwareDateTime(load_default=None)
    until = fields.AwareDateTime(load_default=None)
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=99_999))


class AuditEntryOut(Schema):
    id = fields.Integer()
    at = fields.DateTime()
    actor_id = fields.String(metadata={"description": "a staff or applicant id, or `system`"})
    actor_role = fields.String()
    action = fields.String()
    order_id = fields.String()
    reference = fields.String(allow_none=True)
    document_code = fields.String(allow_none=True)
    field = fields.String(allow_none=True)
    reason = fields.String(allow_none=True)
    details = fields.Dict(allow_none=True)


class AuditPageOut(Schema):
    entries = fields.List(fields.Nested(AuditEntryOut))
    page = fields.Integer()
    pages = fields.Integer()
