"""What the sandbox SMS and email providers would have sent, so a person trying
the system under `make run` sees what a phone or a mailbox would have received.
The page exists only while the SMS provider is the sandbox (SMS_PROVIDER)."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, request, url_for
from werkzeug.wrappers import Response

from gateway import browser
from gateway.clients.notifications import CHANNELS
from gateway.context import gateway
from gateway.i18n import translate
from gateway.pages import lang, render
from gateway.pages.inbox import notifications, page_number

bp = Blueprint("sandbox_pages", __name__)


@bp.get("/sandbox/outbox")
def outbox() -> tuple[str, int] | Response:
    if not gateway().settings.sandbox_outbox:
        abort(404)
    principal = browser.current_principal()
    if principal is None:
        return redirect(url_for("account_pages.sign_in", next=request.full_path.rstrip("?")))
    channel = request.args.get("channel", "")
    channel = channel if channel in CHANNELS else ""
    sent = notifications().sandbox_outbox(
        browser.caller_for(principal), channel=channel, page=page_number(request.args.get("page"))
    )
    return render(
        "inbox/sandbox_outbox.html",
        page_title=translate("sandbox.title", lang()),
        sent=sent,
        channel=channel,
        channels=CHANNELS,
    )
