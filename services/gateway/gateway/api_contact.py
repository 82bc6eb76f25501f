"""/api/v1/accounts/current/contact: the applicant's mobile number and email,
read and changed (with the current password) as on the contact page."""

from __future__ import annotations

from typing import Any

from flask import request
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from gateway import contacts
from gateway.api import BEARER, api_principal
from gateway.context import gateway

blp = Blueprint(
    "api_v1_contact", __name__, url_prefix="/api/v1", description="The account's contact"
)


class ContactIn(Schema):
    mobile = fields.String(load_default=None, allow_none=True)
    email = fields.String(load_default=None, allow_none=True)
    password = fields.String(load_default=None, allow_none=True, load_only=True)


class ContactOut(Schema):
    mobile = fields.String(allow_none=True)
    email = fields.String(allow_none=True)


@blp.get("/accounts/current/contact")
@blp.response(200, ContactOut)
@blp.doc(security=BEARER)
def read_contact() -> Any:
    """The applicant's mobile number and email address (either may be null)."""
    return contacts.current(gateway().uow(), api_principal("applicant"))


@blp.put("/accounts/current/contact")
@blp.arguments(ContactIn)
@blp.response(200, ContactOut)
@blp.alt_response(409, description="Another account holds this mobile number or email")
@blp.alt_response(422, description="A field is invalid, both are empty, or the password is wrong")
@blp.alt_response(429, description="Too many wrong passwords from this address")
@blp.doc(security=BEARER)
def change_contact(body: dict[str, Any]) -> Any:
    """Change the mobile number and email (an empty or null one is removed; one must
    stay), with the current password; notifications is told."""
    app = gateway()
    return contacts.change(
        app.uow(), app.hasher, app.sign_in_policy, api_principal("applicant"),
        mobile=body["mobile"], email=body["email"], password=body["password"],
        ip=request.remote_addr or "unknown",
    )  # fmt: skip
