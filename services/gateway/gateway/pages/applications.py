"""My applications: the list, one application with its fees, payment and
timeline, and cancelling (after a confirmation page)."""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, redirect, request, url_for

from common.errors import Conflict
from gateway import browser, journey
from gateway.clients.orders import CANCEL, Order
from gateway.context import gateway
from gateway.i18n import translate
from gateway.pages import lang, loading, render

bp = Blueprint("application_pages", __name__)
log = logging.getLogger("gateway.applications")
REASON_MAX = 500


def _t(key: str, **values: Any) -> str:
    return translate(key, lang(), **values)


@bp.get("/applications")
@browser.applicant_page
def applications() -> tuple[str, int]:
    found = gateway().orders.orders(loading.applicant())
    return render("apply/applications.html", page_title=_t("applications.title"), orders=found)


def _application_page(
    found: Order, *, errors: dict[str, list[str]] | None = None, status: int = 200
) -> tuple[str, int]:
    entries = gateway().orders.timeline(found.id, loading.applicant())
    timeline = [
        (entry, journey.actor_key(entry, found.applicant_id))
        for entry in sorted(entries, key=lambda entry: entry.at)
    ]
    return render(
        "apply/application.html",
        status,
        page_title=_t("application.title", reference=found.reference),
        order=found,
        timeline=timeline,
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
    except Conflict:
        fresh = loading.order(order_id)
        errors = {"cancel": [_t("cancel.not_allowed", status=_t("order_status." + fresh.status))]}
        return _application_page(fresh, errors=errors, status=409)
    log.info("application cancelled", extra={"order_id": found.id})
    return redirect(url_for(".application", order_id=found.id, notice="notice.cancelled"), code=303)
