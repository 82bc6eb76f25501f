"""The production, dispatch and counter desks through /api/v1/staff.

Thin views: parse, call fulfillment under the staff member's own identity,
dump. Who is calling is checked before the body is read: 401 without a token,
403 without the desk's role (production: production or supervisor; dispatch
and the counter: dispatcher or supervisor; unlocking: supervisor).
Fulfillment's refusals come back as it made them: 422 naming the field (with
`attempts_left` for a wrong pickup code), 423 locked, 409 naming the state."""

from __future__ import annotations

from typing import Any

from flask import Response, g, request
from flask_smorest import Blueprint

from gateway import delivering
from gateway.api import BEARER, api_caller, api_principal
from gateway.clients.fulfillment import Office
from gateway.clients.http import Caller
from gateway.context import gateway
from gateway.delivery_schemas import (
    BatchOut,
    CodeIn,
    CounterOut,
    CredentialIn,
    DispatchListOut,
    DispatchQuery,
    HandOverIn,
    JobSummaryOut,
    OrderDeliveryOut,
    OrderIdsIn,
    PageQuery,
    ProductionQueueOut,
    ProductionQueueQuery,
    ReferenceQuery,
    ReshipIn,
    ShipmentOut,
    ShipmentsOut,
    SwitchToPickupIn,
    WaybillsIn,
)
from gateway.pages.desk import client

blp = Blueprint(
    "api_staff_fulfillment",
    __name__,
    url_prefix="/api/v1/staff",
    description="Production, dispatch and the pickup counter (production, dispatcher, supervisor)",
)
REFUSALS: dict[int | str, Any] = {
    401: {"description": "No or a bad bearer token"},
    403: {"description": "Not the desk's role"},
    404: {"description": "No such order, batch or waybill"},
    503: {"description": "A service behind the gateway is down"},
}
CHANGES: dict[int | str, Any] = {
    **REFUSALS,
    409: {"description": "The order is in another state: errors.status names it"},
    422: {"description": "Bad fields: errors names each one"},
}
COUNTER: dict[int | str, Any] = {
    **CHANGES,
    422: {"description": "errors.code (with errors.attempts_left) or errors.id_checked"},
    423: {"description": "locked: five wrong codes; a supervisor unlocks"},
}


@blp.before_request
def _staff_first() -> None:
    path = request.path.removeprefix("/api/v1/staff")
    if path.startswith("/production/"):
        roles: tuple[str, ...] = delivering.PRODUCTION_ROLES
    elif path.endswith("/unlock"):
        roles = delivering.SUPERVISOR
    else:
        roles = delivering.DISPATCH_ROLES
    g.api_principal = api_principal(*roles)


def _staff() -> Caller:
    return api_caller(g.api_principal)


# --- production -----------------------------------------------------------------------


@blp.get("/production/jobs")
@blp.arguments(ProductionQueueQuery, location="query")
@blp.response(200, ProductionQueueOut)
@blp.doc(security=BEARER, responses=REFUSALS)
def production_queue(query: dict[str, Any]) -> Any:
    """The production queue, oldest first, with the count of each due tab."""
    return client().queue(_staff(), **query)


@blp.post("/production/batches")
@blp.arguments(OrderIdsIn)
@blp.response(201, BatchOut)
@blp.doc(security=BEARER, responses=CHANGES)
def start_batch(body: dict[str, Any]) -> Any:
    """Start a batch of queued jobs (1–50): each in production."""
    return client().start_batch(_staff(), body["order_ids"])


@blp.get("/production/batches/<batch_id>")
@blp.response(200, BatchOut)
@blp.doc(security=BEARER, responses=REFUSALS)
def get_batch(batch_id: str) -> Any:
    """A batch: its production sheet."""
    return client().batch(_staff(), batch_id)


@blp.put("/production/jobs/<order_id>/credential")
@blp.arguments(CredentialIn)
@blp.response(200, JobSummaryOut)
@blp.doc(security=BEARER, responses=CHANGES)
def record_credential(body: dict[str, Any], order_id: str) -> Any:
    """Record the credential's number (its format checked per item; a plate must equal the form's)."""
    return client().record_credential(_staff(), order_id, body["credential_number"])


@blp.post("/production/batches/<batch_id>/produced")
@blp.response(200, BatchOut)
@blp.doc(security=BEARER, responses=CHANGES)
def mark_produced(batch_id: str) -> Any:
    """Mark the batch produced (409 credentials-missing lists the orders without a number)."""
    return client().mark_produced(_staff(), batch_id)


# --- dispatch -------------------------------------------------------------------------


