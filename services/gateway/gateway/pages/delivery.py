"""The applicant's side of making and delivering, on the application's page:
the job's state, the carrier and waybill with the tracking timeline (failed
attempts with what to do), the pickup office, hours and code with its QR code,
correcting the address before dispatch, and confirming receipt (orders)."""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, Flask, Response, abort, redirect, request, url_for

from common.service_client import ServiceConflict, ServiceError, ServiceNotFound, ServiceRejected
from gateway import browser, delivering, journey
from gateway.clients.fulfillment import ADDRESS_FIELDS, Job
from gateway.clients.orders import Order
from gateway.i18n import translate
from gateway.pages import lang, loading, render
from gateway.pages.applications import _application_page as application_page
from gateway.pages.desk import client

bp = Blueprint("delivery_pages", __name__)
log = logging.getLogger("gateway.delivery")


def _t(key: str, **values: Any) -> str:
    return translate(key, lang(), **values)


def job_for(order: Order) -> Job | None:
    """The order's job at fulfillment, or None: no job yet (the approval is on its way),
    or fulfillment not answering (the rest of the page still shows)."""
    if not delivering.has_job(order.status):
        return None
    try:
        return client().job(loading.applicant(), order.id)
    except (ServiceNotFound, ServiceError):
        return None


def receipt_for(order: Order) -> dict[str, Any] | None:
    """Orders' auto-confirm timer of a delivered order: when, or paused by a complaint."""
    if order.status != "delivered":
        return None
    try:
        return client().receipt(loading.applicant(), order.id)
    except ServiceError:
        return None


def install(app: Flask) -> None:
    """The application page's template reads the job through these."""
    app.jinja_env.globals.update(
        delivery_job=job_for,
        delivery_receipt=receipt_for,
        tracking_key=delivering.tracking_key,
        exception_key=delivering.exception_key,
        failure_reason_key=delivering.failure_reason_key,
        grouped_code=delivering.grouped_code,
    )


@bp.get("/applications/<order_id>/pickup-code.svg")
@browser.applicant_page
def pickup_qr(order_id: str) -> Response:
    """The pickup code as a QR code, drawn here: only the owner is ever shown the code."""
    found = client().job(loading.applicant(), order_id)
    code = found.pickup.code if found.pickup else None
    if not code:
        abort(404)
    svg = delivering.qr_svg(code, title=_t("delivery.qr_title"))
    response = Response(svg, mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/applications/<order_id>/receipt")
@browser.applicant_page
def confirm_receipt(order_id: str) -> Any:
    found = loading.order(order_id)
    try:
        client().confirm_receipt(loading.applicant(), found.id)
    except ServiceConflict:
        # Orders refuses before delivery (or twice): the page again, saying why.
        fresh = loading.order(order_id)
        message = _t("delivery.refused.not_delivered", status=_t("order_status." + fresh.status))
        return application_page(fresh, errors={"receipt": [message]}, status=409)
    log.info("receipt confirmed", extra={"order_id": found.id})
    target = url_for(
        "application_pages.application", order_id=found.id, notice="delivery.notice.received"
    )
    return redirect(target, 303)


# --- the address, before dispatch -----------------------------------------------------------


def _address_page(
    order: Order, job: Job, form: dict[str, str], errors: dict[str, list[str]], status: int = 200
) -> tuple[str, int]:
    return render(
        "apply/correct_address.html",
        status,
        page_title=_t("delivery.address_title"),
        order=order,
        job=job,
        form=form,
        errors=errors,
        order_of_fields=list(ADDRESS_FIELDS),
    )


@bp.get("/applications/<order_id>/delivery-address")
@browser.applicant_page
def correct_address(order_id: str) -> Any:
    found = loading.order(order_id)
    job = job_for(found)
    if job is None or not job.address_editable:
        return redirect(url_for("application_pages.application", order_id=found.id), 303)
    form = {name: (job.address or {}).get(name, "") for name in ADDRESS_FIELDS}
    return _address_page(found, job, form, {})


@bp.post("/applications/<order_id>/delivery-address")
@browser.applicant_page
def save_address(order_id: str) -> Any:
    found = loading.order(order_id)
    job = job_for(found)
    if job is None:
        abort(404)
    form = {name: request.form.get(name, "").strip()[:200] for name in ADDRESS_FIELDS}
    errors = journey.address_errors(form)
    if errors:
        return _address_page(found, job, form, _words(errors), 422)
    try:
        client().correct_address(loading.applicant(), found.id, form)
    except ServiceRejected as error:
        refused = journey.address_errors(form, (error.errors or {}).keys())
        return _address_page(
            found, job, form, _words(refused or {"street": ["address.street.invalid"]}), 422
        )
    except ServiceConflict:
        errors = {"street": [_t("delivery.refused.already_dispatched")]}
        return _address_page(found, job, form, errors, 409)
    log.info("address corrected", extra={"order_id": found.id})
    target = url_for(
        "application_pages.application", order_id=found.id, notice="delivery.notice.address_saved"
    )
    return redirect(target + "#delivery-title", 303)


def _words(errors: dict[str, list[str]]) -> dict[str, list[str]]:
    return {name: [_t(key) for key in keys] for name, keys in errors.items()}
