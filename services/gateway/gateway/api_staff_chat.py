"""The order chat from the office's side, through the public API: the
messages and internal notes on a case, the unread count across the queue, and
the canned replies.

Thin views, as the console's chat on the case page: verification keeps the
thread, marks the staff side read and audits every staff message and note.
Reviewers and supervisors only, like the rest of /api/v1/staff.
"""

from __future__ import annotations

from typing import Any

from flask import g, request
from flask_smorest import Blueprint

from gateway import reviewing
from gateway.api import BEARER, api_caller, api_principal
from gateway.api_chat import POST_REFUSALS
from gateway.clients.chat import ATTACHMENT, MessageRefused
from gateway.clients.http import Caller
from gateway.context import gateway
from gateway.staff_schemas import (
    CannedRepliesOut,
    StaffMessageIn,
    StaffMessageOut,
    StaffThreadOut,
    StaffUnreadOut,
)

blp = Blueprint(
    "api_staff_chat",
    __name__,
    url_prefix="/api/v1/staff",
    description="The order chat from the office's side (reviewer, supervisor)",
)
REFUSALS: dict[int | str, Any] = {
    401: {"description": "No or a bad bearer token"},
    403: {"description": "Not a reviewer or supervisor"},
    404: {"description": "No such case"},
    503: {"description": "A service behind the gateway is down"},
}


@blp.before_request
def _staff_first() -> None:
    """Who is calling is checked before the body is read; a file is never taken."""
    g.api_principal = api_principal(*reviewing.REVIEW_ROLES)
    if request.method == "POST" and request.mimetype.startswith("multipart"):
        raise MessageRefused(
            422, ATTACHMENT, "chat.refused.attachment", {"attachment": ["chat.refused.attachment"]}
        )


def _staff() -> Caller:
    return api_caller(g.api_principal)


@blp.get("/reviews/<order_id>/messages")
@blp.response(200, StaffThreadOut)
@blp.doc(security=BEARER, responses=REFUSALS)
def get_messages(order_id: str) -> Any:
    """The case's messages and internal notes, oldest first; reading marks the staff side read."""
    return gateway().chat.thread(order_id, _staff())


@blp.post("/reviews/<order_id>/messages")
@blp.arguments(StaffMessageIn)
@blp.response(201, StaffMessageOut)
@blp.doc(security=BEARER, responses={**REFUSALS, **POST_REFUSALS})
def post_message(body: dict[str, Any], order_id: str) -> Any:
    """Write to the applicant, or (internal) a note only staff see; audited either way."""
    return gateway().chat.post(order_id, _staff(), body["body"], internal=body["internal"])


@blp.get("/messages/unread")
@blp.response(200, StaffUnreadOut)
@blp.doc(security=BEARER, responses={401: REFUSALS[401], 403: REFUSALS[403]})
def unread() -> Any:
    """The applicants' messages no staff member has read yet, per order."""
    counts = gateway().chat.unread(_staff())
    return {"orders": counts, "total": sum(counts.values())}


@blp.get("/canned-replies")
@blp.response(200, CannedRepliesOut)
@blp.doc(security=BEARER, responses={401: REFUSALS[401], 403: REFUSALS[403]})
def canned_replies() -> Any:
    """The office's prepared replies, in Simplified Chinese and English."""
    return {"replies": gateway().reviews.canned_replies(_staff())}
