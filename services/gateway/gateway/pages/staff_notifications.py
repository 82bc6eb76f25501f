"""Supervisors: the messages no provider took or delivered, by channel and
reason, with resend (a new idempotency key: the provider never accepted the
old one), and the messages per Beijing day."""

from __future__ import annotations

from flask import Blueprint, redirect, request, url_for
from werkzeug.wrappers import Response

from common.service_client import ServiceConflict
from gateway import browser, reviewing
from gateway.clients.notifications import CHANNELS
from gateway.i18n import translate
from gateway.pages import lang, render
from gateway.pages.inbox import notifications, page_number

bp = Blueprint("staff_notification_pages", __name__, url_prefix="/staff")
STATS_DAYS = 14


def _caller():  # type: ignore[no-untyped-def]
    return browser.caller_for(browser.current_principal())


@bp.get("/notifications")
@browser.staff_page(reviewing.SUPERVISOR)
def failures() -> tuple[str, int]:
    channel = request.args.get("channel", "")
    channel = channel if channel in CHANNELS else ""
    reason = request.args.get("reason", "").strip()[:100]
    client = notifications()
    found = client.failures(
        _caller(), channel=channel, reason=reason, page=page_number(request.args.get("page"))
    )
    return render(
        "staff/notifications/failures.html",
        page_title=translate("staff_notifications.title", lang()),
        failures=found,
        days=client.stats(_caller(), days=STATS_DAYS),
        channel=channel,
        reason=reason,
        channels=CHANNELS,
    )


@bp.post("/notifications/<message_id>/resend")
@browser.staff_page(reviewing.SUPERVISOR)
def resend(message_id: str) -> Response:
    try:
        notifications().resend(_caller(), message_id)
    except ServiceConflict:
        notice = "staff_notifications.notice.not_failed"
    else:
        notice = "staff_notifications.notice.resent"
    return redirect(url_for("staff_notification_pages.failures", notice=notice), code=303)
