"""Paying: the choice of how to pay (card, page wallet, QR wallet) with the
card provider's hosted card form (the sandbox's, rendered by the gateway),
the wallets' ways in, the "payment in progress" page and the confirmation.

The card and the QR wallet hold the money until the application is
approved; the page wallet takes it at once and refunds it if the
application is refused. The pages say which, in those words.

- Page wallet: orders opens a trade and the browser goes to the wallet's
  cashier page; after paying, the wallet sends the browser back to
  /applications/<id>/pay/return, where orders is asked to check with the
  wallet (its notification may not have arrived yet).
- QR wallet: /applications/<id>/pay/qr shows the payment code (an SVG drawn
  here from orders' QR payload) and an "I have paid" button to
  /applications/<id>/pay/return (no automatic refresh: a page that reloads
  itself under a reader fails WCAG 2.2.1), which has orders ask the wallet
  and shows the confirmation, or the code again while it is unpaid.

Pressing Pay hands the card over and answers at once: the browser is sent to
the pay page, which, while the provider's webhook has not come back, is a
page that refreshes itself every few seconds (a meta refresh, so no
JavaScript is needed) and, once it has, the confirmation or the pay page with
the reason the card was declined.

The card number, expiry and security code go straight to orders, which hands
them to the provider adapter. The gateway never logs them, never stores them
and never shows them back: a refused form comes back empty.
"""

from __future__ import annotations

import logging
from typing import Any

import segno
from flask import Blueprint, redirect, request, url_for
from markupsafe import Markup

from common.errors import DomainError
from common.service_client import ServiceConflict, ServiceRejected, ServiceUnavailable
from gateway import browser, journey
from gateway.clients.orders import PAY, Order
from gateway.context import gateway
from gateway.i18n import translate
from gateway.pages import lang, loading, render

bp = Blueprint("payment_pages", __name__)
log = logging.getLogger("gateway.payments")

# How often the "payment in progress" page reloads itself while the provider's
# answer is on its way (usually a second or two).
REFRESH_SECONDS = 2
# Every status an order reaches only once its payment was authorised.
PAID = frozenset(
    {
        "submitted",
        "in_review",
        "needs_resubmission",
        "approved",
        "rejected",
        "in_production",
        "shipped",
        "ready_for_pickup",
        "delivery_exception",
        "delivered",
        "completed",
    }
)


def _t(key: str, **values: Any) -> str:
    return translate(key, lang(), **values)


WALLETS = ("wallet_page", "wallet_qr")


def _pay_page(
    found: Order, *, errors: dict[str, list[str]] | None = None, status: int = 200
) -> tuple[str, int]:
    return render(
        "apply/pay.html",
        status,
        page_title=_t("pay.title"),
        order=found,
        attempt=journey.new_attempt(),
        errors=errors or {},
        wallets=WALLETS,
    )


def _declined(found: Order) -> dict[str, list[str]]:
    assert found.payment is not None
    return {"card_number": [_t(journey.decline_key(found.payment))]}


@bp.get("/applications/<order_id>/pay")
@browser.applicant_page
def pay(order_id: str) -> Any:
    found = loading.order(order_id)
    if found.status in PAID:
        return redirect(url_for(".confirmation", order_id=found.id), code=303)
    if found.allows("edit"):
        return redirect(url_for("apply_pages.check", order_id=found.id), code=303)
    if found.payment is not None and found.payment.status == "processing":
        return _in_progress(found)
    if not found.allows(PAY) or found.payment is None:
        return redirect(url_for("application_pages.application", order_id=found.id), code=303)
    if found.payment.status == "failed":
        return _pay_page(found, errors=_declined(found))
    return _pay_page(found)


@bp.post("/applications/<order_id>/pay")
@browser.applicant_page
def pay_with_card(order_id: str) -> Any:
    found = loading.order(order_id)
    if not found.allows(PAY) or found.payment is None:
        return redirect(url_for(".pay", order_id=found.id), code=303)
    principal = browser.current_principal()
    assert principal is not None  # applicant_page
    app = gateway()
    key = journey.idempotency_key(
        app.settings.secret_key,
        principal.account_id,
        f"pay:{found.payment.id}",
        request.form.get("attempt"),
    )
    try:
        app.orders.pay_with_card(
            found.payment.id,
            loading.applicant(),
            card_number=journey.clean_card_number(request.form.get("card_number", "")),
            expiry=request.form.get("expiry", "").strip().replace(" ", ""),
            cvc=request.form.get("cvc", "").strip(),
            idempotency_key=key,
        )
    except ServiceRejected as error:
        refused = journey.card_errors((error.errors or {}).keys())
        if not refused:
            refused = {"card_number": ["card.card_number.invalid"]}
        messages = {name: [_t(k) for k in keys] for name, keys in refused.items()}
        return _pay_page(found, errors=messages, status=422)
    except ServiceConflict:
        # A second click finds the first one's payment processing: wait for its answer
        # like the first. Otherwise the provider refused the card outright.
        fresh = loading.order(order_id)
        paying = fresh.payment is not None and fresh.payment.status == "processing"
        if not paying and fresh.allows(PAY):
            errors = {"card_number": [_t("payment.reason.other")]}
            return _pay_page(fresh, errors=errors, status=409)
    # The outcome arrives later by webhook: the pay page shows progress until then.
    log.info("card handed to the provider", extra={"order_id": found.id})
    return redirect(url_for(".pay", order_id=found.id), code=303)


