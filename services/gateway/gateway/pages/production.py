"""The production desk: the queue (oldest first, tabs by due state with their
counts, filters by status and item), starting a batch from the ticked jobs,
the batch page (a credential number per job, fulfillment's refusal beside
its field; mark produced) and the printable production sheet.

Production staff see the name on the form, the masked ID number and the plate:
fulfillment holds nothing more, so no picture and no full ID number can reach
these pages."""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, redirect, request, url_for

from common.service_client import ServiceConflict, ServiceError, ServiceRejected
from gateway import browser, delivering
from gateway.clients.fulfillment import DUE_TABS, QUEUE_STATUSES
from gateway.i18n import translate
from gateway.pages import lang, render
from gateway.pages.desk import client, item_titles, page_number, refusal, staff

bp = Blueprint("production_pages", __name__, url_prefix="/staff/production")
log = logging.getLogger("gateway.production")
ROLES = delivering.PRODUCTION_ROLES
NOTICES = frozenset(
    {"production.notice.started", "production.notice.recorded", "production.notice.produced"}
)


def _t(key: str, **values: Any) -> str:
    return translate(key, lang(), **values)


def _filters() -> dict[str, str]:
    status = request.args.get("status", "queued")
    due = request.args.get("due", "all")
    return {
        "status": status if status in QUEUE_STATUSES else "queued",
        "due": due if due in DUE_TABS else "all",
        "item": request.args.get("item", "").strip()[:64],
    }


def _queue_page(errors: dict[str, list[str]] | None = None, status: int = 200) -> tuple[str, int]:
    filters = _filters()
    found = client().queue(
        staff(), status=filters["status"], due=filters["due"], item=filters["item"],
        page=page_number(),
    )  # fmt: skip
    return render(
        "staff/fulfillment/queue.html",
        status,
        page_title=_t("production.queue_title"),
        queue=found,
        filters=filters,
        tabs=DUE_TABS,
        statuses=QUEUE_STATUSES,
        items=item_titles(),
        errors=errors or {},
    )


@bp.get("")
@browser.staff_page(*ROLES)
def queue() -> tuple[str, int]:
    return _queue_page()


@bp.post("/batches")
@browser.staff_page(*ROLES)
def start_batch() -> Any:
    chosen = delivering.selected_ids(request.form.getlist("order_id"))
    problem = delivering.selection_error(chosen)
    if problem:
        return _queue_page({"order_id": [_t(problem, limit=delivering.MAX_SELECTED)]}, 422)
    try:
        batch = client().start_batch(staff(), chosen)
    except ServiceError as error:
        if error.status not in (409, 422):
            raise
        return _queue_page(refusal(error, "order_id"), error.status)
    log.info("batch started", extra={"batch_id": batch.id, "orders": len(batch.jobs)})
    return redirect(url_for(".batch", batch_id=batch.id, notice="production.notice.started"), 303)


def _batch_page(
    batch_id: str,
    *,
    errors: dict[str, list[str]] | None = None,
    form: dict[str, str] | None = None,
    status: int = 200,
) -> tuple[str, int]:
    batch = client().batch(staff(), batch_id)
    notice = request.args.get("notice")
    return render(
        "staff/fulfillment/batch.html",
        status,
        page_title=_t("production.batch_title", count=len(batch.jobs)),
        batch=batch,
        items=item_titles(),
        errors=errors or {},
        form=form or {},
        notice=notice if notice in NOTICES else None,
    )


@bp.get("/batches/<batch_id>")
@browser.staff_page(*ROLES)
def batch(batch_id: str) -> tuple[str, int]:
    return _batch_page(batch_id)


@bp.post("/batches/<batch_id>/jobs/<order_id>/credential")
@browser.staff_page(*ROLES)
def record_credential(batch_id: str, order_id: str) -> Any:
    number = request.form.get("credential_number", "").strip()[:40]
    field = f"credential-{order_id}"
    try:
        if not number:
            raise ServiceRejected("gateway", None, "", errors={"credential_number": ["empty"]})
        client().record_credential(staff(), order_id, number)
    except ServiceRejected as error:
        item = next((j.item_code for j in client().batch(staff(), batch_id).jobs
                     if j.order_id == order_id), "")  # fmt: skip
        messages = (error.errors or {}).get("credential_number", [])
        key = (
            "production.refused.empty"
            if not number
            else delivering.credential_refusal_key(item, messages)
        )
        return _batch_page(batch_id, errors={field: [_t(key)]}, form={field: number}, status=422)
    except ServiceConflict as error:
        return _batch_page(batch_id, errors=refusal(error, field), form={field: number}, status=409)
    target = url_for(".batch", batch_id=batch_id, notice="production.notice.recorded")
    return redirect(target + f"#job-{order_id}", 303)


@bp.post("/batches/<batch_id>/produced")
@browser.staff_page(*ROLES)
def mark_produced(batch_id: str) -> Any:
    try:
        client().mark_produced(staff(), batch_id)
    except ServiceConflict as error:
        errors = refusal(error, "produced")
        missing = (error.errors or {}).get("credentials-missing") or []
        if missing:
            jobs = {j.order_id: j.reference for j in client().batch(staff(), batch_id).jobs}
            references = ", ".join(jobs.get(str(order_id), str(order_id)) for order_id in missing)
            errors = {"produced": [_t("production.refused.credentials_missing_list",
                                      references=references)]}  # fmt: skip
        return _batch_page(batch_id, errors=errors, status=409)
    log.info("batch produced", extra={"batch_id": batch_id})
    return redirect(url_for(".batch", batch_id=batch_id, notice="production.notice.produced"), 303)


@bp.get("/batches/<batch_id>/sheet")
@browser.staff_page(*ROLES)
def sheet(batch_id: str) -> tuple[str, int]:
    """The production sheet: one printable page, print stylesheet, no script."""
    batch = client().batch(staff(), batch_id)
    return render(
        "staff/fulfillment/sheet.html",
        page_title=_t("production.sheet_title"),
        batch=batch,
        items=item_titles(),
    )
