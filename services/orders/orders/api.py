"""The orders service's HTTP API: thin views that parse, call one use case, dump.

Applicants (role `applicant`) create and change their own orders; staff
roles read every order (ID numbers masked); a supervisor may retry a refused
capture and cancel an order with a refund. Another applicant's order answers
404, never 403.
Creating, submitting and paying need an `Idempotency-Key` header, checked
before the body is read. The payment provider's webhook carries no internal
token: its signature is its proof.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import wraps
from typing import Any, TypeVar, cast
from urllib.parse import urlencode

from flask import Response, current_app, g, jsonify, request
from flask.views import MethodView
from flask_smorest import Blueprint

from common.auth import APPLICANT, STAFF_ROLES, Identity, current_identity, require_roles
from orders import idempotency
from orders.idempotency import Answer
from orders.schemas import (
    AnswersIn,
    CancelIn,
    CardIn,
    DeliveryIn,
    OrderCreateIn,
    OrderListOut,
    OrderListQuery,
    OrderOut,
    PaymentOut,
    TimelineOut,
    WalletIn,
    WebhookAnswerOut,
)
from orders.services import (
    cancelling,
    drafts,
    paying,
    reads,
    receipt,
    staff_actions,
    submitting,
    wallets,
    webhooks,
)
from orders.services.context import Context

CONTEXT = "orders.context"
READERS = (APPLICANT, *STAFF_ROLES)
WEBHOOK_PATH = "/webhooks/payments"

blp = Blueprint("orders", __name__, description="Applications, their payment and their timeline")

F = TypeVar("F", bound=Callable[..., Any])


def _ctx() -> Context:
    context: Context = current_app.extensions[CONTEXT]
    return context


def _who() -> Identity:
    return current_identity()


def idempotent(view: F) -> F:
    """Refuse (400, naming the header) a request without an Idempotency-Key."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        g.idempotency_key = idempotency.check_key(request.headers.get(idempotency.HEADER))
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def _first(answer: Answer) -> Response:
    """The answer with its own status; a replay says so in a header.

    The body was dumped by its schema when it was first made (it is stored as
    it is answered), so it goes out as it is: returned as a Response,
    flask-smorest does not dump it a second time."""
    response = jsonify(answer.body)
    response.status_code = answer.status
    if answer.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return response


_KEY_HEADER = {
    "in": "header",
    "name": idempotency.HEADER,
    "required": True,
    "schema": {"type": "string", "maxLength": 255},
    "description": "a new random value per request; the same one when retrying it",
}


def _doc(*codes: int, key: bool = False) -> dict[str, Any]:
    texts = {
        400: "no Idempotency-Key header",
        403: "the caller's role may not do this",
        404: "no such order, or not the caller's",
        409: "the order's state does not allow it (the detail names the state)",
        422: "a field is refused (errors name each one)",
        503: "the catalog or the payment provider is unavailable",
    }
    doc: dict[str, Any] = {"responses": {code: {"description": texts[code]} for code in codes}}
    if key:
        doc["parameters"] = [_KEY_HEADER]
    return doc


@blp.route("/orders")
class Orders(MethodView):
    @require_roles(*READERS)
    @blp.arguments(OrderListQuery, location="query")
    @blp.response(200, OrderListOut)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """The caller's orders (staff: everyone's), newest first."""
        found = reads.list_orders(_ctx(), _who(), query["status"], query["limit"])
        return {"orders": found}

    @require_roles(APPLICANT)
    @idempotent
    @blp.arguments(OrderCreateIn)
    @blp.response(201, OrderOut)
    @blp.doc(**_doc(400, 403, 422, 503, key=True))
    def post(self, body: dict[str, Any]) -> Any:
        """Start an application (a draft) for a catalog item."""
        return _first(drafts.create_order(_ctx(), _who(), body["item_code"], g.idempotency_key))


@blp.route("/orders/<order_id>")
class OneOrder(MethodView):
    @require_roles(*READERS)
    @blp.response(200, OrderOut)
    @blp.doc(**_doc(404))
    def get(self, order_id: str) -> dict[str, Any]:
        """One order, with its price, payment and what the applicant may do next."""
        return reads.get_order(_ctx(), _who(), order_id)


@blp.route("/orders/<order_id>/answers")
class Answers(MethodView):
    @require_roles(APPLICANT)
    @blp.arguments(AnswersIn)
    @blp.response(200, OrderOut)
    @blp.doc(**_doc(403, 404, 409, 422, 503))
    def put(self, body: dict[str, Any], order_id: str) -> dict[str, Any]:
        """Replace the draft's answers; each is checked against the item's form."""
        return drafts.save_answers(_ctx(), _who(), order_id, body["answers"])


@blp.route("/orders/<order_id>/delivery")
class Delivery(MethodView):
    @require_roles(APPLICANT)
    @blp.arguments(DeliveryIn)
    @blp.response(200, OrderOut)
    @blp.doc(**_doc(403, 404, 409, 422, 503))
    def put(self, body: dict[str, Any], order_id: str) -> dict[str, Any]:
        """Choose courier delivery to an address, or pickup at one of the item's offices."""
        return drafts.choose_delivery(_ctx(), _who(), order_id, body)


@blp.route("/orders/<order_id>/submit")
class Submit(MethodView):
    @require_roles(APPLICANT)
    @idempotent
    @blp.response(200, OrderOut)
    @blp.doc(**_doc(400, 403, 404, 409, 503, key=True))
    def post(self, order_id: str) -> Any:
        """Submit the draft: lock the price and open its payment (409 lists what is missing)."""
        return _first(submitting.submit(_ctx(), _who(), order_id, g.idempotency_key))