def _in_progress(found: Order) -> tuple[str, int]:
    return render(
        "apply/waiting.html",
        page_title=_t("waiting.title"),
        order=found,
        refresh_seconds=REFRESH_SECONDS,
    )


@bp.get("/applications/<order_id>/confirmation")
@browser.applicant_page
def confirmation(order_id: str) -> Any:
    found = loading.order(order_id)
    if found.status not in PAID:
        return redirect(url_for(".pay", order_id=found.id), code=303)
    try:
        item = loading.item_of(found)
    except DomainError:  # the confirmation stands without the item's processing time
        item = None
    return render(
        "apply/confirmation.html", page_title=_t("confirmation.title"), order=found, item=item
    )


@bp.post("/applications/<order_id>/pay/wallet")
@browser.applicant_page
def pay_with_wallet(order_id: str) -> Any:
    found = loading.order(order_id)
    method = request.form.get("method", "")
    if not found.allows(PAY) or found.payment is None or method not in WALLETS:
        return redirect(url_for(".pay", order_id=found.id), code=303)
    principal = browser.current_principal()
    assert principal is not None  # applicant_page
    app = gateway()
    key = journey.idempotency_key(
        app.settings.secret_key, principal.account_id, f"wallet:{method}:{found.payment.id}",
        request.form.get("attempt"),
    )  # fmt: skip
    try:
        payment = app.orders.pay_with_wallet(
            found.payment.id, loading.applicant(), method=method,
            return_url=url_for(".wallet_return", order_id=found.id, _external=True),
            idempotency_key=key,
        )  # fmt: skip
    except (ServiceConflict, ServiceRejected, ServiceUnavailable):
        fresh = loading.order(order_id)
        if fresh.status in PAID:
            return redirect(url_for(".confirmation", order_id=fresh.id), code=303)
        return _pay_page(fresh, errors={"wallet": [_t("pay.wallet.unavailable")]}, status=409)
    log.info("wallet trade opened", extra={"order_id": found.id, "method": method})
    if method == "wallet_page" and payment.cashier_url:
        return redirect(payment.cashier_url, code=303)
    return redirect(url_for(".wallet_qr", order_id=found.id), code=303)


@bp.get("/applications/<order_id>/pay/qr")
@browser.applicant_page
def wallet_qr(order_id: str) -> Any:
    found = loading.order(order_id)
    if found.status in PAID:
        return redirect(url_for(".confirmation", order_id=found.id), code=303)
    payment = found.payment
    if not found.allows(PAY) or payment is None or not payment.qr_payload:
        return redirect(url_for(".pay", order_id=found.id), code=303)
    code = segno.make(payment.qr_payload, error="m")
    svg = Markup(code.svg_inline(scale=5, title=_t("qr.image"), omitsize=True))  # noqa: S704
    return render(
        "apply/qr.html", page_title=_t("qr.title"), order=found, svg=svg,
        phone_url=payment.qr_payload,
    )  # fmt: skip


@bp.get("/applications/<order_id>/pay/return")
@browser.applicant_page
def wallet_return(order_id: str) -> Any:
    """Back from the wallet (the page wallet's return URL, the QR page's "I have
    paid"): ask orders to check with the wallet, then on."""
    found = loading.order(order_id)
    if found.payment is not None and found.status not in PAID:
        try:
            gateway().orders.query_payment(found.payment.id, loading.applicant())
        except (ServiceConflict, ServiceRejected, ServiceUnavailable):
            log.info(
                "wallet query failed; its notification will tell", extra={"order_id": found.id}
            )
        found = loading.order(order_id)
    if found.status not in PAID and found.payment is not None and found.payment.qr_payload:
        return redirect(
            url_for(".wallet_qr", order_id=found.id), code=303
        )  # unpaid: the code again
    return redirect(url_for(".pay", order_id=found.id), code=303)
