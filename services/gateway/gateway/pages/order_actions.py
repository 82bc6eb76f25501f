"""A supervisor's actions on an order whose payment capture failed after
approval: retry the capture, or cancel the order with a refund and a reason
(after a confirmation page). Both answer on the case's page."""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, redirect, request, url_for

from common.service_client import ServiceConflict, ServiceRejected
from gateway import browser, reviewing
from gateway.context import gateway
from gateway.pages import render
from gateway.pages.reviews import _t, case_page, refusal, staff, to_case

bp = Blueprint("order_action_pages", __name__, url_prefix="/staff/orders")
log = logging.getLogger("gateway.reviews")
CAPTURE_FAILED = "capture_failed"


@bp.post("/<order_id>/capture")
@browser.staff_page(reviewing.SUPERVISOR)
def retry_capture(order_id: str) -> Any:
    try:
        gateway().reviews.retry_capture(order_id, staff())
    except ServiceConflict as error:
        return case_page(order_id, errors=refusal(error, "capture"), status=409)
    log.info("capture retried", extra={"order_id": order_id})
    return to_case(order_id, "review.notice.captured")


def _cancel_page(
    order_id: str,
    *,
    reason: str = "",
    errors: dict[str, list[str]] | None = None,
    status: int = 200,
) -> tuple[str, int]:
    order = gateway().orders.order(order_id, staff())
    return render(
        "staff/reviews/cancel_order.html",
        status,
        page_title=_t("review.cancel_title", reference=order.reference),
        order=order,
        form={"reason": reason},
        errors=errors or {},
    )


@bp.get("/<order_id>/cancel")
@browser.staff_page(reviewing.SUPERVISOR)
def cancel(order_id: str) -> Any:
    order = gateway().orders.order(order_id, staff())
    if order.status != CAPTURE_FAILED:
        return redirect(url_for("review_pages.case", order_id=order_id), code=303)
    return _cancel_page(order_id)


@bp.post("/<order_id>/cancel")
@browser.staff_page(reviewing.SUPERVISOR)
def confirm_cancel(order_id: str) -> Any:
    typed = request.form.get("reason", "")
    try:
        reason = reviewing.parse_cancel_reason(typed)
        gateway().reviews.cancel_order(order_id, staff(), reason=reason)
    except ServiceRejected as error:
        # Orders decides the reason and names the field it refused.
        said = [_t(reviewing.cancel_refusal_key(typed))] if "reason" in (error.errors or {}) else []
        errors = {"reason": said or [_t(error.detail)]}
        return _cancel_page(order_id, reason=typed, errors=errors, status=422)
    except ServiceConflict as error:
        return _cancel_page(order_id, reason=typed, errors=refusal(error, "reason"), status=409)
    log.info("order cancelled by a supervisor", extra={"order_id": order_id})
    return to_case(order_id, "review.notice.order_cancelled")