@blp.get("/dispatch/jobs")
@blp.arguments(DispatchQuery, location="query")
@blp.response(200, DispatchListOut)
@blp.doc(security=BEARER, responses=REFUSALS)
def dispatch_jobs(query: dict[str, Any]) -> Any:
    """Produced courier orders to waybill, or waybills to hand over, oldest first."""
    return client().dispatch_jobs(_staff(), **query)


@blp.post("/dispatch/waybills")
@blp.arguments(OrderIdsIn)
@blp.response(201, ShipmentsOut)
@blp.doc(security=BEARER, responses=CHANGES)
def create_waybills(body: dict[str, Any]) -> Any:
    """A waybill for each order (1–50); a second dispatch is 409."""
    return {"shipments": client().create_waybills(_staff(), body["order_ids"])}


@blp.get("/dispatch/shipments/<waybill>/label.svg")
@blp.response(200, content_type="image/svg+xml")
@blp.doc(security=BEARER, responses=REFUSALS)
def label(waybill: str) -> Response:
    """The printable label: SVG with the waybill's Code 128 barcode."""
    found = client().label(_staff(), waybill)
    response = Response(found.content, mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "private, no-store"
    return response


@blp.post("/dispatch/hand-over")
@blp.arguments(WaybillsIn)
@blp.response(200, ShipmentsOut)
@blp.doc(security=BEARER, responses=CHANGES)
def hand_over(body: dict[str, Any]) -> Any:
    """Hand the parcels to the courier: shipped."""
    return {"shipments": client().hand_over(_staff(), body["waybills"])}


@blp.get("/dispatch/exceptions")
@blp.arguments(PageQuery, location="query")
@blp.response(200, DispatchListOut)
@blp.doc(security=BEARER, responses=REFUSALS)
def exceptions(query: dict[str, Any]) -> Any:
    """Orders whose delivery failed (three failed attempts, refused, returned, uncollected)."""
    return client().exceptions(_staff(), query["page"])


@blp.post("/dispatch/jobs/<order_id>/reship")
@blp.arguments(ReshipIn)
@blp.response(201, ShipmentOut)
@blp.doc(security=BEARER, responses=CHANGES)
def reship(body: dict[str, Any], order_id: str) -> Any:
    """A new waybill (no new fee), to a corrected address if given."""
    return client().reship(_staff(), order_id, body.get("address"))


@blp.post("/dispatch/jobs/<order_id>/switch-to-pickup")
@blp.arguments(SwitchToPickupIn)
@blp.response(200, OrderDeliveryOut)
@blp.doc(security=BEARER, responses=CHANGES)
def switch_to_pickup(body: dict[str, Any], order_id: str) -> Any:
    """Send the credential to a pickup office instead (422 office_code: not an office)."""
    code = body["office_code"]
    office = _office(code)
    return client().switch_to_pickup(_staff(), order_id, code, office)


def _office(code: str) -> Office | None:
    """The office as the catalog describes it, so the applicant sees its address and hours."""
    for item in gateway().catalog.all_items(_staff()):
        for office in item.delivery.pickup_offices:
            if office.code == code:
                return Office(
                    name=office.name,
                    address=office.address or office.name,
                    hours=office.hours or office.name,
                )
    return None


# --- the counter ----------------------------------------------------------------------


@blp.get("/pickup")
@blp.arguments(ReferenceQuery, location="query")
@blp.response(200, CounterOut)
@blp.doc(security=BEARER, responses=REFUSALS)
def find_pickup(query: dict[str, Any]) -> Any:
    """A pickup by the order's reference: name, masked ID number, office, tries left."""
    return client().counter(_staff(), query["reference"])


@blp.post("/pickup/<order_id>/verify")
@blp.arguments(CodeIn)
@blp.response(200, CounterOut)
@blp.doc(security=BEARER, responses=COUNTER)
def verify(body: dict[str, Any], order_id: str) -> Any:
    """Check the code the applicant shows."""
    return client().verify_code(_staff(), order_id, body["code"])


@blp.post("/pickup/<order_id>/hand-over")
@blp.arguments(HandOverIn)
@blp.response(200, OrderDeliveryOut)
@blp.doc(security=BEARER, responses=COUNTER)
def hand_over_pickup(body: dict[str, Any], order_id: str) -> Any:
    """Hand over at the counter (the code, and id_checked: true): delivered."""
    return client().hand_over_pickup(_staff(), order_id, body["code"], body["id_checked"])


@blp.post("/pickup/<order_id>/unlock")
@blp.response(200, CounterOut)
@blp.doc(security=BEARER, responses={**REFUSALS, 409: {"description": "Not locked"}})
def unlock(order_id: str) -> Any:
    """Unlock a pickup locked by five wrong codes (supervisor)."""
    return client().unlock(_staff(), order_id)
