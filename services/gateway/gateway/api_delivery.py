"""Making and delivering through the public API, for the applicant: the
order's production and delivery (carrier, waybill, tracking, failed attempts,
the pickup office), the pickup code, correcting the address before dispatch,
and confirming receipt.

Thin views: fulfillment keeps the job and decides who may see it (another
applicant's order is its 404; the code only ever reaches the owner); orders
decides the receipt (409 before delivery, with the state). Their refusals come
back as they made them."""

from __future__ import annotations

from typing import Any

from flask import g, request
from flask_smorest import Blueprint

from common.errors import NotFound
from gateway.api import BEARER, api_caller, api_principal
from gateway.clients.http import Caller
from gateway.context import gateway
from gateway.delivery_schemas import CorrectedAddressIn, OrderDeliveryOut, PickupCodeOut
from gateway.pages.desk import client
from gateway.schemas import ApplicationOut

blp = Blueprint(
    "api_delivery", __name__, url_prefix="/api/v1", description="Production, delivery and receipt"
)
REFUSALS: dict[int | str, Any] = {
    401: {"description": "No or a bad bearer token"},
    404: {"description": "No such application, not yours, or not approved yet"},
    503: {"description": "A service behind the gateway is down"},
}


@blp.before_request
def _signed_in_first() -> None:
    """Who is calling is checked before the body is read: no token is a 401, not a 422."""
    if request.path.startswith("/api/v1/applications/"):
        g.api_principal = api_principal()


def _caller() -> Caller:
    return api_caller(g.api_principal)


@blp.get("/applications/<order_id>/delivery")
@blp.response(200, OrderDeliveryOut)
@blp.doc(security=BEARER, responses=REFUSALS)
def get_delivery(order_id: str) -> Any:
    """The order's making and delivery: job state, parcel and tracking, pickup office and code."""
    return client().job(_caller(), order_id)


@blp.get("/applications/<order_id>/pickup-code")
@blp.response(200, PickupCodeOut)
@blp.doc(security=BEARER, responses=REFUSALS)
def get_pickup_code(order_id: str) -> Any:
    """The 6-digit pickup code and the office, while the credential waits there (404 otherwise)."""
    job = client().job(_caller(), order_id)
    pickup = job.pickup
    if pickup is None or not pickup.code:
        raise NotFound("delivery.no_pickup_code")
    return {
        "code": pickup.code,
        "office_code": pickup.office_code,
        "office": pickup.office,
        "collect_by": pickup.collect_by,
    }


@blp.put("/applications/<order_id>/delivery-address")
@blp.arguments(CorrectedAddressIn)
@blp.response(200, OrderDeliveryOut)
@blp.doc(
    security=BEARER,
    responses={
        **REFUSALS,
        409: {"description": "already-dispatched: a waybill exists, or the order is a pickup"},
        422: {"description": "errors names each bad field (recipient, phone, …)"},
    },
)
def put_address(body: dict[str, Any], order_id: str) -> Any:
    """Correct the delivery address, until the parcel has a waybill."""
    return client().correct_address(_caller(), order_id, body)


@blp.post("/applications/<order_id>/confirm-receipt")
@blp.response(200, ApplicationOut)
@blp.doc(
    security=BEARER,
    responses={
        **REFUSALS,
        409: {"description": "Not delivered (yet): errors.status names the state"},
    },
)
def confirm_receipt(order_id: str) -> Any:
    """Confirm that the credential arrived: delivered → completed."""
    caller = _caller()
    client().confirm_receipt(caller, order_id)
    return gateway().orders.order(order_id, caller)
