"""The applicant's journey through the public API: /api/v1/applications.

The same steps as the pages: start a draft, answer, upload, choose delivery,
submit, pay by card, follow the timeline, cancel, and send new photos when the
office asks for them. Thin views: parse, call the
service, dump. A refusal from orders or verification comes back as the
service's problem+json (status, type and field errors intact); a service that
is down is a 503.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask import Response, g, request
from flask_smorest import Blueprint

from common.errors import NotFound
from gateway import journey, timeline_text, uploads
from gateway.api import BEARER, api_caller, api_principal
from gateway.clients.catalog import Text
from gateway.clients.http import Caller
from gateway.clients.orders import ADDRESS_FIELDS, Address, DeliveryChoice
from gateway.clients.verification import CaseDocument, UploadRefused
from gateway.context import gateway
from gateway.i18n import normalise_language, translate
from gateway.schemas import (
    IDEMPOTENCY_KEY,
    AnswersIn,
    ApplicationCreateIn,
    ApplicationListOut,
    ApplicationListQuery,
    ApplicationOut,
    CancelIn,
    CardIn,
    CaseDocumentOut,
    DeliveryIn,
    DocumentSetOut,
    PaymentOut,
    ResubmissionOut,
    TimelineOut,
    UploadIn,
    WalletIn,
)

blp = Blueprint(
    "api_applications",
    __name__,
    url_prefix="/api/v1/applications",
    description="Applying for an item and paying for it",
)

THUMBNAIL: dict[str, Any] = {
    "description": "The photo, 320 px wide",
    "content": {"image/jpeg": {"schema": {}}},
}
REFUSALS: dict[int | str, Any] = {
    401: {"description": "No or a bad bearer token"},
    404: {"description": "No such application, or not yours"},
    503: {"description": "A service behind the gateway is down"},
}
CHANGE_REFUSALS: dict[int | str, Any] = {
    **REFUSALS,
    409: {"description": "Not allowed in the application's current status"},
    422: {"description": "Bad fields: `errors` names each one"},
}


@blp.before_request
def _signed_in_first() -> None:
    """Who is calling is checked before the body is read: no token is a 401, not a 422."""
    g.api_principal = api_principal()


def _applicant() -> Caller:
    return api_caller(g.api_principal)


def _idempotency_key() -> str | None:
    return request.headers.get("Idempotency-Key")


@blp.post("")
@blp.arguments(ApplicationCreateIn)
@blp.response(201, ApplicationOut)
@blp.doc(security=BEARER, parameters=[IDEMPOTENCY_KEY], responses=CHANGE_REFUSALS)
def start(body: dict[str, Any]) -> Any:
    """Start an application (a draft) for an item; a retry with the same key gets the same one."""
    caller = _applicant()
    return gateway().orders.start(
        body["item_code"], caller, idempotency_key=_idempotency_key() or ""
    )


@blp.get("")
@blp.arguments(ApplicationListQuery, location="query")
@blp.response(200, ApplicationListOut)
@blp.doc(security=BEARER, responses=REFUSALS)
def list_applications(query: dict[str, Any]) -> Any:
    """Your applications, newest first."""
    return {"applications": gateway().orders.orders(_applicant(), query.get("status"))}


@blp.get("/<order_id>")
@blp.response(200, ApplicationOut)
@blp.doc(security=BEARER, responses=REFUSALS)
def get_application(order_id: str) -> Any:
    """One application: answers, delivery, documents, price, payment and what you may do."""
    return gateway().orders.order(order_id, _applicant())


@blp.put("/<order_id>/answers")
@blp.arguments(AnswersIn)
@blp.response(200, ApplicationOut)
@blp.doc(security=BEARER, responses=CHANGE_REFUSALS)
def put_answers(body: dict[str, Any], order_id: str) -> Any:
    """Replace the answers to the item's questions (a draft only); nothing is saved if one is bad."""
    caller = _applicant()
    answers = {name: value for name, value in body["answers"].items() if value is not None}
    return gateway().orders.save_answers(order_id, caller, answers)


@blp.put("/<order_id>/delivery")
@blp.arguments(DeliveryIn)
@blp.response(200, ApplicationOut)
@blp.doc(security=BEARER, responses=CHANGE_REFUSALS)
def put_delivery(body: dict[str, Any], order_id: str) -> Any:
    """Choose courier delivery to an address, or pickup at one of the item's offices."""
    caller = _applicant()
    address = body.get("address")
    choice = DeliveryChoice(
        kind=body["kind"],
        address=Address(**{name: address[name] for name in ADDRESS_FIELDS}) if address else None,
        office_code=body.get("office_code"),
    )
    return gateway().orders.choose_delivery(order_id, caller, choice)


