"""What every page of an application reads first: who is asking, the order
(orders answers 404 for someone else's), the item it is for, and the case."""

from __future__ import annotations

from flask import abort, make_response, redirect, url_for
from werkzeug.wrappers import Response

from common.service_client import ServiceNotFound
from gateway import browser
from gateway.clients.catalog import Item
from gateway.clients.http import ANONYMOUS, Caller
from gateway.clients.orders import EDIT, Order
from gateway.clients.verification import Case
from gateway.context import gateway
from gateway.i18n import translate
from gateway.pages import lang, render


def applicant() -> Caller:
    return browser.caller_for(browser.current_principal())


def order(order_id: str) -> Order:
    return gateway().orders.order(order_id, applicant())


def item_of(found: Order) -> Item:
    # The item's questions and offices are public, so the cached public read serves.
    try:
        return gateway().catalog.item(found.item_code, ANONYMOUS)
    except ServiceNotFound:
        if found.allows(EDIT):
            withdrawn_draft(found)
        raise


def withdrawn_draft(found: Order) -> None:
    """A draft whose item was taken off sale cannot go on: instead of a 404 its
    applicant reads why (the supervisor's reason, when one was given) and may
    cancel it. Returns only when the item is not withdrawn (then it is unknown)."""
    withdrawal = gateway().catalog.withdrawal(found.item_code, ANONYMOUS)
    if withdrawal is None:
        return
    page, status = render(
        "apply/withdrawn.html",
        order=found,
        withdrawal=withdrawal,
        page_title=translate("withdrawn.title", lang(), title=withdrawal.title.get(lang())),
    )
    abort(make_response(page, status))


def case_of(found: Order) -> Case | None:
    """The order's case, or None while verification is still opening it."""
    try:
        return gateway().verification.case(found.id, applicant())
    except ServiceNotFound:
        return None


def unless_editable(found: Order) -> Response | None:
    """A page that changes a draft sends a submitted order to its own page instead."""
    if found.allows(EDIT):
        return None
    return redirect(url_for("application_pages.application", order_id=found.id), code=303)
