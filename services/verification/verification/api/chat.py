"""The order chat's HTTP API: thin views over verification.chat.

The owner applicant and every staff role may read and write an order's
thread; to anyone else it does not exist (404). The chat takes plain JSON
text only: a multipart body or a file is refused before anything is read, so
that no photo ever travels (or is kept) outside the documents page.
"""

from __future__ import annotations

from typing import Any

from flask import Response, request
from flask.views import MethodView
from flask_smorest import Blueprint

from common.auth import current_identity
from common.errors import problem
from verification import chat
from verification.api.context import chat_messages_per_minute, uow
from verification.schemas.chat import (
    CannedRepliesOut,
    MessageIn,
    MessageOut,
    ThreadOut,
    UnreadOut,
)

blp = Blueprint("chat", __name__, description="The order chat between applicant and staff")

# Bodies that are files, whatever they claim to be.
_FILE_TYPES = ("multipart/", "image/", "video/", "audio/", "application/octet-stream")


@blp.before_request
def _refuse_attachments() -> None:
    if request.method == "POST" and (request.mimetype.startswith(_FILE_TYPES) or request.files):
        raise chat.AttachmentRefused()


@blp.errorhandler(chat.ChatRateLimited)
def _rate_limited(error: chat.ChatRateLimited) -> Response:
    response = problem(
        error.status, error.title, error.detail, slug=error.slug, errors=error.errors
    )
    response.headers["Retry-After"] = str(error.retry_after)
    return response


_NOT_YOURS: dict[int, Any] = {404: {"description": "no such order, or not yours"}}


@blp.route("/chats/unread")
class Unread(MethodView):
    @blp.response(200, UnreadOut)
    def get(self) -> dict[str, Any]:
        """Unread messages per order: an applicant's own; for staff, applicants' unread by staff."""
        return chat.unread(uow(), current_identity())


@blp.route("/chats/<order_id>")
class Thread(MethodView):
    @blp.response(200, ThreadOut)
    @blp.doc(responses=_NOT_YOURS)
    def get(self, order_id: str) -> dict[str, Any]:
        """The order's messages, oldest first; marks them read for the caller's side."""
        return chat.thread(uow(), order_id, current_identity())


@blp.route("/chats/<order_id>/messages")
class Messages(MethodView):
    @blp.arguments(MessageIn)
    @blp.response(201, MessageOut)
    @blp.doc(
        responses={
            **_NOT_YOURS,
            409: {"description": "case-closed: the application's pictures were purged"},
            422: {
                "description": "errors.body (empty, too-long), errors.internal (staff only) "
                "or errors.attachment (a multipart body or a file)"
            },
            429: {"description": "too many messages a minute; see Retry-After"},
        }
    )
    def post(self, message: dict[str, Any], order_id: str) -> dict[str, Any]:
        """Post a message, or (staff) an internal note, to the order's chat."""
        return chat.post_message(
            uow(),
            order_id,
            current_identity(),
            message["body"],
            internal=message["internal"],
            per_minute=chat_messages_per_minute(),
        )


@blp.route("/canned-replies")
class CannedReplies(MethodView):
    @blp.response(200, CannedRepliesOut)
    @blp.doc(responses={403: {"description": "not staff"}})
    def get(self) -> dict[str, Any]:
        """The canned replies staff may pick in the chat, in zh and en."""
        return chat.canned_replies(uow(), current_identity())
