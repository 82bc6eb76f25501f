"""Notifications' HTTP API: thin views that parse, call one use case, dump.

The applicant (role `applicant`, the token's subject) reads their inbox and
sets their preferences; a `supervisor` sees failed messages, resends them and
reads the counts per day; any signed-in caller reads the sandbox outbox (the
`make run` page of what a phone would have received). The providers' receipt
webhooks carry no internal token: their signature is their proof.
`register` is the one place the blueprint is put on the app, with its Context.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, request
from flask.views import MethodView
from flask_smorest import Api, Blueprint
from sqlalchemy.orm import Session

from common.auth import current_identity, require_roles
from common.db import make_session_factory
from common.errors import NotFound
from notifications import accounts, domain, inbox, sending, staff
from notifications.providers import sandbox
from notifications.schemas import (
    FailuresOut,
    FailuresQuery,
    InboxMessageOut,
    InboxOut,
    OutboxOut,
    OutboxQuery,
    PageQuery,
    PreferencesIn,
    PreferencesOut,
    StaffMessageOut,
    StatsOut,
    StatsQuery,
    SwitchIn,
    SwitchOut,
    UnreadOut,
    WebhookAnswerOut,
)
from notifications.services import Context

CONTEXT = "notifications.context"
SANDBOX_SESSIONS = "notifications.sandbox_sessions"
WEBHOOK_PREFIX = "/webhooks/"
CHANNELS = ("sms", "email")

blp = Blueprint("notifications", __name__, description="The inbox, preferences and sending")


def register(app: Flask, api: Api, *, context: Context) -> None:
    """Give the views the use cases' Context and register the blueprint."""
    app.extensions[CONTEXT] = context
    app.extensions[SANDBOX_SESSIONS] = make_session_factory(app.extensions["notifications.engine"])
    api.register_blueprint(blp)


def _ctx() -> Context:
    context: Context = current_app.extensions[CONTEXT]
    return context


def _sandbox() -> Callable[[], Session]:
    sessions: Callable[[], Session] = current_app.extensions[SANDBOX_SESSIONS]
    return sessions


def _applicant() -> str:
    return current_identity().subject


# --- the applicant -------------------------------------------------------------------------


@blp.route("/inbox")
class Inbox(MethodView):
    @require_roles("applicant")
    @blp.arguments(PageQuery, location="query")
    @blp.response(200, InboxOut)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """The applicant's messages, newest first, with the unread count."""
        return inbox.list_inbox(_ctx(), _applicant(), query["page"], query["per_page"])


@blp.route("/inbox/unread-count")
class Unread(MethodView):
    @require_roles("applicant")
    @blp.response(200, UnreadOut)
    def get(self) -> dict[str, int]:
        """How many messages are unread (the page header's count)."""
        return inbox.unread_count(_ctx(), _applicant())


@blp.route("/inbox/<message_id>/read")
class MarkRead(MethodView):
    @require_roles("applicant")
    @blp.response(200, InboxMessageOut)
    def post(self, message_id: str) -> dict[str, Any]:
        """Mark one message read (404 for another applicant's)."""
        return inbox.mark_read(_ctx(), _applicant(), message_id)


@blp.route("/inbox/read-all")
class MarkAllRead(MethodView):
    @require_roles("applicant")
    @blp.response(200, UnreadOut)
    def post(self) -> dict[str, int]:
        """Mark every message read."""
        return inbox.mark_all_read(_ctx(), _applicant())


@blp.route("/preferences")
class Preferences(MethodView):
    @require_roles("applicant")
    @blp.response(200, PreferencesOut)
    def get(self) -> dict[str, Any]:
        """SMS and email on or off, the language, and the contact they go to (masked)."""
        return accounts.get_preferences(_ctx(), _applicant())

    @require_roles("applicant")
    @blp.arguments(PreferencesIn)
    @blp.response(200, PreferencesOut)
    def put(self, body: dict[str, Any]) -> dict[str, Any]:
        """Change the preferences (422 names each refused field; the inbox stays on)."""
        return accounts.change_preferences(_ctx(), _applicant(), body)


# --- staff ---------------------------------------------------------------------------------


@blp.route("/staff/failures")
class Failures(MethodView):
    @require_roles("supervisor")
    @blp.arguments(FailuresQuery, location="query")
    @blp.response(200, FailuresOut)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """Messages no provider took or delivered, with the counts by channel and reason."""
        return staff.failures(_ctx(), **query)


@blp.route("/staff/messages/<message_id>/resend")
class Resend(MethodView):
    @require_roles("supervisor")
    @blp.response(200, StaffMessageOut)
    def post(self, message_id: str) -> dict[str, Any]:
        """Send a failed message again, with a new idempotency key."""
        return staff.resend(_ctx(), message_id)


@blp.route("/staff/stats")
class Stats(MethodView):
    @require_roles("supervisor")
    @blp.arguments(StatsQuery, location="query")
    @blp.response(200, StatsOut)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """Messages per Beijing day and channel: created, sent, delivered, failed."""
        return staff.stats(_ctx(), query["days"])


# --- the sandbox providers -------------------------------------------------------------------


@blp.route("/sandbox/outbox")
class SandboxOutbox(MethodView):
    @blp.arguments(OutboxQuery, location="query")
    @blp.response(200, OutboxOut)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """What the sandbox providers would have sent, newest first (recipients masked)."""
        current_identity()
        rows = sandbox.outbox(_sandbox(), query["channel"], query["page"], query["per_page"])
        sent = [{"id": r.id, "channel": r.channel, "to_masked": domain.mask(r.channel, r.to),
                 "subject": r.subject, "body": r.body, "accepted_at": r.accepted_at,
                 "receipt": r.receipt} for r in rows]  # fmt: skip
        return {"sent": sent, "page": query["page"]}


@blp.route("/sandbox/providers/<channel>")
class SandboxSwitch(MethodView):
    @require_roles("supervisor")
    @blp.arguments(SwitchIn)
    @blp.response(200, SwitchOut)
    def put(self, body: dict[str, Any], channel: str) -> dict[str, Any]:
        """Switch a sandbox provider down (it stops answering) or up again."""
        if channel not in CHANNELS:
            raise NotFound(f"There is no {channel} provider.")
        sandbox.set_down(_sandbox(), channel, body["down"])
        return {"channel": channel, "down": body["down"]}


@blp.route("/webhooks/<channel>/<provider>")
class Receipts(MethodView):
    @blp.response(200, WebhookAnswerOut)
    def post(self, channel: str, provider: str) -> dict[str, int]:
        """A provider's signed delivery receipts (401 bad signature, 400 malformed)."""
        headers = {key: value for key, value in request.headers.items()}
        return sending.receive_receipts(_ctx(), channel, provider, request.get_data(), headers)
