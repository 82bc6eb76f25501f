"""The dispatch desk: produced courier orders → waybills in a batch → labels
(fulfillment's SVG, proxied, printable) → hand over to the courier; and the
exception queue, where a parcel that could not be delivered is reshipped (a
new waybill, no new fee) or switched to pickup at an office."""

from __future__ import annotations

import logging
import re
from typing import Any

from flask import Blueprint, Response, abort, redirect, request, url_for

from common.service_client import ServiceConflict, ServiceError, ServiceRejected
from gateway import browser, delivering, journey
from gateway.clients.catalog import PickupOffice
from gateway.clients.fulfillment import ADDRESS_FIELDS, DISPATCH_STAGES, Office
from gateway.context import gateway
from gateway.i18n import translate
from gateway.pages import lang, render
from gateway.pages.desk import client, item_titles, page_number, refusal, staff

bp = Blueprint("dispatch_pages", __name__, url_prefix="/staff/dispatch")
log = logging.getLogger("gateway.dispatch")
ROLES = delivering.DISPATCH_ROLES
WAYBILL = re.compile(r"^[A-Z]{2}\d{9}[A-Z]{2}$")
NOTICES = frozenset(
    {
        "dispatch.notice.waybills",
        "dispatch.notice.handed_over",
        "dispatch.notice.reshipped",
        "dispatch.notice.switched",
    }
)


def _t(key: str, **values: Any) -> str:
    return translate(key, lang(), **values)


def _stage() -> str:
    stage = request.args.get("stage", "to_waybill")
    return stage if stage in DISPATCH_STAGES else "to_waybill"


def _dispatch_page(
    stage: str, errors: dict[str, list[str]] | None = None, status: int = 200
) -> tuple[str, int]:
    found = client().dispatch_jobs(staff(), stage=stage, page=page_number())
    notice = request.args.get("notice")
    return render(
        "staff/fulfillment/dispatch.html",
        status,
        page_title=_t("dispatch.title"),
        stage=stage,
        stages=DISPATCH_STAGES,
        found=found,
        items=item_titles(),
        errors=errors or {},
        notice=notice if notice in NOTICES else None,
    )


@bp.get("")
@browser.staff_page(*ROLES)
def dispatch() -> tuple[str, int]:
    return _dispatch_page(_stage())


def _chosen(name: str, stage: str) -> list[str] | tuple[str, int]:
    chosen = delivering.selected_ids(request.form.getlist(name))
    problem = delivering.selection_error(chosen)
    if problem:
        return _dispatch_page(stage, {name: [_t(problem, limit=delivering.MAX_SELECTED)]}, 422)
    return chosen


@bp.post("/waybills")
@browser.staff_page(*ROLES)
def create_waybills() -> Any:
    chosen = _chosen("order_id", "to_waybill")
    if isinstance(chosen, tuple):
        return chosen
    try:
        made = client().create_waybills(staff(), chosen)
    except ServiceError as error:
        if error.status not in (409, 422):
            raise
        return _dispatch_page("to_waybill", refusal(error, "order_id"), error.status)
    log.info("waybills created", extra={"waybills": [s.waybill for s in made]})
    return redirect(
        url_for(".dispatch", stage="to_hand_over", notice="dispatch.notice.waybills"), 303
    )


@bp.get("/labels")
@browser.staff_page(*ROLES)
def labels() -> tuple[str, int]:
    """The labels of the chosen waybills on one printable page (print stylesheet)."""
    waybills = [
        w for w in delivering.selected_ids(request.args.getlist("waybill")) if WAYBILL.match(w)
    ]
    return render(
        "staff/fulfillment/labels.html",
        page_title=_t("dispatch.labels_title"),
        waybills=waybills[: delivering.MAX_SELECTED],
    )


@bp.get("/labels/<waybill>.svg")
@browser.staff_page(*ROLES)
def label(waybill: str) -> Response:
    """Fulfillment's label, fetched under the staff member's identity."""
    if not WAYBILL.match(waybill):
        abort(404)
    found = client().label(staff(), waybill)
    if not found.content_type.startswith("image/svg+xml"):
        abort(404)
    response = Response(found.content, mimetype="image/svg+xml")
    response.headers["Content-Disposition"] = f'inline; filename="{waybill}.svg"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/hand-over")
