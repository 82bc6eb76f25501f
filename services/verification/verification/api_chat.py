"""The order chat's HTTP API: thin views over verification.chat.

The owner applicant and every staff role may read and write an order's
thread; to anyone else it does not exist (404). The chat takes plain JSON
text only: a multipart body or a file is refused before anything is read, so
that no photo ever travels (or is kept) outside the documents page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Response, current_app, request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from common.auth import current_identity
from common.db import UnitOfWork
from common.errors import problem
from verification import chat
from verification.api import UOW_FACTORY

CHAT_SETTINGS = "verification.chat_messages_per_minute"

blp = Blueprint("chat", __name__, description="The order chat between applicant and staff")

# Bodies that are files, whatever they claim to be.
_FILE_TYPES = ("multipart/", "image/", "video/", "audio/", "application/octet-stream")


class MessageIn(Schema):
    body = fields.String(
        required=True,
        metadata={"description": "plain text, 1 to 1,000 characters after stripping"},
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


class CannedTextOut(Schema):
    zh = fields.String()
    en = fields.String()


class CannedReplyOut(Schema):
    code = fields.String()
    text = fields.Nested(CannedTextOut)


class CannedRepliesOut(Schema):
    replies = fields.List(fields.Nested(CannedReplyOut))


def _uow() -> UnitOfWork:
    factory: Callable[[], UnitOfWork] = current_app.extensions[UOW_FACTORY]
    return factory()


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
        return chat.unread(_uow(), current_identity())


@blp.route("/chats/<order_id>")
class Thread(MethodView):
    @blp.response(200, ThreadOut)
    @blp.doc(responses=_NOT_YOURS)
    def get(self, order_id: str) -> dict[str, Any]:
        """The order's messages, oldest first; marks them read for the caller's side."""
        return chat.thread(_uow(), order_id, current_identity())


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
            _uow(),
            order_id,
            current_identity(),
            message["body"],
            internal=message["internal"],
            per_minute=current_app.extensions[CHAT_SETTINGS],
        )


@blp.route("/canned-replies")
class CannedReplies(MethodView):
    @blp.response(200, CannedRepliesOut)
    @blp.doc(responses={403: {"description": "not staff"}})
    def get(self) -> dict[str, Any]:
        """The canned replies staff may pick in the chat, in zh and en."""
        return chat.canned_replies(_uow(), current_identity())
