"""The applicant's mobile number and email address: shown, and changed with the
current password. A change is told to notifications (accounts.contact_changed,
through the outbox); a refusal is the form again, naming the field."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, request, url_for

from common.errors import Conflict, InvalidInput, TooManyRequests
from gateway import browser, contacts
from gateway.context import gateway
from gateway.i18n import N_, translate
from gateway.pages import field_errors, lang, render

bp = Blueprint("contact_pages", __name__)
SAVED = N_("contact.notice.saved")


def _page(form: dict[str, Any], errors: dict[str, list[str]] | None = None, status: int = 200):  # type: ignore[no-untyped-def]
    return render(
        "account_contact.html",
        status,
        page_title=translate("contact.title", lang()),
        form=form,
        errors=errors or {},
        notice=SAVED if request.args.get("notice") == SAVED else None,
    )


@bp.get("/account/contact")
@browser.applicant_page
def contact() -> Any:
    principal = browser.current_principal()
    assert principal is not None  # applicant_page let only a signed-in applicant through
    now = contacts.current(gateway().uow(), principal)
    return _page({"mobile": now.mobile or "", "email": now.email or ""})


@bp.post("/account/contact")
@browser.applicant_page
def change() -> Any:
    principal = browser.current_principal()
    assert principal is not None
    form = {"mobile": request.form.get("mobile", ""), "email": request.form.get("email", "")}
    app = gateway()
    try:
        contacts.change(
            app.uow(), app.hasher, app.sign_in_policy, principal,
            mobile=form["mobile"], email=form["email"], password=request.form.get("password"),
            ip=request.remote_addr or "unknown",
        )  # fmt: skip
    except InvalidInput as error:
        return _page(form, field_errors(error), 422)
    except Conflict as error:
        return _page(
            form, field_errors(error) or {"mobile": [translate("contact.taken", lang())]}, 409
        )
    except TooManyRequests:
        return _page(form, {"password": [translate("sign_in.too_many", lang())]}, 429)
    return redirect(url_for("contact_pages.contact", notice="contact.notice.saved"), code=303)
