"""Applicants: register, sign in, their account, and sign out (staff too)."""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, redirect, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from common.errors import Conflict, InvalidInput, TooManyRequests, Unauthorized
from gateway import browser, services
from gateway.context import gateway
from gateway.i18n import N_, translate
from gateway.pages import field_errors, lang, render

bp = Blueprint("account_pages", __name__)
log = logging.getLogger("gateway.accounts")


# Why a visitor was sent to sign in, said on the sign-in and registration pages.
# Why the visitor is on the sign-in page; "chosen" (the header's link) needs no explaining.
REASONS: dict[str, str | None] = {
    "start": N_("sign_in.reason_start"),
    "continue": N_("sign_in.reason_continue"),
    "chosen": None,
}


def _going_back(form: dict[str, str] | None = None) -> dict[str, Any]:
    """Where the visitor was going (a path on this site) and why they were stopped,
    carried from sign-in to registration and back through their forms."""
    values = form or {}
    next_path = browser.safe_next(values.get("next") or request.args.get("next"), "")
    reason = values.get("reason") or request.args.get("reason") or ""
    if reason not in REASONS:
        reason = "continue" if next_path else ""
    return {"next_path": next_path, "reason": reason, "notice": REASONS.get(reason)}


@bp.get("/register")
def register() -> tuple[str, int]:
    return render("register.html", page_title=translate("register.title", lang()), **_going_back())


@bp.post("/register")
def register_submit() -> Any:
    form = {
        "identifier": request.form.get("identifier", ""),
        "next": request.form.get("next", ""),
        "reason": request.form.get("reason", ""),
    }
    app = gateway()
    try:
        principal = services.register_applicant(
            app.uow(),
            app.hasher,
            identifier=request.form.get("identifier"),
            password=request.form.get("password"),
            password_confirmation=request.form.get("password_confirmation", ""),
            language=lang(),
        )
    except InvalidInput as error:
        return _register_again(form, field_errors(error), 422)
    except Conflict:
        message = translate("register.conflict", lang())
        return _register_again(form, {"identifier": [message]}, 409)
    log.info("applicant registered", extra={"account_id": principal.account_id})
    _open_session(principal)
    default = url_for("account_pages.account", notice="notice.registered")
    return redirect(browser.safe_next(form["next"], default), code=303)


def _register_again(form: dict[str, str], errors: dict[str, list[str]], status: int) -> Any:
    return render(
        "register.html",
        status,
        page_title=translate("register.title", lang()),
        form=form,
        errors=errors,
        **_going_back(form),
    )


@bp.get("/sign-in")
def sign_in() -> tuple[str, int]:
    return sign_in_page(staff=False)


@bp.post("/sign-in")
def sign_in_submit() -> Any:
    return sign_in_attempt(staff=False)


def sign_in_page(
    *, staff: bool, form: dict[str, str] | None = None, errors: Any = None, status: int = 200
) -> tuple[str, int]:
    endpoint = "staff_pages.sign_in" if staff else "account_pages.sign_in"
    return render(
        "sign_in.html",
        status,
        page_title=translate("sign_in.staff_title" if staff else "sign_in.title", lang()),
        identifier_label=translate(
            "sign_in.staff_identifier" if staff else "sign_in.identifier", lang()
        ),
        action=url_for(endpoint),
        staff=staff,
        form=form or {},
        errors=errors or {},
        **_going_back(form),
    )


def sign_in_attempt(*, staff: bool) -> Any:
    form = {
        "identifier": request.form.get("identifier", ""),
        "next": request.form.get("next", ""),
        "reason": request.form.get("reason", ""),
    }
    app = gateway()
    try:
        principal = services.authenticate(
            app.uow(),
            app.hasher,
            app.sign_in_policy,
            identifier=request.form.get("identifier"),
            password=request.form.get("password"),
            ip=request.remote_addr or "unknown",
            kinds=(services.STAFF,) if staff else (services.APPLICANT,),
        )
    except InvalidInput as error:
        return sign_in_page(staff=staff, form=form, errors=field_errors(error), status=422)
    except Unauthorized:
        log.info("sign-in refused", extra={"staff": staff})
        message = translate("sign_in.failed", lang())
        return sign_in_page(staff=staff, form=form, errors={"identifier": [message]}, status=401)
    except TooManyRequests:
        log.warning("sign-in rate limited", extra={"staff": staff})
        message = translate("sign_in.too_many", lang())
        return sign_in_page(staff=staff, form=form, errors={"identifier": [message]}, status=429)
    _open_session(principal)
    default = url_for("staff_pages.home") if staff else url_for("account_pages.account")
    return redirect(browser.safe_next(form["next"], default), code=303)


def _open_session(principal: services.Principal) -> None:
    app = gateway()
    raw, _expires = services.start_session(
        app.uow(),
        principal,
        kind=services.BROWSER,
        ttl_seconds=app.settings.session_ttl_seconds,
        replaces=browser.current_session_id(),
    )
    browser.begin_session(raw)


@bp.post("/sign-out")
def sign_out() -> BaseResponse:
    raw = browser.current_session_id()
    if raw:
        services.end_session(gateway().uow(), raw)
    browser.end_browser_session()
    return redirect(url_for("store_pages.index", notice="notice.signed_out"), code=303)


@bp.get("/account")
@browser.applicant_page
def account() -> tuple[str, int]:
    return render("account.html", page_title=translate("account.title", lang()))