@blp.route("/orders/<order_id>/cancel")
class Cancel(MethodView):
    @require_roles(*READERS)
    @blp.arguments(CancelIn)
    @blp.response(200, OrderOut)
    @blp.doc(**_doc(403, 404, 409, 422, 503))
    def post(self, body: dict[str, Any], order_id: str) -> dict[str, Any]:
        """Cancel the order: the applicant until approval (the authorisation voided),
        a supervisor any order not yet final, with a reason (a capture refunded)."""
        who = _who()
        if who.is_staff:
            return staff_actions.cancel_by_supervisor(_ctx(), who, order_id, body["reason"])
        return cancelling.cancel(_ctx(), who, order_id, body["reason"] or None)


@blp.route("/orders/<order_id>/confirm-receipt")
class ConfirmReceipt(MethodView):
    @require_roles(APPLICANT)
    @blp.response(200, OrderOut)
    @blp.doc(**_doc(403, 404, 409))
    def post(self, order_id: str) -> dict[str, Any]:
        """Confirm that the delivered order was received: completed (409 before delivery)."""
        return receipt.confirm_receipt(_ctx(), _who(), order_id)


@blp.route("/orders/<order_id>/capture")
class Capture(MethodView):
    @require_roles(staff_actions.SUPERVISOR)
    @blp.response(200, OrderOut)
    @blp.doc(**_doc(403, 404, 409, 503))
    def post(self, order_id: str) -> dict[str, Any]:
        """Retry the capture of an approved order the provider refused (409 with its reason)."""
        return staff_actions.retry_capture(_ctx(), _who(), order_id)


@blp.route("/orders/<order_id>/timeline")
class Timeline(MethodView):
    @require_roles(*READERS)
    @blp.response(200, TimelineOut)
    @blp.doc(**_doc(404))
    def get(self, order_id: str) -> dict[str, Any]:
        """Every change of the order's state: when, from what, to what, by whom and why."""
        return {"entries": reads.timeline(_ctx(), _who(), order_id)}


@blp.route("/payments/<payment_id>")
class OnePayment(MethodView):
    @require_roles(*READERS)
    @blp.response(200, PaymentOut)
    @blp.doc(**_doc(404))
    def get(self, payment_id: str) -> dict[str, Any]:
        """The payment of an order: its state and the amounts captured and refunded."""
        return reads.get_payment(_ctx(), _who(), payment_id)


@blp.route("/payments/<payment_id>/card")
class PayByCard(MethodView):
    @require_roles(APPLICANT)
    @idempotent
    @blp.arguments(CardIn)
    @blp.response(202, PaymentOut)
    @blp.doc(**_doc(400, 403, 404, 409, 422, 503, key=True))
    def post(self, card: dict[str, str], payment_id: str) -> Any:
        """Hand a card to the payment provider; its answer arrives by webhook."""
        return _first(paying.pay_with_card(_ctx(), _who(), payment_id, card, g.idempotency_key))


@blp.route("/payments/<payment_id>/wallet")
class PayByWallet(MethodView):
    @require_roles(APPLICANT)
    @idempotent
    @blp.arguments(WalletIn)
    @blp.response(201, PaymentOut)
    @blp.doc(**_doc(400, 403, 404, 409, 422, 503, key=True))
    def post(self, body: dict[str, Any], payment_id: str) -> Any:
        """Pay with a wallet: a trade opened, its cashier URL or QR payload answered."""
        return _first(
            wallets.choose_wallet(
                _ctx(), _who(), payment_id, body["method"], body["return_url"], g.idempotency_key
            )
        )


@blp.route("/payments/<payment_id>/query")
class QueryWallet(MethodView):
    @require_roles(APPLICANT)
    @blp.response(200, PaymentOut)
    @blp.doc(**_doc(403, 404, 503))
    def post(self, payment_id: str) -> dict[str, Any]:
        """Ask the payment's wallet where its trade stands (its notification may be late)."""
        return wallets.query_trade(_ctx(), _who(), payment_id)


@blp.route(f"{WEBHOOK_PATH}/<method>")
class WalletNotifications(MethodView):
    @blp.doc(
        security=[],
        responses={
            200: {"description": "the wallet's own acknowledgement (success, or SUCCESS XML)"},
            400: {"description": "not a notification of that wallet"},
            401: {"description": "bad signature (sign)"},
            404: {"description": "unknown wallet or trade (out_trade_no)"},
            409: {"description": "already received (notify_id)"},
            422: {"description": "not the payment's amount (amount)"},
        },
    )
    def post(self, method: str) -> Response:
        """A wallet's signed notification (form RSA2 or XML HMAC; no internal token)."""
        raw = request.get_data()
        if not raw and request.form:  # the input guard read the form first: its stream is spent
            raw = urlencode(list(request.form.items(multi=True))).encode()
        body, mimetype = wallets.receive_notification(
            _ctx(), method, raw, request.content_type or ""
        )
        return Response(body, status=200, mimetype=mimetype)


@blp.route(WEBHOOK_PATH)
class PaymentWebhooks(MethodView):
    @blp.response(200, WebhookAnswerOut)
    @blp.doc(
        security=[],
        responses={
            400: {"description": "stale or future timestamp, or not an event"},
            401: {"description": "bad signature"},
        },
    )
    def post(self) -> dict[str, str]:
        """The payment provider's signed notifications (no internal token)."""
        headers = cast(Mapping[str, str], request.headers)
        return webhooks.receive_webhook(_ctx(), request.get_data(), headers)
