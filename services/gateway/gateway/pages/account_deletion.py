"""An applicant deletes their account: a confirmation page, then the account
and every session of it are gone, and notifications forgets the contact
details and messages (accounts.deleted, through the outbox)."""

from __future__ import annotations

import logging

from flask import Blueprint, redirect, url_for
from werkzeug.wrappers import Response

from gateway import browser, services
from gateway.context import gateway
from gateway.i18n import translate
from gateway.pages import lang, render

bp = Blueprint("account_deletion_pages", __name__)
log = logging.getLogger("gateway.accounts")


@bp.get("/account/delete")
@browser.applicant_page
def confirm() -> tuple[str, int]:
    return render("inbox/delete_account.html", page_title=translate("account_delete.title", lang()))


@bp.post("/account/delete")
@browser.applicant_page
def delete() -> Response:
    principal = browser.current_principal()
    assert principal is not None  # applicant_page let only a signed-in applicant through
    services.delete_applicant(gateway().uow(), principal)
    log.info("applicant deleted their account", extra={"account_id": principal.account_id})
    browser.end_browser_session()
    return redirect(url_for("store_pages.index", notice="account_delete.notice.deleted"), code=303)
