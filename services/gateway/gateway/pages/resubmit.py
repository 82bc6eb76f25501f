"""The "we need new photos" page: which photos the office refused and why,
the deadline, an upload for each (the documents pages' own upload page), and
the button that sends the new photos back for review.

Verification is the authority: it refuses a resubmission while a refused
photo is not replaced (409 `replacements-missing`) or once nothing is asked
for any more (409 `not-awaiting-applicant`); the page says both in words.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, redirect, url_for

from common.service_client import ServiceConflict
from gateway import browser, journey
from gateway.clients.orders import Order
from gateway.clients.verification import Case, CaseDocument
from gateway.context import gateway
from gateway.i18n import translate
from gateway.pages import lang, loading, render
from gateway.pages.applications import after_action

bp = Blueprint("resubmit_pages", __name__)
log = logging.getLogger("gateway.resubmit")


def refusal_key(document: CaseDocument) -> str:
    return journey.refusal_key(document.verdict.reason_code if document.verdict else None)


def row_id(document: CaseDocument) -> str:
    """The id of a document's row: the error summary links there."""
    return f"doc-{document.code}"


def _missing_errors(case: Case) -> dict[str, list[str]]:
    return {
        row_id(doc): [
            translate("resubmit.missing", lang(), titles=doc.title.get(lang())),
        ]
        for doc in case.not_yet_replaced
    }


def _page(
    found: Order, case: Case, *, errors: dict[str, list[str]] | None = None, status: int = 200
) -> tuple[str, int]:
    return render(
        "apply/resubmit.html",
        status,
        page_title=translate("resubmit.title", lang()),
        order=found,
        case=case,
        refused=case.refused_documents,
        refusal_key=refusal_key,
        row_id=row_id,
        summary_order=[row_id(doc) for doc in case.refused_documents],
        errors=errors or {},
    )


@bp.get("/applications/<order_id>/new-photos")
@browser.applicant_page
def new_photos(order_id: str) -> Any:
    found = loading.order(order_id)
    case = loading.case_of(found)
    if not found.needs_new_photos or case is None:
        return redirect(url_for("application_pages.application", order_id=found.id), code=303)
    return _page(found, case)


@bp.post("/applications/<order_id>/new-photos")
@browser.applicant_page
def resubmit(order_id: str) -> Any:
    found = loading.order(order_id)
    try:
        gateway().verification.resubmit(found.id, loading.applicant())
    except ServiceConflict as refused:
        return _refused(found, refused)
    log.info("new photos sent for review", extra={"order_id": found.id})
    # Orders hears of it from verification's event: the page waits for it, briefly.
    return after_action(found.id, "in_review", "notice.resubmitted")


def _refused(found: Order, refused: ServiceConflict) -> tuple[str, int]:
    """The case as it is now, with what stopped the resubmission."""
    case = loading.case_of(found) or Case(found.id, found.reference, "closed", False, 0, ())
    if refused.slug == "replacements-missing" and case.not_yet_replaced:
        return _page(found, case, errors=_missing_errors(case), status=409)
    errors = {"resubmit": [translate("resubmit.not_awaiting", lang())]}
    return _page(loading.order(found.id), case, errors=errors, status=409)
