"""The applicant's inbox: the messages newest first, marking one or all read,
and the SMS's short link `/a/<reference>` to the application's page.

Notifications keeps the messages and answers 404 for another applicant's, so
these pages pass the applicant's identity and check nothing themselves.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, redirect, request, url_for
from werkzeug.wrappers import Response

from gateway import browser
from gateway.context import gateway
from gateway.i18n import translate
from gateway.pages import lang, loading, render

bp = Blueprint("inbox_pages", __name__)


def notifications() -> Any:
    client = gateway().notifications
    if client is None:
        abort(404)
    return client


def page_number(raw: str | None) -> int:
    """A page number from the query; anything else is the first page."""
    try:
        return max(1, min(int(raw or 1), 10_000))
    except ValueError:
        return 1


@bp.get("/inbox")
@browser.applicant_page
def inbox() -> tuple[str, int]:
    found = notifications().inbox(loading.applicant(), page=page_number(request.args.get("page")))
    return render("inbox/inbox.html", page_title=translate("inbox.title", lang()), inbox=found)


@bp.post("/inbox/<message_id>/read")
@browser.applicant_page
def mark_read(message_id: str) -> Response:
    notifications().mark_read(loading.applicant(), message_id)
    page = page_number(request.form.get("page"))
    return redirect(url_for("inbox_pages.inbox", page=page, notice="inbox.notice.read"), code=303)


@bp.post("/inbox/read-all")
@browser.applicant_page
def mark_all_read() -> Response:
    notifications().mark_all_read(loading.applicant())
    return redirect(url_for("inbox_pages.inbox", notice="inbox.notice.all_read"), code=303)


@bp.get("/a/<reference>")
@browser.applicant_page
def short_link(reference: str) -> Response:
    """An SMS's link: the signed-in owner's application by its reference; anyone
    else's (or an unknown reference) is a 404, as orders would say."""
    wanted = reference.strip().upper()
    for order in gateway().orders.orders(loading.applicant()):
        if order.reference.upper() == wanted:
            return redirect(url_for("application_pages.application", order_id=order.id))
    abort(404)
