"""Fulfillment's HTTP API: thin views that parse, call one use case, dump.

Roles (docs/design/deliver.md): `production` the queue, batches and numbers;
`dispatcher` dispatch, exceptions and the counter; `supervisor` all of it and
unlocking a pickup. The role check runs before the body is parsed. The
courier's webhook carries no internal token: its signature is its proof.
`register` is the one place the blueprint is put on the app, with its Context.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, current_app, request
from flask.views import MethodView
from flask_smorest import Api, Blueprint

from common.auth import current_identity, require_roles
from common.errors import Forbidden
from fulfillment import corrections, dispatch, pickup, services, tracking
from fulfillment.schemas import (
    AddressIn,
    BatchOut,
    CodeIn,
    CounterOut,
    CredentialIn,
    DispatchListOut,
    DispatchQuery,
    HandOverIn,
    JobOut,
    JobSummaryOut,
    OrderIdsIn,
    PageQuery,
    QueueOut,
    QueueQuery,
    ReferenceQuery,
    ReshipIn,
    ShipmentOut,
    ShipmentsOut,
    SwitchToPickupIn,
    WaybillsIn,
    WebhookAnswerOut,
)
from fulfillment.services import Context

CONTEXT = "fulfillment.context"
WEBHOOK_PATH = "/webhooks/couriers/sandbox"
PRODUCTION = ("production", "supervisor")
DISPATCH = ("dispatcher", "supervisor")
DELIVERY_READERS = ("dispatcher", "supervisor")

blp = Blueprint("fulfillment", __name__, description="Production, dispatch, tracking and pickup")


def register(app: Flask, api: Api, *, context: Context) -> None:
    """Give the views the use cases' Context and register the blueprint."""
    app.extensions[CONTEXT] = context
    api.register_blueprint(blp)


def _ctx() -> Context:
    context: Context = current_app.extensions[CONTEXT]
    return context


def _actor() -> str:
    return current_identity().subject


def _reader() -> tuple[str, bool]:
    """(subject, staff) for reads of one order: its applicant or delivery staff.
    Production staff never see addresses or codes: for them the order does not exist."""
    identity = current_identity()
    if identity.has_any(DELIVERY_READERS):
        return identity.subject, True
    if identity.has_any(["applicant"]):
        return identity.subject, False
    if identity.is_staff:
        raise Forbidden("This needs one of the roles: dispatcher, supervisor.")
    raise Forbidden("Only the order's applicant or delivery staff may read this.")


# --- production ------------------------------------------------------------------------


@blp.route("/production/jobs")
class ProductionQueue(MethodView):
    @require_roles(*PRODUCTION)
    @blp.arguments(QueueQuery, location="query")
    @blp.response(200, QueueOut)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """The production queue, oldest approval first, with counts per due state."""
        return services.production_queue(_ctx(), **query)


@blp.route("/production/batches")
class Batches(MethodView):
    @require_roles(*PRODUCTION)
    @blp.arguments(OrderIdsIn)
    @blp.response(201, BatchOut)
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Start producing the chosen queued jobs as one batch."""
        return services.start_batch(_ctx(), body["order_ids"], actor=_actor())


@blp.route("/production/batches/<batch_id>")
class OneBatch(MethodView):
    @require_roles(*PRODUCTION)
    @blp.response(200, BatchOut)
    def get(self, batch_id: str) -> dict[str, Any]:
        """A batch: the production sheet's data."""
        return services.get_batch(_ctx(), batch_id)


@blp.route("/production/jobs/<order_id>/credential")
class Credential(MethodView):
    @require_roles(*PRODUCTION)
    @blp.arguments(CredentialIn)
    @blp.response(200, JobSummaryOut)
    def put(self, body: dict[str, Any], order_id: str) -> dict[str, Any]:
        """Record the number of the credential made (checked per item)."""
        return services.record_credential(_ctx(), order_id, body["credential_number"])


@blp.route("/production/batches/<batch_id>/produced")
class Produced(MethodView):
    @require_roles(*PRODUCTION)
    @blp.response(200, BatchOut)
    def post(self, batch_id: str) -> dict[str, Any]:
        """Mark every job of the batch produced (each needs its number)."""
        return services.mark_produced(_ctx(), batch_id, actor=_actor())


# --- dispatch --------------------------------------------------------------------------


@blp.route("/dispatch/jobs")
class DispatchJobs(MethodView):
    @require_roles(*DISPATCH)
    @blp.arguments(DispatchQuery, location="query")
    @blp.response(200, DispatchListOut)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """Produced courier orders waiting for a waybill, or for the hand-over."""
        return dispatch.dispatch_jobs(_ctx(), **query)