@blp.get("/<order_id>/documents")
@blp.response(200, DocumentSetOut)
@blp.doc(security=BEARER, responses=REFUSALS)
def list_documents(order_id: str) -> Any:
    """The documents the application needs, which are uploaded, and whether the set is complete."""
    return gateway().verification.case(order_id, _applicant())


@blp.put("/<order_id>/documents/<code>")
@uploads.accepts_uploads
@blp.arguments(UploadIn, location="files")
@blp.response(201, CaseDocumentOut)
@blp.doc(
    security=BEARER,
    responses={
        **CHANGE_REFUSALS,
        409: {"description": "case-not-ready (try again in a moment) or case-locked"},
        413: {"description": "too-large: over GATEWAY_MAX_UPLOAD_BYTES"},
        422: {
            "description": "errors.file names the reason: not-an-image, polyglot, "
            "too-many-pixels, too-small, corrupt or duplicate"
        },
    },
)
def put_document(files: dict[str, Any], order_id: str, code: str) -> Any:
    """Upload the photo for one required document (multipart, field `file`); replaces any earlier."""
    caller = _applicant()
    sent = files["file"]
    size = uploads.size_of(sent)
    if size > gateway().settings.max_upload_bytes:
        raise uploads.PayloadTooLarge("upload.too_large", errors={"file": ["too-large"]})
    try:
        return gateway().verification.upload(order_id, code, caller, uploads.upload_of(sent, size))
    except UploadRefused as refused:
        if refused.slug == "case-not-ready":
            # Verification cannot tell an order still being opened from one that
            # does not exist; orders can: no such order of theirs is a 404, not a retry.
            gateway().orders.order(order_id, caller)
        raise


@blp.get("/<order_id>/documents/<code>/thumbnail")
@blp.response(200, content_type="image/jpeg")
@blp.doc(
    security=BEARER,
    responses={"200": THUMBNAIL, **REFUSALS},
)
def get_thumbnail(order_id: str, code: str) -> Response:
    """Your uploaded photo, small (JPEG, re-encoded, without metadata)."""
    content, content_type = gateway().verification.thumbnail(order_id, code, _applicant())
    response = Response(content, mimetype=content_type.split(";")[0])
    response.headers["Cache-Control"] = "private, no-store"
    return response


@blp.post("/<order_id>/submit")
@blp.response(200, ApplicationOut)
@blp.doc(
    security=BEARER,
    parameters=[IDEMPOTENCY_KEY],
    responses={**CHANGE_REFUSALS, 409: {"description": "Incomplete: the problem lists what"}},
)
def submit(order_id: str) -> Any:
    """Send the application: the price is fixed and a payment is created (awaiting_payment)."""
    caller = _applicant()
    return gateway().orders.submit(order_id, caller, idempotency_key=_idempotency_key() or "")


@blp.get("/<order_id>/payment")
@blp.response(200, PaymentOut)
@blp.doc(security=BEARER, responses=REFUSALS)
def get_payment(order_id: str) -> Any:
    """The application's payment: poll it after sending a card until it is no longer processing."""
    caller = _applicant()
    order = gateway().orders.order(order_id, caller)
    if order.payment is None:
        raise NotFound("payment.none")
    return gateway().orders.payment(order.payment.id, caller)


@blp.post("/<order_id>/payment/card")
@blp.arguments(CardIn)
@blp.response(202, PaymentOut)
@blp.doc(
    security=BEARER,
    parameters=[IDEMPOTENCY_KEY],
    responses={
        **CHANGE_REFUSALS,
        409: {"description": "The payment is not waiting for a card (processing or done)"},
    },
)
def pay_with_card(body: dict[str, Any], order_id: str) -> Any:
    """Pay by card (the sandbox provider); the answer is `processing`: poll the payment."""
    caller = _applicant()
    order = gateway().orders.order(order_id, caller)
    if order.payment is None:
        raise NotFound("payment.none")
    return gateway().orders.pay_with_card(
        order.payment.id,
        caller,
        card_number=journey.clean_card_number(body["card_number"]),
        expiry=body["expiry"].strip(),
        cvc=body["cvc"].strip(),
        idempotency_key=_idempotency_key() or "",
    )


