"""The applicant's inbox and message preferences through /api/v1.

Thin views: notifications keeps the messages and decides (another applicant's
message is its 404, a refused preference its 422 naming the field); its
refusals come back as it made them."""

from __future__ import annotations

from typing import Any

from flask import g, request
from flask_smorest import Blueprint

from gateway.api import BEARER, api_caller, api_principal
from gateway.clients.http import Caller
from gateway.inbox_schemas import (
    InboxMessageOut,
    InboxOut,
    PageQuery,
    PreferencesIn,
    PreferencesOut,
    UnreadOut,
)
from gateway.pages.inbox import notifications

blp = Blueprint("api_inbox", __name__, url_prefix="/api/v1", description="The inbox")
REFUSALS: dict[int | str, Any] = {
    401: {"description": "No or a bad bearer token"},
    403: {"description": "Not an applicant"},
    503: {"description": "Notifications is down"},
}


@blp.before_request
def _applicant_first() -> None:
    """Who is calling is checked before the body is read: no token is a 401, not a 422."""
    if request.path.startswith(("/api/v1/inbox", "/api/v1/preferences")):
        g.api_principal = api_principal("applicant")


def _caller() -> Caller:
    return api_caller(g.api_principal)


@blp.get("/inbox")
@blp.arguments(PageQuery, location="query")
@blp.response(200, InboxOut)
@blp.doc(security=BEARER, responses=REFUSALS)
def inbox(query: dict[str, Any]) -> Any:
    """The applicant's messages, newest first, with the unread count."""
    return notifications().inbox(_caller(), page=query["page"], per_page=query["per_page"])


@blp.get("/inbox/unread-count")
@blp.response(200, UnreadOut)
@blp.doc(security=BEARER, responses=REFUSALS)
def unread() -> Any:
    """How many messages are unread."""
    return {"unread": notifications().unread(_caller())}


@blp.post("/inbox/<message_id>/read")
@blp.response(200, InboxMessageOut)
@blp.doc(security=BEARER, responses={**REFUSALS, 404: {"description": "No such message of yours"}})
def mark_read(message_id: str) -> Any:
    """Mark one message read."""
    return notifications().mark_read(_caller(), message_id)


@blp.post("/inbox/read-all")
@blp.response(200, UnreadOut)
@blp.doc(security=BEARER, responses=REFUSALS)
def mark_all_read() -> Any:
    """Mark every message read."""
    return {"unread": notifications().mark_all_read(_caller())}


@blp.get("/preferences")
@blp.response(200, PreferencesOut)
@blp.doc(security=BEARER, responses=REFUSALS)
def preferences() -> Any:
    """SMS and email on or off, the language, and where they go (masked)."""
    return notifications().preferences(_caller())


@blp.put("/preferences")
@blp.arguments(PreferencesIn)
@blp.response(200, PreferencesOut)
@blp.doc(security=BEARER, responses={**REFUSALS, 422: {"description": "A field refused, named"}})
def change_preferences(body: dict[str, Any]) -> Any:
    """Change SMS, email or the language (the inbox and required messages stay on)."""
    return notifications().change_preferences(_caller(), body)