@blp.route("/dispatch/waybills")
class Waybills(MethodView):
    @require_roles(*DISPATCH)
    @blp.arguments(OrderIdsIn)
    @blp.response(201, ShipmentsOut)
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Create waybills for produced courier orders, in one batch."""
        return dispatch.create_waybills(_ctx(), body["order_ids"], actor=_actor())


@blp.route("/dispatch/shipments/<waybill>/label.svg")
class Label(MethodView):
    @require_roles(*DISPATCH)
    @blp.response(200, content_type="image/svg+xml")
    def get(self, waybill: str) -> Response:
        """The printable label (SVG, Code 128 barcode of the waybill)."""
        return Response(dispatch.label(_ctx(), waybill), mimetype="image/svg+xml")


@blp.route("/dispatch/hand-over")
class HandOver(MethodView):
    @require_roles(*DISPATCH)
    @blp.arguments(WaybillsIn)
    @blp.response(200, ShipmentsOut)
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """The parcels leave with the courier: the orders are shipped."""
        return dispatch.hand_over(_ctx(), body["waybills"], actor=_actor())


@blp.route("/dispatch/exceptions")
class Exceptions(MethodView):
    @require_roles(*DISPATCH)
    @blp.arguments(PageQuery, location="query")
    @blp.response(200, DispatchListOut)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """Orders the courier could not deliver, or left uncollected."""
        answer = corrections.exception_queue(_ctx(), page=query["page"])
        return {**answer, "counts": {"exceptions": len(answer["jobs"])}, "pages": 1}


@blp.route("/dispatch/jobs/<order_id>/reship")
class Reship(MethodView):
    @require_roles(*DISPATCH)
    @blp.arguments(ReshipIn)
    @blp.response(201, ShipmentOut)
    def post(self, body: dict[str, Any], order_id: str) -> dict[str, Any]:
        """Send it again with a new waybill (no new fee), optionally to a corrected address."""
        return corrections.reship(_ctx(), order_id, body["address"], actor=_actor())


@blp.route("/dispatch/jobs/<order_id>/switch-to-pickup")
class SwitchToPickup(MethodView):
    @require_roles(*DISPATCH)
    @blp.arguments(SwitchToPickupIn)
    @blp.response(200, JobOut)
    def post(self, body: dict[str, Any], order_id: str) -> dict[str, Any]:
        """Keep it at an office for pickup instead."""
        return corrections.switch_to_pickup(_ctx(), order_id, body["office_code"], body["office"])


# --- one order: its applicant and delivery staff ------------------------------------------


@blp.route("/jobs/<order_id>")
class OneJob(MethodView):
    @blp.response(200, JobOut)
    def get(self, order_id: str) -> dict[str, Any]:
        """The order's making and delivery: tracking, failed attempts, the pickup code (owner)."""
        subject, staff = _reader()
        return services.get_job(_ctx(), order_id, subject=subject, staff=staff)


@blp.route("/jobs/<order_id>/address")
class Address(MethodView):
    @blp.arguments(AddressIn)
    @blp.response(200, JobOut)
    def put(self, body: dict[str, Any], order_id: str) -> dict[str, Any]:
        """Correct the address before dispatch (never after)."""
        subject, staff = _reader()
        return corrections.correct_address(_ctx(), order_id, body, subject=subject, staff=staff)


# --- the counter ---------------------------------------------------------------------------


@blp.route("/pickup")
class FindPickup(MethodView):
    @require_roles(*DISPATCH)
    @blp.arguments(ReferenceQuery, location="query")
    @blp.response(200, CounterOut)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """Find a pickup by the order's reference."""
        return pickup.find_by_reference(_ctx(), query["reference"])


@blp.route("/pickup/<order_id>/verify")
class VerifyCode(MethodView):
    @require_roles(*DISPATCH)
    @blp.arguments(CodeIn)
    @blp.response(200, CounterOut)
    def post(self, body: dict[str, Any], order_id: str) -> dict[str, Any]:
        """Check the code the applicant shows (422 with the attempts left, 423 locked)."""
        return pickup.verify_code(_ctx(), order_id, body["code"])


@blp.route("/pickup/<order_id>/hand-over")
class PickupHandOver(MethodView):
    @require_roles(*DISPATCH)
    @blp.arguments(HandOverIn)
    @blp.response(200, JobOut)
    def post(self, body: dict[str, Any], order_id: str) -> dict[str, Any]:
        """Hand the credential over: the code is right and the ID card was checked in person."""
        return pickup.hand_over(_ctx(), order_id, body["code"], body["id_checked"], actor=_actor())


@blp.route("/pickup/<order_id>/unlock")
class Unlock(MethodView):
    @require_roles("supervisor")
    @blp.response(200, CounterOut)
    def post(self, order_id: str) -> dict[str, Any]:
        """Unlock a pickup after five wrong codes."""
        return pickup.unlock(_ctx(), order_id)


# --- the courier -----------------------------------------------------------------------------


@blp.route(WEBHOOK_PATH)
class CourierWebhooks(MethodView):
    @blp.response(200, WebhookAnswerOut)
    def post(self) -> dict[str, int]:
        """The courier's signed tracking events (401 bad signature, 404 unknown waybill)."""
        headers = {key: value for key, value in request.headers.items()}
        return tracking.receive_webhook(_ctx(), request.get_data(), headers)
