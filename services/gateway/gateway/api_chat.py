"""The order chat through the public API: an applicant's messages with the
office on one application, and the unread count across all of them.

Thin views: verification keeps the thread, decides who may read it and marks
it read; another applicant's application is a 404. Bodies are returned as
typed (plain JSON strings): a client escapes them when it displays them.
"""

from __future__ import annotations

from typing import Any

from flask import g, request
from flask_smorest import Blueprint

from gateway.api import BEARER, api_caller, api_principal
from gateway.clients.chat import ATTACHMENT, MessageRefused
from gateway.clients.http import Caller
from gateway.context import gateway
from gateway.schemas import MessageIn, MessageOut, ThreadOut, UnreadOut

blp = Blueprint("api_chat", __name__, url_prefix="/api/v1", description="Messages with the office")

REFUSALS: dict[int | str, Any] = {
    401: {"description": "No or a bad bearer token"},
    404: {"description": "No such application, or not yours"},
    503: {"description": "A service behind the gateway is down"},
}
POST_REFUSALS: dict[int | str, Any] = {
    **REFUSALS,
    409: {"description": "case-closed: the application's messages are closed"},
    422: {
        "description": "errors.body: empty or over 1,000 characters; "
        "errors.attachment: a file was sent (photos go on the documents page)"
    },
    429: {"description": "rate-limited: over 10 messages a minute on one application"},
}


@blp.before_request
def _signed_in_first() -> None:
    """Who is calling is checked before the body is read: no token is a 401, not a 422."""
    if request.path.startswith(("/api/v1/applications/", "/api/v1/messages/")):
        g.api_principal = api_principal()
        if request.method == "POST" and request.mimetype.startswith("multipart"):
            raise MessageRefused(
                422,
                ATTACHMENT,
                "chat.refused.attachment",
                {"attachment": ["chat.refused.attachment"]},
            )


def _applicant() -> Caller:
    return api_caller(g.api_principal)


@blp.get("/applications/<order_id>/messages")
@blp.response(200, ThreadOut)
@blp.doc(security=BEARER, responses=REFUSALS)
def get_messages(order_id: str) -> Any:
    """The application's messages with the office, oldest first; reading marks them read."""
    return gateway().chat.thread(order_id, _applicant())


@blp.post("/applications/<order_id>/messages")
@blp.arguments(MessageIn)
@blp.response(201, MessageOut)
@blp.doc(security=BEARER, responses=POST_REFUSALS)
def post_message(body: dict[str, Any], order_id: str) -> Any:
    """Send the office a message about the application (text only)."""
    return gateway().chat.post(order_id, _applicant(), body["body"])


@blp.get("/messages/unread")
@blp.response(200, UnreadOut)
@blp.doc(security=BEARER, responses={401: REFUSALS[401], 503: REFUSALS[503]})
def unread() -> Any:
    """How many of the office's messages you have not read, per application."""
    counts = gateway().chat.unread(_applicant())
    return {"orders": counts, "total": sum(counts.values())}
