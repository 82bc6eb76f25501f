"""My applications: the list, one application with its fees, payment,
timeline and chat with the office, posting a message, and cancelling (after a
confirmation page)."""

from __future__ import annotations

import logging
import time
from typing import Any

from flask import Blueprint, redirect, request, url_for

from common.service_client import ServiceConflict, ServiceNotFound
from gateway import browser, delivering, timeline_text
from gateway.clients.chat import ATTACHMENT, MessageRefused, Thread
from gateway.clients.orders import CANCEL, Order
from gateway.context import gateway
from gateway.i18n import translate
from gateway.pages import field_errors, lang, loading, render
from gateway.pages.unread import unread_by_order

bp = Blueprint("application_pages", __name__)
log = logging.getLogger("gateway.applications")
REASON_MAX = 500
# Read your own write: after an action whose effect reaches orders by an event (new
# photos go through verification), the page waits this long at most for the new state,
# asking orders every POLL_SECONDS, and otherwise says the action is being processed.
READ_YOUR_WRITE_SECONDS = 2.0
POLL_SECONDS = 0.15
# The state an action leads to (`?pending=`), and the states it leads from.
PENDING_FROM = {
    "in_review": frozenset({"needs_resubmission"}),
    "completed": frozenset({"delivered"}),
    "submitted": frozenset({"awaiting_payment"}),
}


def order_once_moved(order_id: str, pending: str) -> Order:
    """The order as soon as it has left the states the action leads from (or as it is
    after READ_YOUR_WRITE_SECONDS): a bounded wait, never the old state shown as news."""
    deadline = time.monotonic() + READ_YOUR_WRITE_SECONDS
    while True:
        found = loading.order(order_id)
        if found.status not in PENDING_FROM[pending] or time.monotonic() >= deadline:
            return found
        time.sleep(POLL_SECONDS)


def after_action(order_id: str, pending: str, notice: str) -> Any:
    """The order's page once the action shows there: with `pending` (the state on its
    way) when orders has not heard of it yet."""
    found = order_once_moved(order_id, pending)
    waiting = None if found.status not in PENDING_FROM[pending] else pending
    target = url_for(
        "application_pages.application", order_id=found.id, notice=notice, pending=waiting
    )
    return redirect(target, 303)


def _pending(found: Order) -> str | None:
    """The state an action of the applicant's is on its way to, while the order is not there."""
    pending = request.args.get("pending")
    if pending in PENDING_FROM and found.status in PENDING_FROM[pending]:
        return pending
    return None


def _t(key: str, **values: Any) -> str:
    return translate(key, lang(), **values)


@bp.get("/applications")
@browser.applicant_page
def applications() -> tuple[str, int]:
    found = gateway().orders.orders(loading.applicant())
    return render(
        "apply/applications.html",
        page_title=_t("applications.title"),
        orders=found,
        unread=unread_by_order(),
    )


def _thread(found: Order) -> Thread | None:
    """The order's chat (reading it marks the office's messages read), or None while
    verification is still opening the order's case."""
    try:
        return gateway().chat.thread(found.id, loading.applicant())
    except ServiceNotFound:
        return None


def _application_page(
    found: Order,
    *,
    errors: dict[str, list[str]] | None = None,
    status: int = 200,
    message: str = "",
) -> tuple[str, int]:
    entries = gateway().orders.timeline(found.id, loading.applicant())
    names = timeline_text.names_for(
        found, entries, lambda: timeline_text.item_offices(found, loading.applicant())
    )
    timeline = timeline_text.shown(entries, lang(), names)
    return render(
        "apply/application.html",
        status,
        page_title=_t("application.title", reference=found.reference),
        order=found,
        pending=_pending(found),
        # Before approval the order's own choice; after it, fulfillment's panel shows the delivery.
        show_delivery=found.delivery is not None and not delivering.has_job(found.status),
        timeline=timeline,
        thread=_thread(found),
        # Verification's limit, for the message box's maxlength and hint.
        chat_max=gateway().review_rules.rules(loading.applicant()).limits.chat_message_max,
        message=message,
        errors=errors or {},
    )


@bp.get("/applications/<order_id>")
@browser.applicant_page
def application(order_id: str) -> tuple[str, int]:
    return _application_page(loading.order(order_id))


@bp.get("/applications/<order_id>/cancel")
@browser.applicant_page
def cancel(order_id: str) -> Any:
    found = loading.order(order_id)
    if not found.allows(CANCEL):
        return redirect(url_for(".application", order_id=found.id), code=303)
    return render(
        "apply/cancel.html", page_title=_t("cancel.title", reference=found.reference), order=found
    )


@bp.post("/applications/<order_id>/cancel")
@browser.applicant_page
def confirm_cancel(order_id: str) -> Any:
    found = loading.order(order_id)
    reason = request.form.get("reason", "").strip()[:REASON_MAX] or None
    try:
        gateway().orders.cancel(found.id, loading.applicant(), reason)
    except ServiceConflict:
        fresh = loading.order(order_id)
        errors = {"cancel": [_t("cancel.not_allowed", status=_t("order_status." + fresh.status))]}
        return _application_page(fresh, errors=errors, status=409)
    log.info("application cancelled", extra={"order_id": found.id})
    return redirect(url_for(".application", order_id=found.id, notice="notice.cancelled"), code=303)


@bp.post("/applications/<order_id>/messages")
@browser.applicant_page
def post_message(order_id: str) -> Any:
    """Post a message to the office; a refusal shows the page again with the text kept."""
    found = loading.order(order_id)
    body = request.form.get("body", "")
    try:
        if request.files:  # the form has no file field: photos go on the documents page
            raise MessageRefused(422, ATTACHMENT, "chat.refused.attachment")
        gateway().chat.post(found.id, loading.applicant(), body)
    except MessageRefused as refused:
        return _application_page(
            found, errors=field_errors(refused), status=refused.status, message=body
        )
    log.info("message sent", extra={"order_id": found.id})
    target = url_for(".application", order_id=found.id, notice="notice.message_sent")
    return redirect(target + "#chat-title", code=303)
