"""The staff desk: staff sign-in, and (supervisors) items, fees, publish, withdraw."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, request, url_for

from common.service_client import ServiceRejected
from gateway import browser, domain
from gateway.clients.catalog import Item
from gateway.context import gateway
from gateway.i18n import N_, translate
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
        return _fee_page(code, form=form, errors=_named(error.errors), status=422)
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


# An amount's refusal as the fee form words it: naming the field, since the form
# asks two amounts and "enter an amount" twice would not say which.
_NAMED = {
    "money.required": N_("fee_form.required"),
    "money.negative": N_("fee_form.negative"),
    "money.not_a_number": N_("fee_form.not_a_number"),
    "money.too_large": N_("fee_form.too_large"),
    "money.too_many_decimals": N_("fee_form.too_many_decimals"),
}


def _named(errors: dict[str, list[str]]) -> dict[str, list[str]]:
    """Each refusal in words naming its field."""
    return {
        name: [
            translate(_NAMED.get(key, key), lang(), label=translate(f"staff.{name}", lang()))
            for key in keys
        ]
        for name, keys in errors.items()
    }


def _fee_page(
    code: str, *, form: dict[str, str] | None = None, errors: Any = None, status: int = 200
) -> tuple[str, int]:
    caller = browser.caller_for(browser.current_principal())
    item = gateway().catalog.item(code, caller)
    title = translate("staff.fee_title", lang(), title=item.title.get(lang()))
    return render(
        "staff/fee.html",
        status,
        item=item,
        page_title=title,
        form=form if form is not None else _fee_in_force(item),
        errors=errors or {},
    )


def _fee_in_force(item: Item) -> dict[str, str]:
    """The empty form starts from the fee in force: a change is usually to one amount."""
    if item.fee is None:
        return {}
    return {
        "production_yuan": domain.fen_to_yuan(item.fee.production_fen),
        "delivery_yuan": domain.fen_to_yuan(item.fee.delivery_fen),
        "approval_ref": item.fee.approval_ref,
    }


@bp.post("/items/<code>/publish")
@browser.staff_page("supervisor")
def publish(code: str) -> Any:
    gateway().catalog.publish(code, browser.caller_for(browser.current_principal()))
    return redirect(url_for("staff_pages.items", notice="notice.published"), code=303)


@bp.get("/items/<code>/withdraw")
@browser.staff_page("supervisor")
def withdraw_confirm(code: str) -> tuple[str, int]:
    """Withdrawing takes an item off the store at once: the supervisor is asked first."""
    item = gateway().catalog.item(code, browser.caller_for(browser.current_principal()))
    title = translate("staff.withdraw_title", lang(), title=item.title.get(lang()))
    return render("staff/withdraw.html", item=item, page_title=title)


@bp.post("/items/<code>/withdraw")
@browser.staff_page("supervisor")
def withdraw(code: str) -> Any:
    if request.form.get("confirmed") != "yes":
        return redirect(url_for("staff_pages.withdraw_confirm", code=code), code=303)
    # The reason is shown to every applicant whose draft the withdrawal stops.
    reason = request.form.get("reason", "").strip()[:500] or None
    gateway().catalog.withdraw(code, browser.caller_for(browser.current_principal()), reason)
    return redirect(url_for("staff_pages.items", notice="notice.withdrawn"), code=303)