@blp.post("/<order_id>/payment/wallet")
@blp.arguments(WalletIn)
@blp.response(201, PaymentOut)
@blp.doc(
    security=BEARER,
    parameters=[IDEMPOTENCY_KEY],
    responses={**CHANGE_REFUSALS, 409: {"description": "The payment's money already moved"}},
)
def pay_with_wallet(body: dict[str, Any], order_id: str) -> Any:
    """Pay with a wallet: open `cashier_url` (wallet_page) or show `qr_payload` (wallet_qr)."""
    caller = _applicant()
    order = gateway().orders.order(order_id, caller)
    if order.payment is None:
        raise NotFound("payment.none")
    return gateway().orders.pay_with_wallet(
        order.payment.id, caller, method=body["method"], return_url=body["return_url"],
        idempotency_key=_idempotency_key() or "",
    )  # fmt: skip


@blp.post("/<order_id>/payment/query")
@blp.response(200, PaymentOut)
@blp.doc(security=BEARER, responses=REFUSALS)
def query_payment(order_id: str) -> Any:
    """Ask the wallet where the payment stands now (back from paying, before its notification)."""
    caller = _applicant()
    order = gateway().orders.order(order_id, caller)
    if order.payment is None:
        raise NotFound("payment.none")
    return gateway().orders.query_payment(order.payment.id, caller)


@blp.post("/<order_id>/cancel")
@blp.arguments(CancelIn)
@blp.response(200, ApplicationOut)
@blp.doc(security=BEARER, responses=CHANGE_REFUSALS)
def cancel(body: dict[str, Any], order_id: str) -> Any:
    """Cancel: a draft is discarded, an unpaid one closed, a paid one cancelled and released."""
    return gateway().orders.cancel(order_id, _applicant(), body.get("reason"))


@blp.get("/<order_id>/timeline")
@blp.response(200, TimelineOut)
@blp.doc(security=BEARER, responses=REFUSALS)
def timeline(order_id: str) -> Any:
    """What happened to the application, when and by whom: each entry's code and
    parameters, and its words in the language Accept-Language asks for (English
    unless asked)."""
    caller = _applicant()
    order = gateway().orders.order(order_id, caller)
    entries = gateway().orders.timeline(order.id, caller)
    names = timeline_text.names_for(
        order, entries, lambda: timeline_text.item_offices(order, caller)
    )
    lang = normalise_language(request.accept_languages.best_match(["en", "zh-CN", "zh"]) or "en")
    return {
        "entries": [
            {**asdict(entry), "text": timeline_text.say_entry(entry, lang, names)}
            for entry in sorted(entries, key=lambda entry: entry.at)
        ]
    }


@blp.get("/<order_id>/resubmission")
@blp.response(200, ResubmissionOut)
@blp.doc(security=BEARER, responses=REFUSALS)
def get_resubmission(order_id: str) -> Any:
    """What the office asks you to replace: each refused photo with its reason, and the deadline."""
    caller = _applicant()
    order = gateway().orders.order(order_id, caller)
    case = gateway().verification.case(order_id, caller)
    return {
        "status": order.status,
        "round": case.round,
        "deadline": case.resubmission_deadline,
        "documents": [_refused(document) for document in case.refused_documents],
        "missing": [document.code for document in case.not_yet_replaced],
    }


def _refused(document: CaseDocument) -> dict[str, Any]:
    reason_code = document.verdict.reason_code if document.verdict else None
    key = journey.refusal_key(reason_code)
    return {
        "code": document.code,
        "title": document.title,
        "reason_code": key.removeprefix("refusal."),
        "reason": Text(zh=translate(key, "zh-CN"), en=translate(key, "en")),
        "note": document.verdict.note if document.verdict else None,
        "replaced": document.replaced,
    }


@blp.post("/<order_id>/resubmit")
@blp.response(200, DocumentSetOut)
@blp.doc(
    security=BEARER,
    responses={
        **CHANGE_REFUSALS,
        409: {
            "description": "replacements-missing (errors list the refused documents not "
            "replaced yet) or not-awaiting-applicant (no new photos are asked for)"
        },
    },
)
def resubmit(order_id: str) -> Any:
    """Send the new photos back for review, once every refused one is replaced."""
    return gateway().verification.resubmit(order_id, _applicant())