@browser.staff_page(*ROLES)
def hand_over() -> Any:
    chosen = _chosen("waybill", "to_hand_over")
    if isinstance(chosen, tuple):
        return chosen
    try:
        client().hand_over(staff(), chosen)
    except ServiceError as error:
        if error.status not in (409, 422):
            raise
        return _dispatch_page("to_hand_over", refusal(error, "waybill"), error.status)
    log.info("parcels handed over", extra={"waybills": chosen})
    return redirect(
        url_for(".dispatch", stage="to_hand_over", notice="dispatch.notice.handed_over"), 303
    )


# --- exceptions -------------------------------------------------------------------------


def _offices() -> dict[str, PickupOffice]:
    """Every pickup office any item offers, by code: where a parcel may be switched to."""
    found: dict[str, PickupOffice] = {}
    for item in gateway().catalog.all_items(staff()):
        for office in item.delivery.pickup_offices if item.delivery else ():
            found.setdefault(office.code, office)
    return found


def _exceptions_page(
    errors: dict[str, list[str]] | None = None,
    form: dict[str, str] | None = None,
    status: int = 200,
) -> tuple[str, int]:
    found = client().exceptions(staff(), page_number())
    notice = request.args.get("notice")
    return render(
        "staff/fulfillment/exceptions.html",
        status,
        page_title=_t("exceptions.title"),
        found=found,
        items=item_titles(),
        offices=_offices(),
        errors=errors or {},
        form=form or {},
        notice=notice if notice in NOTICES else None,
    )


@bp.get("/exceptions")
@browser.staff_page(*ROLES)
def exceptions() -> tuple[str, int]:
    return _exceptions_page()


@bp.post("/exceptions/<order_id>/reship")
@browser.staff_page(*ROLES)
def reship(order_id: str) -> Any:
    """A new waybill; the corrected address when every field of it is given."""
    typed = {name: request.form.get(name, "").strip()[:200] for name in ADDRESS_FIELDS}
    address = typed if any(typed.values()) else None
    form = {f"{order_id}-{name}": value for name, value in typed.items()}
    if address is not None:
        missing = journey.address_errors(typed)
        if missing:
            errors = {f"{order_id}-{n}": [_t(k) for k in ks] for n, ks in missing.items()}
            return _exceptions_page(errors, form, 422)
    try:
        client().reship(staff(), order_id, address)
    except ServiceRejected as error:
        refused = journey.address_errors(typed, (error.errors or {}).keys())
        errors = {f"{order_id}-{n}": [_t(k) for k in ks] for n, ks in refused.items()}
        return _exceptions_page(
            errors or {f"reship-{order_id}": [_t("delivery.refused.other")]}, form, 422
        )
    except ServiceConflict as error:
        return _exceptions_page(refusal(error, f"reship-{order_id}"), form, 409)
    log.info("reshipped", extra={"order_id": order_id})
    return redirect(url_for(".exceptions", notice="dispatch.notice.reshipped"), 303)


@bp.post("/exceptions/<order_id>/switch-to-pickup")
@browser.staff_page(*ROLES)
def switch_to_pickup(order_id: str) -> Any:
    code = request.form.get("office_code", "")
    field = f"office-{order_id}"
    office = _offices().get(code)
    if office is None:
        return _exceptions_page({field: [_t("exceptions.refused.office")]}, status=422)
    described = Office(
        name=office.name,
        address=office.address or office.name,
        hours=office.hours or office.name,
    )
    try:
        client().switch_to_pickup(staff(), order_id, code, described)
    except ServiceRejected:
        return _exceptions_page({field: [_t("exceptions.refused.office")]}, status=422)
    except ServiceConflict as error:
        return _exceptions_page(refusal(error, field), status=409)
    log.info("switched to pickup", extra={"order_id": order_id})
    return redirect(url_for(".exceptions", notice="dispatch.notice.switched"), 303)
