"""Fulfillment as the gateway sees it: the production queue and batches, dispatch
(waybills, labels, hand-over, exceptions), the pickup counter, the applicant's
view of an order's making and delivery, and the address correction; and orders'
receipt confirmation, which ends that part of the order's life.

This is the ONE place that knows fulfillment's API (docs/design/deliver.md):
the calls here, the answers' dataclasses and their readers in
gateway.clients.fulfillment_views (imported from here by pages and /api/v1). Every
call carries the caller's own identity (the staff member's roles, or the
applicant), so fulfillment decides who may do what and records who did it.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from common.service_client import Caller as ServiceCaller
from common.service_client import ServiceClient
from gateway.clients.fulfillment_views import (
    Batch,
    Counter,
    DispatchJob,
    DispatchList,
    Job,
    JobSummary,
    Label,
    Office,
    Parcel,
    Pickup,
    Queue,
    Shipment,
    TrackingEvent,
    read_batch,
    read_counter,
    read_dispatch_list,
    read_job,
    read_shipment,
    read_summary,
)
from gateway.clients.http import Caller

DUE_TABS = ("all", "on_time", "due_today", "late")
QUEUE_STATUSES = ("queued", "in_production", "produced")
DISPATCH_STAGES = ("to_waybill", "to_hand_over")
ADDRESS_FIELDS = ("recipient", "phone", "province", "city", "district", "street")

__all__ = [
    "ADDRESS_FIELDS",
    "DISPATCH_STAGES",
    "DUE_TABS",
    "QUEUE_STATUSES",
    "Batch",
    "Counter",
    "DispatchJob",
    "DispatchList",
    "FulfillmentClient",
    "Job",
    "JobSummary",
    "Label",
    "Office",
    "Parcel",
    "Pickup",
    "Queue",
    "Shipment",
    "TrackingEvent",
]


class FulfillmentClient:
    """Fulfillment's API, and orders' receipt confirmation (the next step after delivery)."""

    def __init__(self, fulfillment: ServiceClient, orders: ServiceClient) -> None:
        self._http = fulfillment
        self._orders = orders

    # -- production -----------------------------------------------------------------

    def queue(self, caller: Caller, *, status: str, due: str, item: str, page: int = 1) -> Queue:
        params: dict[str, Any] = {"status": status, "page": page}
        if due != "all":
            params["due"] = due
        if item:
            params["item"] = item
        raw = self._http.get("/production/jobs", params=params, caller=_as(caller))
        return Queue(
            jobs=tuple(read_summary(job) for job in raw.get("jobs", [])),
            counts={str(k): int(v) for k, v in (raw.get("counts") or {}).items()},
            page=int(raw.get("page") or 1),
            pages=int(raw.get("pages") or 1),
        )

    def start_batch(self, caller: Caller, order_ids: list[str]) -> Batch:
        raw = self._http.post(
            "/production/batches", json={"order_ids": order_ids}, caller=_as(caller)
        )
        return read_batch(raw)

    def batch(self, caller: Caller, batch_id: str) -> Batch:
        return read_batch(self._http.get(f"/production/batches/{_q(batch_id)}", caller=_as(caller)))

    def record_credential(self, caller: Caller, order_id: str, number: str) -> JobSummary:
        raw = self._http.put(
            f"/production/jobs/{_q(order_id)}/credential",
            json={"credential_number": number},
            caller=_as(caller),
        )
        return read_summary(raw)

    def mark_produced(self, caller: Caller, batch_id: str) -> Batch:
        raw = self._http.post(f"/production/batches/{_q(batch_id)}/produced", caller=_as(caller))
        return read_batch(raw)

    # -- dispatch ---------------------------------------------------------------------

    def dispatch_jobs(self, caller: Caller, *, stage: str, page: int = 1) -> DispatchList:
        raw = self._http.get(
            "/dispatch/jobs", params={"stage": stage, "page": page}, caller=_as(caller)
        )
        return read_dispatch_list(raw)

    def create_waybills(self, caller: Caller, order_ids: list[str]) -> tuple[Shipment, ...]:
        raw = self._http.post(
            "/dispatch/waybills", json={"order_ids": order_ids}, caller=_as(caller)
        )
        return tuple(read_shipment(s) for s in raw.get("shipments", []))

    def label(self, caller: Caller, waybill: str) -> Label:
        answer = self._http.request(
            "GET", f"/dispatch/shipments/{_q(waybill)}/label.svg", caller=_as(caller)
        )
        return Label(answer.content, answer.headers.get("Content-Type", ""))

    def hand_over(self, caller: Caller, waybills: list[str]) -> tuple[Shipment, ...]:
        raw = self._http.post(
            "/dispatch/hand-over", json={"waybills": waybills}, caller=_as(caller)
        )
        return tuple(read_shipment(s) for s in raw.get("shipments", []))

    def exceptions(self, caller: Caller, page: int = 1) -> DispatchList:
        raw = self._http.get("/dispatch/exceptions", params={"page": page}, caller=_as(caller))
        return read_dispatch_list(raw)

    def reship(
        self, caller: Caller, order_id: str, address: dict[str, str] | None = None
    ) -> Shipment:
        raw = self._http.post(
            f"/dispatch/jobs/{_q(order_id)}/reship",
            json={"address": address} if address else {},
            caller=_as(caller),
        )
        return read_shipment(raw)

    def switch_to_pickup(
        self, caller: Caller, order_id: str, office_code: str, office: Office | None = None
    ) -> Job:
        body: dict[str, Any] = {"office_code": office_code}
        if office is not None:
            body["office"] = {
                name: {"zh": value.zh, "en": value.en}
                for name, value in (
                    ("name", office.name),
                    ("address", office.address),
                    ("hours", office.hours),
                )
            }
        raw = self._http.post(
            f"/dispatch/jobs/{_q(order_id)}/switch-to-pickup", json=body, caller=_as(caller)
        )
        return read_job(raw)

    # -- the counter ------------------------------------------------------------------

    def counter(self, caller: Caller, reference: str) -> Counter:
        raw = self._http.get("/pickup", params={"reference": reference}, caller=_as(caller))
        return read_counter(raw)

    def verify_code(self, caller: Caller, order_id: str, code: str) -> Counter:
        raw = self._http.post(
            f"/pickup/{_q(order_id)}/verify", json={"code": code}, caller=_as(caller)
        )
        return read_counter(raw)

    def hand_over_pickup(self, caller: Caller, order_id: str, code: str, id_checked: bool) -> Job:
        raw = self._http.post(
            f"/pickup/{_q(order_id)}/hand-over",
            json={"code": code, "id_checked": id_checked},
            caller=_as(caller),
        )
        return read_job(raw)

    def unlock(self, caller: Caller, order_id: str) -> Counter:
        return read_counter(self._http.post(f"/pickup/{_q(order_id)}/unlock", caller=_as(caller)))

    # -- the applicant ----------------------------------------------------------------

    def job(self, caller: Caller, order_id: str) -> Job:
        return read_job(self._http.get(f"/jobs/{_q(order_id)}", caller=_as(caller)))

    def correct_address(self, caller: Caller, order_id: str, address: dict[str, str]) -> Job:
        body = {name: address.get(name, "") for name in ADDRESS_FIELDS}
        raw = self._http.put(f"/jobs/{_q(order_id)}/address", json=body, caller=_as(caller))
        return read_job(raw)

    def receipt(self, caller: Caller, order_id: str) -> dict[str, Any] | None:
        """Orders' auto-confirm timer of a delivered order: `auto_confirm_at`, or `paused`
        with `left_seconds` while a complaint is open (None once it has fired)."""
        raw = self._orders.get(f"/orders/{_q(order_id)}", caller=_as(caller))
        found = (raw or {}).get("receipt")
        return dict(found) if isinstance(found, dict) else None

    def confirm_receipt(self, caller: Caller, order_id: str) -> dict[str, Any]:
        """Orders' endpoint: delivered → completed; its raw Order JSON (the caller reads
        the order again through the orders client to show it)."""
        raw = self._orders.post(f"/orders/{_q(order_id)}/confirm-receipt", caller=_as(caller))
        return dict(raw or {})


def _as(caller: Caller) -> ServiceCaller:
    return ServiceCaller(caller.subject, tuple(caller.roles))


def _q(value: str) -> str:
    return quote(value, safe="")
