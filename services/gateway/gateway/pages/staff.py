"""The staff desk: staff sign-in, and (supervisors) items, fees, publish, withdraw."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, request, url_for

from common.service_client import ServiceRejected
from gateway import browser, domain
from gateway.context import gateway
from gateway.i18n import translate
from gateway.pages import accounts, field_errors, lang, render

bp = Blueprint("staff_pages", __name__, url_prefix="/staff")

# The catalog names fee fields in fen; the form asks in yuan.
_FORM_FIELD = {"production_fen": "production_yuan", "delivery_fen": "delivery_yuan"}


@bp.get("/sign-in")
def sign_in() -> tuple[str, int]:
    return accounts.sign_in_page(staff=True)


@bp.post("/sign-in")
def sign_in_submit() -> Any:
    return accounts.sign_in_attempt(staff=True)


@bp.get("")
@bp.get("/")
@browser.staff_page()
def home() -> tuple[str, int]:
    return render("staff/home.html", page_title=translate("staff.title", lang()))


@bp.get("/items")
@browser.staff_page("supervisor")
def items() -> tuple[str, int]:
    caller = browser.caller_for(browser.current_principal())
    everything = gateway().catalog.all_items(caller)
    return render(
        "staff/items.html", items=everything, page_title=translate("staff.items_title", lang())
    )


@bp.get("/items/<code>/fee")
@browser.staff_page("supervisor")
def fee(code: str) -> tuple[str, int]:
    return _fee_page(code)


@bp.post("/items/<code>/fee")
@browser.staff_page("supervisor")
def fee_submit(code: str) -> Any:
    app = gateway()
    form = {
        name: request.form.get(name, "")
        for name in ("production_yuan", "delivery_yuan", "approval_ref", "effective_from")
    }
    caller = browser.caller_for(browser.current_principal())
    try:
        change = domain.parse_fee_form(**form, today=domain.today_in_china(app.clock.now()))
    except domain.FieldErrors as error:
        errors = {
            name: [translate(key, lang()) for key in keys] for name, keys in error.errors.items()
        }
        return _fee_page(code, form=form, errors=errors, status=422)
    try:
        app.catalog.change_fee(
            code,
            caller,
            production_fen=change.production_fen,
            delivery_fen=change.delivery_fen,
            approval_ref=change.approval_ref,
            effective_from=change.effective_from,
        )
    except ServiceRejected as error:
        errors = {
            _FORM_FIELD.get(name, name): messages for name, messages in field_errors(error).items()
        }
        if not errors:
            errors = {"production_yuan": [translate(error.detail, lang())]}
        return _fee_page(code, form=form, errors=errors, status=422)
    return redirect(url_for("staff_pages.items", notice="notice.fee_saved"), code=303)


def _fee_page(
    code: str, *, form: dict[str, str] | None = None, errors: Any = None, status: int = 200
) -> tuple[str, int]:
    caller = browser.caller_for(browser.current_principal())
    item = gateway().catalog.item(code, caller)
    title = translate("staff.fee_title", lang(), title=item.title.get(lang()))
    return render(
        "staff/fee.html", status, item=item, page_title=title, form=form or {}, errors=errors or {}
    )


@bp.post("/items/<code>/publish")
@browser.staff_page("supervisor")
def publish(code: str) -> Any:
    gateway().catalog.publish(code, browser.caller_for(browser.current_principal()))
    return redirect(url_for("staff_pages.items", notice="notice.published"), code=303)


@bp.post("/items/<code>/withdraw")
@browser.staff_page("supervisor")
def withdraw(code: str) -> Any:
    gateway().catalog.withdraw(code, browser.caller_for(browser.current_principal()))
    return redirect(url_for("staff_pages.items", notice="notice.withdrawn"), code=303)
