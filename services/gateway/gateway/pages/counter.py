"""The pickup counter: find the order by its reference, enter the code the
applicant shows, see the name and the masked ID number, tick that the ID card
was checked in person, hand over. A wrong code says how many tries are left;
the fifth locks the pickup until a supervisor unlocks it (here, with the
supervisor role)."""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, redirect, request, url_for

from common.service_client import ServiceConflict, ServiceError, ServiceNotFound, ServiceRejected
from gateway import browser, delivering
from gateway.clients.fulfillment import Counter
from gateway.i18n import translate
from gateway.pages import lang, render
from gateway.pages.desk import client, is_supervisor, item_titles, refusal, staff

bp = Blueprint("counter_pages", __name__, url_prefix="/staff/counter")
log = logging.getLogger("gateway.counter")
ROLES = delivering.DISPATCH_ROLES
NOTICES = frozenset({"counter.notice.handed_over", "counter.notice.unlocked"})


def _t(key: str, **values: Any) -> str:
    return translate(key, lang(), **values)


def _page(
    *,
    found: Counter | None = None,
    reference: str = "",
    code: str = "",
    verified: bool = False,
    errors: dict[str, list[str]] | None = None,
    status: int = 200,
) -> tuple[str, int]:
    notice = request.args.get("notice")
    return render(
        "staff/fulfillment/counter.html",
        status,
        page_title=_t("counter.title"),
        found=found,
        reference=reference,
        code=code,
        grouped=delivering.grouped_code(code),
        verified=verified,
        supervisor=is_supervisor(),
        items=item_titles() if found else {},
        errors=errors or {},
        notice=notice if notice in NOTICES else None,
    )


@bp.get("")
@browser.staff_page(*ROLES)
def counter() -> tuple[str, int]:
    reference = request.args.get("reference", "").strip()[:64]
    if not reference:
        return _page()
    try:
        found = client().counter(staff(), reference)
    except ServiceNotFound:
        return _page(reference=reference, errors={"reference": [_t("counter.refused.unknown")]},
                     status=404)  # fmt: skip
    return _page(found=found, reference=reference)


def _refused_code(order_id: str, error: ServiceError, code: str) -> tuple[str, int]:
    """A wrong code (422 with the tries left), a locked pickup (423) or a wrong state (409)."""
    found = client().counter(staff(), _reference_of(order_id))
    if error.status == 423:
        said = _t("counter.refused.locked")
    elif error.status == 422 and "id_checked" in (error.errors or {}):
        return _page(found=found, reference=found.reference, code=code, verified=True,
                     errors={"id_checked": [_t("counter.refused.id_checked")]}, status=422)  # fmt: skip
    elif error.status == 422:
        left = delivering.attempts_left(error.errors)
        said = _t(
            "counter.refused.wrong_code", left=left if left is not None else found.attempts_left
        )
    else:
        return _page(found=found, reference=found.reference, errors=refusal(error, "code"),
                     status=error.status)  # fmt: skip
    return _page(found=found, reference=found.reference, errors={"code": [said]},
                 status=error.status)  # fmt: skip


def _reference_of(order_id: str) -> str:
    return request.form.get("reference", "").strip()[:64] or order_id


@bp.post("/<order_id>/verify")
@browser.staff_page(*ROLES)
def verify(order_id: str) -> Any:
    code = delivering.clean_code(request.form.get("code", ""))
    reference = _reference_of(order_id)
    if delivering.code_error(code):
        found = client().counter(staff(), reference)
        return _page(found=found, reference=reference,
                     errors={"code": [_t("counter.refused.code_format")]}, status=422)  # fmt: skip
    try:
        found = client().verify_code(staff(), order_id, code)
    except (ServiceRejected, ServiceConflict) as error:
        return _refused_code(order_id, error, code)
    except ServiceError as error:
        if error.status != 423:
            raise
        return _refused_code(order_id, error, code)
    return _page(found=found, reference=found.reference, code=code, verified=True)


@bp.post("/<order_id>/hand-over")
@browser.staff_page(*ROLES)
def hand_over(order_id: str) -> Any:
    code = delivering.clean_code(request.form.get("code", ""))
    checked = request.form.get("id_checked") == "1"
    if not checked:
        found = client().counter(staff(), _reference_of(order_id))
        return _page(found=found, reference=found.reference, code=code, verified=True,
                     errors={"id_checked": [_t("counter.refused.id_checked")]}, status=422)  # fmt: skip
    try:
        client().hand_over_pickup(staff(), order_id, code, True)
    except (ServiceRejected, ServiceConflict) as error:
        return _refused_code(order_id, error, code)
    except ServiceError as error:
        if error.status != 423:
            raise
        return _refused_code(order_id, error, code)
    log.info("collected at the counter", extra={"order_id": order_id})
    return redirect(url_for(".counter", notice="counter.notice.handed_over"), 303)


@bp.post("/<order_id>/unlock")
@browser.staff_page(*delivering.SUPERVISOR)
def unlock(order_id: str) -> Any:
    reference = _reference_of(order_id)
    try:
        found = client().unlock(staff(), order_id)
    except ServiceConflict as error:
        current = client().counter(staff(), reference)
        return _page(found=current, reference=reference, errors=refusal(error, "code"), status=409)
    target = url_for(".counter", reference=found.reference, notice="counter.notice.unlocked")
    return redirect(target, 303)
